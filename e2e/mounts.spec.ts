// Mounts end to end: trees from Sandbox.create({ mounts }), pythonPath, read-only mounts
// (guests get EROFS, sb.files EACCES) and live providers whose files are computed on the page.
import { test, expect, ready } from './fixtures';

test('mounts option: cat prints the mounted file; python imports from a pythonPath dir', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({
      mounts: {
        '/mnt/data': { 'a.csv': 'x,y\n1,2\n', 'sub/b.bin': new Uint8Array([1, 2, 3]) },
        '/mnt/libs': { 'helper.py': 'def answer():\n    return 6 * 7\n', pkg: { '__init__.py': 'NAME = "pkg"\n' } },
      },
      pythonPath: ['/mnt/libs'],
    });
    const cat = await sb.commands.run('cat /mnt/data/a.csv; wc -c < /mnt/data/sub/b.bin');
    const py = await sb.commands.run('python3 -c "import helper, pkg; print(helper.answer(), pkg.NAME)"');
    const env = await sb.commands.run('echo $PYTHONPATH');
    const viaApi = await sb.files.read('/mnt/data/a.csv');
    await sb.destroy();
    return { cat: cat.stdout, py: [py.stdout, py.stderr, py.exitCode], env: env.stdout, viaApi };
  });
  expect(out.cat).toBe('x,y\n1,2\n3\n');
  expect(out.py).toEqual(['42 pkg\n', '', 0]);
  expect(out.env).toBe('/mnt/libs\n');
  expect(out.viaApi).toBe('x,y\n1,2\n');
});

test('a read-only mount refuses guest writes and API writes', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.mount('/mnt/ro', { 'keep.txt': 'original\n' }, { readOnly: true });
    const write = await sb.commands.run('echo changed > /mnt/ro/keep.txt');
    const create = await sb.commands.run('touch /mnt/ro/new.txt');
    const rm = await sb.commands.run('rm /mnt/ro/keep.txt');
    const after = await sb.commands.run('cat /mnt/ro/keep.txt; ls /mnt/ro');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: any) => e.code,
      );
    const api = {
      write: await code(sb.files.write('/mnt/ro/keep.txt', 'x')),
      create: await code(sb.files.write('/mnt/ro/other.txt', 'x')),
      remove: await code(sb.files.remove('/mnt/ro/keep.txt')),
      stream: await code(sb.files.write('/mnt/ro/s.bin', new Blob([new Uint8Array(2 << 20)]))),
    };
    await sb.destroy();
    return {
      write: [write.exitCode, write.stderr],
      create: create.exitCode,
      rm: rm.exitCode,
      after: after.stdout,
      api,
    };
  });
  expect(out.write[0]).not.toBe(0);
  expect(out.create).not.toBe(0);
  expect(out.rm).not.toBe(0);
  expect(out.after).toBe('original\nkeep.txt\n');
  expect(out.api).toEqual({ write: 'EACCES', create: 'EACCES', remove: 'EACCES', stream: 'EACCES' });
});

test('a provider mount serves files computed on the page, live, and takes guest writes', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const state = { hits: 0, label: 'first', written: {} as Record<string, string> };
    const enc = new TextEncoder();
    const provider = {
      readdir: (p: string) => (p === '/' ? ['now.txt', 'inbox'] : Object.keys(state.written)),
      stat: (p: string) => ({ type: p === '/' || p === '/inbox' ? 'dir' : 'file' }),
      readFile: (p: string) => {
        if (p === '/now.txt') return enc.encode(`${state.label} ${++state.hits}\n`);
        return state.written[p.slice('/inbox/'.length)] ?? '';
      },
      writeFile: (p: string, data: Uint8Array) => {
        state.written[p.slice(p.lastIndexOf('/') + 1)] = new TextDecoder().decode(data);
      },
    };
    await sb.mount('/mnt/live', provider);
    const first = await sb.commands.run('cat /mnt/live/now.txt');
    state.label = 'second';
    const second = await sb.commands.run('cat /mnt/live/now.txt');
    const put = await sb.commands.run('echo from-guest > /mnt/live/inbox/msg.txt');
    const listed = await sb.commands.run('ls /mnt/live/inbox');
    const api = await sb.files.read('/mnt/live/now.txt');
    const ro = {
      readdir: () => ['r.txt'],
      stat: (p: string) => ({ type: p === '/' ? 'dir' : 'file' }),
      readFile: () => 'ro\n',
    };
    await sb.mount('/mnt/ro-provider', ro);
    const roWrite = await sb.commands.run('echo x > /mnt/ro-provider/r.txt; cat /mnt/ro-provider/r.txt');
    const bad = await sb.mount('/usr/lib/x', { a: 'b' }).then(
      () => 'ok',
      (e: any) => e.code,
    );
    await sb.destroy();
    return {
      first: first.stdout,
      second: second.stdout,
      put: put.exitCode,
      written: state.written,
      listed: listed.stdout,
      api,
      roWrite: [roWrite.exitCode, roWrite.stdout, roWrite.stderr],
      bad,
    };
  });
  expect(out.first).toMatch(/^first \d+\n$/);
  expect(out.second).toMatch(/^second \d+\n$/);
  expect(out.put).toBe(0);
  expect(out.written).toEqual({ 'msg.txt': 'from-guest\n' });
  expect(out.listed).toBe('msg.txt\n');
  expect(out.api).toMatch(/^second \d+\n$/);
  expect(out.roWrite.slice(0, 2)).toEqual([0, 'ro\n']);
  expect(out.roWrite[2]).toContain('r.txt');
  expect(out.bad).toBe('EINVAL');
});

// The VFS refuses writes below a read-only mount with EROFS, which the SDK's host filesystem
// bridge does not know (it would say "I/O error"): the hostfs server sends EACCES (WASIX makes
// it EPERM) and keeps EROFS, which compat asks for when a call that changes the tree fails.
test('guests are told a read-only mount is a "Read-only file system"', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.mount('/mnt/ro', { 'keep.txt': 'original\n', d: { 'x.txt': 'x' } }, { readOnly: true });
    const runs: [number, string][] = [];
    for (const c of [
      'echo changed > /mnt/ro/keep.txt',
      'echo new > /mnt/ro/new.txt',
      'mkdir /mnt/ro/sub',
      'rm /mnt/ro/keep.txt',
      'mv /mnt/ro/keep.txt /mnt/ro/moved.txt',
      "python3 -c \"open('/mnt/ro/keep.txt', 'w')\"",
      'cat /mnt/ro/keep.txt',
    ]) {
      const r = await sb.commands.run(c);
      runs.push([r.exitCode, r.stderr + r.stdout]);
    }
    await sb.destroy();
    return runs;
  });
  for (const [code, text] of out.slice(0, 5)) {
    expect(code).not.toBe(0);
    expect(text).toMatch(/Read-only file system/);
  }
  expect(out[5]![1]).toMatch(/OSError: \[Errno 69\] Read-only file system/); // WASI's EROFS
  expect(out[6]).toEqual([0, 'original\n']);
});
