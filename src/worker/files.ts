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
  ELOOP: 'EINVAL',
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

export class FileService {
  constructor(private readonly vfs: () => Vfs) {}

  entry(path: string): EntryInfo {
    const vfs = this.vfs();
    const s = vfs.lstat(path);
    const name = path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
    return {
      name,
      path,
      type: s.type,
      size: s.size,
      mode: s.mode & 0o7777,
      mtimeMs: s.mtimeMs,
      ...(s.type === 'symlink' ? { target: vfs.readlink(path) } : {}),
    };
  }

  read(path: string): Uint8Array {
    return fsCall(path, () => this.vfs().readFile(path));
  }

  /** Creates missing parent directories, as the API promises. All or nothing on ENOSPC. */
  write(path: string, data: Uint8Array): void {
    fsCall(path, () => {
      const vfs = this.vfs();
      const parent = parentOf(path);
      if (!vfs.exists(parent)) vfs.mkdir(parent, { recursive: true });
      vfs.writeFile(path, data);
    });
  }

  stat(path: string): EntryInfo {
    return fsCall(path, () => this.entry(path));
  }

  exists(path: string): boolean {
    return this.vfs().exists(path);
  }

  list(path: string, depth: number): EntryInfo[] {
    return fsCall(path, () => {
      const vfs = this.vfs();
      if (vfs.stat(path).type !== 'dir') throw new KernelError('ENOTDIR', `not a directory: ${path}`, path);
      const out: EntryInfo[] = [];
      const walk = (dir: string, level: number) => {
        for (const name of vfs.readdir(dir)) {
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
    fsCall(path, () => this.vfs().mkdir(path, { recursive }));
  }

  remove(path: string, recursive: boolean): void {
    fsCall(path, () => {
      const vfs = this.vfs();
      const s = vfs.lstat(path);
      if (s.type === 'dir' && !recursive) vfs.rmdir(path);
      else vfs.rm(path, { recursive });
    });
  }

  rename(from: string, to: string): void {
    fsCall(from, () => this.vfs().rename(from, to));
  }
}
