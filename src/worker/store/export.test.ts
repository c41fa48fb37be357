// Export/import round trip, and the fuzz-ish guarantee: any damaged, truncated, foreign or oversized blob is CORRUPT.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import { seal } from './container';
import { exportState, importState } from './export';
import { crc32 } from './hash';
import { endRecord, frame, REC_BLOB, REC_META, REC_TREE } from './records';
import { codeOf } from './store.test-helpers';

const enc = new TextEncoder();

function sample(): { v: Vfs; snap: ReturnType<Vfs['snapshot']> } {
  let t = 1_700_000_000_000;
  const v = new Vfs({ now: () => (t += 1000) });
  v.mkdir('/home/user/proj', { recursive: true });
  v.writeFile('/home/user/proj/main.py', 'print(6*7)\n');
  v.chmod('/home/user/proj/main.py', 0o755);
  v.writeFile(
    '/data.bin',
    new Uint8Array(PAGE_SIZE + 10).map((_, i) => (i * 7) & 0xff),
  );
  v.truncate('/data.bin', 3 * PAGE_SIZE); // trailing hole
  v.symlink('home/user', '/h');
  v.mkdir('/tmp');
  v.chmod('/tmp', 0o1777);
  const snap = v.snapshot();
  v.writeFile('/home/user/proj/main.py', 'print(1)\n');
  v.writeFile('/later', 'x');
  return { v, snap };
}

