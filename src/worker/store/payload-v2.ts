// Export format v2's payload (docs/export-format.md): page data grouped into ~1 MiB segments, each
// stored or LZ-compressed by its own choice, trees as (usually deflated) JSON. No per-record CRC: the
// SHA-256 trailer covers every byte, and a JS CRC over 100 MB cost as much as the rest together.
import { PAGE_SIZE } from '../vfs/node';
import {
  METHOD_DEFLATE,
  METHOD_LZ,
  METHOD_STORED,
  MIN_SAVING,
  deflateIfSmaller,
  inflateExactly,
  looksCompressible,
} from './codec';
import { lzCompress, lzDecompress } from './lz';
import { concat, corrupt } from './container';

export const REC_META = 1;
export const REC_TREE = 3;
export const REC_SEGMENT = 4;
export const REC_END = 0xff;

/** Target raw size of one segment: big enough for deflate and per-record costs to vanish. */
export const SEGMENT_BYTES = 1 << 20;
/** Segments deflated at once. */
const PARALLEL = 4;

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

/** Record head: type and body length. */
function head(type: number, len: number): Uint8Array {
  const b = new Uint8Array(5);
  b[0] = type;
  new DataView(b.buffer).setUint32(1, len, true);
  return b;
}

/**
 * One coded body: method, raw length, then the data as parts. Segments use the fast LZ, trees
 * (a few hundred KB of JSON at most) deflate, which packs them tighter.
 */
async function coded(
  parts: Uint8Array[],
  rawLen: number,
  prefix: Uint8Array[] = [],
  method = METHOD_LZ,
): Promise<Uint8Array[]> {
  if (looksCompressible(parts, rawLen)) {
    const whole = concat(parts, rawLen);
    const z =
      method === METHOD_LZ ? lzCompress(whole, Math.floor(rawLen * (1 - MIN_SAVING))) : await deflateIfSmaller(whole);
    if (z) return [new Uint8Array([method]), u32(rawLen), ...prefix, z];
  }
  return [new Uint8Array([METHOD_STORED]), u32(rawLen), ...prefix, ...parts];
}

function record(type: number, body: Uint8Array[]): Uint8Array[] {
  let len = 0;
  for (const b of body) len += b.length;
  return [head(type, len), ...body];
}

export interface PayloadV2 {
  meta: Uint8Array;
  /** Page contents, in blob-index order (views are fine: they are copied once into the output). */
  blobs: Uint8Array[];
  trees: Uint8Array[];
}

