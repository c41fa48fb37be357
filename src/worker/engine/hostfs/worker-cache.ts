// Optional: a metadata cache inside each SDK worker. Path lookups make the SDK `stat` every
// ancestor 2–3 times per syscall, one ~150–250 µs round trip each; this answers repeats locally.
// Coherence: the server bumps a shared generation counter before replying to any call that can
// change metadata (and on `server.invalidate()`); a worker drops its cache when the counter moved.
// It runs inside SDK workers, so it reaches them as source text: keep the function self-contained.
import { installWorkerReadAhead } from './worker-readahead';
import { installWorkerPagedReadDir } from './worker-readdir';

/**
 * Wrap this worker's `__wasmerHostFileSystem` (installed by the SDK's bridge) with a `stat` /
 * `readDir` cache. Registers lazily on the first lookup, when the worker is already inside a
 * blocking file call (never at worker start, when the kernel may be waiting on the worker).
 */
export function installWorkerStatCache(scope: object): void {
  type Call = (mount: number, method: string, args: unknown[]) => unknown;
  const g = scope as { __wasmerHostFileSystem?: Call };
  const original = g.__wasmerHostFileSystem;
  if (typeof original !== 'function') return;
  const CONTROL_MOUNT = 0xffff_ffff;
  // Only mounts our server answers: it invalidates them. Mount ids are never reused.
  const servedMounts = new Map<number, boolean>();
  const served = (mount: number): boolean => {
    let yes = servedMounts.get(mount);
    if (yes === undefined) {
      try {
        yes = original(CONTROL_MOUNT, 'servesMount', [mount]) === true;
      } catch {
        yes = false;
      }
      servedMounts.set(mount, yes);
    }
    return yes;
  };
  let generation: Int32Array | null | undefined; // undefined: not yet asked; null: unsupported
  let seen = 0;
  const cache = new Map<string, { value?: unknown; error?: unknown }>();
  g.__wasmerHostFileSystem = (mount, method, args) => {
    if (method !== 'stat' && method !== 'readDir') return original(mount, method, args);
    if (!served(mount)) return original(mount, method, args);
    if (generation === undefined) {
      try {
        const counter = new Int32Array(new SharedArrayBuffer(4));
        original(CONTROL_MOUNT, 'registerGeneration', [counter.buffer]);
        generation = counter;
        seen = Atomics.load(counter, 0);
      } catch {
        generation = null; // a server without generations: never cache
      }
    }
    if (generation === null) return original(mount, method, args);
    const now = Atomics.load(generation, 0);
    if (now !== seen) {
      cache.clear();
      seen = now;
    }
    const key = `${method}\0${mount}\0${String(args[0])}`;
    const hit = cache.get(key);
    if (hit) {
      if ('error' in hit) throw hit.error;
      return hit.value;
    }
    try {
      const value = original(mount, method, args);
      // Keep it only if nothing changed while we asked: the answer may predate the change.
      if (Atomics.load(generation, 0) === now) cache.set(key, { value });
      return value;
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'ENOENT' && Atomics.load(generation, 0) === now) cache.set(key, { error });
      throw error;
    }
  };
}

export interface WorkerEntryOptions {
  /** The SDK's own worker module: `dist/browser-worker.js` or `dist/node-worker.js` (absolute URL). */
  sdkWorkerUrl: string;
  /** Node only: `dist/host-filesystem.js`, whose bridge node-worker.js does not install. */
  bridgeUrl?: string;
  /** Cache stat/readDir in each worker. Default true. */
  statCache?: boolean;
  /** Read ahead on sequential reads (worker-readahead.ts). Default true. */
  readAhead?: boolean;
  /** Fetch listings page by page, so any size fits the reply buffer (worker-readdir.ts). Default true. */
  pagedReadDir?: boolean;
}

/**
 * Source of an SDK worker entry: the SDK's worker, unchanged, plus our additions. Serve it as a
 * blob: (browser) or data: (Node) URL and pass that to the SDK's `setWorkerUrl` after
 * `super.initializeCore()`.
 */
export function workerEntrySource(o: WorkerEntryOptions): string {
  const lines: string[] = [];
  if (o.bridgeUrl) lines.push(`import { installHostFileSystemWorkerBridge } from ${JSON.stringify(o.bridgeUrl)};`);
  lines.push(`import ${JSON.stringify(o.sdkWorkerUrl)};`);
  if (o.bridgeUrl) lines.push('installHostFileSystemWorkerBridge();');
  // Innermost first: the stat cache sees whole listings, paging sees the server.
  if (o.pagedReadDir ?? true) lines.push(`(${installWorkerPagedReadDir.toString()})(globalThis);`);
  if (o.readAhead ?? true) lines.push(`(${installWorkerReadAhead.toString()})(globalThis);`);
  if (o.statCache ?? true) lines.push(`(${installWorkerStatCache.toString()})(globalThis);`);
  return lines.join('\n') + '\n';
}
