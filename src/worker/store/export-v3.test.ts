// Export format v3: fast128 (against a plain reference implementation), per-record checksums,
// padding and trailer checks, version 2 blobs still read, and unaligned input accepted.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import { HEADER_BYTES } from './container';
import { REC_HEAD, sealV3, TRAILER_V3 } from './container-v3';
import { exportState, importState } from './export';
import { encodeRecords, REC_END, REC_META, REC_SEGMENT, REC_TREE, type Rec } from './payload-v2';
import { fast128, fast128Hex, setFastScratchBytes } from './hash';
import { codeOf } from './store.test-helpers';

const enc = new TextEncoder();

function random(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let o = 0; o < n; o += 65536) crypto.getRandomValues(b.subarray(o, Math.min(n, o + 65536)));
  return b;
}

/** fast128 as docs/export-format.md words it, one byte at a time (no typed-array tricks). */
function reference(bytes: Uint8Array, seed: number): number[] {
  const mul = (a: number, b: number) => Number((BigInt(a >>> 0) * BigInt(b >>> 0)) & 0xffffffffn);
  const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
  const lanes = [(0x243f6a88 ^ seed) >>> 0, 0x85a308d3, 0x13198a2e, 0x03707344];
  const padded = new Uint8Array(Math.ceil(bytes.length / 16) * 16);
  padded.set(bytes);
  for (let i = 0; i < padded.length; i += 4) {
    const w = padded[i]! + padded[i + 1]! * 256 + padded[i + 2]! * 65536 + padded[i + 3]! * 16777216;
    const k = (i / 4) % 4;
    lanes[k] = mul(rotl((lanes[k]! + mul(w, 0x85ebca77)) >>> 0, 13), 0x9e3779b1);
  }
  let [a, b, c, d] = lanes as [number, number, number, number];
  a = (a + (bytes.length % 2 ** 32)) >>> 0;
  b = (b + Math.floor(bytes.length / 2 ** 32)) >>> 0;
  for (let r = 0; r < 2; r++) {
    a = (a + b) >>> 0;
    d = rotl(d ^ a, 16);
    c = (c + d) >>> 0;
    b = rotl(b ^ c, 12);
    a = (a + b) >>> 0;
    d = rotl(d ^ a, 8);
    c = (c + d) >>> 0;
    b = rotl(b ^ c, 7);
  }
  return [a, b, c, d].map((h) => {
    h = (h ^ (h >>> 16)) >>> 0;
    h = mul(h, 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
    h = mul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  });
}

describe('fast128', () => {
  it('matches the reference at every length and alignment, through the chunked unaligned path too', () => {
    const data = random(3000);
    setFastScratchBytes(64); // unaligned input then crosses many scratch chunks
    try {
      for (const len of [0, 1, 3, 4, 15, 16, 17, 31, 32, 33, 100, 1000, 2999]) {
        for (const off of [0, 1, 2, 3, 4, 8]) {
          const view = data.subarray(off, off + len);
          const seed = len * 7 + off;
          expect([...fast128(view, seed)], `len ${len} off ${off}`).toEqual(reference(view, seed));
        }
      }
    } finally {
      setFastScratchBytes(1 << 16);
    }
    expect(fast128Hex(data)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('every single bit flip, and a zero appended, changes the hash', () => {
    const data = random(200);
    const base = fast128Hex(data);
    for (let bit = 0; bit < data.length * 8; bit++) {
      const copy = data.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(fast128Hex(copy)).not.toBe(base);
    }
    const longer = new Uint8Array(201);
    longer.set(data);
    expect(fast128Hex(longer)).not.toBe(base);
    expect(fast128Hex(data, 1)).not.toBe(base);
  });
});

describe('export format v3', () => {
  const sample = () => {
    const v = new Vfs({ maxBytes: 1 << 30 });
    v.writeFile('/noise', random(2 * PAGE_SIZE + 7));
    v.writeFile('/t.txt', enc.encode('hello sandpit\n'.repeat(10_000)));
    v.symlink('t.txt', '/l');
    return v;
  };

  it('writes version 3 and reads it back, also from an unaligned view; version 2 still reads', async () => {
    const v = sample();
    const bytes = await exportState(v, { env: { A: '1' }, cwd: '/', formatVersion: 3 });
    expect(bytes[8]).toBe(3);
    const unaligned = new Uint8Array(bytes.length + 3).subarray(3);
    unaligned.set(bytes);
    for (const b of [bytes, unaligned]) {
      const back = await importState(b);
      expect(back.vfs.readFile('/noise')).toEqual(v.readFile('/noise'));
      expect(new TextDecoder().decode(back.vfs.readFile('/t.txt'))).toBe('hello sandpit\n'.repeat(10_000));
      expect(back.env).toEqual({ A: '1' });
    }
    const v2 = await exportState(v, { formatVersion: 2 });
    expect(v2[8]).toBe(2);
    expect((await importState(v2)).vfs.readFile('/noise')).toEqual(v.readFile('/noise'));
  });

  it('a page shared at two lengths (a snapshot before a truncate) exports as two blobs', async () => {
    const v = new Vfs();
    const data = random(5000);
    v.writeFile('/a', data);
    const snap = v.snapshot();
    v.truncate('/a', 1000);
    const back = await importState(await exportState(v, { snapshots: [{ id: 's', createdAt: 1, snapshot: snap }] }));
    expect(back.vfs.readFile('/a')).toEqual(data.subarray(0, 1000));
    expect(Vfs.fromSnapshot(back.snapshots[0]!.snapshot).readFile('/a')).toEqual(data);
  });

  it('damage behind valid checksums is CORRUPT (order, counts, types, coded heads)', async () => {
    const meta = (blobs: number, version = 3) =>
      enc.encode(
        JSON.stringify({ format: 'sandpit-state', version, createdAt: 1, env: {}, cwd: '/', blobs, trees: 1 }),
      );
    const tree = enc.encode(
      JSON.stringify({
        role: 'live',
        entries: [
          ['/', 'd', 0o755, 1, 1],
          ['/f', 'f', 0o644, 1, 1, 2, [0]],
        ],
      }),
    );
    const good = await encodeRecords(
      { meta: meta(2), blobs: [enc.encode('hi'), enc.encode('yo')], trees: [tree] },
      true,
    );
    const seal = (records: Rec[], rawLen = good.rawLen) => sealV3(records, rawLen);
    expect(await codeOf(importState(seal(good.records)))).toBeUndefined();
    const [m, seg, t] = good.records as [Rec, Rec, Rec, Rec];
    const end3 = { type: REC_END, body: [new Uint8Array([3, 0, 0, 0])] };
    const bytesOf = (r: Rec) => {
      const out = new Uint8Array(r.body.reduce((a, b) => a + b.length, 0));
      let at = 0;
      for (const b of r.body) {
        out.set(b, at);
        at += b.length;
      }
      return out;
    };
    const segBytes = bytesOf(seg);
    const badHead = segBytes.slice();
    badHead[1] = 1; // a coded head's zero byte
    const badPad = segBytes.slice();
    badPad[21] = 1; // the zero padding before the data (head 8 + count 4 + two lengths 8 = 20, padded to 24)
    const cases: [string, Rec[], number?][] = [
      ['END count', [m, seg, t, { type: REC_END, body: [new Uint8Array([9, 0, 0, 0])] }]],
      ['no META', [seg, t, { type: REC_END, body: [new Uint8Array([2, 0, 0, 0])] }]],
      ['segment after tree', [m, t, seg, end3]],
      [
        'unknown record type',
        [m, seg, { type: 9, body: [enc.encode('x')] }, t, { type: REC_END, body: [new Uint8Array([4, 0, 0, 0])] }],
      ],
      ['version 2 META in a version 3 file', [{ type: REC_META, body: [meta(2, 2)] }, seg, t, end3]],
      ['non-zero coded head', [m, { type: REC_SEGMENT, body: [badHead] }, t, end3]],
      ['non-zero coded padding', [m, { type: REC_SEGMENT, body: [badPad] }, t, end3]],
      ['declared size != header', [m, seg, t, end3], good.rawLen + 1],
      [
        'tree not JSON',
        [m, seg, { type: REC_TREE, body: [new Uint8Array([0, 0, 0, 0, 3, 0, 0, 0]), enc.encode('{{{')] }, end3],
      ],
    ];
    for (const [why, records, rawLen] of cases)
      expect(await codeOf(importState(seal(records, rawLen))), why).toBe('CORRUPT');
  });

  it('a flipped bit in any record, head, padding or trailer is CORRUPT, checked per record', async () => {
    const bytes = await exportState(sample());
    const dv = new DataView(bytes.buffer);
    // Every record head, every padding byte and the trailer, bit by bit; bodies at a sample of bits.
    const bits: number[] = [];
    let off = HEADER_BYTES;
    while (off < bytes.length - TRAILER_V3) {
      const len = dv.getUint32(off + 4, true);
      for (let b = off * 8; b < (off + REC_HEAD) * 8; b++) bits.push(b);
      const end = off + REC_HEAD + Math.ceil(len / 8) * 8;
      for (let b = (off + REC_HEAD + len) * 8; b < end * 8; b++) bits.push(b);
      for (let k = 0; k < 20; k++) bits.push((off + REC_HEAD) * 8 + Math.floor((k / 20) * len * 8));
      off = end;
    }
    for (let b = (bytes.length - TRAILER_V3) * 8; b < bytes.length * 8; b++) bits.push(b);
    for (const bit of bits) {
      const copy = bytes.slice();
      copy[bit >> 3]! ^= 1 << (bit & 7);
      expect(await codeOf(importState(copy)), `bit ${bit}`).toBe('CORRUPT');
    }
  });
});
