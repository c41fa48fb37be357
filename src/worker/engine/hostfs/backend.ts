// What the host-filesystem server needs from a filesystem: a small, synchronous interface.
// Synchronous because the SDK also calls us on the kernel thread itself, where nothing can be
// awaited (docs/hostfs-protocol.md, "Message flow"). Paths are absolute and normalised.

/** The SDK knows only files and directories; a symlink is reported as what it points to. */
export type HostFsKind = 'file' | 'directory';

export interface HostFsStat {
  kind: HostFsKind;
  size: number;
}

export interface HostFsDirEntry extends HostFsStat {
  name: string;
}

export interface HostFsOpenFlags {
  read: boolean;
  write: boolean;
  /** Create if missing. */
  create: boolean;
  /** Fail with EEXIST if present (O_EXCL). */
  exclusive: boolean;
  truncate: boolean;
  /**
   * O_APPEND, as far as the SDK tells (only when it creates the file). The server decides where
   * appends land (server.ts appendMode()); backends always get explicit offsets.
   */
  append: boolean;
}

/** An open file. It keeps referring to the same file after a rename or unlink. */
export interface HostFsFile {
  /** Up to `length` bytes at `offset`; an empty array at or past the end. */
  read(offset: number, length: number): Uint8Array;
  /** Optional: read into `target` (the reply buffer itself) instead; returns bytes read. */
  readInto?(offset: number, target: Uint8Array): number;
  /** Write at `offset` (never at the end implicitly); returns bytes written. */
  write(offset: number, data: Uint8Array): number;
  truncate(length: number): void;
  /** The file's current length (what an O_APPEND write goes after). */
  size(): number;
  close(): void;
}

/**
 * Errors are thrown as any object with a string `code` (ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, EACCES, ENOSPC, …); anything else becomes EIO.
 */
export interface HostFsBackend {
  /** Follows symlinks (the SDK uses it for lstat too, so links look like their targets). */
  stat(path: string): HostFsStat;
  readdir(path: string): HostFsDirEntry[];
  open(path: string, flags: HostFsOpenFlags): HostFsFile;
  /** Parent must exist; EEXIST if the name is taken. */
  mkdir(path: string): void;
  unlink(path: string): void;
  /** ENOTEMPTY unless empty. */
  rmdir(path: string): void;
  /** POSIX rename: replaces a file, or an empty directory, at `to`. */
  rename(from: string, to: string): void;
  /** Filesystem-wide flush request; optional. */
  sync?(): void;
  /**
   * Optional: call `listener` synchronously whenever the tree changes by any way (including
   * calls through the server). The server uses it to invalidate worker-side caches. Returns an
   * unsubscribe function.
   */
  onChange?(listener: () => void): () => void;
}
