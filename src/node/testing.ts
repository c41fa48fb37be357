// Helpers for the driver's own tests: the fake app, whether a shell binary exists yet, a fresh
// build of the real app, and browser servers to connect to.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserServer } from 'playwright-core';
import { CHROMIUM_ARGS } from './host.js';
import { packageRoot } from './server.js';

export const root = packageRoot();
export const fakeApp = join(root, 'src', 'node', 'test-fixtures', 'fake-app');
export const chromiumPath = process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';

/** The shell the kernel would use, or undefined while public/wasm has none (bash, or busybox sh). */
export function shellBinary(): string | undefined {
  const file = join(root, 'public', 'wasm', 'manifest.json');
  if (!existsSync(file)) return undefined;
  const m = JSON.parse(readFileSync(file, 'utf8')) as { binaries?: Array<{ commands?: string[] }> };
  const commands = new Set((m.binaries ?? []).flatMap((b) => b.commands ?? []));
  return ['bash', 'sh'].find((c) => commands.has(c));
}

export const NO_SHELL_REASON =
  'no shell binary (bash, or busybox with sh) in public/wasm/manifest.json yet, so Sandbox.create ' +
  'fails with NOT_FOUND; these tests run as soon as one lands';

let built: string | undefined;

/** Builds the real app into a temporary folder once per process (vite build, ~2 s), or $SANDPIT_TEST_DIST. */
export function buildRealApp(): string {
  // A prebuilt app instead (e.g. built from a clean checkout while the tree has work in progress).
  if (process.env.SANDPIT_TEST_DIST) return process.env.SANDPIT_TEST_DIST;
  if (built) return built;
  const out = mkdtempSync(join(tmpdir(), 'sandpit-dist-'));
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', out, '--emptyOutDir'],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  return (built = out);
}

/** Starts `n` browser servers on localhost (chromium.launchServer). */
export function launchServers(n: number): Promise<BrowserServer[]> {
  return Promise.all(
    Array.from({ length: n }, () =>
      chromium.launchServer({ executablePath: chromiumPath, args: CHROMIUM_ARGS, host: '127.0.0.1' }),
    ),
  );
}
