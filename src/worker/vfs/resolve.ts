// Path resolution over a tree: symlinks (with a loop limit), physical `..` that stops at the root.

import { VfsError } from './errors';
import type { DirNode, Node } from './node';
import { splitPath } from './path';

/** Linux's limit on symlinks followed during one lookup. */
export const MAX_SYMLINKS = 40;

export interface Resolved {
  /** Physical components from the root to `parent` (no symlinks, no `..`). */
  names: string[];
  parent: DirNode;
  /** Last component; '' when the path resolved to the root itself. */
  name: string;
  /** The entry, or undefined if the last component does not exist (its parent does). */
  node: Node | undefined;
  /** A read-only mount lies on the way to `parent` (or `parent` is one). */
  readOnly: boolean;
}

/**
 * Walk `path` from `root`. Intermediate symlinks are always followed; the last one only if
 * `followLast`. `..` pops the physical stack, so it can never climb above `/`, even through
 * symlinks. A missing intermediate component is ENOENT; a missing last one is returned as node undefined.
 */
export function resolvePath(root: DirNode, path: string, followLast: boolean, syscall: string): Resolved {
  // A trailing slash means "this must be a directory", so the last symlink is followed too.
  const mustBeDir = /\/\.?$/.test(path) && path !== '/';
  const follow = followLast || mustBeDir;
  const parts = splitPath(path).reverse(); // a stack: pop() yields the next component
  const stack: DirNode[] = [root];
  const names: string[] = [];
  let links = 0;
  while (parts.length > 0) {
    const part = parts.pop()!;
    const cur = stack[stack.length - 1]!;
    if (part === '..') {
      if (stack.length > 1) {
        stack.pop();
        names.pop();
      }
      continue;
    }
    const last = parts.length === 0;
    const child = cur.entries.get(part);
    if (child === undefined) {
      if (last) {
        return { names, parent: cur, name: part, node: undefined, readOnly: stackReadOnly(stack) };
      }
      throw new VfsError('ENOENT', syscall, path);
    }
    if (child.kind === 'symlink' && (!last || follow)) {
      if (++links > MAX_SYMLINKS) throw new VfsError('ELOOP', syscall, path);
      const target = splitPath(child.target);
      if (child.target.startsWith('/')) {
        stack.length = 1;
        names.length = 0;
      }
      for (let i = target.length - 1; i >= 0; i--) parts.push(target[i]!);
      continue;
    }
    if (last) {
      if (mustBeDir && child.kind !== 'dir') throw new VfsError('ENOTDIR', syscall, path);
      return { names, parent: cur, name: part, node: child, readOnly: stackReadOnly(stack) };
    }
    if (child.kind !== 'dir') throw new VfsError('ENOTDIR', syscall, path);
    stack.push(child);
    names.push(part);
  }
  // The path ended on a directory we already stepped into ('/', 'a/..', 'a/.', or a symlink to a dir).
  const node = stack[stack.length - 1]!;
  if (stack.length === 1) return { names: [], parent: root, name: '', node: root, readOnly: !!root.mount?.readOnly };
  stack.pop();
  const name = names.pop()!;
  return { names, parent: stack[stack.length - 1]!, name, node, readOnly: stackReadOnly(stack) };
}

function stackReadOnly(stack: DirNode[]): boolean {
  for (const d of stack) if (d.mount?.readOnly) return true;
  return false;
}
