// Export format version 3's frame (docs/export-format.md, "Version 3"; version 4 keeps it): the records of version 2,
// each with its own fast128 checksum and padded to 8 bytes, and a trailer checksumming the header
// and every record head. No pass over the whole file with SHA-256 (40% of a version 2 export),
// and each record can be checked on its own, as it arrives, before it is decoded.
import { fast128 } from './hash';
import { corrupt, FORMAT_V3, HEADER_BYTES, MAGIC } from './container';
import { REC_END, type Rec } from './payload-v2';

/** type (1), zero (3), body length (4), fast128 of the body (16). */
export const REC_HEAD = 24;
export const TRAILER_V3 = 16;
/** Seed of the trailer's fast128 ("SPT3"); a record's seed is its type. */
const TRAILER_SEED = 0x53505433;

// Arithmetic, not bit operations: a (damaged) length can exceed 2^31.
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

function putHash(dv: DataView, at: number, h: Uint32Array): void {
  for (let j = 0; j < 4; j++) dv.setUint32(at + 4 * j, h[j]!, true);
}

function sameHash(dv: DataView, at: number, h: Uint32Array): boolean {
  for (let j = 0; j < 4; j++) if (dv.getUint32(at + 4 * j, true) !== h[j]) return false;
  return true;
}

/**
 * The whole file in one allocation: each record's parts are copied once, and its checksum is
 * taken over the copy just made (aligned, and still in cache).
 */
export function sealV3(records: Rec[], rawLen: number, version = FORMAT_V3): Uint8Array {
  const lens = records.map((r) => r.body.reduce((a, p) => a + p.length, 0));
  let total = HEADER_BYTES + TRAILER_V3;
  for (const len of lens) total += REC_HEAD + pad8(len);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(8, version, true);
  dv.setUint16(10, 0, true);
  dv.setUint32(12, 0, true);
  dv.setBigUint64(16, BigInt(total - HEADER_BYTES - TRAILER_V3), true);
  dv.setBigUint64(24, BigInt(rawLen), true);
  const heads = new Uint8Array(HEADER_BYTES + REC_HEAD * records.length);
  heads.set(out.subarray(0, HEADER_BYTES));
  const h = new Uint32Array(4);
  let off = HEADER_BYTES;
  records.forEach((r, i) => {
    const len = lens[i]!;
    const body = off + REC_HEAD;
    let at = body;
    for (const p of r.body) {
      out.set(p, at);
      at += p.length;
    }
    out[off] = r.type;
    dv.setUint32(off + 4, len, true);
    putHash(dv, off + 8, fast128(out.subarray(body, body + len), r.type, h));
    heads.set(out.subarray(off, body), HEADER_BYTES + REC_HEAD * i);
    off = body + pad8(len);
  });
  putHash(dv, off, fast128(heads, TRAILER_SEED, h));
  return out;
}

/**
 * Check a version 3 file (magic and version already checked): flags, lengths and limit, every
 * record head (bounds, zero fields, zero padding, END last and counting the others), the trailer,
 * and then every record's checksum. Returns the records before END and the declared decoded size.
 */
export function openV3(input: Uint8Array, maxRawBytes: number): { records: Rec1[]; rawLen: number } {
  // Checksums read 4-byte words: an unaligned view (never what exportState or a Blob gives) is
  // copied once rather than hashed through the slower unaligned path.
  const bytes = input.byteOffset & 7 ? input.slice() : input;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_BYTES + TRAILER_V3) throw corrupt('too short');
  if (dv.getUint16(10, true) !== 0 || dv.getUint32(12, true) !== 0) throw corrupt('unknown flags');
  const payloadLen = dv.getBigUint64(16, true);
  const rawLen = dv.getBigUint64(24, true);
  if (payloadLen !== BigInt(bytes.length - HEADER_BYTES - TRAILER_V3)) throw corrupt('length mismatch (truncated?)');
  if (rawLen > BigInt(maxRawBytes)) throw corrupt(`payload of ${rawLen} bytes exceeds the ${maxRawBytes}-byte limit`);
  const end = bytes.length - TRAILER_V3;
  const found: { type: number; at: number; len: number }[] = [];
  let off = HEADER_BYTES;
  for (;;) {
    if (off + REC_HEAD > end) throw corrupt('record head past the end');
    const type = bytes[off]!;
    const len = dv.getUint32(off + 4, true);
    if (bytes[off + 1] !== 0 || bytes[off + 2] !== 0 || bytes[off + 3] !== 0) throw corrupt('bad record head');
    const body = off + REC_HEAD;
    if (len > end - body || pad8(len) > end - body) throw corrupt('record body past the end');
    for (let i = body + len; i < body + pad8(len); i++) if (bytes[i] !== 0) throw corrupt('bad record padding');
    found.push({ type, at: off, len });
    off = body + pad8(len);
    if (type === REC_END) break;
  }
  if (off !== end) throw corrupt('data after END');
  const heads = new Uint8Array(HEADER_BYTES + REC_HEAD * found.length);
  heads.set(bytes.subarray(0, HEADER_BYTES));
  found.forEach((r, i) => heads.set(bytes.subarray(r.at, r.at + REC_HEAD), HEADER_BYTES + REC_HEAD * i));
  const h = new Uint32Array(4);
  if (!sameHash(dv, end, fast128(heads, TRAILER_SEED, h))) throw corrupt('checksum mismatch (trailer)');
  const records: Rec1[] = [];
  for (const r of found) {
    const body = bytes.subarray(r.at + REC_HEAD, r.at + REC_HEAD + r.len);
    if (!sameHash(dv, r.at + 8, fast128(body, r.type, h))) throw corrupt('checksum mismatch (record)');
    records.push({ type: r.type, body });
  }
  const last = records.pop()!;
  if (
    last.body.length !== 4 ||
    new DataView(last.body.buffer, last.body.byteOffset, 4).getUint32(0, true) !== records.length
  )
    throw corrupt('bad END record');
  return { records, rawLen: Number(rawLen) };
}

/** A record read back: its type and its body as one view. */
export interface Rec1 {
  type: number;
  body: Uint8Array;
}
