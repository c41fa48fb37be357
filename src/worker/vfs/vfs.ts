// The kernel-side filesystem: POSIX-like operations over a copy-on-write inode tree, with quotas,
// snapshots/forks that share structure, read-only mounts and change events.

import { pagesFromBytes, readContent, readContentInto, truncateContent, writeContent } from './content';
import { diffTrees, type VfsDiff } from './diff';
import { VfsError } from './errors';
import { cloneNode, countTree, nextGen, type DirNode, type FileNode, type Node, type NodeKind } from './node';
import { childPath, joinPath } from './path';
import { InodeTable } from './inodes';
import { statsOf, type Stats } from './stats';
import type { MountTree } from './mount-types';
import { buildTree } from './tree';
import { resolvePath, type Resolved } from './resolve';
import { WatchHub, type WatchCallback, type WatchEventType } from './watch';

export interface VfsOptions {
  /** Quota on the sum of regular-file sizes, in bytes. Default 256 MiB. */
  maxBytes?: number;
  /** Quota on the number of inodes (files, directories, symlinks; the root is free). Default 100,000. */
  maxFiles?: number;
  /** Clock for mtime/ctime. Default `Date.now`; deterministic sandboxes pass a fixed clock. */
  now?: () => number;
  /** Return readdir names sorted by code unit (deterministic mode). Default false: creation order. */
  sortedReaddir?: boolean;
  /** Owner reported by stat. Default 1000/1000 (the sandbox user). */
  uid?: number;
  gid?: number;
}

export type { Stats } from './stats';

export interface Dirent {
  name: string;
  type: NodeKind;
}

/** An immutable view of the tree at one instant. Cheap to take and to keep: it shares everything. */
export interface VfsSnapshot {
  readonly root: DirNode;
  readonly usedBytes: number;
  readonly fileCount: number;
  readonly nextIno: number;
}

export interface OpenOptions {
  write?: boolean;
  create?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
  /** Permission bits for a created file. Default 0o644. */
  mode?: number;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 100_000;
const ROOT_INO = 1;
const encoder = new TextEncoder();

export class Vfs {
  readonly maxBytes: number;
  readonly maxFiles: number;
  private readonly opts: VfsOptions;
  private readonly clock: () => number;
  private root: DirNode;
  private gen = nextGen();
  private usedBytes = 0;
  private fileCount = 0;
  private nextIno = ROOT_INO + 1;
  private readonly inodes = new InodeTable(ROOT_INO);
  private readonly hub = new WatchHub();
  /** Synchronous change listeners (onChange): worker-side caches must hear before the next call. */
  private readonly changeListeners = new Set<() => void>();

  constructor(options: VfsOptions = {}) {
    this.opts = { ...options };
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
    this.clock = options.now ?? Date.now;
    const t = this.clock();
    this.root = { kind: 'dir', ino: ROOT_INO, mode: 0o755, mtimeMs: t, ctimeMs: t, gen: this.gen, entries: new Map() };
  }

