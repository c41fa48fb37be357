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
  | 'sync';

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

function jsonBytes(reply: HostFsReply): Uint8Array {
  // Bytes that are not sent raw go as a number array, as the SDK's own encoder does.
  const value = 'value' in reply && reply.value instanceof Uint8Array ? { value: Array.from(reply.value) } : reply;
  return encoder.encode(JSON.stringify(value));
}

/**
 * Write `reply` into the request's shared buffer and wake the blocked worker. Always wakes it:
 * a reply too large for the buffer becomes an EIO error, as in the SDK.
 */
export function writeReply(request: Pick<HostFsRequest, 'response' | 'binary'>, reply: HostFsReply): void {
  const buffer = request.response;
  const control = new Int32Array(buffer, 0, 2);
  let binary = request.binary === true && 'value' in reply && reply.value instanceof Uint8Array;
  let bytes = binary ? (reply as { value: Uint8Array }).value : jsonBytes(reply);
  if (bytes.length > buffer.byteLength - REPLY_HEADER_BYTES) {
    binary = false;
    bytes = jsonBytes({ error: { code: 'EIO', message: 'Native response exceeds bridge limit' } });
  }
  new Uint8Array(buffer, REPLY_HEADER_BYTES, bytes.length).set(bytes);
  control[1] = bytes.length;
  Atomics.store(control, 0, binary ? STATE_BINARY : STATE_JSON);
  Atomics.notify(control, 0);
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
