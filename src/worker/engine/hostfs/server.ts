// Answers the SDK's host-filesystem RPCs from HostFsBackend mounts. Mount ids are ours: each
// maps to a backend and a directory in it, so one backend can serve /workspace, /home, /tmp, …
import type { HostFsBackend, HostFsFile, HostFsStat } from './backend';
import {
  isMetaBackend,
  packError,
  packMeta,
  parseMetaName,
  PACKED_DONE,
  timeArg,
  unescapeArg,
  type MetaName,
} from './meta';
import {
  MAX_IO_BYTES,
  REPLY_BUFFER_BYTES,
  REPLY_HEADER_BYTES,
  writeBinaryReply,
  writeReply,
  type HostFsReply,
  type HostFsRequest,
} from './protocol';
import { CallerTags } from './caller-tags';
import { EndViews } from './end-views';

export class HostFsError extends Error {
  constructor(
    readonly code: string,
    message: string = code,
  ) {
    super(message);
    this.name = 'HostFsError';
  }
}

export interface HostFsCallInfo {
  mount: number;
  method: string;
  args: readonly unknown[];
  reply: HostFsReply;
  /** The SDK worker that asked (caller-tags.ts); undefined for calls made on the kernel thread. */
  caller?: number;
  /** Time spent in the backend and encoding, in microseconds. */
  micros: number;
}

export interface HostFsServerOptions {
  /** Called after every call (tracing, counters). Default: none. */
  onCall?: (info: HostFsCallInfo) => void;
}

interface MountEntry {
  backend: HostFsBackend;
  root: string;
}

interface OpenEntry {
  mount: number;
  file: HostFsFile;
  /** The file's key in EndViews (mount and path); null for meta files. */
  key: string | null;
  /** Created with O_APPEND (the one case the SDK says so): every write through it goes at the end. */
  always: boolean;
}

/** A listing being sent page by page (readDirPage): taken once, so pages are consistent. */
interface Listing {
  token: number;
  entries: { name: string; kind: string; size: number }[];
}

/**
 * JSON bytes per readDirPage reply, well under the SDK's 512 KiB reply buffer. Entries are
 * counted at 3 bytes per UTF-16 unit of their JSON (the UTF-8 worst case) plus the fixed keys.
 */
const PAGE_BUDGET = 384 * 1024;
const ENTRY_OVERHEAD = 48;
/** Listings kept for unfinished page sequences (a guest that stops mid-way leaves one behind). */
const MAX_LISTINGS = 16;

const MAX_READ = Math.min(REPLY_BUFFER_BYTES - REPLY_HEADER_BYTES, 4 * MAX_IO_BYTES);

/** Mount id of our own control calls (worker-cache.ts); never given to the SDK. */
export const CONTROL_MOUNT = 0xffff_ffff;
/** Generation counters kept (up to two per SDK worker: stat cache, read-ahead; the oldest are dropped). */
const MAX_GENERATIONS = 512;
/** Codes the SDK's bridge knows (any other reaches the guest as EIO; meta.c may ask which it was). */
const SDK_CODES = new Set([
  'ENOENT',
  'EEXIST',
  'EACCES',
  'EPERM',
  'ELOOP',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'ENOTSUP',
]);
/**
 * Codes the SDK knows but turns into the wrong guest errno for one method (measured, in
 * docs/hostfs-protocol.md "Errors"): EEXIST from `open` becomes EPERM, from `mkdir` ENOENT. Our
 * VFS says EEXIST there when WASIX's own lookup saw nothing: a dangling symlink (lookups follow
 * links), or another process that created the name in between.
 */
const MISMAPPED: Readonly<Record<string, ReadonlySet<string>>> = {
  open: new Set(['EEXIST']),
  mkdir: new Set(['EEXIST']),
};
/** How long the last EIO-bound error stays available to the guest's "why?" (meta op `e`). */
const LAST_ERROR_MS = 10_000;
/** Answers of mutating meta names kept: WASIX looks a name up 2–3 times, the op must run once. */
const MAX_META_DONE = 64;
/** Methods that can change what stat or readDir would answer. */
const MUTATING = new Set(['open', 'write', 'setLen', 'mkdir', 'remove', 'rename']);
/** Methods whose caller (the SDK worker) the server tracks (caller-tags.ts, end-views.ts). */
const WHO_ASKS = new Set(['stat', 'open', 'write']);

