// The kernel side of sb.files: VFS operations with VFS errors turned into API error codes.
import { KernelError } from './errors';
import type { EntryInfo, ErrorCode } from './protocol';
import { isVfsError, type Vfs } from './vfs';

const CODE_MAP: Record<string, ErrorCode> = {
  ENOENT: 'ENOENT',
  EEXIST: 'EEXIST',
  ENOTDIR: 'ENOTDIR',
  EISDIR: 'EISDIR',
  ENOTEMPTY: 'ENOTEMPTY',
  ENOSPC: 'ENOSPC',
  EINVAL: 'EINVAL',
  EACCES: 'EACCES',
  EROFS: 'EACCES',
  ELOOP: 'ELOOP',
  EBADF: 'EINVAL',
};

/** Runs a VFS operation, rethrowing its error with an API code and the path. */
export function fsCall<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isVfsError(err)) throw new KernelError(CODE_MAP[err.code] ?? 'EINVAL', err.message, path);
    throw err;
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function childOf(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Where a path lives: the sandbox's own filesystem or a mounted volume, and the path inside it. */
export type Router = (path: string) => { vfs: Vfs; path: string };

/** An upload in progress: a hidden part file next to the target, renamed over it at the end. */
interface Upload {
  vfs: Vfs;
  ino: number;
  target: string;
  /** The API path, for error messages. */
  outer: string;
  size: number;
}

/** A download in progress: the open inode (it stays readable if the file is replaced meanwhile). */
interface Download {
  vfs: Vfs;
  ino: number;
  offset: number;
  outer: string;
}

export class FileService {
  constructor(private readonly route: Router) {}

  readonly #uploads = new Map<number, Upload>();
  readonly #downloads = new Map<number, Download>();
  #nextStream = 1;

  entry(outer: string): EntryInfo {
    const { vfs, path } = this.route(outer);
    const s = vfs.lstat(path);
    const name = outer === '/' ? '/' : outer.slice(outer.lastIndexOf('/') + 1);
    return {
      name,
      path: outer,
      type: s.type,
      size: s.size,
      mode: s.mode & 0o7777,
      mtimeMs: s.mtimeMs,
      ...(s.type === 'symlink' ? { target: vfs.readlink(path) } : {}),
    };
  }

  read(path: string): Uint8Array {
    return fsCall(path, () => {
      const r = this.route(path);
      return r.vfs.readFile(r.path);
    });
  }

  /**
   * Creates missing parent directories, as the API promises. All or nothing on ENOSPC. `data`
   * becomes the file's content without a copy: it arrived over postMessage, so nobody else holds it.
   */
  write(path: string, data: Uint8Array): void {
    fsCall(path, () => {
      const r = this.route(path);
      const parent = parentOf(r.path);
      if (!r.vfs.exists(parent)) r.vfs.mkdir(parent, { recursive: true });
      r.vfs.writeFile(r.path, data, { adopt: true });
    });
  }

  /**
   * Starts a streamed write of `path` and returns its id. Chunks go straight into a part file
   * (`.<name>.sandpit-part-<id>`, in the same directory so the final rename is atomic), never
   * into one big buffer; ENOSPC or an abort removes the part file and leaves the old file intact.
   */
  beginWrite(path: string): number {
    return fsCall(path, () => {
      const r = this.route(path);
      const parent = parentOf(r.path);
      if (!r.vfs.exists(parent)) r.vfs.mkdir(parent, { recursive: true });
      // Like writeFile, write through a symlink to the file it names.
      let target = r.path;
      let mode: number | undefined;
      if (r.vfs.exists(r.path)) {
        target = r.vfs.realpath(r.path);
        const s = r.vfs.stat(target);
        if (s.type === 'dir') throw new KernelError('EISDIR', `is a directory: ${path}`, path);
        mode = s.mode & 0o7777;
      }
      const id = this.#nextStream++;
      const dir = parentOf(target);
      const name = target.slice(target.lastIndexOf('/') + 1);
      const part = childOf(dir, `.${name}.sandpit-part-${id}`);
      const ino = r.vfs.open(part, { create: true, exclusive: true, write: true, ...(mode ? { mode } : {}) });
      r.vfs.retain(ino);
      this.#uploads.set(id, { vfs: r.vfs, ino, target, outer: path, size: 0 });
      return id;
    });
  }

  /** Appends a chunk to an upload; a failure (ENOSPC) aborts the whole upload. */
  writeChunk(id: number, data: Uint8Array): void {
    const u = this.#upload(id);
    try {
      fsCall(u.outer, () => u.vfs.writeIno(u.ino, u.size, data));
      u.size += data.length;
    } catch (err) {
      this.abortWrite(id);
      throw err;
    }
  }

  /** Replaces the target with the finished part file in one rename. */
  commitWrite(id: number): void {
    const u = this.#upload(id);
    try {
      fsCall(u.outer, () => {
        const part = u.vfs.pathOfIno(u.ino);
        if (!part) throw new KernelError('ENOENT', `upload of ${u.outer} was removed while it ran`, u.outer);
        u.vfs.rename(part, u.target);
      });
    } catch (err) {
      this.abortWrite(id);
      throw err;
    } finally {
      this.#uploads.delete(id);
      u.vfs.release(u.ino);
    }
  }

  /** Drops an upload and its part file; unknown ids are ignored (abort is idempotent). */
  abortWrite(id: number): void {
    const u = this.#uploads.get(id);
    if (!u) return;
    this.#uploads.delete(id);
    const part = u.vfs.pathOfIno(u.ino);
    try {
      if (part) u.vfs.unlink(part);
    } catch {
      // Already gone or its directory became read-only: nothing else to clean.
    }
    u.vfs.release(u.ino);
  }

  /** Opens `path` for a streamed read: its id and size. */
  beginRead(path: string): { id: number; size: number } {
    return fsCall(path, () => {
      const r = this.route(path);
      const ino = r.vfs.open(r.path);
      const s = r.vfs.statIno(ino);
      if (s.type !== 'file') throw new KernelError('EISDIR', `is a directory: ${path}`, path);
      r.vfs.retain(ino);
      const id = this.#nextStream++;
      this.#downloads.set(id, { vfs: r.vfs, ino, offset: 0, outer: path });
      return { id, size: s.size };
    });
  }

  /** The next chunk of at most `max` bytes; empty at the end. */
  readChunk(id: number, max: number): Uint8Array {
    const d = this.#downloads.get(id);
    if (!d) throw new KernelError('EINVAL', `no open read ${id}`);
    const bytes = fsCall(d.outer, () => d.vfs.readIno(d.ino, d.offset, max));
    d.offset += bytes.length;
    return bytes;
  }

  endRead(id: number): void {
    const d = this.#downloads.get(id);
    if (!d) return;
    this.#downloads.delete(id);
    d.vfs.release(d.ino);
  }

  /** Aborts uploads and closes reads still open (the sandbox is closing). */
  closeStreams(): void {
    for (const id of [...this.#uploads.keys()]) this.abortWrite(id);
    for (const id of [...this.#downloads.keys()]) this.endRead(id);
  }

  #upload(id: number): Upload {
    const u = this.#uploads.get(id);
    if (!u) throw new KernelError('EINVAL', `no open write ${id}`);
    return u;
  }

  stat(path: string): EntryInfo {
    return fsCall(path, () => this.entry(path));
  }

  exists(path: string): boolean {
    const r = this.route(path);
    return r.vfs.exists(r.path);
  }

  list(path: string, depth: number): EntryInfo[] {
    return fsCall(path, () => {
      const r = this.route(path);
      if (r.vfs.stat(r.path).type !== 'dir') throw new KernelError('ENOTDIR', `not a directory: ${path}`, path);
      const out: EntryInfo[] = [];
      const walk = (dir: string, level: number) => {
        const d = this.route(dir);
        for (const name of d.vfs.readdir(d.path)) {
          const e = this.entry(childOf(dir, name));
          out.push(e);
          if (e.type === 'dir' && level < depth) walk(e.path, level + 1);
        }
      };
      walk(path, 1);
      return out;
    });
  }

  mkdir(path: string, recursive: boolean): void {
    fsCall(path, () => {
      const r = this.route(path);
      r.vfs.mkdir(r.path, { recursive });
    });
  }

  remove(path: string, recursive: boolean): void {
    fsCall(path, () => {
      const { vfs, path: p } = this.route(path);
      if (p === '/') throw new KernelError('EACCES', `cannot remove a mount point: ${path}`, path);
      const s = vfs.lstat(p);
      if (s.type === 'dir' && !recursive) vfs.rmdir(p);
      else vfs.rm(p, { recursive });
    });
  }

  rename(from: string, to: string): void {
    fsCall(from, () => {
      const a = this.route(from);
      const b = this.route(to);
      if (a.vfs !== b.vfs) throw new KernelError('EINVAL', `cannot rename across volumes: ${from} → ${to}`, from);
      a.vfs.rename(a.path, b.path);
    });
  }
}
