// POSIX-like operations: resolution, symlinks, `..`, rename rules, errors.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from './node';
import { Vfs } from './vfs';

const enc = (s: string) => new TextEncoder().encode(s);
function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('basic operations', () => {
  it('creates, reads, stats and lists', () => {
    const v = new Vfs({ sortedReaddir: true });
    v.mkdir('/a/b/c', { recursive: true });
    v.writeFile('/a/b/c/f.txt', 'hello');
    v.writeFile('/a/z', 'z');
    v.writeFile('/a/m', 'm');
    expect(v.readText('/a/b/c/f.txt')).toBe('hello');
    expect(v.readdir('/a')).toEqual(['b', 'm', 'z']);
    const st = v.stat('/a/b/c/f.txt');
    expect(st.type).toBe('file');
    expect(st.size).toBe(5);
    expect(st.mode).toBe(0o100644);
    expect(st.nlink).toBe(1);
    expect(v.stat('/a').nlink).toBe(3);
    expect(v.readdirTypes('/a')).toEqual([
      { name: 'b', type: 'dir' },
      { name: 'm', type: 'file' },
      { name: 'z', type: 'file' },
    ]);
    expect(v.stat('/a/b').ino).not.toBe(v.stat('/a').ino);
  });

  it('throws coded errors with the path', () => {
    const v = new Vfs();
    v.writeFile('/f', 'x');
    v.mkdir('/d');
    expect(code(() => v.stat('/nope'))).toBe('ENOENT');
    expect(code(() => v.stat('/f/x'))).toBe('ENOTDIR');
    expect(code(() => v.mkdir('/d'))).toBe('EEXIST');
    expect(code(() => v.mkdir('/x/y'))).toBe('ENOENT');
    expect(code(() => v.readFile('/d'))).toBe('EISDIR');
    expect(code(() => v.unlink('/d'))).toBe('EISDIR');
    expect(code(() => v.rmdir('/f'))).toBe('ENOTDIR');
    expect(code(() => v.readdir('/f'))).toBe('ENOTDIR');
    expect(code(() => v.readlink('/f'))).toBe('EINVAL');
    expect(code(() => v.stat('/f/'))).toBe('ENOTDIR');
    v.writeFile('/d/x', '');
    expect(code(() => v.rmdir('/d'))).toBe('ENOTEMPTY');
    try {
      v.stat('/missing/thing');
    } catch (e) {
      expect(e).toMatchObject({ code: 'ENOENT', path: '/missing/thing', syscall: 'stat' });
    }
  });

  it('mkdir -p tolerates existing dirs but not files', () => {
    const v = new Vfs();
    v.mkdir('/a/b', { recursive: true });
    v.mkdir('/a/b', { recursive: true });
    v.writeFile('/a/f', '');
    expect(code(() => v.mkdir('/a/f/g', { recursive: true }))).toBe('ENOTDIR');
    expect(code(() => v.mkdir('/a/f', { recursive: true }))).toBe('EEXIST');
  });

  it('never lets .. escape the root', () => {
    const v = new Vfs();
    v.mkdir('/etc');
    v.writeFile('/etc/passwd', 'p');
    expect(v.readText('/../../../etc/passwd')).toBe('p');
    expect(v.readText('/etc/../../etc/./passwd')).toBe('p');
    expect(v.realpath('/..')).toBe('/');
    v.symlink('../../../../', '/etc/up');
    expect(v.realpath('/etc/up')).toBe('/');
    expect(v.readText('/etc/up/etc/passwd')).toBe('p');
  });

  it('follows symlinks, relative and absolute, and detects loops', () => {
    const v = new Vfs();
    v.mkdir('/usr/bin', { recursive: true });
    v.writeFile('/usr/bin/sh', 'sh!');
    v.symlink('usr/bin', '/bin');
    v.symlink('/usr/bin/sh', '/usr/bin/bash');
    expect(v.readText('/bin/sh')).toBe('sh!');
    expect(v.readText('/bin/bash')).toBe('sh!');
    expect(v.lstat('/bin').type).toBe('symlink');
    expect(v.stat('/bin').type).toBe('dir');
    expect(v.readlink('/bin')).toBe('usr/bin');
    expect(v.realpath('/bin/bash')).toBe('/usr/bin/sh');
    // `..` after a symlinked dir is physical: /bin/.. is /usr, not /
    expect(v.realpath('/bin/..')).toBe('/usr');
    v.symlink('/loop2', '/loop1');
    v.symlink('/loop1', '/loop2');
    expect(code(() => v.stat('/loop1'))).toBe('ELOOP');
    expect(v.lstat('/loop1').type).toBe('symlink');
    v.symlink('self/x', '/self');
    expect(code(() => v.readFile('/self'))).toBe('ELOOP');
    // Writing through a dangling symlink creates its target.
    v.symlink('/tmpfile', '/dangling');
    v.writeFile('/dangling', 'made');
    expect(v.readText('/tmpfile')).toBe('made');
    expect(code(() => v.symlink('x', '/bin'))).toBe('EEXIST');
  });

  it('unlink removes a symlink, not its target', () => {
    const v = new Vfs();
    v.writeFile('/t', 't');
    v.symlink('/t', '/l');
    v.unlink('/l');
    expect(v.exists('/l')).toBe(false);
    expect(v.readText('/t')).toBe('t');
  });
});