export class HostFsServer {
  readonly #mounts = new Map<number, MountEntry>();
  readonly #open = new Map<number, OpenEntry>();
  #nextHandle = 1;
  readonly #generations: Int32Array[] = [];
  readonly #listings: Listing[] = [];
  #nextToken = 1;
  #generation = 0;
  #lastError: { code: string; at: number } | null = null;
  readonly #metaDone = new Map<string, number>();
  readonly #callers = new CallerTags();
  readonly #ends = new EndViews();
  readonly #onCall: ((info: HostFsCallInfo) => void) | undefined;
  /** Calls answered, by method. */
  readonly counts: Record<string, number> = {};

  constructor(options: HostFsServerOptions = {}) {
    this.#onCall = options.onCall;
  }

  /**
   * Serve `backend`'s directory `root` as mount `id` (the id given to the SDK's
   * `storageHost`/`mountHost`). Returns a disposer that closes the mount's open files.
   */
  mount(id: number, backend: HostFsBackend, root = '/'): () => void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffff_ffff) throw new RangeError(`bad mount id ${id}`);
    if (this.#mounts.has(id)) throw new Error(`mount id ${id} is in use`);
    this.#mounts.set(id, { backend, root: normalizeRoot(root) });
    // Changes made beside this server (the kernel's file API, a restore) must reach worker caches.
    const unwatch = backend.onChange?.(() => this.invalidate());
    return () => {
      unwatch?.();
      this.#closeFiles(id);
      this.#mounts.delete(id);
    };
  }

  /** Number of files the guests hold open. */
  get openFiles(): number {
    return this.#open.size;
  }

  /** Answer one request posted by an SDK worker; always wakes the worker. */
  handle(request: HostFsRequest): void {
    const method = request.method;
    if (method === 'read' && request.binary === true && !this.#onCall && this.#readInto(request)) return;
    // Only these need to know who asks: the size an open's offsets count from, whose write it is.
    const caller = WHO_ASKS.has(method) ? this.#callers.of(request.response) : undefined;
    writeReply(request, this.#forGuest(method, this.reply(request.mount, method, request.args, caller)));
  }

  /**
   * A guest's call (from an SDK worker) whose error the SDK would turn into the wrong errno goes
   * out as EIO instead, and the real code is kept for compat's "why?" (meta op `e`): compat's
   * path_open and mkdir wraps ask after EIO. Only here: the SDK's own calls on the kernel thread
   * (install.ts) may rely on its AlreadyExists.
   */
  #forGuest(method: string, reply: HostFsReply): HostFsReply {
    if (!('error' in reply) || MISMAPPED[method]?.has(reply.error.code) !== true) return reply;
    this.#lastError = { code: reply.error.code, at: Date.now() };
    return { error: { code: 'EIO', message: reply.error.message } };
  }

  /** The hot path of guest reads: file bytes straight into the reply buffer. False: not possible. */
  #readInto(request: HostFsRequest): boolean {
    const [handle, offset, length] = request.args;
    const entry = typeof handle === 'number' ? this.#open.get(handle) : undefined;
    const file = entry?.file;
    if (!file?.readInto || typeof offset !== 'number' || typeof length !== 'number') return false;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) return false;
    try {
      writeBinaryReply(request, Math.min(length, MAX_READ), (target) => file.readInto!(offset, target));
    } catch {
      return false; // nothing was published: the generic path answers with the error
    }
    this.counts.read = (this.counts.read ?? 0) + 1;
    return true;
  }

  /**
   * Run one call and wrap the outcome as the SDK expects it. Never throws. `caller`: the SDK
   * worker that asked (handle() knows it; calls made on the kernel thread have none).
   */
  reply(mount: number, method: string, args: readonly unknown[], caller?: number): HostFsReply {
    const started = this.#onCall ? performance.now() : 0;
    let reply: HostFsReply;
    try {
      reply = { value: this.call(mount, method, args, caller) };
    } catch (e) {
      const raw = codeOf(e) ?? 'EIO';
      if (!SDK_CODES.has(raw)) this.#lastError = { code: raw, at: Date.now() };
      reply = { error: toWireError(e) };
    }
    this.counts[method] = (this.counts[method] ?? 0) + 1;
    this.#onCall?.({ mount, method, args, reply, caller, micros: (performance.now() - started) * 1000 });
    return reply;
  }

  /**
   * Tell worker-side metadata caches (worker-cache.ts) that the tree changed. Calls through this
   * server do it themselves; call it whenever the backend changes by another way (the kernel's
   * own file API, a restore), before the next guest call can observe the change.
   */
  invalidate(): void {
    this.#generation = (this.#generation + 1) | 0;
    for (const g of this.#generations) Atomics.store(g, 0, this.#generation);
  }

  /** Run one call; throws HostFsError (or the backend's coded error). */
  call(mount: number, method: string, args: readonly unknown[], caller?: number): unknown {
    if (mount === CONTROL_MOUNT) return this.#control(method, args);
    // open changes metadata only when it may create or truncate (WASIX opens for write even to read).
    if (!MUTATING.has(method) || (method === 'open' && !args.slice(3, 6).some(Boolean))) {
      return this.#dispatch(mount, method, args, caller);
    }
    // Bump before the reply wakes the caller, so any later call anywhere sees the change.
    try {
      return this.#dispatch(mount, method, args, caller);
    } finally {
      this.invalidate();
    }
  }

  #control(method: string, args: readonly unknown[]): unknown {
    // Worker caches keep data only for mounts this server answers (and so invalidates): other
    // handlers (the host-call mounts) change their files without telling us.
    if (method === 'servesMount') return this.#mounts.has(args[0] as number);
    if (method !== 'registerGeneration' || !(args[0] instanceof SharedArrayBuffer)) {
      throw new HostFsError('ENOTSUP', `unknown control call ${method}`);
    }
    const counter = new Int32Array(args[0], 0, 1);
    Atomics.store(counter, 0, this.#generation);
    this.#generations.push(counter);
    if (this.#generations.length > MAX_GENERATIONS) this.#generations.shift();
    return this.#generation;
  }

  #dispatch(mount: number, method: string, args: readonly unknown[], caller: number | undefined): unknown {
    const m = this.#mounts.get(mount);
    if (!m) throw new HostFsError('ENOENT', `no host filesystem mount ${mount}`);
    const b = m.backend;
    const path = (i: number): string => resolve(m.root, args[i]);
    switch (method) {
      case 'stat': {
        const p = path(0);
        const meta = parseMetaName(p);
        if (meta === 'dir') {
          if (!isMetaBackend(b)) throw new HostFsError('ENOENT', 'no metadata on this mount');
          return { kind: 'directory', size: 0 };
        }
        if (meta) return { kind: 'file', size: this.#meta(b, meta, p) };
        let s: HostFsStat;
        try {
          s = b.stat(p);
        } catch (e) {
          // Not there: a creating open's offsets count from 0.
          if (codeOf(e) === 'ENOENT') this.#ends.told(fileKey(mount, p), caller, 0);
          throw e;
        }
        // The size WASIX keeps for the file (and writes O_APPEND descriptors at): see end-views.ts.
        if (s.kind === 'file') this.#ends.told(fileKey(mount, p), caller, s.size);
        return { kind: s.kind, size: s.size };
      }
      case 'readDir':
        return b.readdir(path(0)).map((e) => ({ name: e.name, kind: e.kind, size: e.size }));
      case 'readDirPage':
        return this.#readDirPage(b, path(0), args[1], args[2]);
      case 'open': {
        const [, read, write, create, createNew, truncate, append] = args.map(Boolean);
        // The SDK sets createNew whenever its own stat found nothing, O_EXCL or not; for an
        // append that makes two `>> log` racing to create the file fail with EPERM.
        const exclusive = createNew && !append;
        const meta = parseMetaName(path(0));
        if (meta === 'dir') throw new HostFsError('EISDIR', 'the meta directory');
        if (meta) return this.#openMeta(b, meta, mount);
        const p = path(0);
        const file = b.open(p, { read, write, create, exclusive, truncate, append });
        const handle = this.#allocHandle();
        const key = fileKey(mount, p);
        this.#open.set(handle, { mount, file, key, always: write && append });
        this.#ends.opened(key, caller, file.size(), write);
        return handle;
      }
      case 'read': {
        const file = this.#file(args[0]);
        const length = Math.min(uint(args[2]), MAX_READ);
        return file.read(uint(args[1]), length);
      }
      case 'write': {
        const entry = this.#entry(args[0]);
        const offset = uint(args[1]);
        const data = bytes(args[2]);
        if (entry.key === null) return entry.file.write(offset, data);
        if (entry.always) {
          const n = entry.file.write(entry.file.size(), data);
          this.#ends.wrote(entry.key, caller, offset, offset + n); // siblings may write there next
          return n;
        }
        // `>> existing` arrives without O_APPEND: an append is told by its offset (end-views.ts).
        if (!this.#ends.isAppend(entry.key, caller, offset)) {
          this.#ends.seeked(entry.key, caller);
          return entry.file.write(offset, data);
        }
        const n = entry.file.write(entry.file.size(), data);
        this.#ends.wrote(entry.key, caller, offset, offset + n); // where that descriptor writes next
        return n;
      }
      case 'setLen':
        this.#file(args[0]).truncate(uint(args[1]));
        return null;
      case 'flush':
        this.#file(args[0]);
        return null;
      case 'close': {
        // Sent on close and again when WASIX drops the descriptor: idempotent.
        const handle = typeof args[0] === 'number' ? args[0] : -1;
        const entry = this.#open.get(handle);
        if (!entry) return null;
        this.#open.delete(handle);
        if (entry.key !== null) this.#ends.closed(entry.key);
        entry.file.close();
        return null;
      }
      case 'mkdir':
        b.mkdir(path(0));
        return null;
      case 'remove': {
        const p = path(0);
        try {
          b.unlink(p);
        } catch (e) {
          const code = codeOf(e);
          if (code !== 'EISDIR' && code !== 'EPERM') throw e;
          b.rmdir(p);
        }
        return null;
      }
      case 'rename':
        b.rename(path(0), path(1));
        return null;
      case 'sync':
        b.sync?.();
        return null;
      default:
        throw new HostFsError('ENOTSUP', `unknown host filesystem method ${method}`);
    }
  }

  /**
   * A meta name (meta.ts): the packed answer for `size`. ENOENT when the backend keeps no
   * metadata, so the guest falls back to the runtime's own call.
   */
  #meta(b: HostFsBackend, m: MetaName, key: string): number {
    if (!isMetaBackend(b)) throw new HostFsError('ENOENT', 'no metadata on this mount');
    if (m.op === 'r') return new TextEncoder().encode(b.readlink(m.path)).length;
    if (m.op === 'e') {
      const last = this.#lastError;
      this.#lastError = null;
      return last && Date.now() - last.at < LAST_ERROR_MS ? packError(last.code) : PACKED_DONE;
    }
    const done = this.#metaDone.get(key);
    if (done !== undefined) return done;
    let answer: number;
    try {
      switch (m.op) {
        case 'l':
        case 's':
          return packMeta(b.meta(m.path, m.op === 's'));
        case 'm':
          b.chmod(m.path, parseInt(m.args[0] ?? '', 8));
          break;
        case 't':
          b.utimes(m.path, timeArg(m.args[0]), timeArg(m.args[1]));
          break;
        case 'L':
          b.symlink(unescapeArg(m.args[0] ?? ''), m.path);
          break;
        case 'u':
          // Only a symlink: the runtime removes everything else itself (it cannot see a dangling link).
          if (b.meta(m.path, false).type !== 'symlink') throw new HostFsError('ENOENT', m.path);
          b.unlink(m.path);
          break;
        default:
          throw new HostFsError('ENOENT', `unknown meta op ${m.op}`);
      }
      answer = PACKED_DONE;
    } catch (e) {
      if (m.op === 'l' || m.op === 's') return packError(codeOf(e));
      answer = packError(codeOf(e));
    }
    this.#metaDone.set(key, answer);
    if (this.#metaDone.size > MAX_META_DONE) this.#metaDone.delete(this.#metaDone.keys().next().value!);
    return answer;
  }

  /** `open` of a meta name: only readlink's (op `r`), a read-only file holding the target. */
  #openMeta(b: HostFsBackend, m: MetaName, mount: number): number {
    if (!isMetaBackend(b) || m.op !== 'r') throw new HostFsError('ENOENT', 'not a readable meta name');
    const bytes = new TextEncoder().encode(b.readlink(m.path));
    const handle = this.#allocHandle();
    this.#open.set(handle, { mount, file: bytesFile(bytes), key: null, always: false });
    return handle;
  }

  /**
   * One page of a listing: `[path, 0, 0]` starts one (the whole listing is taken now), then
   * `[path, token, next]` until `next` is null. worker-readdir.ts is the caller.
   */
  #readDirPage(b: HostFsBackend, path: string, token: unknown, start: unknown): unknown {
    let listing: Listing | undefined;
    if (start === 0) {
      listing = {
        token: this.#nextToken++,
        entries: b.readdir(path).map((e) => ({ name: e.name, kind: e.kind, size: e.size })),
      };
    } else {
      const i = this.#listings.findIndex((l) => l.token === token);
      if (i < 0) throw new HostFsError('EINVAL', `no listing ${String(token)} in progress`);
      listing = this.#listings.splice(i, 1)[0]!;
    }
    const from = uint(start);
    let end = from;
    let bytes = 0;
    while (end < listing.entries.length) {
      const e = listing.entries[end]!;
      bytes += ENTRY_OVERHEAD + 3 * JSON.stringify(e.name).length;
      if (bytes > PAGE_BUDGET && end > from) break;
      end++;
    }
    const next = end < listing.entries.length ? end : null;
    if (next !== null) {
      this.#listings.push(listing);
      if (this.#listings.length > MAX_LISTINGS) this.#listings.shift();
    }
    return { token: listing.token, entries: listing.entries.slice(from, end), next };
  }

  /** Close every open file (all mounts, or one). */
  closeAll(mount?: number): void {
    if (mount === undefined) for (const id of this.#mounts.keys()) this.#closeFiles(id);
    else this.#closeFiles(mount);
  }

  #closeFiles(mount: number): void {
    for (const [handle, entry] of this.#open) {
      if (entry.mount !== mount) continue;
      this.#open.delete(handle);
      if (entry.key !== null) this.#ends.closed(entry.key);
      try {
        entry.file.close();
      } catch {
        // Teardown: nothing useful to report to a guest that is gone.
      }
    }
  }

  #entry(handle: unknown): OpenEntry {
    const entry = typeof handle === 'number' ? this.#open.get(handle) : undefined;
    if (!entry) throw new HostFsError('EBADF', `bad host file handle ${String(handle)}`);
    return entry;
  }

  #file(handle: unknown): HostFsFile {
    return this.#entry(handle).file;
  }

  #allocHandle(): number {
    // u32 handles; skip any still open after wrapping around.
    for (;;) {
      const h = this.#nextHandle;
      this.#nextHandle = h >= 0xffff_fffe ? 1 : h + 1;
      if (!this.#open.has(h)) return h;
    }
  }
}

