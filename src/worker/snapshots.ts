// A sandbox's named snapshots: O(1) copy-on-write VFS snapshots with ids and metadata.
import { KernelError } from './errors';
import type { SnapshotInfo } from './protocol';
import type { Vfs, VfsDiff, VfsSnapshot } from './vfs';

export interface StoredSnapshot {
  id: string;
  name?: string;
  createdAt: number;
  snapshot: VfsSnapshot;
}

export class Snapshots {
  private readonly byId = new Map<string, StoredSnapshot>();

  constructor(initial: StoredSnapshot[] = []) {
    for (const s of initial) this.byId.set(s.id, s);
  }

  take(vfs: Vfs, name?: string, now = Date.now()): SnapshotInfo {
    const s: StoredSnapshot = {
      id: `snap-${crypto.randomUUID()}`,
      createdAt: now,
      snapshot: vfs.snapshot(),
      ...(name !== undefined ? { name } : {}),
    };
    this.byId.set(s.id, s);
    return info(s);
  }

  get(id: string): StoredSnapshot {
    const s = this.byId.get(id);
    if (!s) throw new KernelError('NOT_FOUND', `no snapshot ${id}`);
    return s;
  }

  restore(vfs: Vfs, id: string): void {
    vfs.restore(this.get(id).snapshot);
  }

  diff(vfs: Vfs, id: string): VfsDiff {
    return vfs.diff(this.get(id).snapshot);
  }

  delete(id: string): void {
    this.get(id);
    this.byId.delete(id);
  }

  list(): SnapshotInfo[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt).map(info);
  }

  all(): StoredSnapshot[] {
    return [...this.byId.values()];
  }
}

function info(s: StoredSnapshot): SnapshotInfo {
  return {
    id: s.id,
    createdAt: s.createdAt,
    bytes: s.snapshot.usedBytes,
    ...(s.name !== undefined ? { name: s.name } : {}),
  };
}
