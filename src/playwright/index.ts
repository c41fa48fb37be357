// sandpit/playwright: a Playwright Test fixture `sandbox`. By default every test gets a fresh
// sandbox; with `sandboxScope: 'worker'` a worker keeps one sandbox and restores it to a
// snapshot taken at start before each test (when the build has snapshot/restore; otherwise it
// falls back to a fresh sandbox per test). Sandboxes run in a browser of the driver's own
// (Debian's Chromium unless `sandboxOptions.browser` says otherwise), one per worker.
import { test as base, expect } from '@playwright/test';
import { SandboxError } from '../node/errors.js';
import { BrowserHost } from '../node/host.js';
import { callStatic, type Sandbox, type SandboxOptions } from '../node/sandbox.js';

export type { Sandbox, SandboxOptions };

export interface SandpitWorkerFixtures {
  /** Options of every sandbox, including `browser`. Set with test.use() or in the config. Default: {}. */
  sandboxOptions: SandboxOptions;
  /** 'test' (default): a fresh sandbox per test. 'worker': one per worker, restored to a snapshot between tests. */
  sandboxScope: 'test' | 'worker';
  /** The worker's browser host. */
  sandpitHost: BrowserHost;
  /** The worker-scoped sandbox and its starting snapshot, when sandboxScope is 'worker'. */
  sandpitWorkerSandbox: { sandbox: Sandbox; snapshotId: string } | undefined;
}

export interface SandpitTestFixtures {
  sandbox: Sandbox;
}

type Loose = Record<string, (...a: unknown[]) => Promise<unknown>>;

function create(host: BrowserHost, options: SandboxOptions): Promise<Sandbox> {
  const rest: Omit<SandboxOptions, 'browser'> & { browser?: unknown } = { ...options };
  delete rest.browser;
  return callStatic<Sandbox>(host, 'create', [rest]);
}

export const test = base.extend<SandpitTestFixtures, SandpitWorkerFixtures>({
  sandboxOptions: [{}, { option: true, scope: 'worker' }],
  sandboxScope: ['test', { option: true, scope: 'worker' }],

  sandpitHost: [
    async ({ sandboxOptions }, use) => {
      // No warm page: a page still being opened in the background when the worker tears the
      // host down made Playwright report "Cannot find parent object page@…" outside any test.
      const host = await BrowserHost.start({ warmPages: 0, ...sandboxOptions.browser });
      await use(host);
      await host.close();
    },
    { scope: 'worker' },
  ],

  sandpitWorkerSandbox: [
    async ({ sandpitHost, sandboxOptions, sandboxScope }, use) => {
      if (sandboxScope !== 'worker') return use(undefined);
      const sandbox = await create(sandpitHost, sandboxOptions);
      let snapshotId: string | undefined;
      try {
        const snap = (await (sandbox as unknown as Loose).snapshot!({ name: 'sandpit-fixture-start' })) as {
          id: string;
        };
        snapshotId = snap.id;
      } catch (err) {
        if (!(err instanceof SandboxError && err.code === 'UNSUPPORTED')) throw err;
      }
      if (snapshotId === undefined) {
        // No snapshots in this build: fresh sandboxes per test keep tests apart instead.
        await sandbox.destroy();
        return use(undefined);
      }
      await use({ sandbox, snapshotId });
      await sandbox.destroy();
    },
    { scope: 'worker' },
  ],

  sandbox: async ({ sandpitHost, sandpitWorkerSandbox, sandboxOptions }, use) => {
    if (sandpitWorkerSandbox) {
      await (sandpitWorkerSandbox.sandbox as unknown as Loose).restore!(sandpitWorkerSandbox.snapshotId);
      await use(sandpitWorkerSandbox.sandbox);
      return;
    }
    const sandbox = await create(sandpitHost, sandboxOptions);
    await use(sandbox);
    await sandbox.destroy();
  },
});

export { expect };
