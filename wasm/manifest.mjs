// Regenerates public/wasm/manifest.json from each wasm/<name>/meta.json plus the built files.
// Each build script owns its meta.json; this file only adds what is measured (size, sha256).
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const wasmDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(wasmDir, '..', 'public', 'wasm');

export function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export function buildManifest() {
  const binaries = [];
  for (const entry of readdirSync(wasmDir, { withFileTypes: true })) {
    const metaPath = join(wasmDir, entry.name, 'meta.json');
    if (!entry.isDirectory() || !existsSync(metaPath)) continue;
    const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
    const file = join(outDir, meta.file);
    // A binary still being worked on (meta.json first, build later) is left out, loudly.
    if (!existsSync(file)) {
      console.warn(`manifest: skipping ${meta.name}: ${meta.file} not built`);
      continue;
    }
    binaries.push({ ...meta, size: readFileSync(file).length, sha256: sha256(file) });
  }
  binaries.sort((a, b) => a.name.localeCompare(b.name));
  return { version: 1, binaries };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(buildManifest(), null, 2) + '\n');
  console.log('wrote public/wasm/manifest.json');
}