/** A file's key in EndViews: the SDK's view of it is per mount and path. */
function fileKey(mount: number, path: string): string {
  return `${mount}\0${path}`;
}

/** A read-only in-memory file (readlink's answer). */
function bytesFile(data: Uint8Array): HostFsFile {
  return {
    read: (offset, length) => data.slice(offset, offset + length),
    write: () => {
      throw new HostFsError('EBADF', 'read-only');
    },
    truncate: () => {
      throw new HostFsError('EBADF', 'read-only');
    },
    size: () => data.length,
    close: () => undefined,
  };
}

function normalizeRoot(root: string): string {
  if (!root.startsWith('/')) throw new Error(`mount root must be absolute: ${root}`);
  const parts = root.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new Error(`mount root must be normalised: ${root}`);
  return '/' + parts.join('/');
}

/** Join a mount-relative path from the SDK onto the mount's root; refuses to leave it. */
function resolve(root: string, rel: unknown): string {
  if (typeof rel !== 'string') throw new HostFsError('EINVAL', 'path must be a string');
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new HostFsError('EINVAL', `path escapes its mount: ${rel}`);
  if (parts.length === 0) return root;
  return (root === '/' ? '' : root) + '/' + parts.join('/');
}

function uint(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new HostFsError('EINVAL', `bad number ${String(v)}`);
  return v;
}

function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw new HostFsError('EINVAL', 'write data must be bytes');
}

function codeOf(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Codes the SDK's bridge does not know become EIO for the guest; say the nearest one it knows. */
const WIRE_CODE: Readonly<Record<string, string>> = { EROFS: 'EACCES' };

function toWireError(e: unknown): { code: string; message: string } {
  const raw = codeOf(e) ?? 'EIO';
  const code = WIRE_CODE[raw] ?? raw;
  const message = e instanceof Error ? e.message : String(e);
  return { code, message };
}
