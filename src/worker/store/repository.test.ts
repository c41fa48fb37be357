// The commit protocol: round trips, incremental writes, garbage collection, and crashes at every step.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, type FileNode } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import type { StorageBackend } from './backend';
import { StoreError } from './backend';
import { MemoryBackend } from './memory';
import { Repository } from './repository';
import { parsePack } from './pack';
import { dump, stateOf } from './store.test-helpers';

/** Every object hash held by the stored packs. */
function storedHashes(mem: MemoryBackend): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of mem.data) if (k.startsWith('pack/')) for (const e of parsePack(v, k)) out.add(e.hash);
  return out;
}

/** A backend that "dies" on its n-th mutating call: that call throws (optionally after a torn write) and so does every later one. */
class CrashingBackend implements StorageBackend {
  ops = 0;
  dead = false;
  constructor(
    readonly inner: MemoryBackend,
    readonly crashAt: number,
    readonly torn = false,
  ) {}
  load(k: string) {
    return this.inner.load(k);
  }
  list(p?: string) {
    return this.inner.list(p);
  }
  async save(k: string, b: Uint8Array) {
    this.step();
    if (this.ops === this.crashAt) {
      if (this.torn) await this.inner.save(k, b.subarray(0, b.length >> 1));
      this.dead = true;
      throw new Error('killed');
    }
    return this.inner.save(k, b);
  }
  async delete(k: string) {
    this.step();
    if (this.ops === this.crashAt) {
      this.dead = true;
      throw new Error('killed');
    }
    return this.inner.delete(k);
  }
  private step() {
    if (this.dead) throw new Error('killed');
    this.ops++;
  }
}

