#!/usr/bin/env node
// The sandpit command. The driver is TypeScript (src/node); bin/build-node.mjs turns it into
// JavaScript under .tsbuild/js when that is missing or older than the sources, so
// `npx sandpit …` works straight after `npm install`.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, outDir } from './build-node.mjs';

try {
  await ensureBuilt();
} catch (err) {
  process.stderr.write(`sandpit: cannot build the Node driver: ${err.message}\n`);
  process.exit(125);
}
const { main } = await import(pathToFileURL(join(outDir, 'node', 'cli.js')).href);
process.exitCode = await main(process.argv.slice(2));
// Everything is closed by now; if a stray handle keeps the loop alive, do not hang.
setTimeout(() => process.exit(), 3000).unref();
