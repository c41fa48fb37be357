// sandpit's cross-origin-isolation service worker, for static hosts that cannot send
// headers. It re-serves same-origin responses with COOP/COEP/CORP added, which makes the
// page crossOriginIsolated (SharedArrayBuffer, WebAssembly threads) after one reload.
// Registered by src/ui/isolation.ts only when the page is not isolated already.
//
// It also keeps the binaries listed in wasm/manifest.json in a Cache, keyed by their
// sha256, so a second load does not download them again even where the host sends no
// cache validators. The page fetches the manifest (always from the network) before the
// binaries; a binary whose sha256 is not known from that manifest is fetched as usual.
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const CACHE = 'sandpit-binaries-v1';
/** Absolute URL of a binary → its sha256, from the last manifest.json fetched through us. */
const known = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function isolated(res) {
  // Opaque and error responses cannot be rewritten.
  if (res.status === 0 || res.type === 'opaqueredirect') return res;
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(HEADERS)) headers.set(k, v);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

async function manifest(req) {
  const res = await fetch(req, { cache: 'no-cache' });
  if (res.ok) {
    try {
      const m = await res.clone().json();
      for (const b of m.binaries ?? []) {
        if (typeof b.file === 'string' && typeof b.sha256 === 'string') known.set(new URL(b.file, req.url).href, b.sha256);
      }
    } catch {
      // Not our manifest format: nothing to cache by hash.
    }
  }
  return res;
}

async function binary(req, sha) {
  const cache = await caches.open(CACHE);
  const key = `${req.url}?sha256=${sha}`;
  const hit = await cache.match(key);
  if (hit) {
    // Marked, so devtools (and e2e) can tell a cached binary from a downloaded one.
    const headers = new Headers(hit.headers);
    headers.set('X-Sandpit-Cache', 'hit');
    return new Response(hit.body, { status: hit.status, statusText: hit.statusText, headers });
  }
  const res = await fetch(req);
  if (res.ok) {
    // Older versions of this file are dropped; the page checks the sha256 of what it gets.
    for (const old of await cache.keys()) {
      if (old.url.startsWith(`${req.url}?sha256=`) && old.url !== key) await cache.delete(old);
    }
    await cache.put(key, res.clone());
  }
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  // A cache-only request from another mode throws in fetch(); let the browser handle it.
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  const sha = req.method === 'GET' ? known.get(url.href) : undefined;
  const pending =
    req.method === 'GET' && url.pathname.endsWith('/wasm/manifest.json')
      ? manifest(req)
      : sha
        ? binary(req, sha).catch(() => fetch(req))
        : fetch(req);
  event.respondWith(pending.then(isolated));
});
