// StorageBackend over IndexedDB (via idb-keyval): the fallback where OPFS is missing. One database per sandbox.

import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { StoreError, type StorageBackend } from './backend';

export class IdbBackend implements StorageBackend {
  private constructor(private readonly store: UseStore) {}

  static available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  static open(name: string): IdbBackend {
    if (!IdbBackend.available()) throw new StoreError('UNSUPPORTED', 'IndexedDB is not available here');
    return new IdbBackend(createStore(`sandpit:${name}`, 'kv'));
  }

  /** Names of all stores (sandbox or volume ids) in this origin; empty where indexedDB.databases() is missing. */
  static async names(): Promise<string[]> {
    if (!IdbBackend.available() || typeof indexedDB.databases !== 'function') return [];
    const dbs = await indexedDB.databases();
    return dbs
      .map((d) => d.name ?? '')
      .filter((n) => n.startsWith('sandpit:'))
      .map((n) => n.slice('sandpit:'.length));
  }

  /** Delete the database of a sandbox. */
  static remove(name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = indexedDB.deleteDatabase(`sandpit:${name}`);
      req.onsuccess = () => resolve();
      req.onerror = () => reject(req.error);
      req.onblocked = () => resolve(); // deleted once the other connection closes
    });
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    const v = await get<Uint8Array>(key, this.store);
    return v instanceof Uint8Array ? v : undefined;
  }

  async save(key: string, bytes: Uint8Array): Promise<void> {
    // One put is one transaction: atomic per key, which is all the commit protocol needs. A view
    // is cloned with its whole buffer, so a part of a larger buffer (a pack being filled, a page
    // of an imported segment) is copied out first.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    await set(key, own, this.store);
  }

  async delete(key: string): Promise<void> {
    await del(key, this.store);
  }

  async list(prefix = ''): Promise<string[]> {
    const all = await keys<string>(this.store);
    return all.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix));
  }
}
