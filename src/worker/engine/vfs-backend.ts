// Serves the kernel VFS to guest programs: the HostFsBackend the SDK's host-filesystem RPCs
// call (docs/hostfs-protocol.md). The SDK knows files and directories only, so symlinks are
// followed and reported as what they point to.
import type { Vfs } from '../vfs';
import type { HostFsBackend, HostFsDirEntry, HostFsFile, HostFsOpenFlags, HostFsStat } from './hostfs/backend';
import type { HostFsMeta, HostFsMetaBackend } from './hostfs/meta';

function kindOf(type: string): 'file' | 'directory' {
  return type === 'dir' ? 'directory' : 'file';
}

class VfsFile implements HostFsFile {
  #open = true;
  constructor(
    private readonly vfs: Vfs,
    private readonly ino: number,
  ) {
    vfs.retain(ino);
  }

  read(offset: number, length: number): Uint8Array {
    return this.vfs.readIno(this.ino, offset, length);
  }

  readInto(offset: number, target: Uint8Array): number {
    return this.vfs.readInoInto(this.ino, offset, target);
  }

  write(offset: number, data: Uint8Array): number {
    return this.vfs.writeIno(this.ino, offset, data);
  }

  truncate(length: number): void {
    this.vfs.truncateIno(this.ino, length);
  }

  size(): number {
    return this.vfs.statIno(this.ino).size;
  }

  /** The SDK closes on close() and again on drop: only the first one releases. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.vfs.release(this.ino);
  }
}

export class VfsBackend implements HostFsBackend, HostFsMetaBackend {
  constructor(private readonly vfs: () => Vfs) {}

  /** Every change to the sandbox's tree, whoever makes it (guests, the file API, a restore). */
  onChange(listener: () => void): () => void {
    return this.vfs().onChange(listener);
  }

  stat(path: string): HostFsStat {
    const s = this.vfs().stat(path);
    return { kind: kindOf(s.type), size: s.type === 'dir' ? 0 : s.size };
  }

  readdir(path: string): HostFsDirEntry[] {
    const vfs = this.vfs();
    const out: HostFsDirEntry[] = [];
    for (const d of vfs.readdirTypes(path)) {
      const child = path === '/' ? `/${d.name}` : `${path}/${d.name}`;
      try {
        out.push({ name: d.name, ...this.stat(child) });
      } catch {
        // A dangling symlink: list it as an empty file rather than fail the whole listing.
        out.push({ name: d.name, kind: 'file', size: 0 });
      }
    }
    return out;
  }

  open(path: string, flags: HostFsOpenFlags): HostFsFile {
    const vfs = this.vfs();
    const ino = vfs.open(path, {
      write: flags.write,
      create: flags.create,
      exclusive: flags.exclusive,
      truncate: flags.truncate,
    });
    return new VfsFile(vfs, ino);
  }

  mkdir(path: string): void {
    this.vfs().mkdir(path);
  }

  unlink(path: string): void {
    this.vfs().unlink(path);
  }

  rmdir(path: string): void {
    this.vfs().rmdir(path);
  }

  rename(from: string, to: string): void {
    this.vfs().rename(from, to);
  }

  // ---- what the SDK cannot carry, asked for by our guest compat library (hostfs/meta.ts) ----

  meta(path: string, follow: boolean): HostFsMeta {
    const vfs = this.vfs();
    const s = follow ? vfs.stat(path) : vfs.lstat(path);
    const type = s.type === 'file' || s.type === 'dir' || s.type === 'symlink' ? s.type : 'other';
    return { type, perm: s.mode & 0o7777, mtimeMs: s.mtimeMs, linkSize: type === 'symlink' ? s.size : undefined };
  }

  chmod(path: string, mode: number): void {
    this.vfs().chmod(path, mode);
  }

  utimes(path: string, atimeMs: number | null, mtimeMs: number | null): void {
    const vfs = this.vfs();
    // The VFS keeps only mtime (atime reads back as mtime); an omitted mtime stays as it is.
    const current = vfs.stat(path).mtimeMs;
    vfs.utimes(path, atimeMs ?? current, mtimeMs ?? current);
  }

  symlink(target: string, path: string): void {
    this.vfs().symlink(target, path);
  }

  readlink(path: string): string {
    return this.vfs().readlink(path);
  }
}
