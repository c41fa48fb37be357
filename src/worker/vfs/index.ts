// The VFS module's public surface for the rest of the worker.

export { Vfs, DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES } from './vfs';
export type { VfsOptions, Stats, Dirent, VfsSnapshot, OpenOptions } from './vfs';
export { VfsError, isVfsError } from './errors';
export type { VfsErrorCode } from './errors';
export { HandleTable, parseFlags } from './handles';
export type { OpenFlags } from './handles';
export { mount, buildTree, resolveProvider, isProvider } from './mount';
export type { MountOptions } from './mount';
export type { MountProvider, MountStat, MountTree } from './mount-types';
export { buildDefaultLayout } from './layout';
export type { LayoutOptions } from './layout';
export type { WatchEvent, WatchEventType, WatchCallback } from './watch';
export type { VfsDiff } from './diff';
export { PAGE_SIZE } from './node';
export type { Node, FileNode, DirNode, SymlinkNode, Page, NodeKind } from './node';
export { pageBytes } from './content';
