// Detached subtrees built from plain data: the nested objects given to mounts (and templates).

import { pagesFromBytes } from './content';
import { VfsError } from './errors';
import type { DirNode, FileNode } from './node';
import type { MountTree } from './mount-types';
import { splitPath } from './path';

const encoder = new TextEncoder();
// Built nodes get ino 0 and gen 0: Vfs.mountTree renumbers them, and gen 0 is never "owned", so the
// first write copies a page instead of mutating the caller's data.
export function dirNode(mtimeMs: number, mode = 0o755): DirNode {
  return { kind: 'dir', ino: 0, mode, mtimeMs, ctimeMs: mtimeMs, gen: 0, entries: new Map() };
}

export function fileNode(data: Uint8Array | string, mtimeMs: number, mode = 0o644): FileNode {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return {
    kind: 'file',
    ino: 0,
    mode,
    mtimeMs,
    ctimeMs: mtimeMs,
    gen: 0,
    size: bytes.length,
    pages: pagesFromBytes(bytes, 0),
  };
}

export function validName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

/** Build a detached subtree from a nested object. */
export function buildTree(tree: MountTree, mtimeMs = Date.now()): DirNode {
  const root = dirNode(mtimeMs);
  const add = (dir: DirNode, key: string, value: MountTree[string]): void => {
    const parts = splitPath(key);
    if (parts.length === 0 || !parts.every(validName)) throw new VfsError('EINVAL', 'mount', key);
    let d = dir;
    for (const p of parts.slice(0, -1)) {
      let next = d.entries.get(p);
      if (next === undefined) d.entries.set(p, (next = dirNode(mtimeMs)));
      if (next.kind !== 'dir') throw new VfsError('ENOTDIR', 'mount', key);
      d = next;
    }
    const last = parts[parts.length - 1]!;
    if (typeof value === 'string' || value instanceof Uint8Array) {
      if (d.entries.has(last)) throw new VfsError('EEXIST', 'mount', key);
      d.entries.set(last, fileNode(value, mtimeMs));
    } else {
      let sub = d.entries.get(last);
      if (sub === undefined) d.entries.set(last, (sub = dirNode(mtimeMs)));
      if (sub.kind !== 'dir') throw new VfsError('EEXIST', 'mount', key);
      for (const [k, v] of Object.entries(value)) add(sub, k, v);
    }
  };
  for (const [k, v] of Object.entries(tree)) add(root, k, v);
  return root;
}
