// An in-memory HostFsBackend: the reference for tests and demos, and the shape the real VFS
// adapter has to match. Files and directories only; open files survive rename and unlink.
import type { HostFsBackend, HostFsDirEntry, HostFsFile, HostFsOpenFlags, HostFsStat } from './backend';
import { HostFsError } from './server';

interface MemFile {
  kind: 'file';
  data: Uint8Array;
  size: number;
}

interface MemDir {
  kind: 'directory';
  children: Map<string, MemNode>;
}

type MemNode = MemFile | MemDir;

export class MemoryBackend implements HostFsBackend {
  readonly #root: MemDir = { kind: 'directory', children: new Map() };

  stat(path: string): HostFsStat {
    return statOf(this.#lookup(path));
  }

  readdir(path: string): HostFsDirEntry[] {
    const dir = this.#dir(path);
    return [...dir.children].map(([name, node]) => ({ name, ...statOf(node) }));
  }

  open(path: string, flags: HostFsOpenFlags): HostFsFile {
    const { parent, name } = this.#parent(path);
    let node = name === '' ? this.#root : parent.children.get(name);
    if (node && flags.exclusive && flags.create) throw new HostFsError('EEXIST', path);
    if (!node) {
      if (!flags.create) throw new HostFsError('ENOENT', path);
      node = { kind: 'file', data: new Uint8Array(0), size: 0 };
      parent.children.set(name, node);
    }
    if (node.kind === 'directory') throw new HostFsError('EISDIR', path);
    if (flags.truncate && flags.write) resize(node, 0);
    return new MemHandle(node, flags.write);
  }

  mkdir(path: string): void {
    const { parent, name } = this.#parent(path);
    if (name === '' || parent.children.has(name)) throw new HostFsError('EEXIST', path);
    parent.children.set(name, { kind: 'directory', children: new Map() });
  }

  unlink(path: string): void {
    const { parent, name } = this.#parent(path);
    const node = parent.children.get(name);
    if (!node) throw new HostFsError('ENOENT', path);
    if (node.kind === 'directory') throw new HostFsError('EISDIR', path);
    parent.children.delete(name);
  }

  rmdir(path: string): void {
    const { parent, name } = this.#parent(path);
    if (name === '') throw new HostFsError('EACCES', 'cannot remove the root');
    const node = parent.children.get(name);
    if (!node) throw new HostFsError('ENOENT', path);
    if (node.kind !== 'directory') throw new HostFsError('ENOTDIR', path);
    if (node.children.size > 0) throw new HostFsError('ENOTEMPTY', path);
    parent.children.delete(name);
  }

  rename(from: string, to: string): void {
    const src = this.#parent(from);
    const node = src.parent.children.get(src.name);
    if (!node || src.name === '') throw new HostFsError('ENOENT', from);
    const dst = this.#parent(to);
    if (dst.name === '') throw new HostFsError('EBUSY', to);
    if (node.kind === 'directory' && isInside(node, dst.parent))
      throw new HostFsError('EINVAL', `${to} is inside ${from}`);
    const existing = dst.parent.children.get(dst.name);
    if (existing && existing !== node) {
      if (existing.kind === 'directory' && node.kind !== 'directory') throw new HostFsError('EISDIR', to);
      if (existing.kind !== 'directory' && node.kind === 'directory') throw new HostFsError('ENOTDIR', to);
      if (existing.kind === 'directory' && existing.children.size > 0) throw new HostFsError('ENOTEMPTY', to);
    }
    src.parent.children.delete(src.name);
    dst.parent.children.set(dst.name, node);
  }

  // Conveniences for tests and seeding (not part of HostFsBackend).

  writeFile(path: string, data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const parts = split(path);
    let dir = this.#root;
    for (const name of parts.slice(0, -1)) {
      let next = dir.children.get(name);
      if (!next) dir.children.set(name, (next = { kind: 'directory', children: new Map() }));
      if (next.kind !== 'directory') throw new HostFsError('ENOTDIR', path);
      dir = next;
    }
    dir.children.set(parts[parts.length - 1], { kind: 'file', data: bytes.slice(), size: bytes.length });
  }

  readFile(path: string): Uint8Array {
    const node = this.#lookup(path);
    if (node.kind !== 'file') throw new HostFsError('EISDIR', path);
    return node.data.slice(0, node.size);
  }

  readText(path: string): string {
    return new TextDecoder().decode(this.readFile(path));
  }

  #lookup(path: string): MemNode {
    let node: MemNode = this.#root;
    for (const name of split(path)) {
      if (node.kind !== 'directory') throw new HostFsError('ENOTDIR', path);
      const next: MemNode | undefined = node.children.get(name);
      if (!next) throw new HostFsError('ENOENT', path);
      node = next;
    }
    return node;
  }

  #dir(path: string): MemDir {
    const node = this.#lookup(path);
    if (node.kind !== 'directory') throw new HostFsError('ENOTDIR', path);
    return node;
  }

  /** The parent directory and last name; name is "" for the root. */
  #parent(path: string): { parent: MemDir; name: string } {
    const parts = split(path);
    if (parts.length === 0) return { parent: this.#root, name: '' };
    const parent = this.#dir('/' + parts.slice(0, -1).join('/'));
    return { parent, name: parts[parts.length - 1] };
  }
}

class MemHandle implements HostFsFile {
  #closed = false;
  constructor(
    private readonly node: MemFile,
    private readonly writable: boolean,
  ) {}

  read(offset: number, length: number): Uint8Array {
    this.#check();
    if (offset >= this.node.size) return new Uint8Array(0);
    return this.node.data.slice(offset, Math.min(this.node.size, offset + length));
  }

  write(offset: number, data: Uint8Array): number {
    this.#check();
    if (!this.writable) throw new HostFsError('EBADF', 'file is not open for writing');
    const end = offset + data.length;
    if (end > this.node.data.length) grow(this.node, end);
    this.node.data.set(data, offset);
    if (end > this.node.size) this.node.size = end;
    return data.length;
  }

  truncate(length: number): void {
    this.#check();
    resize(this.node, length);
  }

  size(): number {
    this.#check();
    return this.node.size;
  }

  close(): void {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw new HostFsError('EBADF', 'file is closed');
  }
}

function statOf(node: MemNode): HostFsStat {
  return node.kind === 'file' ? { kind: 'file', size: node.size } : { kind: 'directory', size: 0 };
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

function isInside(dir: MemDir, candidate: MemDir): boolean {
  if (dir === candidate) return true;
  for (const child of dir.children.values()) if (child.kind === 'directory' && isInside(child, candidate)) return true;
  return false;
}

/** Capacity doubles so a stream of 64 KiB writes stays linear. */
function grow(file: MemFile, capacity: number): void {
  const next = new Uint8Array(Math.max(capacity, file.data.length * 2, 64));
  next.set(file.data.subarray(0, file.size));
  file.data = next;
}

function resize(file: MemFile, size: number): void {
  if (size > file.data.length) grow(file, size);
  else file.data.fill(0, size, file.size);
  file.size = size;
}
