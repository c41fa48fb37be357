// Tests of the sandpit/playwright fixture itself, against the fake app (src/node/test-fixtures)
// and, once a shell binary exists, the real build. Run by `npm run test:node`.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests',
  timeout: 120_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../test-results/sandpit-playwright',
});
