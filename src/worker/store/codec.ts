// Compression for export format v2 (docs/export-format.md): a segment is stored as it is unless a
// cheap sample says it compresses, as zip tools do. Incompressible data (media, archives, random
// bytes) then costs one copy instead of a trip through a compressor for no gain; what does
// compress goes through our fast LZ (lz.ts) rather than deflate (10–30 MB/s here).
import { concat, corrupt } from './container';

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 1;
/** Our LZ77 (lz.ts): what segments use; deflate stays for the (small) trees and is still read. */
export const METHOD_LZ = 2;

/** Below this order-0 entropy (bits per byte) of a sample, deflate is worth trying. */
const ENTROPY_LIMIT = 7.5;
const SAMPLE_SLICES = 8;
const SLICE_BYTES = 512;
/** Keep a compressed form only if it saves at least this fraction. */
export const MIN_SAVING = 0.1;

/**
 * Order-0 entropy of up to 8 × 512 bytes spread over `parts`: a few microseconds, and a good
 * predictor of deflate's gain except for repeats longer than the sample (identical pages are
 * shared by the exporter anyway).
 */
export function looksCompressible(parts: Uint8Array[], total: number): boolean {
  if (total < 256) return false;
  const counts = new Uint32Array(256);
  let n = 0;
  const step = Math.max(1, Math.floor(total / SAMPLE_SLICES));
  let part = 0;
  let partStart = 0;
  for (let at = 0; at < total; at += step) {
    while (partStart + parts[part]!.length <= at) partStart += parts[part++]!.length;
    const p = parts[part]!;
    const from = at - partStart;
    const to = Math.min(p.length, from + SLICE_BYTES);
    for (let i = from; i < to; i++) counts[p[i]!]!++;
    n += to - from;
  }
  let bits = 0;
  for (let i = 0; i < 256; i++) {
    const c = counts[i]!;
    if (c) bits -= c * Math.log2(c / n);
  }
  return bits / n < ENTROPY_LIMIT;
}

/** deflate-raw of `data`, or undefined when it would not save MIN_SAVING. */
export async function deflateIfSmaller(data: Uint8Array): Promise<Uint8Array | undefined> {
  const out = await pipe(new CompressionStream('deflate-raw'), data, Math.floor(data.length * (1 - MIN_SAVING)));
  return out;
}

/** Inflate exactly `expected` bytes; anything else (damage, a bomb, a short stream) is CORRUPT. */
export async function inflateExactly(data: Uint8Array, expected: number): Promise<Uint8Array> {
  let out: Uint8Array | undefined;
  try {
    out = await pipe(new DecompressionStream('deflate-raw'), data, expected);
  } catch {
    throw corrupt('compressed segment is damaged');
  }
  if (!out || out.length !== expected) throw corrupt('segment length mismatch');
  return out;
}

/**
 * Runs `data` through a (de)compression stream into one buffer; undefined as soon as the output
 * would exceed `limit` (the stream is cancelled at once: no decompression bombs, no wasted work).
 */
async function pipe(ts: CompressionStream | DecompressionStream, data: Uint8Array, limit: number) {
  const writer = ts.writable.getWriter();
  // A damaged stream errors both sides; the read side reports it.
  const writing = writer
    .write(data as Uint8Array<ArrayBuffer>)
    .then(() => writer.close())
    .catch(() => undefined);
  const reader = ts.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      await writing;
      return undefined;
    }
    parts.push(value);
  }
  await writing;
  return concat(parts, total);
}
