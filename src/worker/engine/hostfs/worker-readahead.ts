// Optional: read-ahead inside each SDK worker. The SDK turns every guest read() into one RPC of
// the guest's buffer size (busybox cat: 4 KiB), and each RPC is a ~150–500 µs worker hop, so a
// 100 MB cat is 25,600 hops. For a descriptor read sequentially, this asks the server for a
// growing window (up to 256 KiB) and answers the next reads from it locally.
// Coherence: the server's generation counter (worker-served.ts); a worker whose counter moved
// drops every window. Runs inside SDK workers as source text: keep it self-contained (it gets
// the shared prelude as an argument there; the default is for calls in this realm).
import { servedMounts, type ServedMounts } from './worker-served';

/** Wrap this worker's `__wasmerHostFileSystem` with per-descriptor read-ahead. */
export function installWorkerReadAhead(scope: object, server: ServedMounts = servedMounts(scope)): void {
  type Call = (mount: number, method: string, args: unknown[]) => unknown;
  const g = scope as { __wasmerHostFileSystem?: Call };
  const original = g.__wasmerHostFileSystem;
  if (typeof original !== 'function') return;
  const FIRST_WINDOW = 64 * 1024;
  const MAX_WINDOW = 256 * 1024;
  let seen = 0;
  interface Stream {
    /** Where the next sequential read starts. */
    next: number;
    window: number;
    start: number;
    data: Uint8Array | null;
  }
  const streams = new Map<string, Stream>();
  g.__wasmerHostFileSystem = (mount, method, args) => {
    if (method === 'close') streams.delete(`${mount}:${String(args[0])}`);
    if (method !== 'read' || !server.served(mount)) return original(mount, method, args);
    const counter = server.generation(); // null: a server without generations, keep no data
    const [handle, offset, length] = args as [number, number, number];
    if (!counter || typeof offset !== 'number' || typeof length !== 'number') {
      return original(mount, method, args);
    }
    const now = Atomics.load(counter, 0);
    if (now !== seen) {
      for (const s of streams.values()) s.data = null;
      seen = now;
    }
    const key = `${mount}:${String(handle)}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { next: -1, window: 0, start: 0, data: null }));
    const sequential = offset === s.next;
    s.next = offset + length;
    const d = s.data;
    if (d && offset >= s.start && offset + length <= s.start + d.length) {
      return d.subarray(offset - s.start, offset - s.start + length);
    }
    // Random access (sqlite pages, seeks): exactly what was asked, nothing kept.
    if (!sequential && offset !== 0) {
      s.data = null;
      s.window = 0;
      return original(mount, method, args);
    }
    s.window = Math.min(MAX_WINDOW, Math.max(FIRST_WINDOW, s.window * 2, length));
    const got = original(mount, method, [handle, offset, s.window]) as Uint8Array;
    // Keep it only if nothing changed while we asked: the answer may predate a write.
    if (Atomics.load(counter, 0) === now && got.length > length) {
      s.start = offset;
      s.data = got;
    } else s.data = null;
    return got.length > length ? got.subarray(0, length) : got;
  };
}