/** The payload as parts, and its decoded size (what the header's rawLength declares). */
export async function encodeV2(p: PayloadV2): Promise<{ parts: Uint8Array[]; rawLen: number }> {
  // Segments: consecutive blobs up to SEGMENT_BYTES.
  const groups: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let curLen = 0;
  for (const b of p.blobs) {
    cur.push(b);
    curLen += b.length;
    if (curLen >= SEGMENT_BYTES) {
      groups.push(cur);
      cur = [];
      curLen = 0;
    }
  }
  if (cur.length) groups.push(cur);
  let rawLen = 0;
  const segments: Uint8Array[][] = new Array(groups.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < groups.length; i = next++) {
      const g = groups[i]!;
      let len = 0;
      const lengths = new Uint8Array(4 + 4 * g.length);
      const dv = new DataView(lengths.buffer);
      dv.setUint32(0, g.length, true);
      g.forEach((b, j) => {
        dv.setUint32(4 + 4 * j, b.length, true);
        len += b.length;
      });
      rawLen += len;
      segments[i] = record(REC_SEGMENT, await coded(g, len, [lengths]));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const parts: Uint8Array[] = [...record(REC_META, [p.meta])];
  for (const s of segments) parts.push(...s);
  for (const t of p.trees) {
    rawLen += t.length;
    parts.push(...record(REC_TREE, await coded([t], t.length, [], METHOD_LZ)));
  }
  parts.push(...record(REC_END, [u32(1 + segments.length + p.trees.length)]));
  return { parts, rawLen };
}

export interface DecodedV2 {
  meta: Uint8Array;
  blobs: Uint8Array[];
  trees: Uint8Array[];
}

interface Coded {
  method: number;
  rawLen: number;
  data: Uint8Array;
}

/**
 * Splits and decodes a v2 payload. Every length, count and order is checked, and the declared
 * decoded sizes must add up to `rawLen` (already within the import limit), before anything is
 * inflated; inflating stops at the declared size.
 */
export async function decodeV2(payload: Uint8Array, rawLen: number): Promise<DecodedV2> {
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const records: { type: number; body: Uint8Array }[] = [];
  let off = 0;
  for (;;) {
    if (off + 5 > payload.length) throw corrupt('record header past the end');
    const type = payload[off]!;
    const len = dv.getUint32(off + 1, true);
    if (off + 5 + len > payload.length) throw corrupt('record body past the end');
    const body = payload.subarray(off + 5, off + 5 + len);
    off += 5 + len;
    if (type === REC_END) {
      if (len !== 4 || new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true) !== records.length)
        throw corrupt('bad END record');
      if (off !== payload.length) throw corrupt('data after END');
      break;
    }
    records.push({ type, body });
  }
  if (records[0]?.type !== REC_META) throw corrupt('META record missing');
  const segs: { coded: Coded; lengths: number[] }[] = [];
  const trees: Coded[] = [];
  let declared = 0;
  for (const r of records.slice(1)) {
    if (r.type === REC_SEGMENT) {
      if (trees.length) throw corrupt('SEGMENT after TREE');
      const c = parseCoded(r.body, true);
      const lengths = c.lengths!;
      if (lengths.reduce((a, b) => a + b, 0) !== c.rawLen) throw corrupt('segment lengths do not add up');
      segs.push({ coded: c, lengths });
      declared += c.rawLen;
    } else if (r.type === REC_TREE) {
      const c = parseCoded(r.body, false);
      trees.push(c);
      declared += c.rawLen;
    } else throw corrupt(`unknown record type ${r.type}`);
  }
  if (declared !== rawLen) throw corrupt('declared sizes do not match the header');
  const blobs: Uint8Array[] = [];
  for (const s of segs) {
    // Stored data is copied per segment, so the pages built on it do not pin the whole import.
    const raw = await decode(s.coded);
    let at = 0;
    for (const n of s.lengths) {
      blobs.push(raw.subarray(at, at + n));
      at += n;
    }
  }
  const treeBodies: Uint8Array[] = [];
  for (const t of trees) treeBodies.push(await decode(t));
  return { meta: records[0].body, blobs, trees: treeBodies };
}

function parseCoded(body: Uint8Array, segment: boolean): Coded & { lengths?: number[] } {
  if (body.length < 5) throw corrupt('coded body too short');
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const method = body[0]!;
  const rawLen = dv.getUint32(1, true);
  if (method !== METHOD_STORED && method !== METHOD_DEFLATE && method !== METHOD_LZ)
    throw corrupt(`unknown method ${method}`);
  let at = 5;
  let lengths: number[] | undefined;
  if (segment) {
    if (body.length < at + 4) throw corrupt('segment header too short');
    const count = dv.getUint32(at, true);
    at += 4;
    if (count === 0 || body.length < at + 4 * count) throw corrupt('bad segment blob count');
    lengths = [];
    for (let i = 0; i < count; i++) {
      const n = dv.getUint32(at + 4 * i, true);
      if (n === 0 || n > PAGE_SIZE) throw corrupt('bad blob length');
      lengths.push(n);
    }
    at += 4 * count;
  }
  const data = body.subarray(at);
  if (method === METHOD_STORED && data.length !== rawLen) throw corrupt('stored length mismatch');
  return { method, rawLen, data, ...(lengths ? { lengths } : {}) };
}

async function decode(c: Coded): Promise<Uint8Array> {
  if (c.method === METHOD_STORED) return c.data.slice();
  if (c.method === METHOD_LZ) return lzDecompress(c.data, c.rawLen);
  return inflateExactly(c.data, c.rawLen);
}
