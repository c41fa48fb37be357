// Inside each SDK worker: directory listings of any size. The SDK's reply buffer is 512 KiB, so a
// `readDir` of more than ~12,000 entries failed with EIO. This asks the server for the listing
// in pages (`readDirPage`, server.ts) and hands the SDK the whole array. Runs inside SDK workers
// as source text: keep it self-contained.

/** Wrap this worker's `__wasmerHostFileSystem` so that `readDir` is fetched page by page. */
export function installWorkerPagedReadDir(scope: object): void {
  type Call = (mount: number, method: string, args: unknown[]) => unknown;
  interface Page {
    token: number;
    entries: unknown[];
    next: number | null;
  }
  const g = scope as { __wasmerHostFileSystem?: Call };
  const original = g.__wasmerHostFileSystem;
  if (typeof original !== 'function') return;
  let paged = true;
  g.__wasmerHostFileSystem = (mount, method, args) => {
    if (method !== 'readDir' || !paged) return original(mount, method, args);
    let page: Page;
    try {
      page = original(mount, 'readDirPage', [args[0], 0, 0]) as Page;
    } catch (e) {
      if ((e as { code?: unknown } | null)?.code !== 'ENOTSUP') throw e;
      paged = false; // an older server
      return original(mount, method, args);
    }
    if (page.next === null) return page.entries;
    const all = page.entries.slice();
    while (page.next !== null) {
      page = original(mount, 'readDirPage', [args[0], page.token, page.next]) as Page;
      for (const e of page.entries) all.push(e);
    }
    return all;
  };
}
