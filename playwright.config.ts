// E2E: the built app (dist/) in Debian's headless Chromium; every non-local origin blocked
// by the fixture in e2e/fixtures.ts.
import { defineConfig } from '@playwright/test';

export const chromiumPath = process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: 'http://127.0.0.1:4173',
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
    { command: 'npx vite preview --port 4173 --strictPort', url: 'http://127.0.0.1:4173', reuseExistingServer: false },
    { command: 'node e2e/static-server.mjs dist 4174', url: 'http://127.0.0.1:4174', reuseExistingServer: false },
    {
      command: 'node e2e/static-server.mjs dist 4175 --isolate',
      url: 'http://127.0.0.1:4175',
      reuseExistingServer: false,
    },
  ],
});
