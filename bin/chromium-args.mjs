// The Chromium flags of the Node driver (src/node/host.ts CHROMIUM_ARGS), for the plain-JS
// runners (conformance, bench, the host-fs demo): one list, so every harness launches alike.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, outDir } from './build-node.mjs';

export async function chromiumArgs() {
  await ensureBuilt();
  const host = await import(pathToFileURL(join(outDir, 'node', 'host.js')).href);
  return host.CHROMIUM_ARGS;
}
