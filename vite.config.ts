// Vite config: the playground (index.html), the kernel worker, and @wasmer/sdk served
// unbundled at /vendor/wasmer-sdk/ (bundling breaks its nested workers and wasm URLs).
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';
// Cross-origin isolation: SharedArrayBuffer (and so the SDK's threads) needs it.
import { contentType, ISOLATION_HEADERS } from './src/node/http-headers.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const sdkRoot = join(root, 'node_modules', '@wasmer', 'sdk');
const SDK_PREFIX = '/vendor/wasmer-sdk/';

function serveSdk(): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = req.url?.split('?')[0] ?? '';
    if (!url.startsWith(SDK_PREFIX)) return next();
    const rel = url.slice(SDK_PREFIX.length);
    const file = resolve(sdkRoot, rel);
    if (
      !file.startsWith(sdkRoot + '/') ||
      !/^(dist|pkg)\//.test(rel) ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      return next();
    }
    res.setHeader('Content-Type', contentType(file));
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
  };
}

function wasmerSdk(): Plugin {
  let outDir = 'dist';
  return {
    name: 'sandpit:wasmer-sdk',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveSdk());
    },
    configurePreviewServer(server) {
      server.middlewares.use(serveSdk());
    },
    closeBundle() {
      for (const sub of ['dist', 'pkg']) {
        cpSync(join(sdkRoot, sub), join(outDir, 'vendor', 'wasmer-sdk', sub), { recursive: true });
      }
    },
  };
}

export default defineConfig({
  // SANDPIT_BASE=/sub/ builds the playground for a sub-path of a static host.
  base: process.env.SANDPIT_BASE ?? '/',
  // A missing file is a 404, as on a static host (no SPA fallback to index.html): guests'
  // curl tests and the service worker rely on real status codes.
  appType: 'mpa',
  plugins: [wasmerSdk()],
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1' },
  worker: { format: 'es' },
  // SANDPIT_OUT_DIR lets several builds (parallel e2e runs on one machine) not share dist/.
  build: { target: 'es2022', sourcemap: true, outDir: process.env.SANDPIT_OUT_DIR ?? 'dist' },
});
