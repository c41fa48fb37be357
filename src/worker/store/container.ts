// The outer frame of an exported state: magic, version, lengths, payload, SHA-256 trailer.
// Version 1 gzips the whole payload; version 2 stores it as it is (its segments choose their own
// compression). See docs/export-format.md. Everything here is checked before anything is decompressed.

import { StoreError } from './backend';
import { sha256 } from './hash';

export const MAGIC = new Uint8Array([0x53, 0x41, 0x4e, 0x44, 0x50, 0x49, 0x54, 0x00]); // "SANDPIT\0"
export const FORMAT_VERSION = 1;
export const FORMAT_V2 = 2;
/** Per-record checksums instead of a whole-file SHA-256: container-v3.ts. */
export const FORMAT_V3 = 3;
/** Version 3's frame and records; trees may share a base tree's nodes ('s' entries). */
export const FORMAT_V4 = 4;
export const HEADER_BYTES = 32;
export const TRAILER_BYTES = 32;
const FLAG_GZIP = 1;

export function corrupt(why: string): StoreError {
  return new StoreError('CORRUPT', `not a valid sandpit state: ${why}`);
}

/** Wrap an uncompressed payload (given as chunks) into the container. */
export async function seal(chunks: Uint8Array[]): Promise<Uint8Array> {
  let rawLen = 0;
  for (const c of chunks) rawLen += c.length;
  const compressed = await gzip(chunks);
  const out = new Uint8Array(HEADER_BYTES + compressed.length + TRAILER_BYTES);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(8, FORMAT_VERSION, true);
  dv.setUint16(10, FLAG_GZIP, true);
  dv.setUint32(12, 0, true);
  dv.setBigUint64(16, BigInt(compressed.length), true);
  dv.setBigUint64(24, BigInt(rawLen), true);
  out.set(compressed, HEADER_BYTES);
  out.set(await sha256(out.subarray(0, HEADER_BYTES + compressed.length)), HEADER_BYTES + compressed.length);
  return out;
}

/**
 * Version 2: header + the payload parts as they are + SHA-256 trailer, in one allocation (each
 * part is copied exactly once). `rawLen` is the payload's decoded size (the import limit check).
 */
export async function sealV2(parts: Uint8Array[], rawLen: number): Promise<Uint8Array> {
  let payloadLen = 0;
  for (const p of parts) payloadLen += p.length;
  const out = new Uint8Array(HEADER_BYTES + payloadLen + TRAILER_BYTES);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(8, FORMAT_V2, true);
  dv.setUint16(10, 0, true);
  dv.setUint32(12, 0, true);
  dv.setBigUint64(16, BigInt(payloadLen), true);
  dv.setBigUint64(24, BigInt(rawLen), true);
  let off = HEADER_BYTES;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  out.set(await sha256(out.subarray(0, off)), off);
  return out;
}

export interface Opened {
  version: 1 | 2;
  /** Version 1: the gunzipped record sequence. Version 2: the stored payload (a view of the input). */
  payload: Uint8Array;
  /** Declared decoded size, already checked against the limit. */
  rawLen: number;
}

/** Check the frame and the whole-file checksum of version 1 or 2; version 1 is decompressed. */
export async function open(bytes: Uint8Array, maxRawBytes: number): Promise<Opened> {
  const version = peekVersion(bytes);
  if (version >= FORMAT_V3) throw corrupt(`version ${version} is opened by openV3`);
  if (version === FORMAT_VERSION) {
    const payload = await unseal(bytes, maxRawBytes);
    return { version, payload, rawLen: payload.length };
  }
  const { end, rawLen } = await checkFrame(bytes, maxRawBytes, 0);
  return { version: 2, payload: bytes.subarray(HEADER_BYTES, end), rawLen };
}

