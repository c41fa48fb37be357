// Reading an imported Blob in the kernel (blob-source.ts): through FileReaderSync where the
// worker has it, arrayBuffer() elsewhere, and an unreadable Blob is CORRUPT.
import { afterEach, describe, expect, it } from 'vitest';
import { blobBytes } from './blob-source';
import { codeOf } from './store.test-helpers';

const g = globalThis as { FileReaderSync?: unknown };

describe('blobBytes', () => {
  afterEach(() => {
    delete g.FileReaderSync;
  });

  it('reads a Blob with arrayBuffer() where there is no FileReaderSync', async () => {
    expect(g.FileReaderSync).toBeUndefined();
    const bytes = await blobBytes(new Blob([new Uint8Array([1, 2, 3]), 'ab']));
    expect([...bytes]).toEqual([1, 2, 3, 97, 98]);
  });

  it('reads through FileReaderSync when the worker has it', async () => {
    const read: Blob[] = [];
    g.FileReaderSync = class {
      readAsArrayBuffer(blob: Blob): ArrayBuffer {
        read.push(blob);
        return new Uint8Array([9, 8]).buffer;
      }
    };
    const blob = new Blob(['x']);
    expect([...(await blobBytes(blob))]).toEqual([9, 8]);
    expect(read).toEqual([blob]);
  });

  it('a Blob that cannot be read is CORRUPT', async () => {
    g.FileReaderSync = class {
      readAsArrayBuffer(): ArrayBuffer {
        throw new DOMException('the file changed', 'NotReadableError');
      }
    };
    expect(await codeOf(blobBytes(new Blob(['x'])))).toBe('CORRUPT');
  });
});
