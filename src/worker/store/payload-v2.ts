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
  aligned = false,
): Promise<Uint8Array[]> {
  // Version 3: method, three zero bytes, raw length, prefix, zeros up to a multiple of 8, data.
  const head = (m: number): Uint8Array[] => {
    if (!aligned) return [new Uint8Array([m]), u32(rawLen), ...prefix];
    let n = 8;
    for (const p of prefix) n += p.length;
    return [new Uint8Array([m, 0, 0, 0]), u32(rawLen), ...prefix, new Uint8Array(Math.ceil(n / 8) * 8 - n)];
  };
  if (looksCompressible(parts, rawLen)) {
    const whole = concat(parts, rawLen);
    const z =
      method === METHOD_LZ ? lzCompress(whole, Math.floor(rawLen * (1 - MIN_SAVING))) : await deflateIfSmaller(whole);
    if (z) return [...head(method), z];
  }
  return [...head(METHOD_STORED), ...parts];
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

/** A record: its type and its body as parts. */
export interface Rec {
  type: number;
  body: Uint8Array[];
}

/**
 * The records of a version 2 or 3 payload (META, SEGMENTs, TREEs, END; their bodies are the
 * same in both versions) and the decoded size the header's rawLength declares.
 */
export async function encodeRecords(p: PayloadV2, v3 = false): Promise<{ records: Rec[]; rawLen: number }> {
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
  const segments: Rec[] = new Array(groups.length);
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
      segments[i] = { type: REC_SEGMENT, body: await coded(g, len, [lengths], METHOD_LZ, v3) };
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const records: Rec[] = [{ type: REC_META, body: [p.meta] }, ...segments];
  for (const t of p.trees) {
    rawLen += t.length;
    records.push({ type: REC_TREE, body: await coded([t], t.length, [], METHOD_LZ, v3) });
  }
  records.push({ type: REC_END, body: [u32(1 + segments.length + p.trees.length)] });
  return { records, rawLen };
}

/** Version 2: the payload as parts (records with a 5-byte head), and its decoded size. */
export async function encodeV2(p: PayloadV2): Promise<{ parts: Uint8Array[]; rawLen: number }> {
  const { records, rawLen } = await encodeRecords(p);
  const parts: Uint8Array[] = [];
  for (const r of records) parts.push(...record(r.type, r.body));
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
  return decodeRecords(records, rawLen);
}

/**
 * Checks and decodes the records of a version 2 or 3 payload (END already checked and removed).
 * Version 3 (`v3`): aligned coded bodies, and stored data used in place (see decode()).
 */
export async function decodeRecords(
  records: { type: number; body: Uint8Array }[],
  rawLen: number,
  v3 = false,
): Promise<DecodedV2> {
  if (records[0]?.type !== REC_META) throw corrupt('META record missing');
  const segs: { coded: Coded; lengths: number[] }[] = [];
  const trees: Coded[] = [];
  let declared = 0;
  for (const r of records.slice(1)) {
    if (r.type === REC_SEGMENT) {
      if (trees.length) throw corrupt('SEGMENT after TREE');
      const c = parseCoded(r.body, true, v3);
      const lengths = c.lengths!;
      if (lengths.reduce((a, b) => a + b, 0) !== c.rawLen) throw corrupt('segment lengths do not add up');
      segs.push({ coded: c, lengths });
      declared += c.rawLen;
    } else if (r.type === REC_TREE) {
      const c = parseCoded(r.body, false, v3);
      trees.push(c);
      declared += c.rawLen;
    } else throw corrupt(`unknown record type ${r.type}`);
  }
  if (declared !== rawLen) throw corrupt('declared sizes do not match the header');
  const blobs: Uint8Array[] = [];
  for (const s of segs) {
    const raw = await decode(s.coded, v3);
    let at = 0;
    for (const n of s.lengths) {
      blobs.push(raw.subarray(at, at + n));
      at += n;
    }
  }
  const treeBodies: Uint8Array[] = [];
  for (const t of trees) treeBodies.push(await decode(t, v3));
  return { meta: records[0].body, blobs, trees: treeBodies };
}

function parseCoded(body: Uint8Array, segment: boolean, v3: boolean): Coded & { lengths?: number[] } {
  if (body.length < (v3 ? 8 : 5)) throw corrupt('coded body too short');
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const method = body[0]!;
  if (v3 && (body[1] !== 0 || body[2] !== 0 || body[3] !== 0)) throw corrupt('bad coded head');
  const rawLen = dv.getUint32(v3 ? 4 : 1, true);
  if (method !== METHOD_STORED && method !== METHOD_DEFLATE && method !== METHOD_LZ)
    throw corrupt(`unknown method ${method}`);
  let at = v3 ? 8 : 5;
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
  if (v3) {
    const start = Math.ceil(at / 8) * 8;
    if (body.length < start) throw corrupt('coded head past the end');
    for (; at < start; at++) if (body[at] !== 0) throw corrupt('bad coded padding');
  }
  const data = body.subarray(at);
  if (method === METHOD_STORED && data.length !== rawLen) throw corrupt('stored length mismatch');
  return { method, rawLen, data, ...(lengths ? { lengths } : {}) };
}

/**
 * Version 2 copies stored data per segment, so the pages built on it do not pin the whole import.
 * Version 3 uses it in place (the copy was a third of an import): the import's buffer is then
 * held while any page of it lives, which is the state's own size (the importer owns that buffer).
 */
async function decode(c: Coded, inPlace = false): Promise<Uint8Array> {
  if (c.method === METHOD_STORED) return inPlace ? c.data : c.data.slice();
  if (c.method === METHOD_LZ) return lzDecompress(c.data, c.rawLen);
  return inflateExactly(c.data, c.rawLen);
}
