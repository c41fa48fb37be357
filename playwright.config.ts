// E2E: the built app (dist/) in Debian's headless Chromium; every non-local origin blocked
// by the fixture in e2e/fixtures.ts.
import { defineConfig } from '@playwright/test';
import { ports, urls } from './e2e/ports';

const outDir = process.env.SANDPIT_OUT_DIR ?? 'dist';

export const chromiumPath = process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: urls.preview,
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
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
