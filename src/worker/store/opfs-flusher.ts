// Flushes OPFS files from a second thread. A flush is an fsync: the worker that calls it waits,
// idle, while the disk writes every byte (about 200 ms for a 100 MB commit here). Flushing each
// pack elsewhere as soon as it is written lets the disk write it while the kernel worker hashes
// and copies the next one; the commit then waits only for what is left before its root record.
// The thread is a tiny classic worker made from this source (no module to bundle), started on
// first use and kept for the kernel's lifetime. Where none can be started, callers flush inline.

/** The flusher thread's whole program (exported for tests, which run it on a fake OPFS). */
export const FLUSHER_SOURCE = `onmessage = async (e) => {
  const { id, path, name } = e.data;
  try {
    // Looked up from the root each time: a handle kept from an earlier flush could name a
    // directory removed since (a sandbox deleted and made again), and flush a file that is gone.
    let dir = await navigator.storage.getDirectory();
    for (const p of path) dir = await dir.getDirectoryHandle(p);
    const h = await (await dir.getFileHandle(name)).createSyncAccessHandle();
    try { h.flush(); } finally { h.close(); }
    postMessage({ id });
  } catch (err) {
    postMessage({ id, error: { name: String(err && err.name), message: String(err && err.message) } });
  }
};`;

interface Call {
  resolve: () => void;
  reject: (e: unknown) => void;
}

let worker: Worker | null | undefined;
let nextId = 0;
const calls = new Map<number, Call>();

function failAll(why: string): void {
  for (const c of calls.values()) c.reject(new DOMException(why, 'UnknownError'));
  calls.clear();
}

function flusher(): Worker | null {
  if (worker !== undefined) return worker;
  try {
    const url = URL.createObjectURL(new Blob([FLUSHER_SOURCE], { type: 'text/javascript' }));
    const w = new Worker(url, { name: 'sandpit-opfs-flusher' });
    URL.revokeObjectURL(url);
    w.onmessage = (e: MessageEvent<{ id: number; error?: { name: string; message: string } }>) => {
      const c = calls.get(e.data.id);
      if (!c) return;
      calls.delete(e.data.id);
      if (e.data.error) c.reject(new DOMException(e.data.error.message, e.data.error.name));
      else c.resolve();
    };
    w.onerror = (e) => {
      // The thread is unusable (it failed to start, or threw outside a call): flush inline from now on.
      e.preventDefault();
      worker = null;
      w.terminate();
      failAll('the OPFS flusher thread failed');
    };
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/** True if a flusher thread runs (or can be started); if not, callers flush themselves. */
export function canFlushElsewhere(): boolean {
  return typeof Worker === 'function' && flusher() !== null;
}

/**
 * Flush the OPFS file `name` in directory `path` (from the origin's root) on the flusher thread
 * (canFlushElsewhere() first). The caller must have closed its own handle on the file (handles are
 * exclusive). Errors are DOMExceptions with the name the flush failed with (QuotaExceededError
 * stays recognisable).
 */
export function flushElsewhere(path: string[], name: string): Promise<void> {
  const w = flusher();
  if (!w) return Promise.reject(new DOMException('no OPFS flusher thread', 'UnknownError'));
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    calls.set(id, { resolve, reject });
    w.postMessage({ id, path, name });
  });
}
