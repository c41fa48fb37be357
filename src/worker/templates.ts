// Named templates: exported sandbox states kept in this origin's IndexedDB (or memory where
// there is none), so `create({ template: 'py-data' })` starts from a prepared tree.
import { KernelError } from './errors';
import { kvTable } from './kv';

const table = kvTable<Uint8Array>('sandpit-templates', 'templates');

export function saveTemplate(name: string, bytes: Uint8Array): Promise<void> {
  return table.set(name, bytes);
}

export async function loadTemplate(name: string): Promise<Uint8Array> {
  const bytes = await table.get(name);
  if (!bytes) throw new KernelError('NOT_FOUND', `no template named ${name}`);
  return bytes;
}

export async function listTemplates(): Promise<string[]> {
  return (await table.keys()).sort();
}

export function deleteTemplate(name: string): Promise<void> {
  return table.delete(name);
}
