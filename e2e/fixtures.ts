// Shared e2e fixture: every request to a non-local origin is aborted, so the tests prove the
// sandbox runs offline; page errors are collected for assertions.
import { test as base, expect } from '@playwright/test';

const LOCAL = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

export const test = base.extend<{ blocked: string[] }>({
  blocked: async ({ context }, use) => {
    const blocked: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (LOCAL.test(url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
    await use(blocked);
  },
});

export { expect };
