// Unit tests run in Node, beside the code (src/**/*.test.ts); e2e lives in e2e/ (Playwright).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'wasm/**/*.test.ts', 'bench/**/*.test.ts'],
    // The Node driver's tests need a built app and Chromium: `npm run test:node`.
    exclude: ['src/node/**', '**/node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
