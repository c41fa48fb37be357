// POSIX-style filesystem errors. A string `code` (not a class tree) so the error survives the worker boundary.

export type VfsErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'ENOSPC'
  | 'EINVAL'
  | 'EACCES'
  | 'ELOOP'
  | 'EROFS'
  | 'EBADF';

const messages: Record<VfsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on device',
  EINVAL: 'invalid argument',
  EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links',
  EROFS: 'read-only file system',
  EBADF: 'bad file descriptor',
};

export class VfsError extends Error {
  readonly code: VfsErrorCode;
  readonly path: string;
  readonly syscall: string;

  constructor(code: VfsErrorCode, syscall: string, path: string) {
    super(`${code}: ${messages[code]}, ${syscall} '${path}'`);
    this.name = 'VfsError';
    this.code = code;
    this.syscall = syscall;
    this.path = path;
  }
}

/** True for any thrown value carrying a VFS error code (works across realms, where instanceof does not). */
export function isVfsError(e: unknown, code?: VfsErrorCode): e is VfsError {
  if (typeof e !== 'object' || e === null || !('code' in e)) return false;
  const c = (e as { code: unknown }).code;
  return code === undefined ? typeof c === 'string' && c in messages : c === code;
}
