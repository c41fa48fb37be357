// Mounts from nested objects and providers; read-only enforcement; provider write-back; default layout.
import { describe, expect, it } from 'vitest';
import { buildDefaultLayout } from './layout';
import { mount, type MountProvider } from './mount';
import { HandleTable } from './handles';
import { Vfs } from './vfs';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));
const erofs = expect.objectContaining({ code: 'EROFS' });

describe('mount', () => {
  it('mounts a nested object read-only', async () => {
    const v = new Vfs();
    await mount(
      v,
      '/mnt/data',
      { 'a.csv': 'x,y\n1,2\n', 'sub/b.bin': new Uint8Array([1]), dir: { 'c.txt': 'c' } },
      { readOnly: true },
    );
    expect(v.readText('/mnt/data/a.csv')).toBe('x,y\n1,2\n');
    expect(v.readFile('/mnt/data/sub/b.bin')).toEqual(new Uint8Array([1]));
    expect(v.readText('/mnt/data/dir/c.txt')).toBe('c');
    expect(() => v.writeFile('/mnt/data/new', 'x')).toThrow(erofs);
    expect(() => v.write('/mnt/data/a.csv', 0, new Uint8Array([1]))).toThrow(erofs);
    expect(() => v.unlink('/mnt/data/a.csv')).toThrow(erofs);
    expect(() => v.mkdir('/mnt/data/sub/x')).toThrow(erofs);
    expect(() => v.rename('/mnt/data/a.csv', '/tmp-a')).toThrow(erofs);
    expect(() => v.chmod('/mnt/data/a.csv', 0o777)).toThrow(erofs);
    expect(() => v.rm('/mnt/data', { recursive: true })).toThrow(expect.objectContaining({ code: 'EACCES' }));
    const h = new HandleTable(v);
    // Opening for writing is allowed (WASIX opens files read-write to read them); writing is not.
    const rw = h.open('/mnt/data/a.csv', 'r+');
    expect(() => h.write(rw, new Uint8Array([1]))).toThrow(erofs);
    expect(() => h.open('/mnt/data/a.csv', 'w')).toThrow(erofs);
    expect(h.read(h.open('/mnt/data/a.csv'), 3)).toEqual(new TextEncoder().encode('x,y'));
    v.unmount('/mnt/data');
    expect(v.exists('/mnt/data')).toBe(false);
    expect(v.usage().files).toBe(1); // /mnt
  });

  it('resolves a provider at mount time and writes changes back', async () => {
    const files = new Map<string, Uint8Array | string>([
      ['/readme', 'hi'],
      ['/lib/mod.py', 'x = 1'],
    ]);
    const written: [string, string][] = [];
    const provider: MountProvider = {
      async stat(p) {
        if (p === '/' || p === '/lib') return { type: 'dir' };
        if (files.has(p)) return { type: 'file', mtimeMs: 42 };
        throw new Error('nope');
      },
      async readdir(p) {
        return p === '/' ? ['readme', 'lib'] : ['mod.py'];
      },
      async readFile(p) {
        return files.get(p)!;
      },
      async writeFile(p, d) {
        written.push([p, new TextDecoder().decode(d)]);
      },
    };
    const v = new Vfs();
    await mount(v, '/mnt/libs', provider);
    expect(v.readText('/mnt/libs/lib/mod.py')).toBe('x = 1');
    expect(v.stat('/mnt/libs/readme').mtimeMs).toBe(42);
    v.writeFile('/mnt/libs/lib/new.py', 'y = 2');
    v.writeFile('/mnt/libs/readme', 'changed');
    await tick();
    await tick();
    expect(written).toEqual([
      ['/lib/new.py', 'y = 2'],
      ['/readme', 'changed'],
    ]);
  });

  it('rejects a non-empty mount point and bad names', async () => {
    const v = new Vfs();
    v.mkdir('/m');
    v.writeFile('/m/x', '');
    await expect(mount(v, '/m', { a: 'b' })).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(mount(v, '/n', { '../x': 'b' })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});

describe('Vfs.mount', () => {
  it('mounts a nested object synchronously', () => {
    const v = new Vfs();
    v.mount('/mnt/x', { 'a/b.txt': 'b', c: new Uint8Array([3]) }, { readOnly: true });
    expect(v.readText('/mnt/x/a/b.txt')).toBe('b');
    expect(() => v.writeFile('/mnt/x/c', 'no')).toThrow(expect.objectContaining({ code: 'EROFS' }));
    v.mount('/mnt/rw', { f: 'f' });
    v.writeFile('/mnt/rw/f', 'changed');
    expect(v.readText('/mnt/rw/f')).toBe('changed');
  });
});

describe('default layout', () => {
  it('builds the usual Unix tree', () => {
    const v = new Vfs();
    buildDefaultLayout(v);
    expect(v.stat('/home/user').type).toBe('dir');
    expect(v.stat('/tmp').mode & 0o7777).toBe(0o1777);
    expect(v.readText('/etc/passwd')).toContain('user:x:1000:1000:user:/home/user:/bin/bash');
    expect(v.readText('/etc/hostname')).toBe('sandpit\n');
    expect(v.readlink('/bin')).toBe('usr/bin');
    expect(v.realpath('/bin')).toBe('/usr/bin');
    expect(v.exists('/dev/null')).toBe(true);
    expect(v.readText('/etc/profile')).toContain('PATH=');
    expect(v.readText('/etc/group')).toContain('user:x:1000:');
    buildDefaultLayout(v); // idempotent
  });
});
