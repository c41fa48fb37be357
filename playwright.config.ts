// E2E: the built app (dist/) in Debian's headless Chromium; every non-local origin blocked
// by the fixture in e2e/fixtures.ts.
import { defineConfig } from '@playwright/test';
import { ports, urls } from './e2e/ports';
import { CHROMIUM_ARGS } from './src/node/host';

const outDir = process.env.SANDPIT_OUT_DIR ?? 'dist';

export const chromiumPath = process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  // CI machines are small (2 cores) and the suite drives real browsers for ~9 minutes: one retry
  // there, so a timing flake does not block a landing. A test that needed it is listed as
  // "flaky" in the output and is a bug to chase (the list reporter prints it at the end).
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: urls.preview,
    launchOptions: {
      executablePath: chromiumPath,
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    // Every spec against the servers its tests name (vite preview with the headers by default).
    { name: 'chromium' },
    // The playground once more on dist/ from a plain static server without COOP/COEP: the
    // page's service worker (public/coi-sw.js) adds them and reloads once.
    { name: 'plain-static', testMatch: /playground(-[\w-]+)?\.spec\.ts$/, use: { baseURL: urls.plain } },
  ],
  webServer: [
    {
      command: `npx vite preview --port ${ports.preview} --strictPort`,
      url: urls.preview,
      reuseExistingServer: false,
    },
    { command: `node e2e/static-server.mjs ${outDir} ${ports.plain}`, url: urls.plain, reuseExistingServer: false },
    {
      command: `node e2e/static-server.mjs ${outDir} ${ports.isolated} --isolate`,
      url: urls.isolated,
      reuseExistingServer: false,
    },
  ],
});
