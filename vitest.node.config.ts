// The Node driver's tests (`npm run test:node`): they need the built app and Chromium, so
// they run after the e2e build rather than with the unit tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/node/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
