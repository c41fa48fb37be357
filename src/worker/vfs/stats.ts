// stat(2)-shaped records for inodes: plain data, so they cross the worker boundary as they are.

import { typeBits, type Node, type NodeKind } from './node';

export interface Stats {
  type: NodeKind;
  /** Type and permission bits, as in st_mode. */
  mode: number;
  size: number;
  ino: number;
  /** 1 for files and symlinks (there are no hard links); 2 + subdirectories for a directory. */
  nlink: number;
  uid: number;
  gid: number;
  /** Reads back as mtime: access times are not kept (like a noatime mount). */
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  blocks: number;
}

const encoder = new TextEncoder();

export function statsOf(n: Node, uid: number, gid: number): Stats {
  let nlink = 1;
  let size: number;
  if (n.kind === 'dir') {
    nlink = 2;
    for (const c of n.entries.values()) if (c.kind === 'dir') nlink++;
    size = 4096;
  } else if (n.kind === 'file') size = n.size;
  else size = encoder.encode(n.target).length;
  return {
    type: n.kind,
    mode: typeBits(n.kind) | n.mode,
    size,
    ino: n.ino,
    nlink,
    uid,
    gid,
    atimeMs: n.mtimeMs,
    mtimeMs: n.mtimeMs,
    ctimeMs: n.ctimeMs,
    blocks: Math.ceil(size / 512),
  };
}
