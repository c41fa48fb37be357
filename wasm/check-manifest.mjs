// CI check: every binary in public/wasm/manifest.json exists, matches its sha256 and size,
// names its Debian source and licence, and ships the licence files it lists.
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './manifest.mjs';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'wasm');
const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8'));
const problems = [];
for (const b of manifest.binaries) {
  const file = join(outDir, b.file);
  if (!existsSync(file)) {
    problems.push(`${b.name}: missing ${b.file}`);
    continue;
  }
  if (sha256(file) !== b.sha256) problems.push(`${b.name}: sha256 mismatch`);
  if (readFileSync(file).length !== b.size) problems.push(`${b.name}: size mismatch`);
  if (!b.source?.package || !b.source?.version) problems.push(`${b.name}: no Debian source named`);
  if (!b.license) problems.push(`${b.name}: no licence`);
  for (const l of b.licenseFiles ?? []) if (!existsSync(join(outDir, l))) problems.push(`${b.name}: missing ${l}`);
  if (!(b.licenseFiles ?? []).length) problems.push(`${b.name}: ships no licence file`);
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`manifest ok: ${manifest.binaries.length} binaries`);
