// The commit protocol over any StorageBackend: write new content-addressed objects first (packed
// into a few large pack files, pack.ts), then the small root record last, then collect garbage.
// A kill at any instant leaves a valid previous root.
//
// The root record alternates between two slots ('root.0', 'root.1'), each self-checksummed, so even
// a backend whose writes can tear (OPFS) never loses the last good root: load takes the valid slot
// with the highest sequence number. A version 2 root names its packs with their exact lengths;
// packs are never rewritten once named, so a torn pack write is invisible to every valid root.
// Version 1 roots (one backend key per object, 'obj/<sha256>') are still read; the first commit
// after loading one moves every object into packs and then deletes the loose keys.

import type { DirNode } from '../vfs/node';
import { StoreError, storageError, type StorageBackend } from './backend';
import { fast128Hex, sha256Hex, sha256HexPooled } from './hash';
import { isFastAddress, ObjectCache, TreeReader, writeTree } from './objects';
import { PACK_BYTES, PACK_PREFIX, PackBuilder, parsePack } from './pack';

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
  /** New objects written (not counting live objects moved by compaction). */
  objectsWritten: number;
  bytesWritten: number;
  /** Objects that became unreachable with this commit, plus loose (version 1) objects swept. */
  objectsDeleted: number;
  /** Pack files written by this commit. */
  packsWritten: number;
  /** Live objects copied out of sparse or small packs so those packs could be deleted. */
  objectsMoved: number;
  /** Pack files deleted after the root record named the packs that replace them. */
  packsDeleted: number;
}

export interface RootRecord {
  format: 'sandpit-root';
  version: 1 | 2;
  seq: number;
  savedAt: number;
  tree: string;
  snapshots: { id: string; name?: string; createdAt: number; tree: string }[];
  meta?: unknown;
  /** Version 2: the packs holding every object, as [id, exact byte length]. */
  packs?: [string, number][];
}

const SLOTS = ['root.0', 'root.1'] as const;
/** Version 1 loose objects. */
const OBJ = 'obj/';
/** A pack whose live bytes fall below this fraction is rewritten (its live objects moved). */
const LIVE_MIN = 0.5;
/** Above this many packs, packs smaller than SMALL_PACK are merged (autosaves make many small ones). */
const MAX_PACKS = 32;
const SMALL_PACK = 4 << 20;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Where {
  pack: string;
  len: number;
}

/** Objects of one commit, cut into packs of about PACK_BYTES, each saved as soon as it is full. */
class PackSink {
  private cur: PackBuilder | undefined;
  private n = 0;
  /** Buffers of saved packs, filled again by the next ones (every backend copies or writes on save). */
  private readonly spare: Uint8Array[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Sealed packs not saved yet. */
  private pending = 0;
  private failed: unknown;
  readonly where = new Map<string, Where>();
  /** Bytes added under fast128 addresses, for writeTree's equality check. */
  readonly held = new Map<string, Uint8Array>();
  readonly written: [string, number][] = [];
  bytes = 0;

  constructor(
    private readonly seq: number,
    private readonly save: (key: string, bytes: Uint8Array) => Promise<void>,
  ) {}

  has(hash: string): boolean {
    return this.where.has(hash);
  }

  /**
   * While a sealed pack is being saved, writers wait for it, so its buffer is filled again by the
   * next pack instead of a fresh 16 MiB one each time (fresh memory costs a page fault every 4 KB,
   * and a 100 MB commit made seven of them).
   */
  room(): Promise<void> | undefined {
    return this.pending ? this.chain : undefined;
  }

  add(hash: string, bytes: Uint8Array): void {
    if (this.where.has(hash)) return;
    // Ids are the commit's sequence number: unique among committed packs (a retry of a failed
    // commit reuses the ids of its unreferenced leftovers, which is harmless).
    this.cur ??= new PackBuilder(`${this.seq}.${this.n++}`, this.spare.pop());
    this.cur.add(hash, bytes);
    this.where.set(hash, { pack: this.cur.id, len: bytes.length });
    if (isFastAddress(hash)) this.held.set(hash, bytes);
    if (this.cur.size >= PACK_BYTES) this.seal();
  }

  /** Write what is left and wait for every pack; rethrows the first failure. */
  async finish(): Promise<void> {
    this.seal();
    await this.chain;
    if (this.failed) throw this.failed;
  }

  private seal(): void {
    const b = this.cur;
    if (!b) return;
    this.cur = undefined;
    const bytes = b.bytes();
    this.written.push([b.id, bytes.length]);
    this.bytes += bytes.length;
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failed) return;
        await this.save(PACK_PREFIX + b.id, bytes);
        if (b.buffer.length > PACK_BYTES) this.spare.push(b.buffer);
      } catch (e) {
        this.failed = e;
      } finally {
        this.pending--;
      }
    });
  }
}

