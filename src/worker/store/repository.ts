// The commit protocol over any StorageBackend: write new content-addressed objects first, then the
// small root record last, then collect garbage. A kill at any instant leaves a valid previous root.
//
// The root record alternates between two slots ('root.0', 'root.1'), each self-checksummed, so even
// a backend whose writes can tear (OPFS) never loses the last good root: load takes the valid slot
// with the highest sequence number.

import type { DirNode } from '../vfs/node';
import { StoreError, storageError, type StorageBackend } from './backend';
import { sha256Hex } from './hash';
import { ObjectCache, TreeReader, writeTree } from './objects';

export interface PersistedSnapshot {
  id: string;
  name?: string;
  createdAt: number;
  /** The frozen root of the snapshot (VfsSnapshot.root). */
  root: DirNode;
}

export interface PersistedState {
  /** The live tree; pass a root taken with vfs.snapshot() so it cannot change while being written. */
  root: DirNode;
  snapshots: PersistedSnapshot[];
  /** Small JSON-able session data (env, cwd, timestamps...). */
  meta?: unknown;
}

export interface LoadedState extends PersistedState {
  /** One more than the highest inode number in any loaded tree. */
  nextIno: number;
}

export interface CommitStats {
  seq: number;
  objectsWritten: number;
  bytesWritten: number;
  objectsDeleted: number;
}

interface RootRecord {
  format: 'sandpit-root';
  version: 1;
  seq: number;
  savedAt: number;
  tree: string;
  snapshots: { id: string; name?: string; createdAt: number; tree: string }[];
  meta?: unknown;
}

