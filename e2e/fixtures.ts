// Shared e2e fixture: every request to a non-local origin is aborted, so the tests prove the
// sandbox runs offline; page errors are collected for assertions.
import { basename } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

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

/** Opens `url` and waits for the page's API (globalThis.sandpit). */
export async function ready(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => 'sandpit' in globalThis);
}

/** Prints a measured figure as `[spec] name: value` and keeps it in the test's annotations. */
export function report(name: string, value: unknown): void {
  const spec = basename(test.info().file).replace(/\.spec\.ts$/, '');
  console.log(`[${spec}] ${name}: ${JSON.stringify(value)}`);
  test.info().annotations.push({ type: name, description: JSON.stringify(value) });
}