export class Repository {
  private head: RootRecord | undefined;
  private candidates: RootRecord[] = [];
  private readonly cache = new ObjectCache();
  /** Objects known to be stored intact in a named pack: those reachable from the head root, plus what we wrote since. */
  private known = new Set<string>();
  /** The packs the head names, with their lengths. */
  private packs = new Map<string, number>();
  /** Which pack holds each stored object (the newest copy when a compaction moved it). */
  private where = new Map<string, Where>();
  /**
   * The bytes of every known object with a fast128 address (views the live trees hold anyway): a
   * new page is given such an address only if its bytes equal these (objects.ts, writeTree).
   */
  private bytesOf = new Map<string, Uint8Array>();
  /** False while a committed head exists that was neither loaded nor replaced: `known` is incomplete then. */
  private synced = true;
  /**
   * The next commit lists the store to find garbage (first commit of a session, after a failure):
   * packs no root names (a crashed commit's), and version 1 loose objects once migrated.
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
        const packed = rec.version === 2 ? await this.readPacks(rec.packs!, true) : undefined;
        const get = packed
          ? (h: string) => {
              const b = packed.objects.get(h);
              return b ? Promise.resolve(b) : Promise.reject(damaged(h));
            }
          : (h: string) => this.getLoose(h);
        const reader = new TreeReader(get, this.cache);
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
        this.packs = new Map(rec.packs ?? []);
        this.where = packed?.where ?? new Map();
        // A version 1 head's objects are loose keys, not in packs: none is "known", so the next
        // commit writes them all into packs (the migration) and its sweep deletes the loose keys.
        this.known = packed ? this.cache.reachable(rootsOf(rec)) : new Set();
        this.bytesOf = new Map();
        for (const h of this.known) {
          const b = isFastAddress(h) ? packed?.objects.get(h) : undefined;
          if (b) this.bytesOf.set(h, b);
        }
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
        // Packs of a failed commit may be left behind: the next commit sweeps the whole store.
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
    this.packs.clear();
    this.where.clear();
    this.bytesOf.clear();
    this.synced = true;
  }

  private async commitNow(state: PersistedState): Promise<CommitStats> {
    const stats: CommitStats = {
      seq: this.seq + 1,
      objectsWritten: 0,
      bytesWritten: 0,
      objectsDeleted: 0,
      packsWritten: 0,
      objectsMoved: 0,
      packsDeleted: 0,
    };
    // Committing over a head we never loaded: learn what its packs hold (packs are never
    // rewritten, so its objects stay where they are; only what is missing is written again).
    if (!this.synced) await this.syncHead();
    // Packs are written without waiting for the disk, then made durable together (one wait for
    // the disk instead of one per pack) before the root record that names them is written.
    const deferSync = this.backend.sync !== undefined;
    const sink = new PackSink(stats.seq, (key, bytes) =>
      this.call('writing a pack', () => this.backend.save(key, bytes, { deferSync })),
    );
    const has = (h: string) => this.known.has(h) || sink.has(h);
    const put = (h: string, bytes: Uint8Array): void => {
      if (!has(h)) {
        sink.add(h, bytes);
        stats.objectsWritten++;
      }
    };

    // 1. Objects. Until the root record changes, none of them is reachable: a crash here is harmless.
    const options = { storedBytes: (h: string) => sink.held.get(h) ?? this.bytesOf.get(h), ready: () => sink.room() };
    const tree = await writeTree(state.root, this.cache, has, put, options);
    const snapshots: RootRecord['snapshots'] = [];
    for (const s of state.snapshots) {
      snapshots.push({
        id: s.id,
        createdAt: s.createdAt,
        tree: await writeTree(s.root, this.cache, has, put, options),
        ...(s.name !== undefined ? { name: s.name } : {}),
      });
    }
    const roots = [tree, ...snapshots.map((s) => s.tree)];
    const live = this.cache.reachable(roots);
    // 2. Compaction: packs mostly dead, or many small ones, give their live objects to this
    // commit's packs; the root record below no longer names them, and they are deleted after it.
    const retired = await this.compact(live, sink, stats);
    try {
      await sink.finish();
      if (deferSync) {
        const keys = sink.written.map(([id]) => PACK_PREFIX + id);
        await this.call('flushing the packs', () => this.backend.sync!(keys));
      }
    } catch (err) {
      // No root names this commit's packs yet: delete them so a full disk (QUOTA) gets its space
      // back for the next try. Only before the root write starts: a root write that reports a
      // failure may still have landed, and then its packs are the head's.
      await this.dropUnnamed(sink.written.map(([id]) => id));
      throw err;
    }
    stats.packsWritten = sink.written.length;
    stats.bytesWritten += sink.bytes;
    // 3. The root record, into the slot the current head is not in.
    const packs = new Map(this.packs);
    for (const id of retired) packs.delete(id);
    for (const [id, len] of sink.written) packs.set(id, len);
    const rec: RootRecord = {
      format: 'sandpit-root',
      version: 2,
      seq: stats.seq,
      savedAt: Date.now(),
      tree,
      snapshots,
      packs: [...packs],
    };
    if (state.meta !== undefined) rec.meta = state.meta;
    const bytes = await encodeRoot(rec);
    await this.call('writing the root record', () => this.backend.save(SLOTS[rec.seq % 2]!, bytes));
    this.head = rec;
    this.candidates = [rec];
    stats.bytesWritten += bytes.length;
    for (const [h, w] of sink.where) this.where.set(h, w);
    if (retired.size) for (const [h, w] of this.where) if (retired.has(w.pack)) this.where.delete(h);
    this.packs = packs;
    for (const h of this.known) if (!live.has(h)) stats.objectsDeleted++;
    this.known = live;
    // Moved objects keep the bytes already held (a page's own, not a view pinning a retired pack).
    for (const [h, b] of sink.held) if (!this.bytesOf.has(h)) this.bytesOf.set(h, b);
    for (const h of this.bytesOf.keys()) if (!live.has(h)) this.bytesOf.delete(h);
    this.synced = true;
    // Forget directory objects that are gone, or a long session would keep every old version's listing.
    for (const h of this.cache.graph.keys()) if (!live.has(h)) this.cache.graph.delete(h);
    // 4. Garbage: retired packs; on a sweep also packs no root names and version 1 loose objects.
    for (const id of retired) {
      await this.call('deleting a pack', () => this.backend.delete(PACK_PREFIX + id));
      stats.packsDeleted++;
    }
    if (this.sweep) {
      for (const key of await this.call('listing the store', () => this.backend.list())) {
        const loose = key.startsWith(OBJ);
        if (!loose && !(key.startsWith(PACK_PREFIX) && !packs.has(key.slice(PACK_PREFIX.length)))) continue;
        await this.call('deleting garbage', () => this.backend.delete(key));
        if (loose) stats.objectsDeleted++;
        else stats.packsDeleted++;
      }
      this.sweep = false;
    }
    return stats;
  }

  /** Best effort: the next sweep collects whatever this cannot delete. */
  private async dropUnnamed(ids: string[]): Promise<void> {
    for (const id of ids) {
      if (this.packs.has(id)) continue; // never a pack the head names
      await this.backend.delete(PACK_PREFIX + id).catch(() => undefined);
    }
  }

