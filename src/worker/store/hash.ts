// Checksums: SHA-256 (WebCrypto, in workers and Node 20) for content addresses and whole files, CRC32 for records.

export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]!;
  return s;
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await sha256(bytes));
}

/**
 * Digests in flight at once through sha256HexPooled. WebCrypto copies each input and answers
 * from another thread: 10,000 page digests started together held 100 MB of copies and ran
 * slower than a few at a time (Chromium, 2026-11-22).
 */
const POOL = 8;
let inflight = 0;
const waiting: (() => void)[] = [];

/** sha256Hex with at most POOL digests running; callers may start any number at once. */
export async function sha256HexPooled(bytes: Uint8Array): Promise<string> {
  if (inflight >= POOL) await new Promise<void>((r) => waiting.push(r));
  inflight++;
  try {
    return await sha256Hex(bytes);
  } finally {
    inflight--;
    waiting.shift()?.();
  }
}

// Slicing-by-8 tables: eight bytes per step, several times faster than the one-table loop on large blobs.
const CRC_TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as in gzip and zip). Pass the previous value to continue over several buffers. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = CRC_TABLES;
  let c = ~previous >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const a = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^
      t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

// ---- fast128: a fast non-cryptographic 128-bit hash (docs/export-format.md, "fast128") ----
// Used where SHA-256 through WebCrypto cost more than everything else: the per-record checksums
// of export version 3 and the content addresses of store pages (which are byte-compared before
// being trusted as equal, see repository.ts). Four independent 32-bit lanes, each updated with
// one multiply-rotate-multiply per 4-byte word: every step is a bijection of the lane for a fixed
// word and of the word for a fixed lane, so a change confined to one word (every single flipped
// bit) always changes the result. About 3 GB/s in V8 over aligned input.

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const F1 = 0x85ebca6b | 0;
const F2 = 0xc2b2ae35 | 0;
/** Words are read as little-endian through an Int32Array only where the platform is little-endian. */
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Unaligned input is copied here a chunk at a time (Int32Array views need 4-byte alignment). */
let scratch = new Uint8Array(1 << 16);
const lanes = new Int32Array(4);

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const fmix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, F1);
  h ^= h >>> 13;
  h = Math.imul(h, F2);
  return (h ^ (h >>> 16)) >>> 0;
};

/** Feed `groups` 16-byte groups of `w` (from word 0) into the lanes. */
function feed(w: Int32Array, groups: number): void {
  let a = lanes[0]!;
  let b = lanes[1]!;
  let c = lanes[2]!;
  let d = lanes[3]!;
  const n = groups * 4;
  for (let i = 0; i < n; i += 4) {
    a = (a + Math.imul(w[i]!, P2)) | 0;
    a = Math.imul((a << 13) | (a >>> 19), P1);
    b = (b + Math.imul(w[i + 1]!, P2)) | 0;
    b = Math.imul((b << 13) | (b >>> 19), P1);
    c = (c + Math.imul(w[i + 2]!, P2)) | 0;
    c = Math.imul((c << 13) | (c >>> 19), P1);
    d = (d + Math.imul(w[i + 3]!, P2)) | 0;
    d = Math.imul((d << 13) | (d >>> 19), P1);
  }
  lanes[0] = a;
  lanes[1] = b;
  lanes[2] = c;
  lanes[3] = d;
}

/** Little-endian 32-bit word of `b` at `at`, zero past the end. */
const wordAt = (b: Uint8Array, at: number): number =>
  (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24);

function init(seed: number): void {
  lanes[0] = 0x243f6a88 ^ seed;
  lanes[1] = 0x85a308d3 | 0;
  lanes[2] = 0x13198a2e;
  lanes[3] = 0x03707344;
}

/** Feed the whole 16-byte groups of `bytes` (any alignment); returns how many bytes that was. */
function feedBytes(bytes: Uint8Array): number {
  const whole = bytes.length >>> 4;
  if (LITTLE && (bytes.byteOffset & 3) === 0) {
    feed(new Int32Array(bytes.buffer, bytes.byteOffset, whole * 4), whole);
  } else if (LITTLE) {
    const words = new Int32Array(scratch.buffer);
    const per = scratch.length >>> 4;
    for (let g = 0; g < whole; g += per) {
      const k = Math.min(per, whole - g);
      scratch.set(bytes.subarray(g * 16, (g + k) * 16));
      feed(words, k);
    }
  } else {
    const w = new Int32Array(4);
    for (let g = 0; g < whole; g++) {
      for (let j = 0; j < 4; j++) w[j] = wordAt(bytes, g * 16 + 4 * j);
      feed(w, 1);
    }
  }
  return whole * 16;
}

/** The last partial group (zero-padded), the length, the final rounds and mixes. */
function finish(tail: Uint8Array, n: number, out: Uint32Array): Uint32Array {
  if (tail.length) {
    const w = new Int32Array(4);
    for (let j = 0; j < 4; j++) w[j] = wordAt(tail, 4 * j);
    feed(w, 1);
  }
  // The length, then two ARX rounds over the 128-bit state (a bijection, so lanes that differ
  // still differ) to spread every lane over every output word, and a final mix of each word.
  let a = (lanes[0]! + n) | 0;
  let b = (lanes[1]! + Math.floor(n / 0x100000000)) | 0;
  let c = lanes[2]!;
  let d = lanes[3]!;
  for (let r = 0; r < 2; r++) {
    a = (a + b) | 0;
    d = rotl(d ^ a, 16);
    c = (c + d) | 0;
    b = rotl(b ^ c, 12);
    a = (a + b) | 0;
    d = rotl(d ^ a, 8);
    c = (c + d) | 0;
    b = rotl(b ^ c, 7);
  }
  out[0] = fmix(a);
  out[1] = fmix(b);
  out[2] = fmix(c);
  out[3] = fmix(d);
  return out;
}

/**
 * fast128 of `bytes` with a 32-bit `seed`, as four 32-bit words. The input is read as
 * little-endian 32-bit words, zero-padded to a multiple of 16 bytes; the length goes into the end.
 */
export function fast128(bytes: Uint8Array, seed = 0, out = new Uint32Array(4)): Uint32Array {
  init(seed);
  const done = feedBytes(bytes);
  return finish(bytes.subarray(done), bytes.length, out);
}

const digest4 = new Uint32Array(4);

/** fast128 as 32 lowercase hex digits (word 0 first, each word big-endian). */
export function fast128Hex(bytes: Uint8Array, seed = 0): string {
  const h = fast128(bytes, seed, digest4);
  let s = '';
  for (let i = 0; i < 4; i++) s += (h[i]! >>> 0).toString(16).padStart(8, '0');
  return s;
}

/** Grow the unaligned-input scratch buffer (tests use it to cover chunking with small inputs). */
export function setFastScratchBytes(n: number): void {
  scratch = new Uint8Array(Math.max(16, n & ~15));
}