const SLOTS = ['root.0', 'root.1'] as const;
const OBJ = 'obj/';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Repository {
  private head: RootRecord | undefined;
  private candidates: RootRecord[] = [];
  private readonly cache = new ObjectCache();
  /** Objects known to be stored intact: those reachable from the head root, plus what we wrote since. */
  private known = new Set<string>();
  /** False while a committed head exists that was neither loaded nor replaced: `known` is incomplete then. */
  private synced = true;
  /**
   * The next commit lists the store to find garbage (first commit of a session, after a failure).
   * Otherwise garbage is exactly what was known before and is no longer reachable: no listing,
   * which matters on OPFS where listing thousands of files costs tens of milliseconds.
   */
  private sweep = true;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly backend: StorageBackend) {}

  /** Open a store: read both root slots and keep the valid ones, newest first. Nothing else is read yet. */
  static async open(backend: StorageBackend): Promise<Repository> {
    const repo = new Repository(backend);
    for (const slot of SLOTS) {
      const bytes = await repo.call(`reading ${slot}`, () => backend.load(slot));
      const rec = bytes && (await parseRoot(bytes));
      if (rec) repo.candidates.push(rec);
    }
    repo.candidates.sort((a, b) => b.seq - a.seq);
    repo.head = repo.candidates[0];
    repo.synced = repo.head === undefined;
    return repo;
  }

  /** True if a committed state exists. */
  get exists(): boolean {
    return this.head !== undefined;
  }

  get seq(): number {
    return this.head?.seq ?? 0;
  }

  /**
   * Load the newest committed state whose objects are all present and intact (every object is
   * checked against its hash). Undefined if nothing was ever committed; CORRUPT if no root is loadable.
   */
  async load(): Promise<LoadedState | undefined> {
    if (this.candidates.length === 0) return undefined;
    let lastError: unknown;
    for (const rec of this.candidates) {
      try {
        const reader = new TreeReader((h) => this.getObject(h), this.cache);
        const root = await reader.read(rec.tree);
        const snapshots: PersistedSnapshot[] = [];
        for (const s of rec.snapshots) {
          snapshots.push({
            id: s.id,
            createdAt: s.createdAt,
            root: await reader.read(s.tree),
            ...(s.name !== undefined ? { name: s.name } : {}),
          });
        }
        this.head = rec;
        this.known = this.cache.reachable(rootsOf(rec));
        this.synced = true;
        return { root, snapshots, nextIno: reader.nextIno, ...(rec.meta !== undefined ? { meta: rec.meta } : {}) };
      } catch (e) {
        if (!(e instanceof StoreError) || e.code !== 'CORRUPT') throw e;
        lastError = e;
      }
    }
    throw lastError;
  }

  /** Persist a state. Commits are serialised; each is atomic with respect to crashes. */
  commit(state: PersistedState): Promise<CommitStats> {
    const run = this.queue.then(() =>
      this.commitNow(state).catch((e: unknown) => {
        // Objects of a failed commit may be left behind: the next commit sweeps the whole store.
        this.sweep = true;
        throw e;
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Remove everything this store holds. */
  async destroy(): Promise<void> {
    for (const key of await this.call('listing', () => this.backend.list()))
      await this.call('deleting', () => this.backend.delete(key));
    this.head = undefined;
    this.candidates = [];
    this.known.clear();
    this.synced = true;
  }

  private async commitNow(state: PersistedState): Promise<CommitStats> {
    const stats: CommitStats = { seq: this.seq + 1, objectsWritten: 0, bytesWritten: 0, objectsDeleted: 0 };
    const has = (h: string) => this.known.has(h);
    // Identical pages can be put concurrently; write each object once (OPFS refuses two open handles on one file).
    const inflight = new Map<string, Promise<void>>();
    // Committing over a head we never loaded: objects it references exist but are not in `known`.
    // Never rewrite those in place (a torn rewrite would damage the previous root): keep any stored
    // copy whose bytes check out, rewrite only missing or damaged ones (which no valid root needs).
    const stored = this.synced ? undefined : new Set(await this.call('listing objects', () => this.backend.list(OBJ)));
    const put = (h: string, bytes: Uint8Array): Promise<void> => {
      let p = inflight.get(h);
      if (!p) {
        p = this.keepStored(stored, h).then((kept) => (kept ? undefined : this.write(h, bytes, stats)));
        inflight.set(h, p);
      }
      return p;
    };

    // 1. Objects. Until the root record changes, none of them is reachable: a crash here is harmless.
    const tree = await writeTree(state.root, this.cache, has, put);
    const snapshots: RootRecord['snapshots'] = [];
    for (const s of state.snapshots) {
      snapshots.push({
        id: s.id,
        createdAt: s.createdAt,
        tree: await writeTree(s.root, this.cache, has, put),
        ...(s.name !== undefined ? { name: s.name } : {}),
      });
    }
    // 2. The root record, into the slot the current head is not in.
    const rec: RootRecord = {
      format: 'sandpit-root',
      version: 1,
      seq: stats.seq,
      savedAt: Date.now(),
      tree,
      snapshots,
    };
    if (state.meta !== undefined) rec.meta = state.meta;
    const bytes = await encodeRoot(rec);
    await this.call('writing the root record', () => this.backend.save(SLOTS[rec.seq % 2]!, bytes));
    this.head = rec;
    this.candidates = [rec];
    stats.bytesWritten += bytes.length;
    // 3. Garbage: objects the new root does not reach (old versions, leftovers of crashed commits).
    const live = this.cache.reachable(rootsOf(rec));
    const candidates = this.sweep
      ? (await this.call('listing objects', () => this.backend.list(OBJ))).map((k) => k.slice(OBJ.length))
      : [...this.known];
    for (const h of candidates) {
      if (live.has(h)) continue;
      await this.call('deleting an object', () => this.backend.delete(OBJ + h));
      stats.objectsDeleted++;
    }
    this.known = live;
    this.synced = true;
    this.sweep = false;
    // Forget directory objects that are gone, or a long session would keep every old version's listing.
    for (const h of this.cache.graph.keys()) if (!live.has(h)) this.cache.graph.delete(h);
    return stats;
  }

  private async keepStored(stored: Set<string> | undefined, hash: string): Promise<boolean> {
    if (!stored?.has(OBJ + hash)) return false;
    const bytes = await this.call('reading an object', () => this.backend.load(OBJ + hash));
    if (!bytes || (await sha256Hex(bytes)) !== hash) return false;
    this.known.add(hash);
    return true;
  }

  private async write(hash: string, bytes: Uint8Array, stats: CommitStats): Promise<void> {
    await this.call('writing an object', () => this.backend.save(OBJ + hash, bytes));
    this.known.add(hash);
    stats.objectsWritten++;
    stats.bytesWritten += bytes.length;
  }

  private async getObject(hash: string): Promise<Uint8Array> {
    const bytes = await this.call('reading an object', () => this.backend.load(OBJ + hash));
    if (!bytes || (await sha256Hex(bytes)) !== hash)
      throw new StoreError('CORRUPT', `object ${hash} is missing or damaged`);
    return bytes;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storageError(e, what);
    }
  }
}

function rootsOf(rec: RootRecord): string[] {
  return [rec.tree, ...rec.snapshots.map((s) => s.tree)];
}

/** JSON, a newline, and the SHA-256 of the JSON: a torn or foreign slot fails the check and is ignored. */
async function encodeRoot(rec: RootRecord): Promise<Uint8Array> {
  const json = JSON.stringify(rec);
  return encoder.encode(json + '\n' + (await sha256Hex(encoder.encode(json))));
}

async function parseRoot(bytes: Uint8Array): Promise<RootRecord | undefined> {
  const text = decoder.decode(bytes);
  const nl = text.lastIndexOf('\n');
  if (nl < 0) return undefined;
  const json = text.slice(0, nl);
  if ((await sha256Hex(encoder.encode(json))) !== text.slice(nl + 1)) return undefined;
  try {
    const rec = JSON.parse(json) as RootRecord;
    if (
      rec.format !== 'sandpit-root' ||
      rec.version !== 1 ||
      !Number.isSafeInteger(rec.seq) ||
      typeof rec.tree !== 'string' ||
      !Array.isArray(rec.snapshots)
    )
      return undefined;
    return rec;
  } catch {
    return undefined;
  }
}