/** Magic and a known version (1, 2 or 3); anything else is CORRUPT. */
export function peekVersion(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) throw corrupt('not bytes');
  // 48: the shortest frame (version 3's header and trailer); versions 1 and 2 check 64 later.
  if (bytes.length < HEADER_BYTES + 16) throw corrupt('too short');
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw corrupt('bad magic');
  const version = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(8, true);
  if (version !== FORMAT_VERSION && version !== FORMAT_V2 && version !== FORMAT_V3 && version !== FORMAT_V4)
    throw corrupt(`unsupported version ${version}`);
  return version;
}

/** Flags, lengths, limit and SHA-256 trailer; returns where the payload ends. */
async function checkFrame(bytes: Uint8Array, maxRawBytes: number, flags: number) {
  if (bytes.length < HEADER_BYTES + TRAILER_BYTES) throw corrupt('too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint16(10, true) !== flags || dv.getUint32(12, true) !== 0) throw corrupt('unknown flags');
  const payloadLen = dv.getBigUint64(16, true);
  const rawLen = dv.getBigUint64(24, true);
  if (payloadLen !== BigInt(bytes.length - HEADER_BYTES - TRAILER_BYTES)) throw corrupt('length mismatch (truncated?)');
  if (rawLen > BigInt(maxRawBytes)) throw corrupt(`payload of ${rawLen} bytes exceeds the ${maxRawBytes}-byte limit`);
  const end = bytes.length - TRAILER_BYTES;
  const digest = await sha256(bytes.subarray(0, end));
  for (let i = 0; i < TRAILER_BYTES; i++) if (digest[i] !== bytes[end + i]) throw corrupt('checksum mismatch');
  return { end, rawLen: Number(rawLen) };
}

/** Version 1: check the frame and the whole-file checksum, then gunzip (refusing more than `maxRawBytes`). */
export async function unseal(bytes: Uint8Array, maxRawBytes: number): Promise<Uint8Array> {
  if (peekVersion(bytes) !== FORMAT_VERSION) throw corrupt('not version 1');
  const { end, rawLen } = await checkFrame(bytes, maxRawBytes, FLAG_GZIP);
  return gunzip(bytes.subarray(HEADER_BYTES, end), rawLen);
}

async function gzip(chunks: Uint8Array[]): Promise<Uint8Array> {
  const cs = new CompressionStream('gzip');
  const writer = cs.writable.getWriter();
  const collected = collect(cs.readable, Infinity);
  // Small records are batched into ~1 MiB writes: one stream write per record is measurably slower.
  const BATCH = 1 << 20;
  let batch: Uint8Array[] = [];
  let batchLen = 0;
  const flush = async () => {
    if (batchLen === 0) return;
    await writer.write(concat(batch, batchLen) as Uint8Array<ArrayBuffer>);
    batch = [];
    batchLen = 0;
  };
  for (const c of chunks) {
    if (c.length >= BATCH) {
      await flush();
      await writer.write(c as Uint8Array<ArrayBuffer>);
      continue;
    }
    batch.push(c);
    batchLen += c.length;
    if (batchLen >= BATCH) await flush();
  }
  await flush();
  await writer.close();
  return collected;
}

async function gunzip(data: Uint8Array, expected: number): Promise<Uint8Array> {
  const ds = new DecompressionStream('gzip');
  const writer = ds.writable.getWriter();
  // A damaged stream errors both sides; the read side reports it, so the write side's rejection is dropped.
  const writing = writer
    .write(data as Uint8Array<ArrayBuffer>)
    .then(() => writer.close())
    .catch(() => undefined);
  let out: Uint8Array;
  try {
    out = await collect(ds.readable, expected);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('CORRUPT')) throw e;
    throw corrupt('compressed payload is damaged');
  }
  await writing;
  if (out.length !== expected) throw corrupt('payload length mismatch');
  return out;
}

async function collect(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      // A decompression bomb or a lying header: stop reading at once.
      await reader.cancel().catch(() => undefined);
      throw corrupt('payload larger than declared');
    }
    parts.push(value);
  }
  return concat(parts, total);
}

export function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
