// A small, fast LZ77 codec of our own for export format v2 (method 2, docs/export-format.md):
// byte-aligned sequences like LZ4's block format, no entropy coding. It compresses text about
// half as well as deflate but several times faster, which is what an export of a sandbox needs
// (CompressionStream's deflate runs at 10–30 MB/s on varied text and its level cannot be set).
// The decoder checks every length and offset against its buffers: damaged input is CORRUPT,
// never an out-of-bounds write or a loop that does not end.
import { corrupt } from './container';

const MIN_MATCH = 4;
const HASH_BITS = 14;
const MAX_OFFSET = 0xffff;
/** The last bytes are always literals, so the match finder can read 4 bytes ahead without checks. */
const END_LITERALS = 8;

const read32 = (a: Uint8Array, i: number): number => a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) | (a[i + 3]! << 24);

/** Copies `n` bytes; a loop for the short runs that dominate (a subarray per call costs more). */
function copy(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): number {
  if (n > 32) {
    dst.set(src.subarray(from, from + n), to);
    return to + n;
  }
  for (let k = 0; k < n; k++) dst[to + k] = src[from + k]!;
  return to + n;
}

function writeLength(out: Uint8Array, op: number, n: number): number {
  while (n >= 255) {
    out[op++] = 255;
    n -= 255;
  }
  out[op++] = n;
  return op;
}

/** Compressed form of `src`, or undefined if it would not be smaller than `limit` bytes. */
export function lzCompress(src: Uint8Array, limit: number): Uint8Array | undefined {
  const n = src.length;
  // Worst case: every byte a literal, one length byte per 255, a token per sequence.
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  const table = new Int32Array(1 << HASH_BITS).fill(-1);
  let ip = 0;
  let anchor = 0;
  let op = 0;
  const end = n - END_LITERALS;
  let miss = 0;
  while (ip < end) {
    const seq = read32(src, ip);
    const h = Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_BITS);
    const ref = table[h]!;
    table[h] = ip;
    if (ref < 0 || ip - ref > MAX_OFFSET || read32(src, ref) !== seq) {
      // Skip faster through data that does not match (incompressible stretches).
      ip += 1 + (miss++ >> 6);
      continue;
    }
    miss = 0;
    let len = MIN_MATCH;
    while (ip + len < end && src[ip + len] === src[ref + len]) len++;
    const lit = ip - anchor;
    if (op + lit + (lit >> 8) + 8 + (len >> 8) > limit) return undefined;
    const tokenAt = op++;
    out[tokenAt] = (Math.min(lit, 15) << 4) | Math.min(len - MIN_MATCH, 15);
    if (lit >= 15) op = writeLength(out, op, lit - 15);
    op = copy(src, anchor, out, op, lit);
    const off = ip - ref;
    out[op++] = off & 0xff;
    out[op++] = off >>> 8;
    if (len - MIN_MATCH >= 15) op = writeLength(out, op, len - MIN_MATCH - 15);
    ip += len;
    anchor = ip;
  }
  const lit = n - anchor;
  if (op + lit + (lit >> 8) + 2 > limit) return undefined;
  out[op++] = Math.min(lit, 15) << 4;
  if (lit >= 15) op = writeLength(out, op, lit - 15);
  out.set(src.subarray(anchor), op);
  op += lit;
  return out.slice(0, op);
}

/** Decodes `src` into exactly `rawLen` bytes; anything else is CORRUPT. */
export function lzDecompress(src: Uint8Array, rawLen: number): Uint8Array {
  const out = new Uint8Array(rawLen);
  let ip = 0;
  let op = 0;
  const n = src.length;
  const readLength = (base: number): number => {
    let len = base;
    if (base !== 15) return len;
    for (;;) {
      if (ip >= n) throw corrupt('lz: length past the end');
      const b = src[ip++]!;
      len += b;
      if (len > rawLen) throw corrupt('lz: length too large');
      if (b !== 255) return len;
    }
  };
  for (;;) {
    if (ip >= n) throw corrupt('lz: missing final sequence');
    const token = src[ip++]!;
    const lit = readLength(token >>> 4);
    if (ip + lit > n || op + lit > rawLen) throw corrupt('lz: literals out of bounds');
    op = copy(src, ip, out, op, lit);
    ip += lit;
    if (ip === n) {
      if (op !== rawLen || (token & 15) !== 0) throw corrupt('lz: wrong decoded length');
      return out;
    }
    if (ip + 2 > n) throw corrupt('lz: offset past the end');
    const off = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    const len = readLength(token & 15) + MIN_MATCH;
    if (off === 0 || off > op || op + len > rawLen) throw corrupt('lz: match out of bounds');
    // Byte by byte when short or overlapping (a run repeats the bytes it produces).
    let from = op - off;
    if (off >= len && len > 32) {
      out.copyWithin(op, from, from + len);
      op += len;
    } else {
      for (let k = 0; k < len; k++) out[op++] = out[from++]!;
    }
  }
}
