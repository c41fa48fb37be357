// Compare two trees. Shared subtrees are the same objects (copy-on-write), so a pointer-equal
// node is skipped without looking inside: the cost is proportional to what changed.

import type { DirNode, Node } from './node';
import { childPath } from './path';

export interface VfsDiff {
  /** Paths present only in the newer tree (every entry of an added directory is listed). */
  added: string[];
  /** Files and symlinks whose content, target, mode or mtime changed, or whose type changed. */
  modified: string[];
  /** Paths present only in the older tree. */
  removed: string[];
}

export function diffTrees(older: DirNode, newer: DirNode): VfsDiff {
  const out: VfsDiff = { added: [], modified: [], removed: [] };
  diffDir(older, newer, '/', out);
  out.added.sort();
  out.modified.sort();
  out.removed.sort();
  return out;
}

function diffDir(a: DirNode, b: DirNode, path: string, out: VfsDiff): void {
  if (a === b || a.entries === b.entries) return;
  for (const [name, na] of a.entries) {
    const p = childPath(path, name);
    const nb = b.entries.get(name);
    if (nb === undefined) listAll(na, p, out.removed);
    else if (na !== nb) diffNode(na, nb, p, out);
  }
  for (const [name, nb] of b.entries) {
    if (!a.entries.has(name)) listAll(nb, childPath(path, name), out.added);
  }
}

function diffNode(a: Node, b: Node, path: string, out: VfsDiff): void {
  if (a.kind === 'dir' && b.kind === 'dir') return diffDir(a, b, path, out);
  if (a.kind === 'dir' || b.kind === 'dir') {
    // A directory replaced by a file (or the reverse): its old contents are gone, the new entry is there.
    out.modified.push(path);
    if (a.kind === 'dir') for (const [n, c] of a.entries) listAll(c, childPath(path, n), out.removed);
    if (b.kind === 'dir') for (const [n, c] of b.entries) listAll(c, childPath(path, n), out.added);
    return;
  }
  if (changed(a, b)) out.modified.push(path);
}

function changed(a: Node, b: Node): boolean {
  if (a.kind !== b.kind || a.mode !== b.mode || a.mtimeMs !== b.mtimeMs) return true;
  if (a.kind === 'symlink' && b.kind === 'symlink') return a.target !== b.target;
  if (a.kind === 'file' && b.kind === 'file') {
    if (a.size !== b.size || a.pages.length !== b.pages.length) return true;
    // Page objects are shared until written, so identity is a sound (and cheap) change test.
    for (let i = 0; i < a.pages.length; i++) if (a.pages[i] !== b.pages[i]) return true;
  }
  return false;
}

function listAll(node: Node, path: string, into: string[]): void {
  into.push(path);
  if (node.kind === 'dir') for (const [n, c] of node.entries) listAll(c, childPath(path, n), into);
}
