// Issue 2: one command through every layer (page → API → Comlink → kernel worker → SDK →
// real busybox) and the NOT_ISOLATED refusal.
import { test, expect, ready } from './fixtures';
import { urls } from './ports';

test('writes a file and counts its lines with real busybox through globalThis.sandpit', async ({ page, blocked }) => {
  await ready(page);
  const result = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const sb = await Sandbox.create();
    await sb.files.write('/home/user/in.txt', 'one\ntwo\n');
    const r = await sb.commands.run('cat /home/user/in.txt | wc -l');
    const back = await sb.files.read('/home/user/in.txt');
    await sb.destroy();
    return { ...r, back };
  });
  expect(result.stdout.trim()).toBe('2');
  expect(result.exitCode).toBe(0);
  expect(result.reason).toBe('exited');
  expect(result.durationMs).toBeGreaterThan(0);
  expect(result.back).toBe('one\ntwo\n');
  expect(blocked).toEqual([]);
});

test('refuses to start with NOT_ISOLATED on a page served without COOP/COEP', async ({ page }) => {
  await ready(page, urls.plain + '/');
  const err = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    try {
      await Sandbox.create();
      return null;
    } catch (e: any) {
      return {
        name: e.name,
        code: e.code,
        message: e.message,
        isSandboxError: e instanceof (globalThis as any).sandpit.SandboxError,
      };
    }
  });
  expect(err).not.toBeNull();
  expect(err!.code).toBe('NOT_ISOLATED');
  expect(err!.isSandboxError).toBe(true);
  expect(err!.message).toContain('Cross-Origin-Embedder-Policy');
  await expect(page.locator('#status')).toContainText('NOT_ISOLATED');
});

test('the static build runs commands on a plain static server that sets the two headers', async ({ page }) => {
  await ready(page, urls.isolated + '/');
  const out = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const sb = await Sandbox.create();
    const r = await sb.commands.run('echo built | tr a-z A-Z');
    await sb.destroy();
    return r.stdout;
  });
  expect(out).toBe('BUILT\n');
});

test('bad input is refused with EINVAL before reaching the kernel', async ({ page }) => {
  await ready(page);
  const codes = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const sb = await Sandbox.create();
    const codes: string[] = [];
    for (const p of ['relative.txt', '/../etc', '/a\0b', '']) {
      try {
        await sb.files.write(p, 'x');
        codes.push('none');
      } catch (e: any) {
        codes.push(e.code);
      }
    }
    await sb.destroy();
    try {
      await sb.commands.run('true');
    } catch (e: any) {
      codes.push(e.code);
    }
    return codes;
  });
  expect(codes).toEqual(['EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'CLOSED']);
});
