// Quotas are exact: an operation that would exceed them fails with ENOSPC and changes nothing.
import { describe, expect, it } from 'vitest';
import { Vfs } from './vfs';
import { HandleTable } from './handles';

const enospc = expect.objectContaining({ code: 'ENOSPC' });

describe('byte quota', () => {
  it('allows exactly the limit and refuses one byte more, writing nothing', () => {
    const v = new Vfs({ maxBytes: 1000 });
    v.writeFile('/a', new Uint8Array(600));
    v.writeFile('/b', new Uint8Array(400));
    expect(v.usage().bytes).toBe(1000);
    expect(() => v.writeFile('/c', new Uint8Array(1))).toThrow(enospc);
    expect(v.exists('/c')).toBe(false);
    expect(() => v.write('/b', 399, new Uint8Array([1, 2]))).toThrow(enospc);
    expect(v.read('/b', 399, 1)[0]).toBe(0);
    expect(v.stat('/b').size).toBe(400);
    expect(() => v.truncate('/a', 601)).toThrow(enospc);
    // Overwrites within the current size are always fine; shrinking frees space.
    v.write('/b', 0, new Uint8Array(400).fill(1));
    v.writeFile('/a', new Uint8Array(100));
    v.writeFile('/c', new Uint8Array(500));
    expect(v.usage().bytes).toBe(1000);
  });

  it('replacing a file with a bigger one that does not fit keeps the old content', () => {
    const v = new Vfs({ maxBytes: 10 });
    v.writeFile('/f', 'hello');
    expect(() => v.writeFile('/f', 'hello world')).toThrow(enospc);
    expect(new TextDecoder().decode(v.readFile('/f'))).toBe('hello');
  });

  it('counts bytes of unlinked-but-open files until they are closed', () => {
    const v = new Vfs({ maxBytes: 10 });
    const h = new HandleTable(v);
    v.writeFile('/f', new Uint8Array(8));
    const fd = h.open('/f', 'r+');
    v.unlink('/f');
    expect(() => v.writeFile('/g', new Uint8Array(3))).toThrow(enospc);
    expect(() => h.write(fd, new Uint8Array(3), 8)).toThrow(enospc);
    h.close(fd);
    v.writeFile('/g', new Uint8Array(10));
  });
});

describe('file-count quota', () => {
  it('counts files, dirs and symlinks', () => {
    const v = new Vfs({ maxFiles: 3 });
    v.mkdir('/d');
    v.writeFile('/d/f', '');
    v.symlink('/d', '/l');
    expect(() => v.writeFile('/x', '')).toThrow(enospc);
    expect(() => v.mkdir('/y')).toThrow(enospc);
    expect(() => v.symlink('/d', '/z')).toThrow(enospc);
    expect(() => new HandleTable(v).open('/w', 'w')).toThrow(enospc);
    expect(() => v.mkdir('/a/b/c', { recursive: true })).toThrow(enospc);
    expect(v.readdir('/').sort()).toEqual(['d', 'l']);
    v.unlink('/l');
    v.writeFile('/x', '');
    expect(v.usage().files).toBe(3);
  });

  it('mounts that do not fit are refused whole', () => {
    const v = new Vfs({ maxBytes: 5 });
    expect(() =>
      v.mountTree('/m', {
        kind: 'dir',
        ino: 0,
        mode: 0o755,
        mtimeMs: 0,
        ctimeMs: 0,
        gen: 0,
        entries: new Map([
          ['f', { kind: 'file', ino: 0, mode: 0o644, mtimeMs: 0, ctimeMs: 0, gen: 0, size: 6, pages: [null] }],
        ]),
      }),
    ).toThrow(enospc);
    expect(v.exists('/m/f')).toBe(false);
  });
});
