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

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  // Four bytes at a time when both views are aligned (pages usually are).
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const n = a.length >>> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, n);
    const y = new Int32Array(b.buffer, b.byteOffset, n);
    for (let k = 0; k < n; k++) if (x[k] !== y[k]) return false;
    i = n * 4;
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

  add(bytes: Uint8Array, idx: number): void {
    const h = sampleHash(bytes);
    const list = this.#byHash.get(h);
    if (!list) this.#byHash.set(h, [idx]);
    else if (list.length < MAX_CANDIDATES) list.push(idx);
  }
}
