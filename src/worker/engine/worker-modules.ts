// Every SDK worker imports the SDK's JavaScript (pkg/wasmer_sdk_js.js, ~120 KB, and its snippets:
// a 233 KB parser) when it starts, each file over HTTP, one after the other. While a fork bomb
// makes the pool grow, dozens of workers start at once and those requests queue behind a busy
// machine: measured 0.8-1.1 s from a new worker's init message to its SDK being loaded, and a
// killed bomb's children queued on such workers end only after that (docs/processes.md). So
// the kernel copies the module graph once into blob: URLs (same text, relative imports pointed
// at the copies) and new workers import those: no request leaves the page.

/** Relative module specifiers in static imports and re-exports (`import "./x.js"`, `from './x.js'`). */
const RELATIVE = /(\bimport\s*|\bfrom\s*)(["'])(\.\.?\/[^"'\s]+)\2/g;

/**
 * A blob: URL serving the module at `url` and, through blob: URLs too, every module it imports
 * by a relative specifier (recursively). Rejects if any of them cannot be fetched.
 */
export async function blobModule(url: string, made = new Map<string, Promise<string>>()): Promise<string> {
  const known = made.get(url);
  if (known) return known;
  const job = (async () => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const text = await res.text();
    const deps = new Map<string, string>();
    for (const m of text.matchAll(RELATIVE)) {
      const spec = m[3]!;
      if (!deps.has(spec)) deps.set(spec, await blobModule(new URL(spec, url).href, made));
    }
    const out = text.replace(RELATIVE, (all, kw: string, q: string, spec: string) =>
      deps.has(spec) ? `${kw}${q}${deps.get(spec)}${q}` : all,
    );
    return URL.createObjectURL(new Blob([out], { type: 'text/javascript' }));
  })();
  made.set(url, job);
  return job;
}

/** The SDK's own URL (as its init message names it) → the blob: copy, once made. */
const copies = new Map<string, string | null>();

/**
 * The URL a new worker should import the SDK from: the blob: copy of `sdkUrl` once it exists,
 * `sdkUrl` itself until then (the copy is started on first use) or if copying failed.
 */
export function sdkImportUrl(sdkUrl: string): string {
  const copy = copies.get(sdkUrl);
  if (copy) return copy;
  if (copy === undefined) {
    copies.set(sdkUrl, null);
    blobModule(sdkUrl).then(
      (blob) => copies.set(sdkUrl, blob),
      () => undefined, // stays null: workers keep importing over HTTP, as the SDK does
    );
  }
  return sdkUrl;
}
