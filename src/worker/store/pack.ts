// Pack files of the persistent store (docs/export-format.md, "Persistence"): many content-addressed
// objects in one backend key, so a commit of 10,000 small pages is a few large writes instead of
// 10,000 files. A pack is never rewritten once a root record names it; the root record names each
// pack with its exact length, so a torn pack (or a leftover of a crashed commit) is never read.
//
// Pack format 2 (written): MAGIC2 (8 bytes), then per object: length (u32 LE), address length
// (1 byte: 16 for a fast128 address, 32 for a SHA-256 one), 3 zero bytes, the address (raw), the
// bytes, zeros up to a multiple of 8 (so every object starts 8-byte aligned: pages loaded from a
// pack are views that fast128 reads as words). Pack format 1 (read): MAGIC1, then per object:
// SHA-256 (32 raw bytes), length (u32 LE), the bytes.

import { StoreError } from './backend';
import { toHex } from './hash';

export const PACK_MAGIC1 = new Uint8Array([0x53, 0x50, 0x50, 0x41, 0x43, 0x4b, 0x00, 0x01]); // "SPPACK\0\1"
export const PACK_MAGIC = new Uint8Array([0x53, 0x50, 0x50, 0x41, 0x43, 0x4b, 0x00, 0x02]); // "SPPACK\0\2"
export const PACK_PREFIX = 'pack/';
/** A pack is sealed once it holds this much: big writes, yet compaction rewrites at most this at a time. */
export const PACK_BYTES = 16 << 20;
const HEAD1 = 36;
const HEAD2 = 8;

const nibble = (c: number): number => (c <= 57 ? c - 48 : c - 87); // '0'-'9', 'a'-'f'
const fromHex = (hex: string, out: Uint8Array, at: number): void => {
  for (let i = 0; i < hex.length >> 1; i++)
    out[at + i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
};
const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

export interface PackEntry {
  hash: string;
  /** The object's bytes: a view into the pack's buffer. */
  bytes: Uint8Array;
}

/** Parse a whole pack; a bad magic, head, padding or an entry out of bounds is CORRUPT (the object checks happen later). */
export function parsePack(data: Uint8Array, id: string): PackEntry[] {
  const bad = () => new StoreError('CORRUPT', `pack ${id} is malformed`);
  if (data.length < PACK_MAGIC.length) throw bad();
  const v1 = PACK_MAGIC1.every((b, i) => data[i] === b);
  if (!v1 && PACK_MAGIC.some((b, i) => data[i] !== b)) throw bad();
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: PackEntry[] = [];
  let at = PACK_MAGIC.length;
  while (at < data.length) {
    if (v1) {
      if (at + HEAD1 > data.length) throw bad();
      const len = dv.getUint32(at + 32, true);
      const end = at + HEAD1 + len;
      if (end > data.length) throw bad();
      out.push({ hash: toHex(data.subarray(at, at + 32)), bytes: data.subarray(at + HEAD1, end) });
      at = end;
      continue;
    }
    if (at + HEAD2 > data.length) throw bad();
    const len = dv.getUint32(at, true);
    const alen = data[at + 4]!;
    if ((alen !== 16 && alen !== 32) || data[at + 5] || data[at + 6] || data[at + 7]) throw bad();
    const start = at + HEAD2 + alen;
    const end = start + len;
    const next = start + pad8(len);
    if (next > data.length) throw bad();
    for (let i = end; i < next; i++) if (data[i] !== 0) throw bad();
    out.push({ hash: toHex(data.subarray(at + HEAD2, start)), bytes: data.subarray(start, end) });
    at = next;
  }
  return out;
}

/** A pack being filled: objects are copied in as they are added, one buffer, written with one save. */
export class PackBuilder {
  private buf: Uint8Array;
  private len = PACK_MAGIC.length;
  readonly hashes: string[] = [];
  readonly lengths: number[] = [];

  /** `buffer`: a recycled buffer to fill (a fresh one costs page faults on every byte copied in). */
  constructor(
    readonly id: string,
    buffer?: Uint8Array,
  ) {
    this.buf = buffer ?? new Uint8Array(1 << 20);
    this.buf.set(PACK_MAGIC, 0);
  }

  /** The whole buffer, for reuse once the pack is saved. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  get size(): number {
    return this.len;
  }

  /** `hash`: 32 or 64 lowercase hex digits (a fast128 or a SHA-256 address). */
  add(hash: string, bytes: Uint8Array): void {
    const alen = hash.length >> 1;
    const n = bytes.length;
    const start = this.len + HEAD2 + alen;
    const need = start + pad8(n);
    if (need > this.buf.length) {
      // ×4 steps (1, 4, then straight to a full pack's size): a full pack is copied 5 MiB extra,
      // not 31 MiB as with doubling (nor 21 MiB as with a 16 MiB step below the final size).
      const full = PACK_BYTES + (1 << 20);
      const four = this.buf.length * 4;
      const grown = new Uint8Array(Math.max(need, four >= PACK_BYTES ? full : four));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    const b = this.buf;
    const p = this.len;
    b[p] = n & 0xff;
    b[p + 1] = (n >>> 8) & 0xff;
    b[p + 2] = (n >>> 16) & 0xff;
    b[p + 3] = n >>> 24;
    b[p + 4] = alen;
    b[p + 5] = b[p + 6] = b[p + 7] = 0;
    fromHex(hash, b, p + HEAD2);
    b.set(bytes, start);
    // A recycled buffer holds an older pack's bytes: the padding must be written as zeros.
    b.fill(0, start + n, need);
    this.len = need;
    this.hashes.push(hash);
    this.lengths.push(n);
  }

  /** The finished pack's bytes (a view: the builder is not used after this). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
