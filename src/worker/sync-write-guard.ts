// Chromium (measured in 156) does not throw when FileSystemSyncAccessHandle.write goes past the
// origin's quota: it writes what fits and returns 4294967288 (2^32 - 8, an error code read as
// unsigned). A caller that adds the result to its offset believes the write completed, so a
// commit "succeeds" with a pack cut short, and the root record that names it is then written
// into both slots in turn: the sandbox no longer loads (e2e "storage pressure"). A result larger
// than the buffer is turned into the QuotaExceededError the spec describes, which the store
// reports as QUOTA before its root record changes.

interface SyncWrite {
  write(buffer: ArrayBufferView | ArrayBuffer, options?: { at?: number }): number;
}

const GUARDED = Symbol.for('sandpit.syncWriteGuard');

export function guardSyncWrites(): void {
  const ctor = (globalThis as { FileSystemSyncAccessHandle?: { prototype: SyncWrite & { [GUARDED]?: true } } })
    .FileSystemSyncAccessHandle;
  if (!ctor || ctor.prototype[GUARDED]) return;
  const proto = ctor.prototype;
  const write = proto.write;
  proto.write = function (this: SyncWrite, buffer, options) {
    const n = write.call(this, buffer, options);
    if (n > buffer.byteLength) {
      throw new DOMException(
        `the write of ${buffer.byteLength} bytes went past the storage quota`,
        'QuotaExceededError',
      );
    }
    return n;
  };
  proto[GUARDED] = true;
}
