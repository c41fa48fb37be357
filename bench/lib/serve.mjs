// The bench's static server: bench pages, peers from node_modules and the built app, all
// cross-origin isolated (COOP/COEP) and cacheable, so that nothing leaves the machine.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { extname, join, normalize } from 'node:path';
import { chromiumArgs } from '../../bin/chromium-args.mjs';
import { CONTENT_TYPES, ISOLATION_HEADERS } from '../../src/node/http-headers.mjs';

/** Chromium's flags: the Node driver's (bin/chromium-args.mjs), plus precise memory figures. */
export const CHROMIUM_ARGS = [
  ...(await chromiumArgs()),
  '--enable-precise-memory-info',
  '--enable-blink-features=ForceEagerMeasureMemory',
];

export const chromiumPath = () => process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';

/** Binaries in dist/wasm whose sha256 differs from manifest.json (a tree in the middle of a change). */
export function manifestMismatches(distDir) {
  const dir = join(distDir, 'wasm');
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const bad = [];
  for (const b of m.binaries) {
    const h = createHash('sha256')
      .update(readFileSync(join(dir, b.file)))
      .digest('hex');
    if (h !== b.sha256) bad.push(b.file);
    b.sha256 = h;
  }
  return { bad, rehashed: JSON.stringify(m) };
}

const MIME = { ...CONTENT_TYPES, '.zip': 'application/zip' };

/** URL prefix → directory. Everything is cross-origin isolated and cacheable (cached rows). */
const mounts = (root, distDir) => [
  ['/bench/pages/', join(root, 'bench', 'pages')],
  ['/peers/lifo/', join(root, 'node_modules', '@lifo-sh', 'core', 'dist')],
  ['/peers/pyodide/', join(root, 'node_modules', 'pyodide')],
  ['/peers/wasi-shim/', join(root, 'node_modules', '@bjorn3', 'browser_wasi_shim', 'dist')],
  ['/', distDir],
];

function benchPage(distDir, target) {
  let head = '';
  if (target === 'sandpit') {
    // The built app's own bundle (which sets globalThis.sandpit), without the playground's
    // markup: the UI then fails to start at its first missing element and starts no sandbox.
    const html = readFileSync(join(distDir, 'index.html'), 'utf8');
    head = (
      html.match(/<script type="module"[^>]*><\/script>|<link rel="(stylesheet|modulepreload)"[^>]*>/g) ?? []
    ).join('\n');
  }
  return `<!doctype html><html><head><meta charset="utf-8"><title>bench ${target}</title>${head}
<script type="module" src="/bench/pages/page.mjs"></script></head><body><p id="status"></p></body></html>`;
}

/**
 * Serves the bench pages, the peers from node_modules and the built app (`distDir`) on
 * 127.0.0.1:`port` (0: any free port). `rehash`: serve a manifest whose sha256 values are those
 * of the binaries in `distDir/wasm` (for a tree in the middle of a binary change).
 */
export function startServer({ root, distDir, port = 0, rehash = false, extraHeaders = {} }) {
  const MOUNTS = mounts(root, distDir);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const headers = { ...ISOLATION_HEADERS, ...extraHeaders };
    if (rehash && url.pathname === '/wasm/manifest.json') {
      res.writeHead(200, { ...headers, 'Content-Type': MIME['.json'], 'Cache-Control': 'no-store' });
      return void res.end(manifestMismatches(distDir).rehashed);
    }
    if (url.pathname === '/bench/page.html') {
      res.writeHead(200, { ...headers, 'Content-Type': MIME['.html'], 'Cache-Control': 'no-store' });
      return void res.end(benchPage(distDir, url.searchParams.get('target')));
    }
    const [prefix, dir] = MOUNTS.find(([p]) => url.pathname.startsWith(p));
    const file = normalize(join(dir, decodeURIComponent(url.pathname.slice(prefix.length))));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      return void res.writeHead(404, headers).end('not found');
    }
    const st = statSync(file);
    const etag = `"${st.size}-${Math.floor(st.mtimeMs)}"`;
    Object.assign(headers, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'max-age=3600',
      ETag: etag,
    });
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, headers).end();
    res.writeHead(200, { ...headers, 'Content-Length': st.size });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}
