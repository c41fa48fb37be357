// A small key-value table in this origin's IndexedDB (idb-keyval), or in memory where there is
// none (Node tests): the registry of persisted sandboxes, templates and volumes each use one.
import { createStore, del, get, keys, set, values, type UseStore } from 'idb-keyval';

export interface KvTable<T> {
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  values(): Promise<T[]>;
}

export function kvTable<T>(dbName: string, storeName: string): KvTable<T> {
  let store: UseStore | undefined;
  const memory = new Map<string, T>();
  const db = (): UseStore | undefined => {
    if (typeof indexedDB === 'undefined') return undefined;
    store ??= createStore(dbName, storeName);
    return store;
  };
  return {
    async get(key) {
      const s = db();
      return s ? get<T>(key, s) : memory.get(key);
    },
    async set(key, value) {
      const s = db();
      if (s) await set(key, value, s);
      else memory.set(key, value);
    },
    async delete(key) {
      const s = db();
      if (s) await del(key, s);
      else memory.delete(key);
    },
    async keys() {
      const s = db();
      return s ? ((await keys(s)) as string[]) : [...memory.keys()];
    },
    async values() {
      const s = db();
      return s ? values<T>(s) : [...memory.values()];
    },
  };
}
