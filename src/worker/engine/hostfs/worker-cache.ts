// Optional: a metadata cache inside each SDK worker. Path lookups make the SDK `stat` every
// ancestor 2–3 times per syscall, one ~150–250 µs round trip each; this answers repeats locally.
// Coherence: the server's generation counter (worker-served.ts); a worker drops its cache when
// the counter moved. It runs inside SDK workers, so it reaches them as source text: keep the
// function self-contained (it gets the shared prelude as an argument there).
import { installWorkerReadAhead } from './worker-readahead';
import { installWorkerPagedReadDir } from './worker-readdir';
import { servedMounts, type ServedMounts } from './worker-served';

/**
 * Wrap this worker's `__wasmerHostFileSystem` (installed by the SDK's bridge) with a `stat` /
 * `readDir` cache. Registers lazily on the first lookup, when the worker is already inside a
 * blocking file call (never at worker start, when the kernel may be waiting on the worker).
 */
export function installWorkerStatCache(scope: object, server: ServedMounts = servedMounts(scope)): void {
  type Call = (mount: number, method: string, args: unknown[]) => unknown;
  const g = scope as { __wasmerHostFileSystem?: Call };
  const original = g.__wasmerHostFileSystem;
  if (typeof original !== 'function') return;
  let seen = 0;
  // Bounded: a guest that stats ever new names (a big tree) without changing anything would
  // otherwise add a key per name until the generation moved.
  const MAX_ENTRIES = 4096;
  const cache = new Map<string, { value?: unknown; error?: unknown }>();
  g.__wasmerHostFileSystem = (mount, method, args) => {
    if (method !== 'stat' && method !== 'readDir') return original(mount, method, args);
    if (!server.served(mount)) return original(mount, method, args);
    const generation = server.generation();
    if (generation === null) return original(mount, method, args); // a server without generations
    const now = Atomics.load(generation, 0);
    if (now !== seen || cache.size >= MAX_ENTRIES) {
      cache.clear();
      seen = now;
    }
    // compat's meta lookups (`.~sandpit~/l<nonce>~…`, `s<nonce>`) carry a nonce so that WASIX
    // never answers one from a name it looked up before; this cache is coherent (the generation),
    // so it keys them without the nonce and still answers a stat loop without a round trip.
    const path = String(args[0]);
    const at = path.indexOf('.~sandpit~/');
    const op = at + 11; // after the meta directory's name and its slash
    let name = path;
    if (at >= 0 && (at === 0 || path[at - 1] === '/') && (path[op] === 'l' || path[op] === 's')) {
      const tilde = path.indexOf('~', op + 1);
      if (tilde > 0) name = path.slice(0, op + 1) + path.slice(tilde);
    }
    const key = `${method}\0${mount}\0${name}`;
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
  const readAhead = o.readAhead ?? true;
  const statCache = o.statCache ?? true;
  // One served-mount probe and one generation counter for both layers (worker-served.ts).
  if (readAhead || statCache) lines.push(`const served = (${servedMounts.toString()})(globalThis);`);
  if (readAhead) lines.push(`(${installWorkerReadAhead.toString()})(globalThis, served);`);
  if (statCache) lines.push(`(${installWorkerStatCache.toString()})(globalThis, served);`);
  return lines.join('\n') + '\n';
}