describe('read/write at offset and truncate', () => {
  it('writes across page boundaries with holes', () => {
    const v = new Vfs();
    v.writeFile('/f', '');
    const big = new Uint8Array(PAGE_SIZE + 100).map((_, i) => i % 251);
    v.write('/f', PAGE_SIZE - 50, big);
    expect(v.stat('/f').size).toBe(2 * PAGE_SIZE + 50);
    const all = v.readFile('/f');
    expect(all.subarray(0, PAGE_SIZE - 50).every((b) => b === 0)).toBe(true);
    // Byte loops rather than toEqual: vitest's deep equality is slow on 64 KiB arrays.
    expect(all.subarray(PAGE_SIZE - 50).every((b, i) => b === big[i])).toBe(true);
    expect(v.read('/f', PAGE_SIZE - 50, 10)).toEqual(big.subarray(0, 10));
    expect(v.read('/f', 10 * PAGE_SIZE, 10).length).toBe(0);
    v.write('/f', 5 * PAGE_SIZE, enc('end'));
    expect(v.read('/f', 3 * PAGE_SIZE, 4)).toEqual(new Uint8Array(4));
    expect(v.usage().bytes).toBe(5 * PAGE_SIZE + 3);
  });

  it('truncate shrinks with zeroed tail and grows with zeros', () => {
    const v = new Vfs();
    v.writeFile('/f', 'abcdefgh');
    v.truncate('/f', 3);
    expect(v.readText('/f')).toBe('abc');
    v.truncate('/f', 6);
    expect(v.readFile('/f')).toEqual(new Uint8Array([97, 98, 99, 0, 0, 0]));
    v.truncate('/f', 0);
    expect(v.readFile('/f').length).toBe(0);
    expect(code(() => v.truncate('/f', -1))).toBe('EINVAL');
  });

  it('appends in small chunks correctly (owned pages grow in place)', () => {
    const v = new Vfs();
    v.writeFile('/log', '');
    let expected = '';
    for (let i = 0; i < 5000; i++) {
      const s = `line ${i}\n`;
      v.write('/log', v.stat('/log').size, enc(s));
      expected += s;
    }
    expect(v.readText('/log')).toBe(expected);
  });
});

