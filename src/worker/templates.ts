// Named templates: exported sandbox states kept in this origin's IndexedDB (or memory where
// there is none), so `create({ template: 'py-data' })` starts from a prepared tree.
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { KernelError } from './errors';

let store: UseStore | undefined;
const memory = new Map<string, Uint8Array>();

function db(): UseStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  store ??= createStore('sandpit-templates', 'templates');
  return store;
}

export async function saveTemplate(name: string, bytes: Uint8Array): Promise<void> {
  const s = db();
  if (s) await set(name, bytes, s);
  else memory.set(name, bytes);
}

export async function loadTemplate(name: string): Promise<Uint8Array> {
  const s = db();
  const bytes = s ? await get<Uint8Array>(name, s) : memory.get(name);
  if (!bytes) throw new KernelError('NOT_FOUND', `no template named ${name}`);
  return bytes;
}

export async function listTemplates(): Promise<string[]> {
  const s = db();
  return (s ? ((await keys(s)) as string[]) : [...memory.keys()]).sort();
}

export async function deleteTemplate(name: string): Promise<void> {
  const s = db();
  if (s) await del(name, s);
  else memory.delete(name);
}
