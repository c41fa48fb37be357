// Record framing inside an export payload: type (u8), length (u32 LE), body, CRC-32 of the three.

import { corrupt } from './container';
import { crc32 } from './hash';

export const REC_META = 1;
export const REC_BLOB = 2;
export const REC_TREE = 3;
export const REC_END = 0xff;

export interface RawRecord {
  type: number;
  body: Uint8Array;
}

/** Frame one record as chunks (the body is not copied). */
export function frame(type: number, body: Uint8Array): Uint8Array[] {
  const head = new Uint8Array(5);
  head[0] = type;
  new DataView(head.buffer).setUint32(1, body.length, true);
  const tail = new Uint8Array(4);
  new DataView(tail.buffer).setUint32(0, crc32(body, crc32(head)), true);
  return [head, body, tail];
}

/** Split a payload into records, checking bounds and CRCs; the END record must close it exactly. */
export function parseRecords(raw: Uint8Array): RawRecord[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: RawRecord[] = [];
  let off = 0;
  for (;;) {
    if (off + 9 > raw.length) throw corrupt('record header past the end');
    const type = raw[off]!;
    const len = dv.getUint32(off + 1, true);
    if (off + 9 + len > raw.length) throw corrupt('record body past the end');
    const body = raw.subarray(off + 5, off + 5 + len);
    const want = dv.getUint32(off + 5 + len, true);
    if (crc32(body, crc32(raw.subarray(off, off + 5))) !== want) throw corrupt(`record ${out.length} fails its CRC`);
    off += 9 + len;
    if (type === REC_END) {
      if (len !== 4 || new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true) !== out.length)
        throw corrupt('bad END record');
      if (off !== raw.length) throw corrupt('data after END');
      return out;
    }
    out.push({ type, body });
  }
}

export function endRecord(count: number): Uint8Array[] {
  const body = new Uint8Array(4);
  new DataView(body.buffer).setUint32(0, count, true);
  return frame(REC_END, body);
}
