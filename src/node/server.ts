// Serves the built app (dist/) on a localhost port with the cross-origin isolation headers
// the SDK's threads need. One server per process, shared by every browser the driver uses.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './errors.js';
import { CONTENT_TYPES, contentType, ISOLATION_HEADERS } from './http-headers.mjs';

export { ISOLATION_HEADERS };

/** The package root: the nearest folder above this file whose package.json is sandpit's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && /"name":\s*"sandpit"/.test(readText(pj))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new SandboxError('NOT_FOUND', 'cannot find the sandpit package root');
    dir = up;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The dist/ folder to serve: `dir`, else $SANDPIT_DIST, else <package>/dist. */
export function resolveDist(dir?: string): string {
  const d = resolve(dir ?? process.env.SANDPIT_DIST ?? join(packageRoot(), 'dist'));
  if (!existsSync(join(d, 'index.html'))) {
    throw new SandboxError(
      'NOT_FOUND',
      `no built app in ${d} (index.html missing). Run \`npm run build\` in the sandpit folder, ` +
        'or pass { browser: { distDir } } / set SANDPIT_DIST to a built dist/ folder.',
    );
  }
  return d;
}

/** Where the driver's pages live on the served app. */
export const DRIVER_PAGE = '__sandpit/driver.html';

/**
 * The page the driver loads for each sandbox: the built app's module scripts (which set
 * globalThis.sandpit) in an otherwise empty document, so the playground UI (which needs its
 * DOM) does not start a sandbox and terminal of its own in every driver page.
 */
export function driverPage(root: string): string {
  const html = readText(join(root, 'index.html'));
  const head = /<head[^>]*>([\s\S]*?)<\/head>/i.exec(html)?.[1] ?? html;
  const tags = [
    ...head.matchAll(
      /<script\b[^>]*type=["']module["'][^>]*>[\s\S]*?<\/script>|<link\b[^>]*rel=["']modulepreload["'][^>]*>/gi,
    ),
    ...(/<body[^>]*>([\s\S]*?)<\/body>/i.exec(html)?.[1] ?? '').matchAll(
      /<script\b[^>]*type=["']module["'][^>]*>[\s\S]*?<\/script>/gi,
    ),
  ].map((m) => m[0]);
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>sandpit driver</title><base href="/">\n<script>globalThis.__sandpitDriverPage = true;</script>\n${tags.join('\n')}\n</head><body></body></html>\n`;
}

export interface StaticServer {
  url: string;
  root: string;
  close(): Promise<void>;
}

/** Serves `root` on 127.0.0.1 (port 0: a free one) with the isolation headers. */
export function serveDist(root: string, port = 0, host = '127.0.0.1'): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    let url: string;
    try {
      url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    } catch {
      return void res.writeHead(400).end();
    }
    if (url === `/${DRIVER_PAGE}`) {
      const body = driverPage(root);
      res.writeHead(200, {
        'Content-Type': CONTENT_TYPES['.html']!,
        'Cache-Control': 'no-cache',
        ...ISOLATION_HEADERS,
      });
      return void res.end(body);
    }
    let file = normalize(join(root, url));
    if (file !== root && !file.startsWith(root + '/')) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
    const st = statSync(file);
    // Revalidated on every load (no-cache) but answered 304 when unchanged, so many pages in
    // one browser share its HTTP cache for the multi-megabyte binaries.
    const etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
    const headers = {
      'Content-Type': contentType(file),
      'Cache-Control': 'no-cache',
      ETag: etag,
      ...ISOLATION_HEADERS,
    };
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, headers).end();
    res.writeHead(200, { ...headers, 'Content-Length': st.size });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  server.keepAliveTimeout = 1000;
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      const { port: p } = server.address() as AddressInfo;
      ok({
        url: `http://${host}:${p}/`,
        root,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
