// The export's LZ codec: round trips on many shapes of data, and damaged input is CORRUPT
// (never a crash, an out-of-bounds write or a hang).
import { describe, expect, it } from 'vitest';
import { lzCompress, lzDecompress } from './lz';

const enc = new TextEncoder();
let seed = 99;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function shapes(): [string, Uint8Array][] {
  const random = crypto.getRandomValues(new Uint8Array(50_000));
  const text = enc.encode(
    Array.from({ length: 4000 }, (_, i) => `    value_${i % 97} = compute(${i}, "${(i * 2654435761) % 9973}")\n`).join(
      '',
    ),
  );
  const runs = new Uint8Array(100_000);
  for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 1000) % 3;
  const mixed = randomBytes(70_000);
  for (let i = 1; i < mixed.length; i += 2) mixed[i] = 0;
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([7])],
    ['short', enc.encode('abcabcabcabc')],
    ['zeros', new Uint8Array(65_536)],
    ['random', random],
    ['text', text],
    ['runs', runs],
    ['mixed', mixed],
    [
      'repeated random block',
      new Uint8Array([...random.subarray(0, 9000), ...random.subarray(0, 9000), ...random.subarray(0, 20)]),
    ],
  ];
}

describe('lz', () => {
  it('round-trips every shape, and compresses what repeats', () => {
    for (const [name, data] of shapes()) {
      const z = lzCompress(data, data.length + 1000)!;
      expect(z, name).toBeDefined();
      expect(same(lzDecompress(z, data.length), data), name).toBe(true);
    }
    const text = shapes().find(([n]) => n === 'text')![1];
    expect(lzCompress(text, text.length)!.length).toBeLessThan(text.length / 2);
    expect(lzCompress(new Uint8Array(65_536), 65_536)!.length).toBeLessThan(400);
  });

  it('gives up when the output would not fit the limit', () => {
    const random = crypto.getRandomValues(new Uint8Array(10_000));
    expect(lzCompress(random, 9_000)).toBeUndefined();
  });

  it('damaged input is CORRUPT, whatever the damage', () => {
    const text = shapes().find(([n]) => n === 'text')![1];
    const z = lzCompress(text, text.length)!;
    let corruptCount = 0;
    for (let k = 0; k < 300; k++) {
      const copy = z.slice();
      const at = Math.floor(rnd() * copy.length);
      copy[at] = Math.floor(rnd() * 256);
      const cut = rnd() < 0.2 ? copy.subarray(0, Math.floor(rnd() * copy.length)) : copy;
      try {
        const out = lzDecompress(cut, text.length);
        expect(out.length).toBe(text.length); // a change inside literals can decode: the trailer catches it
      } catch (e) {
        expect((e as { code?: string }).code).toBe('CORRUPT');
        corruptCount++;
      }
    }
    expect(corruptCount).toBeGreaterThan(0);
    for (let k = 0; k < 500; k++) {
      const junk = crypto.getRandomValues(new Uint8Array(1 + Math.floor(rnd() * 300)));
      try {
        lzDecompress(junk, Math.floor(rnd() * 5000));
      } catch (e) {
        expect((e as { code?: string }).code).toBe('CORRUPT');
      }
    }
    expect(() => lzDecompress(z, text.length + 1)).toThrowError(expect.objectContaining({ code: 'CORRUPT' }));
  });
});
