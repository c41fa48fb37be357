// StorageBackend over the Origin Private File System, for the kernel worker: one directory per
// sandbox, one file per key, written through synchronous access handles (the fast path in workers).

import { StoreError, type SaveOptions, type StorageBackend } from './backend';
import { canFlushElsewhere, flushElsewhere } from './opfs-flusher';

/** Keys contain '/', file names cannot: 'obj/ab…' is stored as 'obj~ab…'. */
const toName = (key: string) => key.replace(/\//g, '~');
const toKey = (name: string) => name.replace(/~/g, '/');

interface SyncHandle {
  getSize(): number;
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
type FileHandle = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> };
type DirHandle = FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };

function notFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: string }).name === 'NotFoundError';
}

export class OpfsBackend implements StorageBackend {
  /** Flushes of `deferSync` saves running on the flusher thread (opfs-flusher.ts), by key. */
  private readonly flushing = new Map<string, Promise<void>>();
  /**
   * Files written by a `deferSync` save where there is no flusher thread: still open (a handle is
   * exclusive: nothing else opens them meanwhile) until sync() flushes them.
   */
  private readonly unsynced = new Map<string, SyncHandle>();

  /** `path`: the directory's names from the origin's root, for the flusher thread. */
  private constructor(
    private readonly dir: DirHandle,
    private readonly path: string[],
  ) {}

  /** True where OPFS exists (secure contexts of recent browsers; not Node). */
  static available(): boolean {
    return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
  }

  /** Open (creating) the directory `sandpit/<name>` in the origin's private file system. */
  static async open(name: string): Promise<OpfsBackend> {
    if (!OpfsBackend.available())
      throw new StoreError('UNSUPPORTED', 'the Origin Private File System is not available here');
    const root = await navigator.storage.getDirectory();
    const top = await root.getDirectoryHandle('sandpit', { create: true });
    const dir = (await top.getDirectoryHandle(toName(name), { create: true })) as DirHandle;
    return new OpfsBackend(dir, ['sandpit', toName(name)]);
  }

  /** Names of all stores (sandbox or volume ids) in this origin. */
  static async names(): Promise<string[]> {
    if (!OpfsBackend.available()) return [];
    const top = (await (
      await navigator.storage.getDirectory()
    ).getDirectoryHandle('sandpit', { create: true })) as DirHandle;
    const out: string[] = [];
    for await (const name of top.keys()) out.push(toKey(name));
    return out;
  }

  /** Delete the whole directory of a sandbox. */
  static async remove(name: string): Promise<void> {
    if (!OpfsBackend.available()) return;
    const top = await (await navigator.storage.getDirectory()).getDirectoryHandle('sandpit', { create: true });
    try {
      await top.removeEntry(toName(name), { recursive: true });
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  async load(key: string): Promise<Uint8Array | undefined> {
    await this.settle(key);
    let fh: FileHandle;
    try {
      fh = (await this.dir.getFileHandle(toName(key))) as FileHandle;
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
    if (!fh.createSyncAccessHandle) return new Uint8Array(await (await fh.getFile()).arrayBuffer());
    const h = await fh.createSyncAccessHandle();
    try {
      const out = new Uint8Array(h.getSize());
      h.read(out, { at: 0 });
      return out;
    } finally {
      h.close();
    }
  }

  async save(key: string, bytes: Uint8Array, options?: SaveOptions): Promise<void> {
    await this.settle(key);
    const fh = (await this.dir.getFileHandle(toName(key), { create: true })) as FileHandle;
    if (!fh.createSyncAccessHandle) {
      // Outside a worker (no sync handles): the slower writable-stream path.
      const w = await fh.createWritable();
      await w.write(bytes as Uint8Array<ArrayBuffer>);
      await w.close();
      return;
    }
    const h = await fh.createSyncAccessHandle();
    let keep = false;
    try {
      h.truncate(0);
      let at = 0;
      while (at < bytes.length) {
        const n = h.write(bytes.subarray(at), { at });
        // Chromium (156) answers a write past the quota with 2^32 - 8 instead of throwing: it
        // writes what fits, so a caller adding the result to its offset would commit a cut pack
        // (the root record naming it would make the sandbox unloadable). 0 would loop for ever.
        // Either way this is the QuotaExceededError the spec describes: QUOTA before the root.
        if (!(n > 0 && n <= bytes.length - at))
          throw new DOMException(`a write of ${bytes.length - at} bytes returned ${n}`, 'QuotaExceededError');
        at += n;
      }
      // The flush is an fsync: this thread waits while the disk writes every byte. A deferred
      // save's file is flushed on the flusher thread while this one goes on (or, without one, by
      // sync()); sync() waits for them before the commit writes its root record, so a power loss
      // can never leave a root naming packs whose bytes did not reach the disk.
      if (!options?.deferSync) h.flush();
      else if (canFlushElsewhere()) {
        h.close();
        keep = true;
        const flushed = flushElsewhere(this.path, toName(key));
        flushed.catch(() => undefined); // reported by sync()
        this.flushing.set(key, flushed);
      } else {
        keep = true;
        this.unsynced.set(key, h);
      }
    } finally {
      if (!keep) h.close();
    }
  }

  async sync(keys: string[]): Promise<void> {
    let failure: unknown;
    for (const key of keys) {
      const flushed = this.flushing.get(key);
      if (flushed) {
        this.flushing.delete(key);
        await flushed.catch((e: unknown) => (failure ??= e));
      }
      const h = this.unsynced.get(key);
      if (h) {
        this.unsynced.delete(key);
        try {
          h.flush();
        } catch (e) {
          failure ??= e;
        } finally {
          h.close();
        }
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Before the key is read, replaced or deleted: its pending flush ends, or its open handle is closed. */
  private async settle(key: string): Promise<void> {
    const flushed = this.flushing.get(key);
    if (flushed) {
      this.flushing.delete(key);
      await flushed.catch(() => undefined);
    }
    const h = this.unsynced.get(key);
    if (h) {
      this.unsynced.delete(key);
      h.close();
    }
  }

  async delete(key: string): Promise<void> {
    await this.settle(key);
    try {
      await this.dir.removeEntry(toName(key));
    } catch (e) {
      if (!notFound(e)) throw e;
    }
  }

  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    for await (const name of this.dir.keys()) {
      const key = toKey(name);
      if (key.startsWith(prefix)) out.push(key);
    }
    return out;
  }
}
