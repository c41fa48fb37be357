// Descriptor table: positions, append, pread/pwrite, and inode identity across rename/unlink.
import { describe, expect, it } from 'vitest';
import { HandleTable } from './handles';
import { Vfs } from './vfs';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('HandleTable', () => {
  it('reads and writes in chunks at the position', () => {
    const v = new Vfs();
    const h = new HandleTable(v);
    const fd = h.open('/f', 'w+');
    expect(fd).toBe(3);
    h.write(fd, enc('hello '));
    h.write(fd, enc('world'));
    h.seek(fd, 0);
    expect(dec(h.read(fd, 5))).toBe('hello');
    expect(dec(h.read(fd, 100))).toBe(' world');
    expect(h.read(fd, 100).length).toBe(0);
    expect(dec(h.read(fd, 5, 6))).toBe('world');
    h.write(fd, enc('W'), 6);
    expect(v.readText('/f')).toBe('hello World');
    expect(h.seek(fd, -5, 'end')).toBe(6);
    h.ftruncate(fd, 5);
    expect(h.fstat(fd).size).toBe(5);
    h.close(fd);
    expect(() => h.read(fd, 1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('honours flags', () => {
    const v = new Vfs();
    const h = new HandleTable(v);
    expect(() => h.open('/missing')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    v.writeFile('/f', 'abc');
    expect(() => h.open('/f', 'wx')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    const a = h.open('/f', 'a');
    h.write(a, enc('d'));
    h.write(a, enc('e'), 0); // append ignores the position, as on Linux
    expect(v.readText('/f')).toBe('abcde');
    expect(() => h.read(a, 1)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    const r = h.open('/f');
    expect(() => h.write(r, enc('x'))).toThrow(expect.objectContaining({ code: 'EBADF' }));
    const w = h.open('/f', 'w');
    expect(v.stat('/f').size).toBe(0);
    h.closeAll();
    expect(h.size).toBe(0);
    v.mkdir('/d');
    expect(() => h.open('/d', 'w')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    void w;
  });

  it('follows the inode through rename and keeps unlinked files alive until close', () => {
    const v = new Vfs();
    const h = new HandleTable(v);
    v.mkdir('/a');
    v.writeFile('/a/f', 'data');
    const fd = h.open('/a/f', 'r+');
    v.rename('/a', '/b');
    expect(h.pathOf(fd)).toBe('/b/f');
    h.write(fd, enc('DA'));
    expect(v.readText('/b/f')).toBe('DAta');
    v.unlink('/b/f');
    expect(h.pathOf(fd)).toBeUndefined();
    h.write(fd, enc('!'), 4);
    h.seek(fd, 0);
    expect(dec(h.read(fd, 10))).toBe('DAta!');
    expect(v.exists('/b/f')).toBe(false);
    h.close(fd);
    expect(v.usage().bytes).toBe(0);
  });

  it('keeps working after snapshot/restore and fork (index rebuilt lazily)', () => {
    const v = new Vfs();
    const h = new HandleTable(v);
    v.writeFile('/f', 'one');
    const fd = h.open('/f', 'r+');
    const s = v.snapshot();
    h.write(fd, enc('ONE'), 0);
    expect(v.readText('/f')).toBe('ONE');
    v.restore(s);
    expect(v.readText('/f')).toBe('one');
    h.write(fd, enc('O'), 0);
    expect(v.readText('/f')).toBe('One');
    const child = v.fork();
    h.write(fd, enc('X'), 0);
    expect(child.readText('/f')).toBe('One');
  });
});
