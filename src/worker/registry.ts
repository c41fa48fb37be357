// The list of persisted sandboxes of this origin (for Sandbox.list/open/delete), kept in
// IndexedDB beside the stores themselves. A record is written when a sandbox is first saved and
// updated after each commit.
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { PersistenceKind } from './store';

export interface RegistryEntry {
  id: string;
  persistence: PersistenceKind;
  createdAt: number;
  updatedAt: number;
  bytes: number;
}

let store: UseStore | undefined;
const memory = new Map<string, RegistryEntry>();

function db(): UseStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  store ??= createStore('sandpit-registry', 'sandboxes');
  return store;
}

export async function registryGet(id: string): Promise<RegistryEntry | undefined> {
  const s = db();
  return s ? get<RegistryEntry>(id, s) : memory.get(id);
}

export async function registryPut(entry: RegistryEntry): Promise<void> {
  const s = db();
  if (s) await set(entry.id, entry, s);
  else memory.set(entry.id, entry);
}

export async function registryDelete(id: string): Promise<void> {
  const s = db();
  if (s) await del(id, s);
  else memory.delete(id);
}

export async function registryList(): Promise<RegistryEntry[]> {
  const s = db();
  const all = s ? await values<RegistryEntry>(s) : [...memory.values()];
  return all.sort((a, b) => a.createdAt - b.createdAt);
}