  /** Choose packs to retire and copy their live objects into `sink`. Returns the retired pack ids. */
  private async compact(live: Set<string>, sink: PackSink, stats: CommitStats): Promise<Set<string>> {
    const retired = new Set<string>();
    if (this.packs.size === 0) return retired;
    const liveBytes = new Map<string, number>();
    for (const id of this.packs.keys()) liveBytes.set(id, 0);
    for (const h of live) {
      const w = this.where.get(h);
      if (w && !sink.has(h) && liveBytes.has(w.pack)) liveBytes.set(w.pack, liveBytes.get(w.pack)! + w.len);
    }
    const crowded = this.packs.size + 1 > MAX_PACKS;
    for (const [id, len] of this.packs) {
      const lb = liveBytes.get(id)!;
      if (lb === 0) {
        retired.add(id);
        continue;
      }
      if (lb >= len * LIVE_MIN && !(crowded && len < SMALL_PACK)) continue;
      // Move its live objects; if the pack cannot be read back intact, keep it rather than lose them.
      const moved = await this.liveObjectsOf(id, len, live, sink);
      if (!moved) continue;
      for (const [h, bytes] of moved) sink.add(h, bytes);
      stats.objectsMoved += moved.length;
      retired.add(id);
    }
    return retired;
  }

  private async liveObjectsOf(
    id: string,
    len: number,
    live: Set<string>,
    sink: PackSink,
  ): Promise<[string, Uint8Array][] | undefined> {
    try {
      const data = await this.call('reading a pack', () => this.backend.load(PACK_PREFIX + id));
      if (!data || data.length !== len) return undefined;
      const want = parsePack(data, id).filter(
        (e) => live.has(e.hash) && !sink.has(e.hash) && this.where.get(e.hash)?.pack === id,
      );
      const ok = await Promise.all(want.map((e) => intact(e.hash, e.bytes)));
      return ok.every(Boolean) ? want.map((e) => [e.hash, e.bytes]) : undefined;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'CORRUPT') return undefined;
      throw e;
    }
  }

  /** Read the head's packs (never loaded this session) so that a commit keeps what they hold. */
  private async syncHead(): Promise<void> {
    const head = this.head!;
    this.packs = new Map();
    this.where = new Map();
    this.known = new Set();
    this.bytesOf = new Map();
    if (head.version === 2) {
      const { objects, where, present } = await this.readPacks(head.packs!, false);
      for (const [id, len] of head.packs!) if (present.has(id)) this.packs.set(id, len);
      this.where = where;
      for (const [h, b] of objects) {
        this.known.add(h);
        if (isFastAddress(h)) this.bytesOf.set(h, b);
      }
    }
    this.synced = true;
  }

  /**
   * Read packs and check every object against its hash (in parallel). Damaged objects are left
   * out; a missing or wrongly sized pack is CORRUPT when `strict`, else skipped.
   */
  private async readPacks(
    list: [string, number][],
    strict: boolean,
  ): Promise<{ objects: Map<string, Uint8Array>; where: Map<string, Where>; present: Set<string> }> {
    const objects = new Map<string, Uint8Array>();
    const where = new Map<string, Where>();
    const present = new Set<string>();
    await Promise.all(
      list.map(async ([id, len]) => {
        const data = await this.call('reading a pack', () => this.backend.load(PACK_PREFIX + id));
        if (!data || data.length !== len) {
          if (strict) throw new StoreError('CORRUPT', `pack ${id} is missing or has the wrong length`);
          return;
        }
        let entries;
        try {
          entries = parsePack(data, id);
        } catch (e) {
          if (strict) throw e;
          return;
        }
        present.add(id);
        const ok = await Promise.all(entries.map((e) => intact(e.hash, e.bytes)));
        entries.forEach((e, i) => {
          if (!ok[i]) return;
          objects.set(e.hash, e.bytes);
          where.set(e.hash, { pack: id, len: e.bytes.length });
        });
      }),
    );
    return { objects, where, present };
  }

  /** A version 1 object, checked against its hash. */
  private async getLoose(hash: string): Promise<Uint8Array> {
    const bytes = await this.call('reading an object', () => this.backend.load(OBJ + hash));
    if (!bytes || (await sha256Hex(bytes)) !== hash) throw damaged(hash);
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

/** An object matches its address: fast128 at once, SHA-256 through the WebCrypto pool. */
async function intact(hash: string, bytes: Uint8Array): Promise<boolean> {
  return isFastAddress(hash) ? fast128Hex(bytes) === hash : (await sha256HexPooled(bytes)) === hash;
}

function damaged(hash: string): StoreError {
  return new StoreError('CORRUPT', `object ${hash} is missing or damaged`);
}

function rootsOf(rec: RootRecord): string[] {
  return [rec.tree, ...rec.snapshots.map((s) => s.tree)];
}

/** JSON, a newline, and the SHA-256 of the JSON: a torn or foreign slot fails the check and is ignored. */
export async function encodeRoot(rec: RootRecord): Promise<Uint8Array> {
  const json = JSON.stringify(rec);
  return encoder.encode(json + '\n' + (await sha256Hex(encoder.encode(json))));
}

const isPackList = (x: unknown): x is [string, number][] =>
  Array.isArray(x) &&
  x.every(
    (p) =>
      Array.isArray(p) &&
      p.length === 2 &&
      typeof p[0] === 'string' &&
      /^\d+\.\d+$/.test(p[0]) &&
      Number.isSafeInteger(p[1]) &&
      p[1] > 0,
  );

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
      (rec.version !== 1 && rec.version !== 2) ||
      (rec.version === 2 && !isPackList(rec.packs)) ||
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
