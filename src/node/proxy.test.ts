// The generic page proxy against a fake app (test-fixtures/fake-app): calls by path, bytes and
// Blobs both ways, callbacks (ordered, with return values), AbortSignal, errors rebuilt with
// their code, handles returned by methods, UNSUPPORTED for missing methods, page lifecycle.
//
// The driver is loaded by a computed path: tsconfig.node.json does not reference src/node yet,
// so a static import would fail typecheck (TS6307). The local types below are what is used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
const load = (name: string): Promise<Any> => import(/* @vite-ignore */ new URL(`./${name}.ts`, import.meta.url).href);

describe('node driver proxy (fake app)', () => {
  let driver: Any;
  let testing: Any;
  let sb: Any;
  const browser = () => ({ distDir: testing.fakeApp, warmPages: 1 });

  beforeAll(async () => {
    driver = await load('index');
    testing = await load('testing');
  });

  afterAll(async () => {
    await sb?.destroy();
  });

  it('creates a sandbox in a page and forwards onProgress', async () => {
    const progress: unknown[] = [];
    sb = await driver.Sandbox.create({ browser: browser(), cwd: '/tmp', onProgress: (p: unknown) => progress.push(p) });
    expect(sb.id).toMatch(/^fake-/);
    expect(typeof sb.page.url()).toBe('string');
    await expect.poll(() => progress.length).toBe(1);
    expect(progress[0]).toEqual({ phase: 'ready', loadedBytes: 1, totalBytes: 1 });
  });

  it('runs commands and passes results, exit codes and options through', async () => {
    expect(await sb.commands.run('echo hi')).toMatchObject({ stdout: 'hi\n', exitCode: 0, reason: 'exited' });
    expect((await sb.commands.run('exit 3')).exitCode).toBe(3);
    expect((await sb.commands.run('pwd')).stdout).toBe('/tmp\n');
    expect((await sb.commands.run('cat', { stdin: new Uint8Array([104, 105]) })).stdout).toBe('hi');
  });

  it('streams callback chunks in order, before the result', async () => {
    const chunks: string[] = [];
    const r = await sb.commands.run('stream 20', { onStdout: (c: string) => chunks.push(c) });
    expect(chunks).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
    expect(r.stdout).toBe(chunks.join(''));
  });

  it('returns a callback value to the page, with bytes in both directions', async () => {
    const seen: unknown[] = [];
    const r = await sb.ask('why', async (q: string, bytes: Uint8Array) => {
      seen.push(q, Array.from(bytes));
      return new Uint8Array([7, 8]);
    });
    expect(seen).toEqual(['why', [119, 104, 121]]);
    expect(r.answer).toBeInstanceOf(Uint8Array);
    expect(Array.from(r.answer)).toEqual([7, 8]);
  });

  it('moves bytes and Blobs through files', async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    await sb.files.write('/bin.dat', all);
    const back = await sb.files.read('/bin.dat', { format: 'bytes' });
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back).equals(Buffer.from(all))).toBe(true);
    await sb.files.write('/blob.txt', new Blob(['from a blob']));
    expect(await sb.files.read('/blob.txt')).toBe('from a blob');
    const blob = await sb.files.read('/blob.txt', { format: 'blob' });
    expect(blob).toBeInstanceOf(Blob);
    expect(await blob.text()).toBe('from a blob');
  });

  it('rebuilds SandboxError with its code and path, and CommandExitError', async () => {
    const err = await sb.files.read('/nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(driver.SandboxError);
    expect(err).toMatchObject({ code: 'ENOENT', path: '/nope', name: 'SandboxError' });
    const exit = await sb.commands.run('exit 3', { check: true }).catch((e: unknown) => e);
    expect(exit).toBeInstanceOf(driver.CommandExitError);
    expect(exit).toMatchObject({ code: 'EXIT', exitCode: 3 });
    const plain = await sb.commands.run('fail').catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(driver.SandboxError);
    expect(plain.message).toContain('plain failure');
  });

  it('mirrors objects that methods return (a background process handle)', async () => {
    const h = await sb.commands.run('cat', { background: true });
    expect(typeof h.pid).toBe('number');
    await h.sendStdin('line\n');
    await h.closeStdin();
    expect((await h.wait()).stdout).toBe('line\n');
  });

  it('aborts a command through an AbortSignal', async () => {
    const ac = new AbortController();
    const p = sb.commands.run('sleep', { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    expect(await p).toMatchObject({ reason: 'killed', exitCode: 137 });
  });

  it('knows API names the build lacks (UNSUPPORTED) and uses names the list lacks', async () => {
    const err = await sb.fork().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNSUPPORTED' });
    expect(err.message).toContain('fork');
    const pty = await sb.pty.create({}).catch((e: unknown) => e);
    expect(pty).toMatchObject({ code: 'UNSUPPORTED' });
    const snap = await sb.snapshot({ name: 'a' });
    expect(snap).toMatchObject({ id: 'snap-1', name: 'a' });
  });

  it('static calls go to a page of their own', async () => {
    const caps = await driver.Sandbox.capabilities({ browser: browser() });
    expect(caps).toMatchObject({ crossOriginIsolated: true, fake: true });
  });

  it('destroy closes the page, later calls fail with CLOSED, the last one closes the browser', async () => {
    const other = await driver.Sandbox.create({ browser: browser() });
    const b = other.page.context().browser();
    expect(b).toBe(sb.page.context().browser()); // one browser, reused
    await sb.destroy();
    expect(sb.page.isClosed()).toBe(true);
    expect(await sb.commands.run('echo x').catch((e: unknown) => e)).toMatchObject({ code: 'CLOSED' });
    expect(b.isConnected()).toBe(true);
    await other.destroy();
    await expect.poll(() => b.isConnected()).toBe(false);
    sb = undefined;
  });

  it('says how to fix a missing browser', async () => {
    const err = await driver.Sandbox.create({
      browser: { distDir: testing.fakeApp, executablePath: '/nope/chromium' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'NOT_FOUND' });
    expect(err.message).toContain('apt-get install chromium');
    expect(err.message).toContain('SANDPIT_CHROMIUM');
  });
});
