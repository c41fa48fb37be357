// Export format v2: segments stored or deflated by a sample, equal pages stored once, version 1
// blobs still read, and damage behind a valid SHA-256 trailer still CORRUPT.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import { looksCompressible, METHOD_DEFLATE, METHOD_STORED } from './codec';
import { sealV2 } from './container';
import { exportState, importState } from './export';
import { REC_END, REC_META, REC_SEGMENT, REC_TREE } from './payload-v2';
import { codeOf } from './store.test-helpers';

const enc = new TextEncoder();

function random(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
}

/** Byte equality without vitest's element-by-element diffing (slow on large arrays). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const u32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const rec = (type: number, ...body: Uint8Array[]) => {
  const len = body.reduce((a, b) => a + b.length, 0);
  return [new Uint8Array([type]), u32(len), ...body];
};
const meta = (blobs: number, trees: number) =>
  rec(
    REC_META,
    enc.encode(JSON.stringify({ format: 'sandpit-state', version: 2, createdAt: 1, env: {}, cwd: '/', blobs, trees })),
  );
const tree = (entries: unknown[]) => {
  const json = enc.encode(JSON.stringify({ role: 'live', entries }));
  return { parts: rec(REC_TREE, new Uint8Array([METHOD_STORED]), u32(json.length), json), raw: json.length };
};
const segment = (blobs: Uint8Array[], method = METHOD_STORED, data?: Uint8Array, rawLen?: number) => {
  const raw = blobs.reduce((a, b) => a + b.length, 0);
  const lens = [u32(blobs.length), ...blobs.map((b) => u32(b.length))];
  return {
    parts: rec(REC_SEGMENT, new Uint8Array([method]), u32(rawLen ?? raw), ...lens, ...(data ? [data] : blobs)),
    raw: rawLen ?? raw,
  };
};
const root = ['/', 'd', 0o755, 1, 1];

async function build(metaParts: Uint8Array[], items: { parts: Uint8Array[]; raw: number }[], endCount?: number) {
  const parts = [...metaParts, ...items.flatMap((i) => i.parts), ...rec(REC_END, u32(endCount ?? 1 + items.length))];
  return sealV2(
    parts,
    items.reduce((a, i) => a + i.raw, 0),
  );
}

describe('export format v2', () => {
  it('stores random data raw, deflates text, and stores equal pages once', async () => {
    const v = new Vfs({ maxBytes: 1 << 30 });
    const noise = random(3 * PAGE_SIZE + 100);
    v.writeFile('/noise', noise);
    const text = enc.encode('def f(x):\n    return x * 2\n'.repeat(20_000));
    v.writeFile('/text.py', text);
    v.mkdir('/copies');
    for (let i = 0; i < 50; i++) v.writeFile(`/copies/c${i}`, noise); // 50 copies, distinct pages in the VFS
    const bytes = await exportState(v, { formatVersion: 2 });
    expect(bytes[8]).toBe(2); // version
    // Raw noise once (~196 KB), text deflated to a few KB, copies free.
    expect(bytes.length).toBeLessThan(noise.length + 40_000);
    expect(bytes.length).toBeGreaterThan(noise.length);
    const back = (await importState(bytes)).vfs;
    expect(same(back.readFile('/noise'), noise)).toBe(true);
    expect(same(back.readFile('/text.py'), text)).toBe(true);
    expect(same(back.readFile('/copies/c49'), noise)).toBe(true);
    // Imported pages are shared copy-on-write: a write to one copy leaves the others.
    back.write('/copies/c1', 0, new Uint8Array([noise[0]! ^ 1]));
    expect(same(back.readFile('/copies/c2'), noise)).toBe(true);
    expect(back.readFile('/copies/c1')[0]).toBe(noise[0]! ^ 1);
  });

  it('samples: random bytes look incompressible, text and half-zero bytes do not', () => {
    expect(looksCompressible([random(1 << 20)], 1 << 20)).toBe(false);
    expect(looksCompressible([enc.encode('hello world, '.repeat(100_000))], 1_300_000)).toBe(true);
    const mixed = random(1 << 20);
    for (let i = 1; i < mixed.length; i += 2) mixed[i] = 0;
    expect(looksCompressible([mixed], mixed.length)).toBe(true);
  });

  it('every truncation and a sample of bit flips are CORRUPT', async () => {
    const v = new Vfs();
    v.writeFile('/a', random(PAGE_SIZE + 5));
    v.writeFile('/b.txt', 'text '.repeat(30_000));
    const bytes = await exportState(v, { formatVersion: 2 });
    for (let n = 0; n < bytes.length; n += Math.max(1, Math.floor(bytes.length / 300)))
      expect(await codeOf(importState(bytes.subarray(0, n))), `truncated at ${n}`).toBe('CORRUPT');
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    for (let k = 0; k < 200; k++) {
      const bit = Math.floor(rnd() * bytes.length * 8);
      const copy = bytes.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(await codeOf(importState(copy)), `bit ${bit}`).toBe('CORRUPT');
    }
  });

  it('damage behind a valid trailer is CORRUPT (lengths, methods, order, counts)', async () => {
    const hi = enc.encode('hi');
    const file = ['/f', 'f', 0o644, 1, 1, 2, [0]];
    // Well-formed: accepted, so each failure below is due to what it changes.
    expect(await codeOf(importState(await build(meta(1, 1), [segment([hi]), tree([root, file])])))).toBeUndefined();
    const junk = new Uint8Array([1, 2, 3, 4, 5]);
    const cases: [string, Promise<Uint8Array>][] = [
      ['unknown method', build(meta(1, 1), [segment([hi], 7), tree([root, file])])],
      ['stored length mismatch', build(meta(1, 1), [segment([hi], METHOD_STORED, hi, 3), tree([root, file])])],
      ['damaged deflate', build(meta(1, 1), [segment([hi], METHOD_DEFLATE, junk), tree([root, file])])],
      ['blob count mismatch', build(meta(2, 1), [segment([hi]), tree([root, file])])],
      ['tree count mismatch', build(meta(1, 2), [segment([hi]), tree([root, file])])],
      ['segment after tree', build(meta(1, 1), [tree([root, file]), segment([hi])])],
      ['END count', build(meta(1, 1), [segment([hi]), tree([root, file])], 9)],
      ['blob length != file size', build(meta(1, 1), [segment([hi]), tree([root, ['/f', 'f', 0o644, 1, 1, 3, [0]]])])],
      ['no META', build([], [segment([hi]), tree([root, file])])],
      [
        'version 1 META in a v2 frame',
        build(
          rec(
            REC_META,
            enc.encode(
              JSON.stringify({
                format: 'sandpit-state',
                version: 1,
                createdAt: 1,
                env: {},
                cwd: '/',
                blobs: 1,
                trees: 1,
              }),
            ),
          ),
          [segment([hi]), tree([root, file])],
        ),
      ],
      ['unknown record', build(meta(1, 1), [segment([hi]), { parts: rec(9, hi), raw: 0 }, tree([root, file])])],
    ];
    for (const [why, p] of cases) expect(await codeOf(importState(await p)), why).toBe('CORRUPT');
    // Declared decoded size larger than the header's: refused before inflating.
    const ok = await build(meta(1, 1), [segment([hi]), tree([root, file])]);
    const lying = ok.slice();
    new DataView(lying.buffer).setBigUint64(24, 1n, true);
    expect(await codeOf(importState(lying))).toBe('CORRUPT');
  });
});
