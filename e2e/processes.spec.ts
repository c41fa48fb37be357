// Process trees (docs/processes.md): a fork bomb in one sandbox is bounded and ended without
// restarting the page's engine, so a background process of the same sandbox and a command of
// another sandbox finish normally. Figures are printed as `[processes] …` lines.
import { test, expect, ready, report } from './fixtures';
import type { Page, Worker } from '@playwright/test';

/** The kernel's `sandpit: process tree ended {…}` lines (sandbox.ts), from every worker of the page. */
function treeEnds(page: Page): Record<string, unknown>[] {
  const ends: Record<string, unknown>[] = [];
  const listen = (w: Worker) =>
    w.on('console', (m) => {
      const hit = /^sandpit: process tree ended (\{.*\})$/.exec(m.text());
      if (hit) ends.push(JSON.parse(hit[1]!) as Record<string, unknown>);
    });
  page.on('worker', listen);
  return ends;
}

test.describe('process trees', () => {
  test('fork bomb: bounded, ended by its timeout; the same sandbox and another go on', async ({ page }) => {
    const ends = treeEnds(page);
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const a = await Sandbox.create();
      const b = await Sandbox.create();
      await a.files.write('/home/user/keep.txt', 'kept-a');
      // (1) a background process of A and (2) a running command of B, across the bomb.
      const bg = await a.commands.run('sleep 8; echo survived > /tmp/bg', { background: true });
      const longB = b.commands.run('sleep 6; echo b-done', { timeoutMs: 60_000 });
      const t0 = performance.now();
      const bomb = await a.commands.run(':(){ :|:& };:', { timeoutMs: 3000 });
      const bombReturnedMs = Math.round(performance.now() - t0);
      const bgReply = await bg.wait();
      const bReply = await longB;
      const afterA = await a.commands.run('echo ok-a; cat keep.txt; cat /tmp/bg', { timeoutMs: 30_000 });
      const afterB = await b.commands.run('echo ok-b', { timeoutMs: 30_000 });
      return {
        bomb: { reason: bomb.reason, exitCode: bomb.exitCode, returnedMs: bombReturnedMs },
        bg: { reason: bgReply.reason, exitCode: bgReply.exitCode, stderr: bgReply.stderr },
        b: { reason: bReply.reason, stdout: bReply.stdout, stderr: bReply.stderr },
        afterA: afterA.stdout,
        afterB: afterB.stdout,
      };
    });
    const bombTree = ends.find((e) => e.command === ':(){ :|:& };:');
    report('fork bomb', { ...out, tree: bombTree });
    // Nothing else was ended: no engine restart, no 'killed' background process.
    expect(out.bg).toEqual({ reason: 'exited', exitCode: 0, stderr: '' });
    expect(out.b).toEqual({ reason: 'exited', stdout: 'b-done\n', stderr: '' });
    expect(out.afterA).toBe('ok-a\nkept-asurvived\n'); // keep.txt has no newline
    expect(out.afterB).toBe('ok-b\n');
    // The bomb's tree was seen, capped and killed no later than its deadline (+ one check).
    expect(bombTree).toBeDefined();
    expect(bombTree!.killMs as number).toBeLessThanOrEqual(3000 + 200);
    expect(bombTree!.peak as number).toBeLessThanOrEqual(32);
  });

  // A killed tree's processes end at their next system call, its sleepers within 50 ms. An
  // orphaned tree (a bomb's) forks only into idle SDK workers, never near its deadline or while
  // the kernel's thread is behind, so no child is still on its way to a worker at the kill
  // (docs/processes.md): 54 of 56 runs emptied 20-198 ms after the kill on a shared 2-core
  // machine at load 4-10, two in 220 and 445 ms while the machine starved the page (before
  // 23 Nov 06:30: 0.07-0.52 s; before 03:30: 1.4-3 s). Asserted with room for a loaded CI
  // machine: within 1 s (both times recorded where they happened, not when the kernel looked).
  test('fork bomb: every process of the tree is gone within 1 s of its kill', async ({ page }) => {
    const ends = treeEnds(page);
    await ready(page, '/?api');
    await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const a = await Sandbox.create();
      await a.commands.run(':(){ :|:& };:', { timeoutMs: 3000 });
      await new Promise((r) => setTimeout(r, 7000));
    });
    const tree = ends.find((e) => e.command === ':(){ :|:& };:');
    report('fork bomb tree emptied', tree);
    expect(tree?.killMs).toBeDefined();
    expect(tree?.emptyMs).toBeDefined();
    expect((tree!.emptyMs as number) - (tree!.killMs as number)).toBeLessThanOrEqual(1000);
  });

  test('a fork past the cap fails with EAGAIN in the guest, and the shell goes on', async ({ page }) => {
    await ready(page, '/?api');
    const r = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const a = await Sandbox.create();
      // 40 background subshells that stay alive: more than the tree's cap of 32.
      const r = await a.commands.run('for i in $(seq 40); do (sleep 3) & done 2>/tmp/err; wait; echo end', {
        timeoutMs: 60_000,
      });
      const err = await a.files.read('/tmp/err').catch(() => '');
      return { stdout: r.stdout, reason: r.reason, err: String(err).slice(0, 300) };
    });
    report('fork cap', r);
    expect(r.reason).toBe('exited');
    expect(r.stdout).toBe('end\n');
    expect(r.err).toContain('fork: retry: Resource temporarily unavailable');
  });

  test('a guest cannot leave its tree: env -i keeps it, a value set by the guest ends the process', async ({
    page,
  }) => {
    await ready(page, '/?api');
    const r = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const a = await Sandbox.create();
      const run = async (c: string) => (await a.commands.run(c, { timeoutMs: 30_000 })).stdout;
      return {
        envI: await run("printenv SANDPIT_TREE; env -i sh -c 'printenv SANDPIT_TREE'"),
        forged: await run("SANDPIT_TREE=0 sh -c 'echo escaped'; echo rc=$?"),
      };
    });
    report('tree variable', r);
    // The runtime merges a child's environment into its parent's: env -i cannot drop it.
    expect(r.envI).toMatch(/^(\d+:\d+)\n\1\n$/);
    expect(r.forged).not.toContain('escaped');
    expect(r.forged).toMatch(/^rc=[1-9]\d*\n$/);
  });
});
