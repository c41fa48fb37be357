// The list of persisted sandboxes of this origin (for Sandbox.list/open/delete), kept in
// IndexedDB beside the stores themselves. A record is written when a sandbox is first saved and
// updated after each commit.
import { kvTable } from './kv';
import type { PersistenceKind } from './store';

export interface RegistryEntry {
  id: string;
  persistence: PersistenceKind;
  createdAt: number;
  updatedAt: number;
  bytes: number;
}

const table = kvTable<RegistryEntry>('sandpit-registry', 'sandboxes');

export function registryGet(id: string): Promise<RegistryEntry | undefined> {
  return table.get(id);
}

export function registryPut(entry: RegistryEntry): Promise<void> {
  return table.set(entry.id, entry);
}

export function registryDelete(id: string): Promise<void> {
  return table.delete(id);
}

export async function registryList(): Promise<RegistryEntry[]> {
  return (await table.values()).sort((a, b) => a.createdAt - b.createdAt);
}
