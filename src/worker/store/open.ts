// Choose and open a storage backend by persistence kind, one namespace per sandbox (or volume) id.

import { StoreError, type StorageBackend } from './backend';
import { IdbBackend } from './idb';
import { MemoryBackend } from './memory';
import { OpfsBackend } from './opfs';

export type PersistenceKind = 'memory' | 'opfs' | 'indexeddb';

// 'memory' stores live as long as the worker: Sandbox.open(id) in the same worker finds them again.
const memoryStores = new Map<string, MemoryBackend>();

/** Open the store for `id`. 'auto' prefers OPFS, then IndexedDB, then memory. */
export async function openBackend(
  kind: PersistenceKind | 'auto',
  id: string,
): Promise<{ kind: PersistenceKind; backend: StorageBackend }> {
  if (kind === 'auto') {
    if (OpfsBackend.available()) {
      try {
        return { kind: 'opfs', backend: await OpfsBackend.open(id) };
      } catch {
        // OPFS can exist yet refuse (private browsing, some embedded views): fall through.
      }
    }
    kind = IdbBackend.available() ? 'indexeddb' : 'memory';
  }
  switch (kind) {
    case 'opfs':
      return { kind, backend: await OpfsBackend.open(id) };
    case 'indexeddb':
      return { kind, backend: IdbBackend.open(id) };
    case 'memory': {
      let m = memoryStores.get(id);
      if (!m) memoryStores.set(id, (m = new MemoryBackend()));
      return { kind, backend: m };
    }
    default:
      throw new StoreError('UNSUPPORTED', `unknown persistence kind ${String(kind)}`);
  }
}

/** Delete everything stored for `id` under `kind`. */
export async function removeBackend(kind: PersistenceKind, id: string): Promise<void> {
  if (kind === 'memory') memoryStores.delete(id);
  else if (kind === 'opfs') await OpfsBackend.remove(id);
  else await IdbBackend.remove(id);
}

/** Ids that have a store of this kind. */
export async function listBackends(kind: PersistenceKind): Promise<string[]> {
  if (kind === 'memory') return [...memoryStores.keys()];
  return kind === 'opfs' ? OpfsBackend.names() : IdbBackend.names();
}
