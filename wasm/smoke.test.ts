// Runs every wasm/<name>/smoke.mjs (each drives its binary under @wasmer/sdk/node and exits
// non-zero on failure), so CI smoke-runs every committed binary.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const wasmDir = dirname(fileURLToPath(import.meta.url));
const root = join(wasmDir, '..');
const smokes = readdirSync(wasmDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(wasmDir, d.name, 'smoke.mjs')))
  .map((d) => d.name);

describe('wasm smoke tests (Node, @wasmer/sdk/node)', () => {
  it('has at least one binary to smoke-test', () => {
    expect(smokes.length).toBeGreaterThan(0);
  });
  for (const name of smokes) {
    it(name, { timeout: 300_000 }, async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [join('wasm', name, 'smoke.mjs')], {
        cwd: root,
        maxBuffer: 64 << 20,
        timeout: 280_000,
      }).catch((err: { stdout?: string; stderr?: string; message: string }) => {
        throw new Error(`${name} smoke failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
      });
      expect(stdout).not.toMatch(/^FAIL/m);
    });
  }
});
