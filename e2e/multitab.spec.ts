// Multi-tab (API.md): Sandbox.open(id) in a second tab attaches to the tab that owns the
// sandbox; its commands and file calls run there (one writer). When the owner lets go, the
// attached tab's next call reopens the sandbox as the new owner.
import { test, expect, ready } from './fixtures';

test('a second tab attaches to the owner: commands, files, streaming, then takes over when the owner closes', async ({
  context,
}) => {
  const id = `attach-${Date.now()}`;
  const owner = await context.newPage();
  const other = await context.newPage();
  await ready(owner);
  await ready(other);
  await owner.evaluate(async (id) => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ id, persistence: 'opfs' });
    (globalThis as any).sb = sb;
    await sb.files.write('/home/user/n.txt', 'from-owner\n');
  }, id);

  const attached = await other.evaluate(async (id) => {
    const sb = await (globalThis as any).sandpit.Sandbox.open(id);
    (globalThis as any).sb = sb;
    const chunks: string[] = [];
    const r = await sb.commands.run('cat n.txt; echo from-other >> log.txt; echo streamed', {
      onStdout: (c: string) => chunks.push(c),
    });
    await sb.files.write('/home/user/w.txt', 'written-by-other');
    let missing = '';
    try {
      await sb.files.read('/home/user/nope');
    } catch (e: any) {
      missing = e.code;
    }
    return {
      attached: sb.attached,
      stdout: r.stdout,
      exitCode: r.exitCode,
      streamed: chunks.join(''),
      list: (await sb.files.list('/home/user')).map((e: any) => e.name).sort(),
      missing,
    };
  }, id);
  expect(attached.attached).toBe(true);
  expect(attached.stdout).toBe('from-owner\nstreamed\n');
  expect(attached.exitCode).toBe(0);
  expect(attached.streamed).toBe('from-owner\nstreamed\n');
  expect(attached.list).toEqual(expect.arrayContaining(['log.txt', 'n.txt', 'w.txt']));
  expect(attached.missing).toBe('ENOENT');

  // The owner's own sandbox saw every write at once: there is one copy, in the owner's kernel.
  const seen = await owner.evaluate(async () => {
    const sb = (globalThis as any).sb;
    return (await sb.commands.run('cat w.txt; echo; cat log.txt')).stdout;
  });
  expect(seen).toBe('written-by-other\nfrom-other\n');

  // The owner closes (saving); the attached tab's next call reopens the sandbox there.
  await owner.evaluate(async () => (globalThis as any).sb.destroy());
  const after = await other.evaluate(async () => {
    const sb = (globalThis as any).sb;
    const r = await sb.commands.run('cat n.txt w.txt; echo; echo again >> log.txt; wc -l < log.txt');
    return { stdout: r.stdout, attached: sb.attached, restarts: sb.restarts };
  });
  expect(after.stdout).toBe('from-owner\nwritten-by-other\n2\n');
  expect(after.attached).toBe(false);

  // Now the first page attaches to the second; then clean up.
  const back = await owner.evaluate(async (id) => {
    const { Sandbox } = (globalThis as any).sandpit;
    const sb = await Sandbox.open(id);
    const r = await sb.commands.run('tail -1 log.txt');
    await sb.destroy();
    return { attached: sb.attached, out: r.stdout };
  }, id);
  expect(back).toEqual({ attached: true, out: 'again\n' });
  await other.evaluate(async () => {
    const sb = (globalThis as any).sb;
    await sb.destroy({ purge: true });
  });
});

test('takeover still moves the sandbox instead of attaching', async ({ context }) => {
  const id = `attach-takeover-${Date.now()}`;
  const a = await context.newPage();
  const b = await context.newPage();
  await ready(a);
  await ready(b);
  await a.evaluate(async (id) => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ id, persistence: 'opfs' });
    await sb.files.write('/home/user/t.txt', 'x');
    (globalThis as any).sb = sb;
  }, id);
  const out = await b.evaluate(async (id) => {
    const sb = await (globalThis as any).sandpit.Sandbox.open(id, { takeover: true });
    const r = await sb.commands.run('cat t.txt');
    const attached = sb.attached;
    await sb.destroy({ purge: true });
    return { attached, out: r.stdout };
  }, id);
  expect(out).toEqual({ attached: false, out: 'x' });
});
