// What is open: a small descriptor table over the VFS. Descriptors name inodes, not paths, so a
// renamed or unlinked file stays readable and writable through an fd that was open before.

import { VfsError } from './errors';
import type { Stats, Vfs } from './vfs';

export interface OpenFlags {
  read?: boolean;
  write?: boolean;
  append?: boolean;
  create?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
  /** Permission bits for a created file. Default 0o644. */
  mode?: number;
}

interface Handle {
  ino: number;
  position: number;
  read: boolean;
  write: boolean;
  append: boolean;
}

/** fs-style flag strings ('r', 'r+', 'w', 'w+', 'wx', 'a', 'a+', 'ax', ...) to OpenFlags. */
export function parseFlags(flags: string): OpenFlags {
  const plus = flags.includes('+');
  const x = flags.includes('x');
  switch (flags[0]) {
    case 'r':
      return { read: true, write: plus };
    case 'w':
      return { read: plus, write: true, create: true, truncate: true, exclusive: x };
    case 'a':
      return { read: plus, write: true, append: true, create: true, exclusive: x };
    default:
      throw new VfsError('EINVAL', 'open', flags);
  }
}

export class HandleTable {
  private readonly handles = new Map<number, Handle>();
  private nextFd: number;

  /** `firstFd` leaves room for stdio (0–2) in a guest's table. */
  constructor(
    private readonly vfs: Vfs,
    firstFd = 3,
  ) {
    this.nextFd = firstFd;
  }

  open(path: string, flags: OpenFlags | string = 'r'): number {
    const f = typeof flags === 'string' ? parseFlags(flags) : flags;
    const write = !!(f.write || f.append);
    const ino = this.vfs.open(path, {
      write,
      create: !!f.create,
      exclusive: !!f.exclusive,
      truncate: !!f.truncate,
      ...(f.mode !== undefined ? { mode: f.mode } : {}),
    });
    this.vfs.retain(ino);
    const fd = this.nextFd++;
    this.handles.set(fd, { ino, position: 0, read: f.read ?? !write, write, append: !!f.append });
    return fd;
  }

  /** Read at the current position (advancing it) or at an explicit `position` (pread, no advance). */
  read(fd: number, length: number, position?: number): Uint8Array {
    const h = this.get(fd, 'read');
    if (!h.read) throw new VfsError('EBADF', 'read', `fd ${fd}`);
    const at = position ?? h.position;
    const out = this.vfs.readIno(h.ino, at, length);
    if (position === undefined) h.position += out.length;
    return out;
  }

  /** Write at the current position (or the end, with append) or at `position` (pwrite). All or nothing. */
  write(fd: number, data: Uint8Array, position?: number): number {
    const h = this.get(fd, 'write');
    if (!h.write) throw new VfsError('EBADF', 'write', `fd ${fd}`);
    const at = h.append ? this.vfs.statIno(h.ino).size : (position ?? h.position);
    const n = this.vfs.writeIno(h.ino, at, data);
    if (position === undefined || h.append) h.position = at + n;
    return n;
  }

  seek(fd: number, offset: number, whence: 'set' | 'cur' | 'end' = 'set'): number {
    const h = this.get(fd, 'lseek');
    const base = whence === 'set' ? 0 : whence === 'cur' ? h.position : this.vfs.statIno(h.ino).size;
    const pos = base + offset;
    if (pos < 0 || !Number.isSafeInteger(pos)) throw new VfsError('EINVAL', 'lseek', `fd ${fd}`);
    h.position = pos;
    return pos;
  }

  fstat(fd: number): Stats {
    return this.vfs.statIno(this.get(fd, 'fstat').ino);
  }

  ftruncate(fd: number, size: number): void {
    const h = this.get(fd, 'ftruncate');
    if (!h.write) throw new VfsError('EINVAL', 'ftruncate', `fd ${fd}`);
    this.vfs.truncateIno(h.ino, size);
  }

  /** Current path of the open file, or undefined if it has been unlinked. */
  pathOf(fd: number): string | undefined {
    return this.vfs.pathOfIno(this.get(fd, 'fdpath').ino);
  }

  close(fd: number): void {
    const h = this.get(fd, 'close');
    this.handles.delete(fd);
    this.vfs.release(h.ino);
  }

  /** Close everything (process exit). */
  closeAll(): void {
    for (const fd of [...this.handles.keys()]) this.close(fd);
  }

  get size(): number {
    return this.handles.size;
  }

  private get(fd: number, syscall: string): Handle {
    const h = this.handles.get(fd);
    if (!h) throw new VfsError('EBADF', syscall, `fd ${fd}`);
    return h;
  }
}
