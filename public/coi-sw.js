// sandpit's cross-origin-isolation service worker, for static hosts that cannot send
// headers. It re-serves same-origin responses with COOP/COEP/CORP added, which makes the
// page crossOriginIsolated (SharedArrayBuffer, WebAssembly threads) after one reload.
// Registered by src/ui/isolation.ts only when the page is not isolated already.
const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (new URL(req.url).origin !== self.location.origin) return;
  // A cache-only request from another mode throws in fetch(); let the browser handle it.
  if (req.cache === 'only-if-cached' && req.mode !== 'same-origin') return;
  event.respondWith(
    fetch(req).then((res) => {
      // Opaque and error responses cannot be rewritten.
      if (res.status === 0 || res.type === 'opaqueredirect') return res;
      const headers = new Headers(res.headers);
      for (const [k, v] of Object.entries(HEADERS)) headers.set(k, v);
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
    }),
  );
});
