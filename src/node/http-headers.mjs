// What every static server of ours answers with: the content type by file ending, and the
// cross-origin isolation headers (SharedArrayBuffer, and so the SDK's threads, needs COOP and
// COEP; CORP lets an isolated page load the files). Plain JavaScript so that the Node driver,
// vite.config.ts and the .mjs harnesses (e2e, bench, conformance) share one copy;
// bin/build-node.mjs copies it beside the driver's transpiled output.
import { extname } from 'node:path';

/** Content-Type by file ending, for the files a built app (dist/) holds. */
export const CONTENT_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
});

/** The Content-Type for `file` by its ending; application/octet-stream when unknown. */
export function contentType(file) {
  return CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
}

/** All a static host must send for the page to be cross-origin isolated (e2e proves it). */
export const REQUIRED_ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** What our own servers send: the required two, and CORP, which lets an isolated page load our files. */
export const ISOLATION_HEADERS = Object.freeze({
  ...REQUIRED_ISOLATION_HEADERS,
  'Cross-Origin-Resource-Policy': 'same-origin',
});
