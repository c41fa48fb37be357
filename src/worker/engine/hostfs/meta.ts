// Metadata the SDK's protocol cannot carry (modes, times, symlinks, ENOSPC), asked for by our
// guest compat library (wasm/compat/src/meta.c) through names the server answers itself.
//
// A guest that wants the metadata of `/home/user/x` looks up `/home/.~sandpit~/<op><args>~user%2Fx`
// on a mount we serve. The SDK sends that as an ordinary `stat`; the answer's `size` (the only number
// a stat carries to the guest) packs the reply (packMeta). Mutating ops (chmod, utimes, symlink)
// are done by the same stat and carry a nonce, so no cache along the way can answer a repeat.
// A path not on one of our mounts fails the lookup inside WASIX: the guest then falls back to the
// runtime's own call (docs/hostfs-protocol.md, "Guest metadata").

/** The meta directory's name: unlikely for a real file, printable, one component. */
export const META_PREFIX = '.~sandpit~';

/** What a backend keeps beyond {kind, size}; VfsBackend implements it. */
export interface HostFsMetaBackend {
  /** lstat (`follow` false) or stat: type, permission bits, mtime, and a symlink's target. */
  meta(path: string, follow: boolean): HostFsMeta;
  chmod(path: string, mode: number): void;
  /** `atimeMs`/`mtimeMs` null: leave as is. */
  utimes(path: string, atimeMs: number | null, mtimeMs: number | null): void;
  symlink(target: string, path: string): void;
  readlink(path: string): string;
}

export interface HostFsMeta {
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits (07777). */
  perm: number;
  mtimeMs: number;
  /** Symlinks: the target's length in UTF-8 bytes. */
  linkSize?: number;
}

export function isMetaBackend(b: object): b is HostFsMetaBackend {
  const m = b as Partial<HostFsMetaBackend>;
  return typeof m.meta === 'function' && typeof m.symlink === 'function' && typeof m.readlink === 'function';
}

/** A parsed meta name: the op letter, its arguments, and the entry it is about. */
export interface MetaName {
  op: string;
  args: string[];
  /** Absolute backend path of the entry. */
  path: string;
}

/**
 * `<dir>/.~sandpit~/<op><a,b,…>~<rest>` → {op, args, path: `<dir>/<rest>`}, with `%2F` and `%25`
 * in `rest` decoded (the guest puts the whole path below its first component in one name, so
 * the runtime keeps its meta lookups out of the directories being listed; meta.c). `<dir>/.~sandpit~`
 * itself is `'dir'`; any other path null.
 */
export function parseMetaName(path: string): MetaName | 'dir' | null {
  const at = path.indexOf(`/${META_PREFIX}`);
  if (at < 0) return null;
  const after = path.slice(at + 1 + META_PREFIX.length);
  if (after === '') return 'dir';
  if (after[0] !== '/') return null;
  const spec = after.slice(1);
  const tilde = spec.indexOf('~');
  if (tilde < 1 || spec.includes('/')) return null;
  const dir = at === 0 ? '' : path.slice(0, at);
  const rest = unescapeArg(spec.slice(tilde + 1));
  const args = spec.slice(1, tilde);
  return {
    op: spec[0]!,
    args: args === '' ? [] : args.split(','),
    path: rest === '' ? dir || '/' : `${dir}/${rest}`,
  };
}

/** WASI errno numbers (what wasi-libc's errno holds) for the codes a backend throws. */
const WASI_ERRNO: Readonly<Record<string, number>> = {
  EACCES: 2,
  EEXIST: 20,
  EFBIG: 22,
  EINVAL: 28,
  EIO: 29,
  EISDIR: 31,
  ELOOP: 32,
  ENAMETOOLONG: 37,
  ENOENT: 44,
  ENOSPC: 51,
  ENOTDIR: 54,
  ENOTEMPTY: 55,
  ENOTSUP: 58,
  EPERM: 63,
  EROFS: 69,
  EXDEV: 75,
  EBUSY: 10,
};

export function wasiErrno(code: string | undefined): number {
  return (code && WASI_ERRNO[code]) || WASI_ERRNO.EIO!;
}

/**
 * The reply packed into one safe integer (53 bits), read back by meta.c:
 *   bits 0–2   type: 0 error, 1 file, 2 directory, 3 symlink, 4 other; 5 "done" (mutations)
 *   error:     bits 3… the WASI errno
 *   otherwise: bits 3–14 permission bits (a symlink: its target's length, at most 4095),
 *              bits 15–52 mtime in whole seconds since 1970 (negative times read as 0).
 */
export const META_TYPE = { error: 0, file: 1, dir: 2, symlink: 3, other: 4, done: 5 } as const;
const PERM_SHIFT = 8; // 2^3
const TIME_SHIFT = 32768; // 2^15
const MAX_SECONDS = 2 ** 38 - 1;

export function packMeta(m: HostFsMeta): number {
  const low = m.type === 'symlink' ? Math.min(m.linkSize ?? 0, 4095) : m.perm & 0o7777;
  const seconds = Math.min(Math.max(Math.floor(m.mtimeMs / 1000), 0), MAX_SECONDS);
  return META_TYPE[m.type] + low * PERM_SHIFT + seconds * TIME_SHIFT;
}

export function packError(code: string | undefined): number {
  return META_TYPE.error + wasiErrno(code) * PERM_SHIFT;
}

export const PACKED_DONE = META_TYPE.done;

/** Guest-escaped argument (`%XX` for `%`, `/`, `,`, `~` and bytes below 0x20): back to text. */
export function unescapeArg(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** A number argument; `o` (omit) → null. */
export function timeArg(s: string | undefined): number | null {
  if (s === undefined || s === 'o') return null;
  const n = Number(s);
  if (!Number.isFinite(n)) throw Object.assign(new Error(`bad time ${s}`), { code: 'EINVAL' });
  return n;
}
