// What a mount is given: a tree of plain data, or a provider of host functions. Written once:
// the VFS reads them, the worker protocol carries them (re-exported there) and the public API
// (src/api/mount.ts) re-exports them as its own. Types only, so any layer may import them.

/** `{ 'a.csv': 'x,y\n', 'sub/b.bin': bytes, dir: { … } }`: keys may contain '/'. */
export interface MountTree {
  [name: string]: string | Uint8Array | MountTree;
}

export interface MountStat {
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits. Default 0o644 for files, 0o755 for directories. */
  mode?: number;
  mtimeMs?: number;
  /** Required for symlinks. */
  target?: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Host functions serving a mount. Paths are relative to the mount point and start with '/'.
 * The kernel calls them again before every command and every files.* read, so guests see the
 * provider's current answers. Without writeFile the mount is read-only.
 */
export interface MountProvider {
  readFile(path: string): MaybePromise<Uint8Array | string>;
  readdir(path: string): MaybePromise<string[]>;
  stat(path: string): MaybePromise<MountStat>;
  /** Called with files guests create or change under the mount (after they are written). */
  writeFile?(path: string, data: Uint8Array): MaybePromise<void>;
}