describe('exportState / importState', () => {
  it('round-trips files, metadata, symlinks, holes, snapshots, env and cwd', async () => {
    const { v, snap } = sample();
    const bytes = await exportState(v, {
      env: { A: '1' },
      cwd: '/home/user',
      snapshots: [{ id: 's1', name: 'before', createdAt: 7, snapshot: snap }],
    });
    expect(new TextDecoder().decode(bytes.subarray(0, 7))).toBe('SANDPIT');
    const got = await importState(bytes);
    expect(got.env).toEqual({ A: '1' });
    expect(got.cwd).toBe('/home/user');
    const w = got.vfs;
    expect(w.readText('/home/user/proj/main.py')).toBe('print(1)\n');
    expect(w.stat('/home/user/proj/main.py')).toMatchObject({
      mode: 0o100755,
      mtimeMs: v.stat('/home/user/proj/main.py').mtimeMs,
    });
    const a = w.readFile('/data.bin');
    const b = v.readFile('/data.bin');
    expect(a.length === b.length && a.every((x, i) => x === b[i])).toBe(true);
    expect(w.readlink('/h')).toBe('home/user');
    expect(w.stat('/tmp').mode).toBe(0o41777);
    expect(w.usage()).toEqual(v.usage());
    expect(got.snapshots).toHaveLength(1);
    const s = got.snapshots[0]!;
    expect([s.id, s.name, s.createdAt]).toEqual(['s1', 'before', 7]);
    w.restore(s.snapshot);
    expect(w.readText('/home/user/proj/main.py')).toBe('print(6*7)\n');
    expect(w.exists('/later')).toBe(false);
    // The imported filesystem is fully usable.
    w.writeFile('/new', 'ok');
    w.write('/data.bin', 5, new Uint8Array([1]));
  });

  it('compresses', async () => {
    const v = new Vfs();
    v.writeFile('/zeros', new Uint8Array(4 * 1024 * 1024));
    expect((await exportState(v)).length).toBeLessThan(64 * 1024);
  });

  it('every truncation is CORRUPT', async () => {
    const { v, snap } = sample();
    const bytes = await exportState(v, { snapshots: [{ id: 's', createdAt: 1, snapshot: snap }] });
    const step = Math.max(1, Math.floor(bytes.length / 400));
    for (let n = 0; n < bytes.length; n += step) {
      expect(await codeOf(importState(bytes.subarray(0, n))), `truncated at ${n}`).toBe('CORRUPT');
    }
    // Appended junk is rejected too.
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(await codeOf(importState(longer))).toBe('CORRUPT');
  });

  it('every bit flip is CORRUPT', async () => {
    const { v } = sample();
    const bytes = await exportState(v);
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const positions = [...Array(300)].map(() => Math.floor(rnd() * bytes.length * 8));
    for (let i = 0; i < 64 * 8; i++) positions.push(i); // every bit of header and early payload
    for (const bit of positions) {
      const copy = bytes.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(await codeOf(importState(copy)), `bit ${bit}`).toBe('CORRUPT');
    }
  });

  it('foreign and oversized blobs are CORRUPT', async () => {
    const foreign = [
      new Uint8Array(0),
      enc.encode('hello world'),
      enc.encode('SANDPIT\0'),
      new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, ...new Uint8Array(100)]),
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, ...new Uint8Array(100)]),
      crypto.getRandomValues(new Uint8Array(5000)),
    ];
    for (const f of foreign) expect(await codeOf(importState(f))).toBe('CORRUPT');
    const v = new Vfs();
    // Distinct pages: equal ones are stored once, and the limit is on what import materialises.
    const big = new Uint8Array(2 * 1024 * 1024);
    for (let o = 0; o < big.length; o += 65536) crypto.getRandomValues(big.subarray(o, o + 65536));
    v.writeFile('/big', big);
    const bytes = await exportState(v);
    expect(await codeOf(importState(bytes, { maxBytes: 1024 * 1024 }))).toBe('CORRUPT');
    expect(await codeOf(importState(bytes, { maxBytes: 4 * 1024 * 1024 }))).toBeUndefined();
    // Valid, but larger than the target sandbox's quota: ENOSPC, nothing built.
    expect(await codeOf(importState(bytes, { vfs: { maxBytes: 1024 * 1024 } }))).toBe('ENOSPC');
    expect(await codeOf(importState(bytes, { vfs: { maxFiles: 0 } }))).toBe('ENOSPC');
  });

  it('inner damage behind a valid outer checksum is still CORRUPT (CRC, schema, references)', async () => {
    const meta = (blobs: number, trees: number) =>
      frame(
        REC_META,
        enc.encode(
          JSON.stringify({ format: 'sandpit-state', version: 1, createdAt: 1, env: {}, cwd: '/', blobs, trees }),
        ),
      );
    const tree = (entries: unknown[]) => frame(REC_TREE, enc.encode(JSON.stringify({ role: 'live', entries })));
    const root = ['/', 'd', 0o755, 1, 1];
    const build = (...recs: Uint8Array[][]) => seal([...recs.flat(), ...endRecord(recs.length)]);
    // A well-formed one is accepted, so the failures below are due to what each one changes.
    expect(
      await codeOf(
        importState(
          await build(meta(1, 1), frame(REC_BLOB, enc.encode('hi')), tree([root, ['/f', 'f', 0o644, 1, 1, 2, [0]]])),
        ),
      ),
    ).toBeUndefined();
    const bad: Uint8Array[][][] = [
      [meta(0, 1), tree([root, ['/a/b', 'f', 0o644, 1, 1, 0, []]])], // parent missing
      [meta(0, 1), tree([root, ['/../x', 'f', 0o644, 1, 1, 0, []]])], // '..' component
      [meta(0, 1), tree([root, ['/x', 'f', 0o644, 1, 1, 0, []], ['/x', 'f', 0o644, 1, 1, 0, []]])], // duplicate
      [meta(0, 1), tree([root, ['/x', 'f', 0o644, 1, 1, 5, [0]]])], // blob index out of range
      [meta(1, 1), frame(REC_BLOB, enc.encode('hi')), tree([root, ['/x', 'f', 0o644, 1, 1, 5, [0]]])], // blob length ≠ size
      [meta(0, 1), tree([root, ['/x', 'f', 0o644, 1, 1, PAGE_SIZE + 1, [-1]]])], // page count ≠ size
      [meta(0, 1), tree([root, ['/x', 'f', 0o70000, 1, 1, 0, []]])], // mode out of range
      [meta(0, 1), tree([root, ['/x', 'q', 0o644, 1, 1]])], // unknown kind
      [meta(0, 1), tree([['/x', 'd', 0o755, 1, 1]])], // no root first
      [meta(0, 2), tree([root])], // count mismatch
      [meta(0, 1), frame(REC_TREE, enc.encode('{not json'))],
      [tree([root])], // META missing
      [meta(0, 1), tree([root, ['/l', 'l', 0o777, 1, 1, '']])], // empty symlink target
    ];
    for (const [i, recs] of bad.entries())
      expect(await codeOf(importState(await build(...recs))), `case ${i}`).toBe('CORRUPT');
    // A record whose CRC does not match its body.
    const t = tree([root]);
    t[1] = t[1]!.slice();
    t[1][3] ^= 1;
    expect(await codeOf(importState(await build(meta(0, 1), t)))).toBe('CORRUPT');
    // Data after the END record.
    expect(
      await codeOf(importState(await seal([...meta(0, 1), ...tree([root]), ...endRecord(2), new Uint8Array([0])]))),
    ).toBe('CORRUPT');
    expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
  });
});
