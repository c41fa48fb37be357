// Streamed reads and writes through the kernel's FileService: chunks land in a part file that
// replaces the target atomically; a failure (ENOSPC, abort) leaves the old file as it was.
import { describe, expect, it } from 'vitest';
import { FileService } from './files';
import { Vfs } from './vfs';

function service(maxBytes = 1 << 20) {
  const vfs = new Vfs({ maxBytes });
  return { vfs, files: new FileService((path) => ({ vfs, path })) };
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('streamed writes', () => {
  it('appends chunks and replaces the target only on commit', () => {
    const { vfs, files } = service();
    files.write('/d/a.bin', new Uint8Array([9]));
    const id = files.beginWrite('/d/a.bin');
    files.writeChunk(id, bytes(70_000, 1));
    files.writeChunk(id, bytes(5, 2));
    expect(Array.from(vfs.readFile('/d/a.bin'))).toEqual([9]); // not yet replaced
    files.commitWrite(id);
    expect(vfs.readFile('/d/a.bin')).toEqual(new Uint8Array([...bytes(70_000, 1), ...bytes(5, 2)]));
    expect(vfs.readdir('/d')).toEqual(['a.bin']); // no part file left
  });

  it('creates parents and keeps the mode of the file it replaces', () => {
    const { vfs, files } = service();
    const id = files.beginWrite('/x/y/z.txt');
    files.writeChunk(id, new TextEncoder().encode('hi'));
    files.commitWrite(id);
    expect(vfs.readText('/x/y/z.txt')).toBe('hi');
    vfs.chmod('/x/y/z.txt', 0o755);
    const again = files.beginWrite('/x/y/z.txt');
    files.commitWrite(again);
    expect(vfs.stat('/x/y/z.txt').mode & 0o777).toBe(0o755);
    expect(vfs.stat('/x/y/z.txt').size).toBe(0);
  });

  it('ENOSPC at the quota aborts the upload and leaves the old file intact', () => {
    const { vfs, files } = service(200_000);
    files.write('/a.bin', bytes(50_000, 3));
    const before = vfs.usage().bytes;
    const id = files.beginWrite('/a.bin');
    files.writeChunk(id, bytes(100_000, 4));
    expect(() => files.writeChunk(id, bytes(100_000, 5))).toThrowError(expect.objectContaining({ code: 'ENOSPC' }));
    expect(vfs.readFile('/a.bin')).toEqual(bytes(50_000, 3));
    expect(vfs.readdir('/')).toEqual(['a.bin']);
    expect(vfs.usage().bytes).toBe(before);
    expect(() => files.commitWrite(id)).toThrowError(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('abort removes the part file', () => {
    const { vfs, files } = service();
    const id = files.beginWrite('/n.txt');
    files.writeChunk(id, bytes(10, 0));
    files.abortWrite(id);
    files.abortWrite(id);
    expect(vfs.readdir('/')).toEqual([]);
    expect(vfs.usage().bytes).toBe(0);
  });

  it('refuses a directory target', () => {
    const { vfs, files } = service();
    vfs.mkdir('/d');
    expect(() => files.beginWrite('/d')).toThrowError(expect.objectContaining({ code: 'EISDIR' }));
  });
});

describe('streamed reads', () => {
  it('returns chunks until an empty one and keeps reading the file it opened', () => {
    const { files } = service();
    const data = bytes(150_000, 7);
    files.write('/r.bin', data);
    const { id, size } = files.beginRead('/r.bin');
    expect(size).toBe(150_000);
    // Replaced meanwhile by a streamed write (a rename): the open read keeps the old inode.
    const w = files.beginWrite('/r.bin');
    files.writeChunk(w, new Uint8Array([1]));
    files.commitWrite(w);
    const parts: number[] = [];
    for (;;) {
      const c = files.readChunk(id, 65_536);
      if (c.length === 0) break;
      parts.push(...c);
    }
    files.endRead(id);
    expect(new Uint8Array(parts)).toEqual(data);
    expect(() => files.beginRead('/missing')).toThrowError(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('whole-file writes adopt the buffer', () => {
  it('keeps pages as views of the sent buffer, and in-place writes change only their own page', () => {
    const { vfs, files } = service(4 << 20);
    const sent = bytes(200_000, 3);
    files.write('/big.bin', sent);
    const frozen = vfs.snapshot();
    // A guest's write into one page of the live file: the snapshot and the other pages keep theirs.
    vfs.write('/big.bin', 70_000, new Uint8Array([1, 2, 3]));
    const expected = bytes(200_000, 3);
    expected.set([1, 2, 3], 70_000);
    expect(vfs.readFile('/big.bin')).toEqual(expected);
    expect(Vfs.fromSnapshot(frozen).readFile('/big.bin')).toEqual(bytes(200_000, 3));
    // Appending past an adopted short last page grows it by copying, not over the buffer's end.
    vfs.write('/big.bin', 200_000, new Uint8Array([7]));
    expect(vfs.stat('/big.bin').size).toBe(200_001);
    expect(vfs.read('/big.bin', 199_999, 2)).toEqual(new Uint8Array([expected[199_999]!, 7]));
  });
});
