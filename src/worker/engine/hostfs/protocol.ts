// The wire format of @wasmer/sdk 0.16.0's embedder filesystem ("wasmer-filesystem-rpc"), as
// measured (docs/hostfs-protocol.md). SDK workers block on a SharedArrayBuffer until we write a
// reply into it; this file encodes replies exactly as the SDK's `respondToHostFileSystem` does,
// so the kernel needs nothing from the SDK's dist/ at run time.

export const HOST_FS_MESSAGE = 'wasmer-filesystem-rpc';

/** Bytes before the payload: Int32 state (0 pending, 1 JSON, 2 binary) and Int32 length. */
export const REPLY_HEADER_BYTES = 8;
/** The SDK's reply buffer: 512 KiB, header included. */
export const REPLY_BUFFER_BYTES = 512 * 1024;
/** The SDK caps one read or write at 64 KiB. */
export const MAX_IO_BYTES = 64 * 1024;

const STATE_JSON = 1;
const STATE_BINARY = 2;

/** Every method the SDK sends (`js/bindgen/src/host_filesystem.rs`). */
export type HostFsMethod =
  | 'stat'
  | 'readDir'
  | 'open'
  | 'read'
  | 'write'
  | 'setLen'
  | 'flush'
  | 'close'
  | 'mkdir'
  | 'remove'
  | 'rename'
  | 'sync'
  // Ours, sent by our worker entry only: readDirPage (worker-readdir.ts) and, on the control
  // mount, registerGeneration (worker-cache.ts, worker-readahead.ts).
  | 'readDirPage';

/** A request as posted by an SDK worker. Paths in `args` are relative to the mount root ("" = root). */
export interface HostFsRequest {
  type: typeof HOST_FS_MESSAGE;
  mount: number;
  method: string;
  args: unknown[];
  response: SharedArrayBuffer;
  /** The worker accepts a raw-bytes reply (all 0.16 workers do). */
  binary?: boolean;
}

/**
 * The error codes the SDK distinguishes; every other code reaches the guest as EIO
 * (docs/hostfs-protocol.md lists what each becomes in the guest).
 */
export type HostFsErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'EACCES'
  | 'EPERM'
  | 'ELOOP'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'ENOTSUP'
  | 'EIO'
  | 'EINVAL'
  | 'EBADF'
  | 'ENOSPC'
  | 'EROFS';

export type HostFsReply = { value: unknown } | { error: { code: string; message: string } };

export function isHostFsRequest(value: unknown): value is HostFsRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === HOST_FS_MESSAGE &&
    (value as { response?: unknown }).response instanceof SharedArrayBuffer
  );
}

const encoder = new TextEncoder();

function replyJson(reply: HostFsReply): string {
  // Bytes that are not sent raw go as a number array, as the SDK's own encoder does.
  return JSON.stringify(
    'value' in reply && reply.value instanceof Uint8Array ? { value: Array.from(reply.value) } : reply,
  );
}

const TOO_BIG = JSON.stringify({ error: { code: 'EIO', message: 'Native response exceeds bridge limit' } });

/** Publish `length` payload bytes already in the buffer and wake the blocked worker. */
function publish(buffer: SharedArrayBuffer, state: number, length: number): void {
  const control = new Int32Array(buffer, 0, 2);
  control[1] = length;
  Atomics.store(control, 0, state);
  Atomics.notify(control, 0);
}

/**
 * Write `reply` into the request's shared buffer and wake the blocked worker. Always wakes it:
 * a reply too large for the buffer becomes an EIO error, as in the SDK. JSON is encoded straight
 * into the shared buffer where the engine allows it (no intermediate byte array).
 */
export function writeReply(request: Pick<HostFsRequest, 'response' | 'binary'>, reply: HostFsReply): void {
  const buffer = request.response;
  const room = buffer.byteLength - REPLY_HEADER_BYTES;
  if (request.binary === true && 'value' in reply && reply.value instanceof Uint8Array) {
    const bytes = reply.value;
    if (bytes.length <= room) {
      new Uint8Array(buffer, REPLY_HEADER_BYTES, bytes.length).set(bytes);
      publish(buffer, STATE_BINARY, bytes.length);
      return;
    }
    writeJson(buffer, TOO_BIG);
    return;
  }
  writeJson(buffer, replyJson(reply));
}

/**
 * Can TextEncoder write into shared memory? Node: yes. Chromium: no, encodeInto throws on a
 * SharedArrayBuffer view (measured: every guest call then hung), so encode and copy there.
 */
const encodesIntoShared = ((): boolean => {
  try {
    encoder.encodeInto('x', new Uint8Array(new SharedArrayBuffer(8)));
    return true;
  } catch {
    return false;
  }
})();

function writeJson(buffer: SharedArrayBuffer, json: string): void {
  const target = new Uint8Array(buffer, REPLY_HEADER_BYTES);
  let written: number;
  if (encodesIntoShared) {
    // UTF-8 is at most 3 bytes per UTF-16 unit: only near the limit can it fail to fit.
    const first = encoder.encodeInto(json, target);
    written = first.read === json.length ? first.written : encoder.encodeInto(TOO_BIG, target).written;
  } else {
    let bytes = encoder.encode(json);
    if (bytes.length > target.length) bytes = encoder.encode(TOO_BIG);
    target.set(bytes);
    written = bytes.length;
  }
  publish(buffer, STATE_JSON, written);
}

/**
 * Let `fill` write a binary reply of up to `max` bytes straight into the request's buffer
 * (a file read without an intermediate copy). Only for requests that accept binary replies.
 */
export function writeBinaryReply(
  request: Pick<HostFsRequest, 'response'>,
  max: number,
  fill: (target: Uint8Array) => number,
): void {
  const buffer = request.response;
  const room = Math.min(max, buffer.byteLength - REPLY_HEADER_BYTES);
  const n = fill(new Uint8Array(buffer, REPLY_HEADER_BYTES, room));
  publish(buffer, STATE_BINARY, n);
}

/** Read a reply the way the SDK worker does (for tests and tools); `undefined` while pending. */
export function readReply(buffer: SharedArrayBuffer): HostFsReply | undefined {
  const control = new Int32Array(buffer, 0, 2);
  const state = Atomics.load(control, 0);
  if (state === 0) return undefined;
  const bytes = new Uint8Array(buffer, REPLY_HEADER_BYTES, control[1]).slice();
  if (state === STATE_BINARY) return { value: bytes };
  return JSON.parse(new TextDecoder().decode(bytes)) as HostFsReply;
}
