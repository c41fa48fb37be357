// The bytes of a Blob given to importState, read in the kernel worker. FileReaderSync (workers
// only) reads the blob store straight into one buffer on this thread; elsewhere (Node's tests)
// arrayBuffer(). A Blob that cannot be read (its file changed or went) is CORRUPT, as any
// unreadable state is.
import { corrupt } from './container';

interface SyncReader {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}

export async function blobBytes(blob: Blob): Promise<Uint8Array> {
  const Reader = (globalThis as { FileReaderSync?: new () => SyncReader }).FileReaderSync;
  try {
    return new Uint8Array(Reader ? new Reader().readAsArrayBuffer(blob) : await blob.arrayBuffer());
  } catch (err) {
    throw corrupt(`the blob could not be read: ${(err as Error).message}`);
  }
}
