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

export class FileService {
  constructor(private readonly route: Router) {}

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

  /** Creates missing parent directories, as the API promises. All or nothing on ENOSPC. */
  write(path: string, data: Uint8Array): void {
    fsCall(path, () => {
      const r = this.route(path);
      const parent = parentOf(r.path);
      if (!r.vfs.exists(parent)) r.vfs.mkdir(parent, { recursive: true });
      r.vfs.writeFile(r.path, data);
    });
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
