// createPool over two chromium.launchServer() browsers on localhost: 20 sandboxes spread by
// load, a command in each at once, then one browser is killed: its sandboxes fail with CLOSED,
// the others keep working and new ones go to the survivor. Run against the fake app always, and
// against the real build once a shell binary exists.
import { describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
const load = (name: string): Promise<Any> => import(/* @vite-ignore */ new URL(`./${name}.ts`, import.meta.url).href);
const testing: Any = await load('testing');
const driver: Any = await load('index');

const N = 20;

async function poolScenario(distDir: string, command: (i: number) => string, expected: (i: number) => string) {
  const servers = await testing.launchServers(2);
  const pool = await driver.createPool({ endpoints: servers.map((s: Any) => s.wsEndpoint()), distDir, warmPages: 1 });
  try {
    const sbs: Any[] = await Promise.all(Array.from({ length: N }, () => pool.create()));
    expect(pool.members().map((m: Any) => m.sandboxes)).toEqual([N / 2, N / 2]);

    const outs = await Promise.all(sbs.map((sb, i) => sb.commands.run(command(i))));
    outs.forEach((r: Any, i: number) => expect(r).toMatchObject({ stdout: expected(i), exitCode: 0 }));

    // Kill the first browser server outright.
    const browsers = [...new Set(sbs.map((sb) => sb.page.context().browser()))];
    expect(browsers).toHaveLength(2);
    const endpointOf = (b: Any) => (b === browsers[0] ? 0 : 1);
    const victim = servers[0];
    await victim.kill();
    await expect.poll(() => pool.members()[0].alive, { timeout: 15_000 }).toBe(false);

    const after = await Promise.all(
      sbs.map((sb, i) =>
        sb.commands.run(command(i)).then(
          (r: Any) => r,
          (e: Any) => e,
        ),
      ),
    );
    const lost = after.filter((r: Any) => r instanceof driver.SandboxError);
    const kept = after.filter((r: Any) => !(r instanceof driver.SandboxError));
    expect(lost).toHaveLength(N / 2);
    expect(kept).toHaveLength(N / 2);
    for (const e of lost) expect(e.code).toBe('CLOSED');
    after.forEach((r: Any, i: number) => {
      if (!(r instanceof driver.SandboxError)) expect(r.stdout).toBe(expected(i));
    });
    // The lost ones were all on one browser, the kept ones on the other.
    expect(
      new Set(
        sbs
          .filter((_, i) => after[i] instanceof driver.SandboxError)
          .map((sb) => endpointOf(sb.page.context().browser())),
      ).size,
    ).toBe(1);

    // New sandboxes go to the survivor.
    const fresh = await pool.create();
    expect((await fresh.commands.run(command(1))).stdout).toBe(expected(1));
    expect(pool.members()[1].sandboxes).toBe(N / 2 + 1);

    await Promise.all([...sbs, fresh].map((sb) => sb.destroy()));
    expect(pool.members()[1].sandboxes).toBe(0);
  } finally {
    await pool.close();
    await Promise.all(servers.map((s: Any) => s.close().catch(() => undefined)));
  }
}

describe('createPool', () => {
  it('fake app: 20 sandboxes on two browsers survive one of them going away', async () => {
    await poolScenario(
      testing.fakeApp,
      (i) => `echo sandbox ${i}`,
      (i) => `sandbox ${i}\n`,
    );
  }, 120_000);

  it.skipIf(!testing.shellBinary())(
    `real app: 20 sandboxes on two browsers survive one of them going away${testing.shellBinary() ? '' : ` (skipped: ${testing.NO_SHELL_REASON})`}`,
    async () => {
      await poolScenario(
        testing.buildRealApp(),
        (i) => `echo sandbox $((${i} * 2)) | tr a-z A-Z`,
        (i) => `SANDBOX ${i * 2}\n`,
      );
    },
    300_000,
  );
});
