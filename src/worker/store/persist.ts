// Glue between a live Vfs and a Repository: save the filesystem with its snapshots, load it back.

import { countTree, type DirNode } from '../vfs/node';
import { Vfs, type VfsOptions, type VfsSnapshot } from '../vfs/vfs';
import type { ExportSnapshot } from './export';
import type { CommitStats, Repository } from './repository';

/**
 * Commit the live tree (frozen with vfs.snapshot(), so later writes cannot tear it) and the given
 * snapshots. Only pages and directories changed since the last commit are written.
 */
export function saveVfs(
  repo: Repository,
  vfs: Vfs,
  snapshots: ExportSnapshot[] = [],
  meta?: unknown,
): Promise<CommitStats> {
  return repo.commit({
    root: vfs.snapshot().root,
    snapshots: snapshots.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      root: s.snapshot.root,
      ...(s.name !== undefined ? { name: s.name } : {}),
    })),
    meta,
  });
}

export interface LoadedVfs {
  vfs: Vfs;
  snapshots: ExportSnapshot[];
  meta: unknown;
}

/** Load the last committed state, or undefined if the store is empty. CORRUPT if it cannot be read. */
export async function loadVfs(repo: Repository, options: VfsOptions = {}): Promise<LoadedVfs | undefined> {
  const st = await repo.load();
  if (!st) return undefined;
  const snap = (root: DirNode): VfsSnapshot => {
    const { files, bytes } = countTree(root);
    return { root, usedBytes: bytes, fileCount: files - 1, nextIno: st.nextIno };
  };
  return {
    vfs: Vfs.fromSnapshot(snap(st.root), options),
    snapshots: st.snapshots.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      snapshot: snap(s.root),
      ...(s.name !== undefined ? { name: s.name } : {}),
    })),
    meta: st.meta,
  };
}
