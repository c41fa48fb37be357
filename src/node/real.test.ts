// The driver against a fresh build of the real app (real kernel, real binaries): streamed
// output, bytes, error codes, snapshots, export/import and fork through the generic proxy.
// Needs a shell binary in public/wasm (Sandbox.create fails with NOT_FOUND without one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
const load = (name: string): Promise<Any> => import(/* @vite-ignore */ new URL(`./${name}.ts`, import.meta.url).href);
const testing: Any = await load('testing');
const shell = testing.shellBinary();

describe.skipIf(!shell)(`node driver on the real app${shell ? '' : ` (skipped: ${testing.NO_SHELL_REASON})`}`, () => {
  let driver: Any;
  let sb: Any;
  let browser: Any;

  beforeAll(async () => {
    driver = await load('index');
    browser = { distDir: testing.buildRealApp(), warmPages: 0 };
    sb = await driver.Sandbox.create({ browser, env: { GREETING: 'hello' } });
  }, 120_000);

  afterAll(async () => {
    await sb?.destroy();
  });

  it('runs a pipeline, with stdout streamed through onStdout when the build streams', async () => {
    const chunks: string[] = [];
    const r = await sb.commands.run('echo $GREETING world | tr a-z A-Z; echo oops >&2; exit 4', {
      onStdout: (c: string) => chunks.push(c),
    });
    expect(r).toMatchObject({ stdout: 'HELLO WORLD\n', stderr: 'oops\n', exitCode: 4, reason: 'exited' });
    if (chunks.length) expect(chunks.join('')).toBe(r.stdout);
  });

  it('sees files written from Node in commands and the reverse, bytes intact', async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    await sb.files.write('/home/user/all.bin', all);
    expect((await sb.commands.run('wc -c < /home/user/all.bin')).stdout.trim()).toBe('256');
    await sb.commands.run('printf "a\\nb\\n" > /home/user/out.txt');
    expect(await sb.files.read('/home/user/out.txt')).toBe('a\nb\n');
    const back = await sb.files.read('/home/user/all.bin', { format: 'bytes' });
    expect(Buffer.from(back).equals(Buffer.from(all))).toBe(true);
  });

  it('rebuilds errors with their codes', async () => {
    expect(await sb.files.read('/home/user/none').catch((e: unknown) => e)).toMatchObject({ code: 'ENOENT' });
    const exit = await sb.commands.run('exit 5', { check: true }).catch((e: unknown) => e);
    expect(exit).toBeInstanceOf(driver.CommandExitError);
    expect(exit.exitCode).toBe(5);
  });

  it('snapshots, restores, exports, imports and forks', async () => {
    await sb.files.write('/home/user/state.txt', 'one');
    const snap = await sb.snapshot({ name: 'one' });
    await sb.files.write('/home/user/state.txt', 'two');
    await sb.restore(snap.id);
    expect(await sb.files.read('/home/user/state.txt')).toBe('one');

    const blob = await sb.exportState();
    expect(blob).toBeInstanceOf(Blob);
    const copy = await driver.Sandbox.importState(blob, { browser });
    expect(copy.page).not.toBe(sb.page);
    expect((await copy.commands.run('cat /home/user/state.txt')).stdout).toBe('one');
    await copy.destroy();

    const child = await sb.fork();
    expect(child.page).toBe(sb.page);
    await child.files.write('/home/user/state.txt', 'child');
    expect(await sb.files.read('/home/user/state.txt')).toBe('one');
    await child.destroy();
    expect(sb.page.isClosed()).toBe(false);
  }, 120_000);
});