describe('Repository', () => {
  it('round-trips a tree with snapshots and meta', async () => {
    const mem = new MemoryBackend();
    const v = new Vfs();
    v.mkdir('/home/user', { recursive: true });
    v.writeFile('/home/user/a.txt', 'hello');
    v.writeFile(
      '/big',
      new Uint8Array(3 * PAGE_SIZE + 7).map((_, i) => i & 0xff),
    );
    v.truncate('/big', 5 * PAGE_SIZE); // a hole at the end
    v.symlink('home/user', '/h');
    v.mkdir('/usr/lib', { recursive: true });
    v.writeFile('/usr/lib/x', 'unchanged');
    v.chmod('/home/user/a.txt', 0o600);
    const s1 = v.snapshot();
    v.writeFile('/home/user/a.txt', 'changed');
    const repo = await Repository.open(mem);
    expect(repo.exists).toBe(false);
    await repo.commit({
      root: v.snapshot().root,
      snapshots: [{ id: 's1', name: 'first', createdAt: 5, root: s1.root }],
      meta: { cwd: '/home/user' },
    });
    const again = await Repository.open(mem);
    const st = (await again.load())!;
    expect(st.meta).toEqual({ cwd: '/home/user' });
    const loaded = Vfs.fromRoot(st.root);
    expect(dump(loaded)).toEqual(dump(v));
    expect(st.snapshots.map((s) => [s.id, s.name, s.createdAt])).toEqual([['s1', 'first', 5]]);
    const snapVfs = Vfs.fromRoot(st.snapshots[0]!.root);
    expect(snapVfs.readText('/home/user/a.txt')).toBe('hello');
    // Loaded trees share unchanged pages and subtrees again.
    const bigNow = st.root.entries.get('big') as FileNode;
    const bigThen = st.snapshots[0]!.root.entries.get('big') as FileNode;
    expect(bigNow.pages[1]).toBe(bigThen.pages[1]);
    expect(st.root.entries.get('usr')).toBe(st.snapshots[0]!.root.entries.get('usr'));
    // And the loaded live tree is usable: writes, handles (inode index), further commits.
    loaded.write('/big', 0, new Uint8Array([1]));
    expect(loaded.stat('/big').size).toBe(5 * PAGE_SIZE);
  });

  it('writes only changed objects and collects garbage', async () => {
    const mem = new MemoryBackend();
    const v = new Vfs();
    for (let i = 0; i < 20; i++)
      v.writeFile(
        `/f${i}`,
        new Uint8Array(PAGE_SIZE * 2).map((_, j) => (j < PAGE_SIZE ? 2 * i : 2 * i + 1)),
      );
    const repo = await Repository.open(mem);
    const first = await repo.commit(stateOf(v));
    expect(first.objectsWritten).toBe(41); // 40 pages + root dir
    v.write('/f3', PAGE_SIZE + 1, new Uint8Array([9]));
    const second = await repo.commit(stateOf(v));
    expect(second.objectsWritten).toBe(2); // one page + the root dir
    expect(second.objectsDeleted).toBe(2); // the old page and the old root dir
    const third = await repo.commit(stateOf(v));
    expect(third.objectsWritten).toBe(0); // nothing changed: only the root record is rewritten
    expect(third.packsWritten).toBe(0);
    // Two packs (the first commit's and the second's two objects); the first's two dead objects
    // are not worth a rewrite yet (compaction starts below half live).
    expect((await mem.list('pack/')).sort()).toEqual(['pack/1.0', 'pack/2.0']);
    expect(storedHashes(mem).size).toBe(43);
    // Reopened from storage, the next commit is incremental too.
    const reopened = await Repository.open(mem);
    const st = (await reopened.load())!;
    const v2 = Vfs.fromRoot(st.root);
    v2.writeFile('/f0', 'small');
    const fourth = await reopened.commit(stateOf(v2));
    expect(fourth.objectsWritten).toBe(2);
  });

  it('survives a crash at every step of a commit', async () => {
    let t = 0;
    const a = new Vfs({ now: () => ++t });
    a.mkdir('/d');
    for (let i = 0; i < 5; i++) a.writeFile(`/d/f${i}`, `version A ${i}`.repeat(1000));
    const mem = new MemoryBackend();
    await (await Repository.open(mem)).commit(stateOf(a, 'A'));
    const dumpA = dump(a);
    const b = a.fork();
    b.writeFile('/d/f1', 'version B');
    b.rm('/d/f2');
    b.mkdir('/new');
    b.writeFile('/new/x', 'B'.repeat(PAGE_SIZE + 3));
    const dumpB = dump(b);
    for (const [torn, loadFirst] of [
      [false, true],
      [true, true],
      [true, false], // committing over a head that was never loaded must not rewrite its objects
    ]) {
      for (let crashAt = 1; ; crashAt++) {
        const copy = new MemoryBackend();
        for (const [k, val] of mem.data) copy.data.set(k, val);
        const crashing = new CrashingBackend(copy, crashAt, torn);
        const repo = await Repository.open(crashing);
        if (loadFirst) await repo.load();
        let crashed = false;
        try {
          await repo.commit(stateOf(b, 'B'));
        } catch {
          crashed = true;
        }
        // "Restart": a fresh repository over whatever the storage holds now.
        const after = await Repository.open(copy);
        const st = (await after.load())!;
        const got = dump(Vfs.fromRoot(st.root));
        if (st.meta === 'A') expect(got).toEqual(dumpA);
        else expect(got).toEqual(dumpB);
        // The store keeps working after the crash, and ends clean.
        await after.commit(stateOf(b, 'B'));
        const fin = await Repository.open(copy);
        expect(dump(Vfs.fromRoot((await fin.load())!.root))).toEqual(dumpB);
        if (!crashed) break;
        expect(crashAt).toBeLessThan(100);
      }
    }
  });

  it('sweeps leftovers of a failed commit on the next one', async () => {
    const mem = new MemoryBackend();
    let failAt = -1;
    let saves = 0;
    const flaky: StorageBackend = {
      load: (k) => mem.load(k),
      list: (p) => mem.list(p),
      delete: (k) => mem.delete(k),
      save: async (k, b) => {
        if (++saves === failAt) {
          await mem.save(k, b.subarray(0, 1)); // the failing write leaves a torn pack behind
          throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
        }
        return mem.save(k, b);
      },
    };
    const v = new Vfs();
    v.writeFile('/a', 'a');
    const repo = await Repository.open(flaky);
    await repo.commit(stateOf(v));
    for (let i = 0; i < 5; i++) v.writeFile(`/n${i}`, `new ${i}`);
    failAt = saves + 1; // the pack write tears: the disk is "full"
    await expect(repo.commit(stateOf(v))).rejects.toMatchObject({ code: 'QUOTA' });
    // The torn pack is deleted at once (a full disk gets its space back), the first one stays.
    expect(await mem.list('pack/')).toEqual(['pack/1.0']);
    // A leftover of some older crashed session, and a stray loose object: both are swept.
    await mem.save('pack/9.0', new Uint8Array([1, 2, 3]));
    await mem.save('obj/' + 'ab'.repeat(32), new Uint8Array([1]));
    v.rm('/n0');
    v.rm('/n1');
    v.rm('/n2');
    v.rm('/n3');
    await repo.commit(stateOf(v));
    // Exactly the root slots and the pack the root names remain (the first pack, mostly dead
    // once the root directory changed, was compacted into this commit's), and they load.
    expect((await mem.list()).sort()).toEqual(['pack/2.0', 'root.0', 'root.1']);
    const st = (await (await Repository.open(mem)).load())!;
    expect(dump(Vfs.fromRoot(st.root))).toEqual(dump(v));
  });

  it('reports CORRUPT when objects are damaged and QUOTA when storage is full', async () => {
    const mem = new MemoryBackend();
    const v = new Vfs();
    v.writeFile('/a', 'aaa');
    await (await Repository.open(mem)).commit(stateOf(v));
    const pack = mem.data.get('pack/1.0')!;
    // Flip a byte of the page 'aaa' (the last 3 bytes of its entry, wherever it lies in the pack).
    const at = pack.findIndex((_, i) => pack[i] === 97 && pack[i + 1] === 97 && pack[i + 2] === 97);
    pack[at] ^= 1;
    await expect((await Repository.open(mem)).load()).rejects.toMatchObject({ code: 'CORRUPT' });

    const full: StorageBackend = {
      load: async () => undefined,
      list: async () => [],
      delete: async () => {},
      save: async () => {
        throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
      },
    };
    const err = await (await Repository.open(full)).commit(stateOf(v)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'QUOTA' });
  });

  it('ignores a foreign or damaged older root slot', async () => {
    const mem = new MemoryBackend();
    const v = new Vfs();
    v.writeFile('/a', '1');
    const repo = await Repository.open(mem);
    await repo.commit(stateOf(v, 1)); // seq 1 → root.1
    v.writeFile('/a', '2');
    await repo.commit(stateOf(v, 2)); // seq 2 → root.0
    mem.data.set('root.1', new TextEncoder().encode('{"format":"sandpit-root","seq":99}\nnot-a-hash'));
    const st = (await (await Repository.open(mem)).load())!;
    expect(st.meta).toBe(2);
    expect(Vfs.fromRoot(st.root).readText('/a')).toBe('2');
  });
});
