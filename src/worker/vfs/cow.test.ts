// Randomised copy-on-write check: after any sequence of operations, every snapshot and every fork
// still reads exactly as it did when taken (no write ever leaks into shared pages or directories).
import { describe, expect, it } from 'vitest';
import { HandleTable } from './handles';
import { PAGE_SIZE } from './node';
import { Vfs, type VfsSnapshot } from './vfs';

function dump(v: Vfs): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    for (const name of [...v.readdir(p)].sort()) {
      const c = p === '/' ? '/' + name : p + '/' + name;
      const st = v.lstat(c);
      if (st.type === 'dir') {
        out[c] = `d${st.mode}`;
        walk(c);
      } else if (st.type === 'symlink') out[c] = `l${v.readlink(c)}`;
      else {
        const b = v.readFile(c);
        let h = 0;
        for (let i = 0; i < b.length; i++) h = (h * 31 + b[i]!) | 0;
        out[c] = `f${st.mode}:${b.length}:${h}`;
      }
    }
  };
  walk('/');
  return out;
}

function run(seed: number): void {
  let x = seed;
  const rnd = (n: number) => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % n;
  };
  const names = ['a', 'b', 'c', 'd'];
  const path = () => {
    const depth = 1 + rnd(3);
    let p = '';
    for (let i = 0; i < depth; i++) p += '/' + names[rnd(names.length)];
    return p;
  };
  const data = () => new Uint8Array(rnd(3) === 0 ? rnd(3 * PAGE_SIZE) : rnd(100)).map(() => rnd(256));
  let v = new Vfs({ maxBytes: 64 * PAGE_SIZE, now: () => 0 });
  let h = new HandleTable(v);
  const fds: number[] = [];
  const snaps: [VfsSnapshot, Record<string, string>][] = [];
  const forks: [Vfs, Record<string, string>][] = [];
  for (let step = 0; step < 300; step++) {
    try {
      switch (rnd(14)) {
        case 0:
          v.mkdir(path(), { recursive: rnd(2) === 0 });
          break;
        case 1:
          v.writeFile(path(), data());
          break;
        case 2:
          v.write(path(), rnd(2 * PAGE_SIZE), data());
          break;
        case 3:
          v.truncate(path(), rnd(3 * PAGE_SIZE));
          break;
        case 4:
          v.rm(path(), { recursive: true });
          break;
        case 5:
          v.rename(path(), path());
          break;
        case 6:
          v.symlink(path(), path());
          break;
        case 7:
          v.chmod(path(), rnd(0o1000));
          break;
        case 8:
          snaps.push([v.snapshot(), dump(v)]);
          break;
        case 9:
          if (snaps.length) v.restore(snaps[rnd(snaps.length)]![0]);
          break;
        case 10: {
          const f = v.fork();
          forks.push([f, dump(f)]);
          if (rnd(4) === 0) {
            // Continue on the fork for a while: the parent must stay frozen as recorded.
            forks.push([v, dump(v)]);
            v = f;
            forks.splice(forks.length - 2, 1);
            h.closeAll();
            fds.length = 0;
            h = new HandleTable(v);
          }
          break;
        }
        case 11:
          fds.push(h.open(path(), 'a+'));
          break;
        case 12:
          if (fds.length) h.write(fds[rnd(fds.length)]!, data(), rnd(PAGE_SIZE * 2));
          break;
        case 13:
          if (fds.length) h.close(fds.splice(rnd(fds.length), 1)[0]!);
          break;
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (!code) throw e;
    }
  }
  for (const [s, d] of snaps) {
    const probe = Vfs.fromSnapshot(s);
    expect(dump(probe)).toEqual(d);
    expect(probe.usage().bytes).toBe(
      Object.values(d).reduce((n, e) => n + (e[0] === 'f' ? Number(e.split(':')[1]) : 0), 0),
    );
  }
  for (const [f, d] of forks) if (f !== v) expect(dump(f)).toEqual(d);
}

describe('copy-on-write under random operations', () => {
  it('keeps snapshots and forks intact', () => {
    for (let seed = 1; seed <= 25; seed++) run(seed);
  });
});