  /** A filesystem over an existing tree (import, persistence). Counts and the next ino are recomputed. */
  static fromRoot(root: DirNode, options: VfsOptions = {}): Vfs {
    const { files, bytes } = countTree(root);
    let maxIno = ROOT_INO;
    const stack: Node[] = [root];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.ino > maxIno) maxIno = n.ino;
      if (n.kind === 'dir') for (const c of n.entries.values()) stack.push(c);
    }
    return Vfs.fromSnapshot({ root, usedBytes: bytes, fileCount: files - 1, nextIno: maxIno + 1 }, options);
  }

  static fromSnapshot(snap: VfsSnapshot, options: VfsOptions = {}): Vfs {
    const v = new Vfs(options);
    // The inode index and fd lookups assume the root is inode 1; trees from elsewhere get a renumbered root.
    v.root = snap.root.ino === ROOT_INO ? snap.root : { ...snap.root, ino: ROOT_INO };
    v.usedBytes = snap.usedBytes;
    v.fileCount = snap.fileCount;
    v.nextIno = snap.nextIno;
    return v;
  }

  // ---- reading ------------------------------------------------------------------------------

  stat(path: string): Stats {
    return this.toStats(this.existing(path, true, 'stat'));
  }

  lstat(path: string): Stats {
    return this.toStats(this.existing(path, false, 'lstat'));
  }

  exists(path: string): boolean {
    try {
      return this.res(path, true, 'access').node !== undefined;
    } catch {
      return false;
    }
  }

  readdir(path: string): string[] {
    const names = [...this.dirAt(path).entries.keys()];
    return this.opts.sortedReaddir ? names.sort() : names;
  }

  readdirTypes(path: string): Dirent[] {
    const out: Dirent[] = [];
    for (const [name, n] of this.dirAt(path).entries) out.push({ name, type: n.kind });
    return this.opts.sortedReaddir ? out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : out;
  }

  readFile(path: string): Uint8Array {
    const f = this.fileAt(path, 'open');
    return readContent(f, 0, f.size);
  }

  readText(path: string): string {
    return new TextDecoder().decode(this.readFile(path));
  }

  /** Read up to `length` bytes at `offset` (a short or empty result means end of file). */
  read(path: string, offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0) throw new VfsError('EINVAL', 'read', path);
    return readContent(this.fileAt(path, 'read'), offset, length);
  }

  readlink(path: string): string {
    const n = this.existing(path, false, 'readlink');
    if (n.kind !== 'symlink') throw new VfsError('EINVAL', 'readlink', path);
    return n.target;
  }

  /** The physical absolute path (symlinks and `..` resolved). */
  realpath(path: string): string {
    const r = this.res(path, true, 'realpath');
    if (!r.node) throw new VfsError('ENOENT', 'realpath', path);
    return r.name === '' ? '/' : joinPath([...r.names, r.name]);
  }

  usage(): { bytes: number; files: number; maxBytes: number; maxFiles: number } {
    return {
      bytes: this.usedBytes + this.inodes.orphanBytes,
      files: this.fileCount,
      maxBytes: this.maxBytes,
      maxFiles: this.maxFiles,
    };
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Create or replace a whole file. The new content is built first, so ENOSPC leaves the old file intact. */
  /** `adopt`: the VFS may keep `data` itself as the file's pages (see pagesFromBytes). */
  writeFile(path: string, data: Uint8Array | string, options: { mode?: number; adopt?: boolean } = {}): void {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    const r = this.res(path, true, 'open');
    if (r.node?.kind === 'dir' || r.name === '' || path.endsWith('/')) throw new VfsError('EISDIR', 'open', path);
    this.writable(r, 'open', path);
    const p = this.pathOf(r);
    if (!r.node) {
      this.needSpace(bytes.length, 1, 'open', path);
      const f = this.newFile(options.mode ?? 0o644);
      f.pages = pagesFromBytes(bytes, this.gen, options.adopt);
      f.size = bytes.length;
      this.link(this.mutDir(r.names), r.name, f);
      this.usedBytes += bytes.length;
      this.emit('create', p);
      return;
    }
    const old = r.node as FileNode;
    this.needSpace(bytes.length - old.size, 0, 'open', path);
    const f = this.mutChild(this.mutDir(r.names), r.name) as FileNode;
    this.usedBytes += bytes.length - f.size;
    f.pages = pagesFromBytes(bytes, this.gen, options.adopt);
    f.size = bytes.length;
    if (options.mode !== undefined) f.mode = options.mode & 0o7777;
    this.touch(f);
    this.emit('modify', p);
  }

  /** Write at `offset` into an existing file, extending it (with a hole) if needed. All or nothing. */
  write(path: string, offset: number, data: Uint8Array): number {
    if (offset < 0 || !Number.isSafeInteger(offset)) throw new VfsError('EINVAL', 'write', path);
    const r = this.res(path, true, 'write');
    if (!r.node) throw new VfsError('ENOENT', 'write', path);
    if (r.node.kind !== 'file') throw new VfsError('EISDIR', 'write', path);
    this.writable(r, 'write', path);
    this.needSpace(Math.max(0, offset + data.length - r.node.size), 0, 'write', path);
    const f = this.mutChild(this.mutDir(r.names), r.name) as FileNode;
    this.writeInto(f, offset, data, false);
    this.emit('modify', this.pathOf(r));
    return data.length;
  }

  truncate(path: string, size: number): void {
    const r = this.res(path, true, 'truncate');
    if (!r.node) throw new VfsError('ENOENT', 'truncate', path);
    if (r.node.kind !== 'file') throw new VfsError('EISDIR', 'truncate', path);
    if (size < 0 || !Number.isSafeInteger(size)) throw new VfsError('EINVAL', 'truncate', path);
    this.writable(r, 'truncate', path);
    this.needSpace(size - r.node.size, 0, 'truncate', path);
    const f = this.mutChild(this.mutDir(r.names), r.name) as FileNode;
    this.truncateInto(f, size, false);
    this.emit('modify', this.pathOf(r));
  }

  /** mkdir; with `recursive` creates missing parents and tolerates an existing directory (mkdir -p). */
  mkdir(path: string, options: { recursive?: boolean; mode?: number } = {}): void {
    const mode = options.mode ?? 0o755;
    if (!options.recursive) return this.mkdirOne(path, mode);
    const parts = path.split('/');
    const lastPrefix =
      (path.startsWith('/') ? '' : '.') +
      parts
        .filter((p) => p !== '' && p !== '.')
        .map((p) => '/' + p)
        .join('');
    let prefix = path.startsWith('/') ? '' : '.';
    for (let i = 0; i < parts.length; i++) {
      if (parts[i] === '' || parts[i] === '.') continue;
      prefix += '/' + parts[i];
      if (parts[i] === '..') continue;
      const r = this.res(prefix, true, 'mkdir');
      if (r.node === undefined) this.mkdirOne(prefix, mode);
      else if (r.node.kind !== 'dir') throw new VfsError(prefix === lastPrefix ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
    }
  }

  rmdir(path: string): void {
    if (/(^|\/)\.\/?$/.test(path)) throw new VfsError('EINVAL', 'rmdir', path);
    const r = this.resEntry(path, 'rmdir');
    if (!r.node) throw new VfsError('ENOENT', 'rmdir', path);
    if (r.node.kind !== 'dir') throw new VfsError('ENOTDIR', 'rmdir', path);
    if (r.name === '') throw new VfsError('EINVAL', 'rmdir', path);
    if (r.node.mount) throw new VfsError('EACCES', 'rmdir', path);
    if (r.node.entries.size > 0) throw new VfsError('ENOTEMPTY', 'rmdir', path);
    this.writable(r, 'rmdir', path);
    this.drop(this.mutDir(r.names), r.name, this.pathOf(r));
  }

  unlink(path: string): void {
    const r = this.resEntry(path, 'unlink');
    if (!r.node) throw new VfsError('ENOENT', 'unlink', path);
    if (r.node.kind === 'dir') throw new VfsError('EISDIR', 'unlink', path);
    this.writable(r, 'unlink', path);
    this.drop(this.mutDir(r.names), r.name, this.pathOf(r));
  }

  /** Remove a file, symlink or (with `recursive`) a whole directory in one step. `force` ignores ENOENT. */
  rm(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    const r = this.resEntry(path, 'rm');
    if (!r.node) {
      if (options.force) return;
      throw new VfsError('ENOENT', 'rm', path);
    }
    if (r.node.kind === 'dir') {
      if (r.name === '') throw new VfsError('EINVAL', 'rm', path);
      if (r.node.mount) throw new VfsError('EACCES', 'rm', path);
      if (!options.recursive && r.node.entries.size > 0) throw new VfsError('EISDIR', 'rm', path);
    }
    this.writable(r, 'rm', path);
    this.drop(this.mutDir(r.names), r.name, this.pathOf(r));
  }

  /** Atomic rename of files, symlinks and directories, replacing a compatible destination (rename(2) rules). */
  rename(from: string, to: string): void {
    if (/(^|\/)\.\.?\/?$/.test(from) || /(^|\/)\.\.?\/?$/.test(to)) throw new VfsError('EINVAL', 'rename', from);
    const rf = this.resEntry(from, 'rename');
    if (!rf.node) throw new VfsError('ENOENT', 'rename', from);
    const rt = this.resEntry(to, 'rename');
    if (rf.name === '' || rt.name === '') throw new VfsError('EINVAL', 'rename', from);
    if (rf.node === rt.node) return;
    this.writable(rf, 'rename', from);
    this.writable(rt, 'rename', to);
    if (rf.node.kind === 'dir') {
      if (rf.node.mount) throw new VfsError('EACCES', 'rename', from);
      const src = [...rf.names, rf.name];
      const dst = [...rt.names, rt.name];
      if (dst.length > src.length && src.every((n, i) => dst[i] === n)) throw new VfsError('EINVAL', 'rename', to);
    }
    const target = rt.node;
    if (target) {
      if (target.kind === 'dir') {
        if (rf.node.kind !== 'dir') throw new VfsError('EISDIR', 'rename', to);
        if (target.entries.size > 0) throw new VfsError('ENOTEMPTY', 'rename', to);
        if (target.mount) throw new VfsError('EACCES', 'rename', to);
      } else if (rf.node.kind === 'dir') {
        throw new VfsError('ENOTDIR', 'rename', to);
      }
    }
    const fromPath = this.pathOf(rf);
    const toPath = this.pathOf(rt);
    // Clone both parent paths before touching either, so the change happens in one synchronous step.
    const srcDir = this.mutDir(rf.names);
    const dstDir = this.mutDir(rt.names);
    if (target) this.drop(dstDir, rt.name, toPath, true);
    const node = srcDir.entries.get(rf.name)!;
    srcDir.entries.delete(rf.name);
    dstDir.entries.set(rt.name, node);
    this.inodes.moved(node.ino, dstDir, rt.name);
    this.touch(srcDir);
    this.touch(dstDir);
    this.emit('rename', toPath, fromPath);
  }

  symlink(target: string, path: string): void {
    if (target === '') throw new VfsError('ENOENT', 'symlink', path);
    this.createEntry(path, 'symlink', (t) => ({
      kind: 'symlink',
      ino: this.nextIno++,
      mode: 0o777,
      mtimeMs: t,
      ctimeMs: t,
      gen: this.gen,
      target,
    }));
  }

  chmod(path: string, mode: number): void {
    const r = this.res(path, true, 'chmod');
    if (!r.node) throw new VfsError('ENOENT', 'chmod', path);
    this.writable(r, 'chmod', path);
    const n = this.mutResolved(r);
    n.mode = mode & 0o7777;
    n.ctimeMs = this.clock();
    this.emit('modify', this.pathOf(r));
  }

  /** Set times. Only mtime is stored; atime reads back as mtime (no atime updates on read, like noatime). */
  utimes(path: string, _atimeMs: number, mtimeMs: number): void {
    const r = this.res(path, true, 'utimes');
    if (!r.node) throw new VfsError('ENOENT', 'utimes', path);
    this.writable(r, 'utimes', path);
    const n = this.mutResolved(r);
    n.mtimeMs = mtimeMs;
    n.ctimeMs = this.clock();
    this.emit('modify', this.pathOf(r));
  }

  // ---- mounts -------------------------------------------------------------------------------

  /**
   * Mount a nested object of files (`{ 'a.csv': 'x,y', 'sub/b.bin': bytes }`) at `path`, optionally
   * read-only. For providers (possibly async) use `mount()` from mount.ts, which resolves them first.
   */
  mount(path: string, tree: MountTree, options: { readOnly?: boolean } = {}): void {
    this.mountTree(path, buildTree(tree, this.clock()), options);
  }

  /**
   * Graft a prebuilt tree at `path` (parents are created). The mount point must be absent or an
   * empty directory. Mounted files count against the quota like any other.
   */
  mountTree(path: string, tree: DirNode, options: { readOnly?: boolean } = {}): void {
    const parent = path.replace(/\/+[^/]*\/*$/, '') || '/';
    this.mkdir(parent, { recursive: true });
    const r = this.res(path, true, 'mount');
    if (r.name === '') throw new VfsError('EINVAL', 'mount', path);
    if (r.node && (r.node.kind !== 'dir' || r.node.entries.size > 0)) throw new VfsError('EEXIST', 'mount', path);
    this.writable(r, 'mount', path);
    const { files, bytes } = countTree(tree);
    this.needSpace(bytes, files - (r.node ? 1 : 0), 'mount', path);
    const dir = this.mutDir(r.names);
    if (r.node) this.drop(dir, r.name, this.pathOf(r), true);
    const mounted = this.regraft(tree) as DirNode;
    mounted.mount = { readOnly: !!options.readOnly };
    this.link(dir, r.name, mounted, files, bytes);
    this.emit('create', this.pathOf(r));
  }

  /** Remove a mount (read-only or not) and everything under it. */
  unmount(path: string): void {
    const r = this.res(path, true, 'umount');
    if (r.node?.kind !== 'dir' || !r.node.mount) throw new VfsError('EINVAL', 'umount', path);
    this.drop(this.mutDir(r.names), r.name, this.pathOf(r));
  }

  /** Allocate a fresh inode number (for trees built outside, e.g. by mount builders). */
  allocIno(): number {
    return this.nextIno++;
  }

  // ---- snapshots ----------------------------------------------------------------------------

  /** O(1): remember the root and start a new generation, so later writes copy what they touch. */
  snapshot(): VfsSnapshot {
    const snap: VfsSnapshot = {
      root: this.root,
      usedBytes: this.usedBytes,
      fileCount: this.fileCount,
      nextIno: this.nextIno,
    };
    this.gen = nextGen();
    return snap;
  }

  /** Make the live tree equal to `snap` again. Watchers get the difference as events. */
  restore(snap: VfsSnapshot): void {
    const before = this.root;
    this.root = snap.root;
    this.usedBytes = snap.usedBytes;
    this.fileCount = snap.fileCount;
    this.nextIno = Math.max(this.nextIno, snap.nextIno);
    this.inodes.invalidate();
    this.gen = nextGen();
    this.changed();
    if (this.hub.active) {
      const d = diffTrees(before, this.root);
      // Straight to the hub: listeners heard about the whole restore once, above.
      for (const p of d.removed) this.hub.emit({ type: 'remove', path: p });
      for (const p of d.added) this.hub.emit({ type: 'create', path: p });
      for (const p of d.modified) this.hub.emit({ type: 'modify', path: p });
    }
  }

  /** An independent filesystem sharing every page with this one until either side writes. */
  fork(options: VfsOptions = this.opts): Vfs {
    return Vfs.fromSnapshot(this.snapshot(), options);
  }

  /** Changes from `older` to `newer` (default: the live tree). */
  diff(older: VfsSnapshot, newer?: VfsSnapshot): VfsDiff {
    return diffTrees(older.root, newer ? newer.root : this.root);
  }

  /** The live root, read-only by contract (persistence and export walk it after a snapshot()). */
  get rootNode(): DirNode {
    return this.root;
  }

  // ---- watch --------------------------------------------------------------------------------

  /** Subscribe to changes at or (recursive) below `path`; events arrive batched per microtask. */
  watch(path: string, recursive: boolean, cb: WatchCallback): () => void {
    return this.hub.subscribe(path, recursive, cb);
  }

  /**
   * Call `listener` synchronously after every change to the tree (any path, any kind, restore
   * included). Unlike watch() it carries no details and is not batched: the host-filesystem
   * server uses it to invalidate caches in SDK workers before a guest can read stale data.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Deliver pending watch events synchronously. */
  flushEvents(): void {
    this.hub.flush();
  }

  // ---- inode-level access for open handles (see handles.ts) -------------------------------

  /** open(2) without the descriptor: applies create/exclusive/truncate and returns the inode number. */
  open(path: string, o: OpenOptions = {}): number {
    const r = this.res(path, !(o.create && o.exclusive), 'open');
    if (!r.node) {
      if (!o.create) throw new VfsError('ENOENT', 'open', path);
      if (path.endsWith('/')) throw new VfsError('EISDIR', 'open', path);
      this.writable(r, 'open', path);
      this.needSpace(0, 1, 'open', path);
      const f = this.newFile(o.mode ?? 0o644);
      this.link(this.mutDir(r.names), r.name, f);
      this.emit('create', this.pathOf(r));
      return f.ino;
    }
    if (o.create && o.exclusive) throw new VfsError('EEXIST', 'open', path);
    if (r.node.kind === 'dir') {
      if (o.write) throw new VfsError('EISDIR', 'open', path);
      return r.node.ino;
    }
    // WASIX opens files for writing even to read them: an open that neither creates nor
    // truncates is allowed below a read-only mount (each write through it is still refused).
    if (o.write && (o.create || o.truncate)) this.writable(r, 'open', path);
    if (o.write && o.truncate && (r.node as FileNode).size > 0) this.truncate(path, 0);
    return r.node.ino;
  }

  /** A descriptor opened this inode: keep it readable even if it is unlinked. */
  retain(ino: number): void {
    this.inodes.retain(ino);
  }

  release(ino: number): void {
    this.inodes.release(ino);
  }

  statIno(ino: number): Stats {
    return this.toStats(this.inoNode(ino, 'fstat'));
  }

  readIno(ino: number, offset: number, length: number): Uint8Array {
    const n = this.inoNode(ino, 'read');
    if (n.kind !== 'file') throw new VfsError('EISDIR', 'read', `#${ino}`);
    return readContent(n, offset, length);
  }

  /** readIno into the caller's buffer (up to its length); returns bytes read. */
  readInoInto(ino: number, offset: number, target: Uint8Array): number {
    const n = this.inoNode(ino, 'read');
    if (n.kind !== 'file') throw new VfsError('EISDIR', 'read', `#${ino}`);
    return readContentInto(n, offset, target);
  }

  writeIno(ino: number, offset: number, data: Uint8Array): number {
    const n = this.inoNode(ino, 'write');
    if (n.kind !== 'file') throw new VfsError('EISDIR', 'write', `#${ino}`);
    this.needSpace(Math.max(0, offset + data.length - n.size), 0, 'write', `#${ino}`);
    const { file, orphan, path } = this.mutIno(ino, 'write');
    this.writeInto(file, offset, data, orphan);
    if (path) this.emit('modify', path);
    return data.length;
  }

  truncateIno(ino: number, size: number): void {
    const n = this.inoNode(ino, 'ftruncate');
    if (n.kind !== 'file') throw new VfsError('EINVAL', 'ftruncate', `#${ino}`);
    if (size < 0 || !Number.isSafeInteger(size)) throw new VfsError('EINVAL', 'ftruncate', `#${ino}`);
    this.needSpace(size - n.size, 0, 'ftruncate', `#${ino}`);
    const { file, orphan, path } = this.mutIno(ino, 'ftruncate');
    this.truncateInto(file, size, orphan);
    if (path) this.emit('modify', path);
  }

  /** Current path of an inode in the live tree, or undefined if it was unlinked. */
  pathOfIno(ino: number): string | undefined {
    const names = this.namesOfIno(ino);
    return names ? joinPath(names) : undefined;
  }

  // ---- internals ----------------------------------------------------------------------------

  private res(path: string, follow: boolean, syscall: string): Resolved {
    return resolvePath(this.root, path, follow, syscall);
  }

  /**
   * Resolve a path naming a directory entry itself (rmdir, unlink, rename, symlink, mkdir): the last
   * component is not followed, and a trailing slash requires that entry to be a real directory, so
   * `rmdir link/` can never remove the link's target.
   */
  private resEntry(path: string, syscall: string): Resolved {
    const trimmed = path.replace(/\/+$/, '');
    if (trimmed === path || trimmed === '') return this.res(path, false, syscall);
    const r = this.res(trimmed, false, syscall);
    if (r.node && r.node.kind !== 'dir') throw new VfsError('ENOTDIR', syscall, path);
    return r;
  }

  private existing(path: string, follow: boolean, syscall: string): Node {
    const r = this.res(path, follow, syscall);
    if (!r.node) throw new VfsError('ENOENT', syscall, path);
    return r.node;
  }

  private dirAt(path: string): DirNode {
    const n = this.existing(path, true, 'scandir');
    if (n.kind !== 'dir') throw new VfsError('ENOTDIR', 'scandir', path);
    return n;
  }

  private fileAt(path: string, syscall: string): FileNode {
    const n = this.existing(path, true, syscall);
    if (n.kind !== 'file') throw new VfsError('EISDIR', syscall, path);
    return n;
  }

  private pathOf(r: Resolved): string {
    return r.name === '' ? '/' : joinPath([...r.names, r.name]);
  }

  private writable(r: Resolved, syscall: string, path: string): void {
    if (r.readOnly) throw new VfsError('EROFS', syscall, path);
  }

  private needSpace(bytes: number, files: number, syscall: string, path: string): void {
    if (bytes > 0 && this.usedBytes + this.inodes.orphanBytes + bytes > this.maxBytes)
      throw new VfsError('ENOSPC', syscall, path);
    if (files > 0 && this.fileCount + files > this.maxFiles) throw new VfsError('ENOSPC', syscall, path);
  }

  /** The directory at physical `names`, cloning it and every ancestor not yet owned by this generation. */
  private mutDir(names: readonly string[]): DirNode {
    let d = this.root;
    if (d.gen !== this.gen) {
      d = cloneNode(d, this.gen);
      this.root = d;
    }
    for (const name of names) d = this.mutChild(d, name) as DirNode;
    return d;
  }

  /** Child `name` of an owned directory, cloned into this generation if needed. */
  private mutChild(dir: DirNode, name: string): Node {
    let c = dir.entries.get(name)!;
    if (c.gen !== this.gen) {
      c = cloneNode(c, this.gen);
      dir.entries.set(name, c);
    }
    return c;
  }

  private mutResolved(r: Resolved): Node {
    return r.name === '' ? this.mutDir([]) : this.mutChild(this.mutDir(r.names), r.name);
  }

  private newFile(mode: number): FileNode {
    const t = this.clock();
    return {
      kind: 'file',
      ino: this.nextIno++,
      mode: mode & 0o7777,
      mtimeMs: t,
      ctimeMs: t,
      gen: this.gen,
      size: 0,
      pages: [],
    };
  }

  private mkdirOne(path: string, mode: number): void {
    this.createEntry(path, 'mkdir', (t) => ({
      kind: 'dir',
      ino: this.nextIno++,
      mode: mode & 0o7777,
      mtimeMs: t,
      ctimeMs: t,
      gen: this.gen,
      entries: new Map(),
    }));
  }

  /** Links the node `make` builds (given the time) at `path`, which must not exist yet. */
  private createEntry(path: string, syscall: string, make: (t: number) => Node): void {
    const r = this.resEntry(path, syscall);
    if (r.node || r.name === '') throw new VfsError('EEXIST', syscall, path);
    this.writable(r, syscall, path);
    this.needSpace(0, 1, syscall, path);
    this.link(this.mutDir(r.names), r.name, make(this.clock()));
    this.emit('create', this.pathOf(r));
  }

  private link(dir: DirNode, name: string, node: Node, files = 1, bytes = 0): void {
    dir.entries.set(name, node);
    this.fileCount += files;
    this.usedBytes += bytes;
    this.inodes.linked(dir, name, node);
    this.touch(dir);
  }

  /** Unlink an entry (and, for a directory, everything under it) from an owned directory. */
  private drop(dir: DirNode, name: string, path: string, replacing = false): void {
    const node = dir.entries.get(name)!;
    dir.entries.delete(name);
    this.touch(dir);
    const stack: [Node, string][] = [[node, path]];
    while (stack.length) {
      const [n, p] = stack.pop()!;
      this.fileCount--;
      if (n.kind === 'file') {
        this.usedBytes -= n.size;
      } else if (n.kind === 'dir') {
        for (const [cn, c] of n.entries) stack.push([c, childPath(p, cn)]);
      }
      this.inodes.unlinked(n);
      if (!replacing || n !== node) this.emit('remove', p);
    }
  }

  private touch(n: Node): void {
    const t = this.clock();
    n.mtimeMs = t;
    n.ctimeMs = t;
  }

  private writeInto(file: FileNode, offset: number, data: Uint8Array, orphan: boolean): void {
    const before = file.size;
    writeContent(file, offset, data, this.gen);
    if (orphan) this.inodes.orphanBytes += file.size - before;
    else this.usedBytes += file.size - before;
    this.touch(file);
  }

  private truncateInto(file: FileNode, size: number, orphan: boolean): void {
    const before = file.size;
    truncateContent(file, size, this.gen);
    if (orphan) this.inodes.orphanBytes += size - before;
    else this.usedBytes += size - before;
    this.touch(file);
  }

  private toStats(n: Node): Stats {
    return statsOf(n, this.opts.uid ?? 1000, this.opts.gid ?? 1000);
  }

  private changed(): void {
    for (const l of this.changeListeners) l();
  }

  private emit(type: WatchEventType, path: string, from?: string): void {
    this.changed();
    if (!this.hub.active) return;
    this.hub.emit(from === undefined ? { type, path } : { type, path, from });
  }

  /** Copy a grafted tree with fresh inode numbers (so they cannot collide with ours) into this generation. */
  private regraft(n: Node): Node {
    const ino = this.nextIno++;
    if (n.kind === 'dir') {
      const entries = new Map<string, Node>();
      for (const [name, c] of n.entries) entries.set(name, this.regraft(c));
      return { ...n, ino, gen: this.gen, entries };
    }
    if (n.kind === 'file') return { ...n, ino, gen: this.gen, pages: n.pages.slice() };
    return { ...n, ino, gen: this.gen };
  }

  private namesOfIno(ino: number): string[] | undefined {
    return this.inodes.namesOf(ino, this.root);
  }

  private inoNode(ino: number, syscall: string): Node {
    const orphan = this.inodes.orphan(ino);
    if (orphan) return orphan;
    const names = this.namesOfIno(ino);
    let n: Node | undefined = this.root;
    if (names) for (const name of names) n = n?.kind === 'dir' ? n.entries.get(name) : undefined;
    if (!names || !n || n.ino !== ino) throw new VfsError('EBADF', syscall, `#${ino}`);
    return n;
  }

  private mutIno(ino: number, syscall: string): { file: FileNode; orphan: boolean; path?: string } {
    let orphan = this.inodes.orphan(ino);
    if (orphan) {
      if (orphan.gen !== this.gen) {
        orphan = cloneNode(orphan, this.gen);
        this.inodes.setOrphan(orphan);
      }
      return { file: orphan, orphan: true };
    }
    const names = this.namesOfIno(ino)!;
    // An fd does not carry the path it was opened by, so re-check for read-only mounts on the way.
    let d: Node | undefined = this.root;
    for (let i = 0; i < names.length; i++) {
      if (d?.kind !== 'dir') break;
      if (d.mount?.readOnly) throw new VfsError('EROFS', syscall, joinPath(names));
      d = d.entries.get(names[i]!);
    }
    const dir = this.mutDir(names.slice(0, -1));
    const file = this.mutChild(dir, names[names.length - 1]!) as FileNode;
    return { file, orphan: false, path: joinPath(names) };
  }
}
