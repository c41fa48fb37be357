// Mount sources: a nested object of strings/bytes, or a provider (possibly async) that is read
// completely at mount time into an ordinary subtree. We resolve providers eagerly because guests
// reach the VFS through synchronous calls, which cannot wait for a provider's promises.

import { VfsError } from './errors';
import type { DirNode, Node } from './node';
import { childPath, isWithin, normalizePath } from './path';
import type { MountProvider, MountTree } from './mount-types';
import { buildTree, dirNode, fileNode, validName } from './tree';
import type { Vfs } from './vfs';

export type { MountProvider, MountTree } from './mount-types';
export { buildTree } from './tree';

/** Read a whole provider into a detached subtree. */
export async function resolveProvider(provider: MountProvider, now = Date.now()): Promise<DirNode> {
  const walk = async (path: string): Promise<Node> => {
    const st = await provider.stat(path);
    const t = st.mtimeMs ?? now;
    if (st.type === 'symlink') {
      if (!st.target) throw new VfsError('EINVAL', 'mount', path);
      return { kind: 'symlink', ino: 0, mode: 0o777, mtimeMs: t, ctimeMs: t, gen: 0, target: st.target };
    }
    if (st.type === 'file') return fileNode(await provider.readFile(path), t, st.mode ?? 0o644);
    const dir = dirNode(t, st.mode ?? 0o755);
    for (const name of await provider.readdir(path)) {
      if (!validName(name)) throw new VfsError('EINVAL', 'mount', childPath(path, name));
      dir.entries.set(name, await walk(childPath(path, name)));
    }
    return dir;
  };
  const root = await walk('/');
  if (root.kind !== 'dir') throw new VfsError('ENOTDIR', 'mount', '/');
  return root;
}

export function isProvider(x: unknown): x is MountProvider {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as MountProvider).readdir === 'function' &&
    typeof (x as MountProvider).stat === 'function'
  );
}

export interface MountOptions {
  /** Refuse every change below the mount point with EROFS. Default false. */
  readOnly?: boolean;
  /** Called when a provider's writeFile fails (write-back is asynchronous). */
  onError?: (error: unknown, path: string) => void;
}

/**
 * Mount a tree or provider at `path`. Resolves to a disposer that stops write-back (it does not
 * unmount: use vfs.unmount). Removals are not written back: providers have no delete.
 */
export async function mount(
  vfs: Vfs,
  path: string,
  source: MountTree | MountProvider,
  options: MountOptions = {},
): Promise<() => void> {
  const at = normalizePath(path);
  if (!isProvider(source)) {
    vfs.mountTree(at, buildTree(source), options);
    return () => {};
  }
  vfs.mountTree(at, await resolveProvider(source), options);
  const writeFile = source.writeFile?.bind(source);
  if (options.readOnly || !writeFile) return () => {};
  return vfs.watch(at, true, (events) => {
    for (const e of events) {
      if (e.type === 'remove' || !isWithin(e.path, at)) continue;
      let data: Uint8Array;
      try {
        if (vfs.lstat(e.path).type !== 'file') continue;
        data = vfs.readFile(e.path);
      } catch {
        continue; // gone again before the batch was delivered
      }
      const rel = at === '/' ? e.path : e.path.slice(at.length) || '/';
      Promise.resolve()
        .then(() => writeFile(rel, data))
        .catch((err: unknown) => options.onError?.(err, e.path));
    }
  });
}
