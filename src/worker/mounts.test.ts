// Kernel-side mounts over a plain Vfs: trees, read-only trees (still readable through a
// write-open, as WASIX opens files), live providers and their write-back.
import { describe, expect, it } from 'vitest';
import { closeMounts, mountInto, refreshMounts } from './mounts';
import { Vfs } from './vfs';

function host() {
  const vfs = new Vfs();
  vfs.mkdir('/mnt', { recursive: true });
  return { vfs, route: (path: string) => ({ vfs, path }) };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('mounts', () => {
  it('grafts a tree, and replaces it when mounted again', async () => {
    const h = host();
    await mountInto(h, '/mnt/data', { 'a.csv': 'x,y\n', 'sub/b.bin': new Uint8Array([1, 2]) }, { readOnly: false });
    expect(h.vfs.readText('/mnt/data/a.csv')).toBe('x,y\n');
    expect([...h.vfs.readFile('/mnt/data/sub/b.bin')]).toEqual([1, 2]);
    await mountInto(h, '/mnt/data', { 'c.txt': 'c' }, { readOnly: false });
    expect(h.vfs.readdir('/mnt/data')).toEqual(['c.txt']);
  });

  it('refuses mount points outside the served directories', async () => {
    const h = host();
    for (const p of ['/usr/x', '/mnt', '/bin/y'])
      await expect(mountInto(h, p, {}, { readOnly: false })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('read-only: writes fail, reads work even through an open for writing', async () => {
    const h = host();
    await mountInto(h, '/mnt/ro', { 'k.txt': 'keep' }, { readOnly: true });
    expect(() => h.vfs.writeFile('/mnt/ro/k.txt', 'x')).toThrowError(expect.objectContaining({ code: 'EROFS' }));
    const ino = h.vfs.open('/mnt/ro/k.txt', { write: true });
    expect(text(h.vfs.readIno(ino, 0, 100))).toBe('keep');
    expect(() => h.vfs.writeIno(ino, 0, new Uint8Array([1]))).toThrowError(expect.objectContaining({ code: 'EROFS' }));
    expect(() => h.vfs.open('/mnt/ro/k.txt', { write: true, truncate: true })).toThrowError(
      expect.objectContaining({ code: 'EROFS' }),
    );
    expect(h.vfs.readText('/mnt/ro/k.txt')).toBe('keep');
  });

  it('providers are read again on refresh, and guest writes reach writeFile first', async () => {
    const h = host();
    let label = 'one';
    const written: Record<string, string> = {};
    const provider = {
      readdir: async (p: string) => (p === '/' ? ['now.txt', ...Object.keys(written)] : []),
      stat: async (p: string) => ({ type: (p === '/' ? 'dir' : 'file') as 'dir' | 'file' }),
      readFile: async (p: string) => (p === '/now.txt' ? label : written[p.slice(1)]!),
      writeFile: async (p: string, d: Uint8Array) => {
        await new Promise((r) => setTimeout(r, 5));
        written[p.slice(1)] = text(d);
      },
    };
    await mountInto(h, '/mnt/live', provider, { readOnly: false, provider: { writable: true } });
    expect(h.vfs.readText('/mnt/live/now.txt')).toBe('one');
    label = 'two';
    h.vfs.writeFile('/mnt/live/out.txt', 'from guest');
    await refreshMounts(h);
    expect(h.vfs.readText('/mnt/live/now.txt')).toBe('two');
    expect(written).toEqual({ 'out.txt': 'from guest' });
    expect(h.vfs.readText('/mnt/live/out.txt')).toBe('from guest');
    closeMounts(h);
  });

  it('a provider without writeFile is read-only', async () => {
    const h = host();
    const provider = {
      readdir: () => ['f'],
      stat: (p: string) => ({ type: (p === '/' ? 'dir' : 'file') as 'dir' | 'file' }),
      readFile: () => 'v',
    };
    await mountInto(h, '/mnt/p', provider, { readOnly: false, provider: { writable: false } });
    expect(() => h.vfs.writeFile('/mnt/p/f', 'x')).toThrowError(expect.objectContaining({ code: 'EROFS' }));
    closeMounts(h);
  });
});