describe('rename', () => {
  it('moves files and dirs atomically and replaces compatible targets', () => {
    const v = new Vfs();
    v.mkdir('/a/sub', { recursive: true });
    v.writeFile('/a/sub/f', 'f');
    v.mkdir('/b');
    v.rename('/a/sub', '/b/moved');
    expect(v.readText('/b/moved/f')).toBe('f');
    expect(v.exists('/a/sub')).toBe(false);
    v.writeFile('/x', 'new');
    v.writeFile('/y', 'old');
    v.rename('/x', '/y');
    expect(v.readText('/y')).toBe('new');
    expect(v.exists('/x')).toBe(false);
    v.mkdir('/empty');
    v.rename('/b/moved', '/empty');
    expect(v.readText('/empty/f')).toBe('f');
    expect(v.usage().files).toBe(5); // /a /b /y /empty /empty/f
  });

  it('enforces rename(2) rules', () => {
    const v = new Vfs();
    v.mkdir('/d/e', { recursive: true });
    v.writeFile('/d/e/f', '');
    v.writeFile('/file', '');
    v.mkdir('/full');
    v.writeFile('/full/x', '');
    expect(code(() => v.rename('/d', '/d/e/inside'))).toBe('EINVAL');
    expect(code(() => v.rename('/d', '/d/e'))).toBe('EINVAL');
    expect(code(() => v.rename('/file', '/d'))).toBe('EISDIR');
    expect(code(() => v.rename('/d', '/file'))).toBe('ENOTDIR');
    expect(code(() => v.rename('/d', '/full'))).toBe('ENOTEMPTY');
    expect(code(() => v.rename('/nope', '/x'))).toBe('ENOENT');
    expect(code(() => v.rename('/file', '/nodir/x'))).toBe('ENOENT');
    expect(code(() => v.rename('/', '/x'))).toBe('EINVAL');
    v.rename('/file', '/file');
    expect(v.exists('/file')).toBe(true);
  });
});

describe('chmod, utimes, rm', () => {
  it('sets mode and times', () => {
    let t = 1000;
    const v = new Vfs({ now: () => t });
    v.writeFile('/f', 'x');
    v.chmod('/f', 0o755);
    expect(v.stat('/f').mode).toBe(0o100755);
    t = 2000;
    v.utimes('/f', 5, 12345);
    expect(v.stat('/f').mtimeMs).toBe(12345);
    expect(v.stat('/f').ctimeMs).toBe(2000);
    v.chmod('/', 0o700);
    expect(v.stat('/').mode).toBe(0o40700);
  });

  it('rm -r removes a tree and its accounting', () => {
    const v = new Vfs();
    v.mkdir('/t/a/b', { recursive: true });
    v.writeFile('/t/a/b/f', 'xyz');
    v.writeFile('/t/g', 'q');
    expect(code(() => v.rm('/t'))).toBe('EISDIR');
    v.rm('/t', { recursive: true });
    expect(v.usage()).toMatchObject({ bytes: 0, files: 0 });
    v.rm('/t', { force: true });
    expect(code(() => v.rm('/t'))).toBe('ENOENT');
  });
});

describe('trailing slashes', () => {
  it('never act on a symlink target by accident', () => {
    const v = new Vfs();
    v.mkdir('/real');
    v.symlink('/real', '/link');
    expect(code(() => v.rmdir('/link/'))).toBe('ENOTDIR');
    expect(code(() => v.unlink('/link/'))).toBe('ENOTDIR');
    expect(code(() => v.rm('/link/', { recursive: true }))).toBe('ENOTDIR');
    expect(code(() => v.rename('/link/', '/x'))).toBe('ENOTDIR');
    expect(v.stat('/real').type).toBe('dir');
    expect(v.readdir('/link/')).toEqual([]);
    v.mkdir('/made/');
    v.mkdir('/p/q/', { recursive: true });
    v.rename('/made/', '/moved/');
    v.rmdir('/moved/');
    expect(v.exists('/moved')).toBe(false);
    expect(code(() => v.writeFile('/newfile/', 'x'))).toBe('EISDIR');
    v.writeFile('/f', '');
    expect(code(() => v.mkdir('/f/', { recursive: true }))).toBe('EEXIST');
    expect(code(() => v.mkdir('/f/g/', { recursive: true }))).toBe('ENOTDIR');
  });
});
