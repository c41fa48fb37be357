// In-memory StorageBackend, for tests and for 'memory' persistence. Copies on the way in and out like a real store.

import type { StorageBackend } from './backend';

export class MemoryBackend implements StorageBackend {
  readonly data = new Map<string, Uint8Array>();

  async load(key: string): Promise<Uint8Array | undefined> {
    const v = this.data.get(key);
    return v ? v.slice() : undefined;
  }

  async save(key: string, bytes: Uint8Array): Promise<void> {
    this.data.set(key, bytes.slice());
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async list(prefix = ''): Promise<string[]> {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}
