// Finds pages whose bytes equal an earlier page's, so an export stores such content once (copies
// of a file, a vendored library twice). Keys are a sampled hash (a few dozen bytes per page, not
// all of them); candidates are confirmed byte for byte, and only a few per key, so a crafted set
// of pages with equal samples costs at most a few compares each.

const SAMPLES = 48;
const MAX_CANDIDATES = 2;

function sampleHash(b: Uint8Array): number {
  let h = Math.imul(b.length, 0x9e3779b1) >>> 0;
  const step = Math.max(1, Math.floor(b.length / SAMPLES));
  for (let i = 0; i < b.length; i += step) h = Math.imul(h ^ b[i]!, 0x01000193);
  for (let i = Math.max(0, b.length - 8); i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * Byte equality, eight bytes per step as doubles when both views allow it (twice the speed of
 * 32-bit words in V8: an export of 10,000 equal 10 KB pages compares 100 MB). Doubles compare
 * by value, not bits, in two cases, both handled: NaNs never equal themselves (their 32-bit
 * halves are compared instead), and 0 equals -0 (told apart by the sign of 1/x).
 */
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  if (a.byteOffset % 8 === 0 && b.byteOffset % 8 === 0) {
    const n = a.length >>> 3;
    const x = new Float64Array(a.buffer, a.byteOffset, n);
    const y = new Float64Array(b.buffer, b.byteOffset, n);
    let xi: Int32Array | undefined;
    let yi: Int32Array | undefined;
    for (let k = 0; k < n; k++) {
      const p = x[k]!;
      const q = y[k]!;
      if (p !== q) {
        if (p === p || q === q) return false; // not both NaN: the values differ, so do the bytes
        xi ??= new Int32Array(a.buffer, a.byteOffset, 2 * n);
        yi ??= new Int32Array(b.buffer, b.byteOffset, 2 * n);
        if (xi[2 * k] !== yi[2 * k] || xi[2 * k + 1] !== yi[2 * k + 1]) return false;
      } else if (p === 0 && 1 / p !== 1 / q) return false;
    }
    i = n * 8;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class PageDedup {
  readonly #byHash = new Map<number, number[]>();

  /** Index of an earlier page with the same bytes, or -1. */
  find(bytes: Uint8Array, blobs: readonly Uint8Array[]): number {
    const list = this.#byHash.get(sampleHash(bytes));
    if (!list) return -1;
    for (const idx of list) if (equal(blobs[idx]!, bytes)) return idx;
    return -1;
  }

  /**
   * Index of an earlier page with the same bytes; if there is none, `bytes` is recorded under
   * `idx` and -1 returned. One sampled hash instead of find's and add's two.
   */
  findOrAdd(bytes: Uint8Array, blobs: readonly Uint8Array[], idx: number): number {
    const h = sampleHash(bytes);
    const list = this.#byHash.get(h);
    if (!list) {
      this.#byHash.set(h, [idx]);
      return -1;
    }
    for (const i of list) if (equal(blobs[i]!, bytes)) return i;
    if (list.length < MAX_CANDIDATES) list.push(idx);
    return -1;
  }

  add(bytes: Uint8Array, idx: number): void {
    const h = sampleHash(bytes);
    const list = this.#byHash.get(h);
    if (!list) this.#byHash.set(h, [idx]);
    else if (list.length < MAX_CANDIDATES) list.push(idx);
  }
}
