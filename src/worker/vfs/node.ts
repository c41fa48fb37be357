// What is stored: inode records (file, dir, symlink) and the generation tags that make them copy-on-write.
//
// A node whose `gen` equals its filesystem's current generation belongs to that filesystem alone and may be
// mutated in place. Any older node may be shared with a snapshot or a fork, so it is cloned (with the path
// above it) before the first change. Taking a snapshot is therefore just "remember the root, bump the gen".

/** File data lives in pages of at most this many bytes, so snapshots and forks share untouched pages. */
export const PAGE_SIZE = 64 * 1024;

/** One page of file data. `data.length` may be shorter than PAGE_SIZE; bytes past the file's size are zero. */
export interface Page {
  data: Uint8Array;
  gen: number;
}

interface NodeBase {
  ino: number;
  /** Permission bits only (0o7777); the type bits come from `kind`. */
  mode: number;
  mtimeMs: number;
  ctimeMs: number;
  gen: number;
}

export interface FileNode extends NodeBase {
  kind: 'file';
  size: number;
  /** `pages.length === ceil(size / PAGE_SIZE)`; a null page is a hole and reads as zeros. */
  pages: (Page | null)[];
}

export interface DirNode extends NodeBase {
  kind: 'dir';
  entries: Map<string, Node>;
  /** Set on the root directory of a mount; read-only mounts refuse every change below them. */
  mount?: { readOnly: boolean };
}

export interface SymlinkNode extends NodeBase {
  kind: 'symlink';
  target: string;
}

export type Node = FileNode | DirNode | SymlinkNode;
export type NodeKind = Node['kind'];

// Generations come from one counter for the whole realm, so nodes of two forks can never be
// mistaken for each other's private (mutable) nodes.
let genCounter = 0;
export function nextGen(): number {
  return ++genCounter;
}

export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

export function typeBits(kind: NodeKind): number {
  return kind === 'file' ? S_IFREG : kind === 'dir' ? S_IFDIR : S_IFLNK;
}

/** Shallow clone for copy-on-write: a dir copies its entry map, a file its page list (not the pages). */
export function cloneNode<T extends Node>(node: T, gen: number): T {
  switch (node.kind) {
    case 'dir': {
      const d: DirNode = { ...node, entries: new Map(node.entries), gen };
      return d as T;
    }
    case 'file': {
      const f: FileNode = { ...node, pages: node.pages.slice(), gen };
      return f as T;
    }
    default:
      return { ...node, gen };
  }
}

/** Count inodes (excluding `node` itself when it is the root of the count) and regular-file bytes under a node. */
export function countTree(node: Node): { files: number; bytes: number } {
  let files = 1;
  let bytes = 0;
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.kind === 'file') bytes += n.size;
    else if (n.kind === 'dir') {
      files += n.entries.size;
      for (const c of n.entries.values()) stack.push(c);
    }
  }
  return { files, bytes };
}
