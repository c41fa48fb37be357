// The Sandbox API end to end in headless Chromium: commands, streaming, timeouts, kill,
// background handles, files, snapshots, export/import, fork, persistence across reloads.
import { test, expect, ready } from './fixtures';

test.describe('commands', () => {
  test('shell semantics: pipes, substitution, subshells, exit codes', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const run = async (c: string) => {
        const r = await sb.commands.run(c);
        return [r.stdout, r.exitCode];
      };
      const res = {
        sort: await run('for i in 3 1 2; do echo $i; done | sort | tail -1'),
        subst: await run('echo $(echo a; (echo b)) | tr ab AB'),
        exit: await run('exit 3'),
        heredoc: await run('cat <<EOF\nx $((6*7))\nEOF'),
        tmp: await run('echo hi > /tmp/x'),
        tmpNext: await run('cat /tmp/x'),
        stderr: (await sb.commands.run('echo oops >&2; false')).stderr,
      };
      let thrown: any = null;
      try {
        await sb.commands.run('echo out; exit 5', { check: true });
      } catch (e: any) {
        thrown = { code: e.code, exitCode: e.exitCode, stdout: e.stdout, name: e.name };
      }
      await sb.destroy();
      return { ...res, thrown };
    });
    expect(out.sort).toEqual(['3\n', 0]);
    expect(out.subst).toEqual(['A B\n', 0]);
    expect(out.exit[1]).toBe(3);
    expect(out.heredoc).toEqual(['x 42\n', 0]);
    expect(out.tmpNext).toEqual(['hi\n', 0]);
    expect(out.stderr).toBe('oops\n');
    expect(out.thrown).toEqual({ code: 'EXIT', exitCode: 5, stdout: 'out\n', name: 'CommandExitError' });
  });

  test('streams chunks while the command runs', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const chunks: { text: string; at: number }[] = [];
      const t0 = performance.now();
      const r = await sb.commands.run('for i in 1 2 3; do echo $i; sleep 0.2; done', {
        onStdout: (c: string) => chunks.push({ text: c, at: performance.now() - t0 }),
      });
      const end = performance.now() - t0;
      await sb.destroy();
      return { chunks, end, stdout: r.stdout };
    });
    expect(out.stdout).toBe('1\n2\n3\n');
    expect(out.chunks.map((c) => c.text).join('')).toBe('1\n2\n3\n');
    expect(out.chunks.length).toBeGreaterThanOrEqual(3);
    // The first chunk arrived well before the command ended.
    expect(out.chunks[0]!.at).toBeLessThan(out.end - 300);
  });

  test('a timeout ends a runaway command with reason timeout and the sandbox goes on', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      await sb.files.write('/home/user/keep.txt', 'kept');
      const r = await sb.commands.run('while :; do :; done', { timeoutMs: 1000 });
      const next = await sb.commands.run('cat /home/user/keep.txt');
      await sb.destroy();
      return { reason: r.reason, exitCode: r.exitCode, ms: r.durationMs, next: next.stdout };
    });
    expect(out.reason).toBe('timeout');
    expect(out.exitCode).toBe(124);
    expect(out.ms).toBeGreaterThanOrEqual(900);
    expect(out.next).toBe('kept');
  });

  test('background handles: stdin, kill, list, wait; concurrent commands', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const cat = await sb.commands.run('cat', { background: true });
      await cat.sendStdin('line one\n');
      await cat.closeStdin();
      const catRes = await cat.wait();
      const spin = await sb.commands.run('while :; do :; done', { background: true });
      const listed = (await sb.commands.list()).map((p: any) => p.pid);
      const t0 = performance.now();
      await spin.kill();
      const spinRes = await spin.wait();
      const killMs = performance.now() - t0;
      const [a, b] = await Promise.all([sb.commands.run('sleep 0.3; echo a'), sb.commands.run('sleep 0.3; echo b')]);
      await sb.destroy();
      return { cat: catRes.stdout, listed, spinPid: spin.pid, spin: spinRes.reason, killMs, a: a.stdout, b: b.stdout };
    });
    expect(out.cat).toBe('line one\n');
    expect(out.listed).toContain(out.spinPid);
    expect(out.spin).toBe('killed');
    expect(out.a).toBe('a\n');
    expect(out.b).toBe('b\n');
  });
});

test.describe('files and state', () => {
  test('files API and guests see the same tree, with clear error codes', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      await sb.files.write('/home/user/dir/a.txt', 'from api\n');
      const guestRead = (await sb.commands.run('cat /home/user/dir/a.txt')).stdout;
      await sb.commands.run('mkdir -p /home/user/g && echo from guest > /home/user/g/b.txt');
      const apiRead = await sb.files.read('/home/user/g/b.txt');
      const bytes = await sb.files.read('/home/user/g/b.txt', { format: 'bytes' });
      const list = (await sb.files.list('/home/user', { depth: 2 })).map((e: any) => `${e.type}:${e.path}`).sort();
      const stat = await sb.files.stat('/home/user/dir/a.txt');
      await sb.files.rename('/home/user/dir/a.txt', '/home/user/dir/c.txt');
      const codes: string[] = [];
      for (const f of [
        () => sb.files.read('/home/user/missing'),
        () => sb.files.read('/home/user/dir'),
        () => sb.files.remove('/home/user/dir'),
        () => sb.files.mkdir('/home/user/dir'),
      ]) {
        try {
          await f();
          codes.push('none');
        } catch (e: any) {
          codes.push(e.code);
        }
      }
      await sb.destroy();
      return { guestRead, apiRead, bytes: Array.from(bytes as Uint8Array).length, list, stat, codes };
    });
    expect(out.guestRead).toBe('from api\n');
    expect(out.apiRead).toBe('from guest\n');
    expect(out.bytes).toBe(11);
    expect(out.list).toEqual([
      'dir:/home/user/dir',
      'dir:/home/user/g',
      'file:/home/user/dir/a.txt',
      'file:/home/user/g/b.txt',
    ]);
    expect(out.stat).toMatchObject({ name: 'a.txt', type: 'file', size: 9 });
    expect(out.codes).toEqual(['ENOENT', 'EISDIR', 'ENOTEMPTY', 'EEXIST']);
  });

  test('ENOSPC at exactly the quota, nothing half-written', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create({ fsLimitBytes: 1 << 20 });
      const used = (await sb.files.list('/', { depth: 10 }))
        .filter((e: any) => e.type === 'file')
        .reduce((n: number, e: any) => n + e.size, 0);
      const room = (1 << 20) - used;
      await sb.files.write('/home/user/fits.bin', new Uint8Array(room));
      let code = 'none';
      try {
        await sb.files.write('/home/user/over.bin', new Uint8Array(1));
      } catch (e: any) {
        code = e.code;
      }
      const exists = await sb.files.exists('/home/user/over.bin');
      await sb.destroy();
      return { code, exists };
    });
    expect(out.code).toBe('ENOSPC');
    expect(out.exists).toBe(false);
  });

  test('snapshots, diff, restore, fork, export and import', async ({ page }) => {
    await ready(page, '/?api');
    const out = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const sb = await Sandbox.create();
      await sb.commands.run('mkdir -p /home/user/pkg && echo 1 > /home/user/pkg/a && echo 2 > /home/user/pkg/b');
      const snap = await sb.snapshot({ name: 'before' });
      await sb.commands.run('echo 3 > /home/user/pkg/c && echo 22 > /home/user/pkg/b && rm /home/user/pkg/a');
      const diff = await sb.diff(snap.id);
      const child = await sb.fork();
      await child.files.write('/home/user/pkg/c', 'child');
      await sb.restore(snap.id);
      const afterRestore = (await sb.commands.run('ls /home/user/pkg | tr "\\n" " "')).stdout;
      const childC = await child.files.read('/home/user/pkg/c');
      await sb.setEnv({ GREETING: 'hello' });
      await sb.setCwd('/home/user/pkg');
      const blob = await sb.exportState();
      const copy = await Sandbox.importState(blob);
      const copyOut = (await copy.commands.run('echo $GREETING; pwd; cat b')).stdout;
      const snaps = (await copy.listSnapshots()).map((s: any) => s.name);
      // The same Blob as a template (the kernel reads a Blob itself), and a truncated Blob.
      const fromTemplate = await Sandbox.create({ template: blob });
      const templateOut = (await fromTemplate.commands.run('cat b')).stdout;
      const corrupt: string[] = [];
      const bytes = new Uint8Array(await blob.arrayBuffer());
      for (const bad of [bytes.slice(0, bytes.length >> 1), new Uint8Array([1, 2, 3]), blob.slice(0, 100)]) {
        try {
          await Sandbox.importState(bad);
          corrupt.push('none');
        } catch (e: any) {
          corrupt.push(e.code);
        }
      }
      for (const s of [sb, child, copy, fromTemplate]) await s.destroy();
      return { diff, afterRestore, childC, copyOut, templateOut, snaps, corrupt, size: blob.size, type: blob.type };
    });
    expect(out.diff).toEqual({
      added: ['/home/user/pkg/c'],
      modified: ['/home/user/pkg/b'],
      removed: ['/home/user/pkg/a'],
    });
    expect(out.afterRestore).toBe('a b ');
    expect(out.childC).toBe('child');
    expect(out.copyOut).toBe('hello\n/home/user/pkg\n2\n');
    expect(out.snaps).toEqual(['before']);
    expect(out.templateOut).toBe('2\n');
    expect(out.corrupt).toEqual(['CORRUPT', 'CORRUPT', 'CORRUPT']);
  });

  for (const persistence of ['opfs', 'indexeddb'] as const) {
    test(`persistence '${persistence}' survives a page reload`, async ({ page }) => {
      await ready(page, '/?api');
      await page.evaluate(async (persistence) => {
        const { Sandbox } = (globalThis as any).sandpit;
        await Sandbox.delete(`e2e-${persistence}`).catch(() => undefined);
        const sb = await Sandbox.create({ id: `e2e-${persistence}`, persistence });
        await sb.commands.run(
          "mkdir -p /home/user/p && echo persisted > /home/user/p/f.txt && ln -s p/f.txt /home/user/link && chmod 750 /home/user/p/f.txt && touch -d '2001-02-03 04:05:06' /home/user/p/f.txt",
        );
        await sb.snapshot({ name: 'snap1' });
        await sb.setEnv({ KEEP: 'yes' });
        await sb.setCwd('/home/user/p');
        await sb.destroy();
      }, persistence);
      await ready(page, '/?api');
      const out = await page.evaluate(async (persistence) => {
        const { Sandbox } = (globalThis as any).sandpit;
        const listed = (await Sandbox.list()).map((e: any) => `${e.id}:${e.persistence}`);
        const sb = await Sandbox.open(`e2e-${persistence}`);
        // Relative paths: the cwd was kept too. Modes, mtimes and symlinks as the guest and the API see them.
        const r = (await sb.commands.run('cat f.txt; echo $KEEP; stat -c "%a %Y" f.txt; readlink ../link; cat ../link'))
          .stdout;
        const link = await sb.files.stat('/home/user/link');
        const file = await sb.files.stat('/home/user/p/f.txt');
        const snaps = (await sb.listSnapshots()).map((s: any) => s.name);
        let second = 'none';
        try {
          await Sandbox.open(`e2e-${persistence}`);
        } catch (e: any) {
          second = e.code;
        }
        await sb.destroy({ purge: true });
        let gone = 'none';
        try {
          await Sandbox.open(`e2e-${persistence}`);
        } catch (e: any) {
          gone = e.code;
        }
        return { listed, r, snaps, second, gone, link, file };
      }, persistence);
      expect(out.listed).toContain(`e2e-${persistence}:${persistence}`);
      const mtime = Date.UTC(2001, 1, 3, 4, 5, 6);
      expect(out.r).toBe(`persisted\nyes\n750 ${mtime / 1000}\np/f.txt\npersisted\n`);
      expect(out.link).toMatchObject({ type: 'symlink', target: 'p/f.txt' });
      expect(out.file).toMatchObject({ type: 'file', mtimeMs: mtime });
      expect(out.file.mode & 0o777).toBe(0o750);
      expect(out.snaps).toEqual(['snap1']);
      expect(out.second).toBe('LOCKED');
      expect(out.gone).toBe('NOT_FOUND');
    });
  }
});

test.describe('deterministic mode', () => {
  test('the same commands print the same bytes in two fresh pages', async ({ browser }) => {
    const outputs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await ready(page, '/?api');
      outputs.push(
        await page.evaluate(async () => {
          const { Sandbox } = (globalThis as any).sandpit;
          const sb = await Sandbox.create({ deterministic: { seed: 7, epochMs: 1_700_000_000_000 } });
          await sb.files.write('/home/user/b.txt', 'b');
          await sb.files.write('/home/user/a.txt', 'a');
          const r = await sb.commands.run('date; echo $RANDOM $RANDOM; ls -1; hostname');
          await sb.destroy();
          return r.stdout + r.stderr;
        }),
      );
      await context.close();
    }
    expect(outputs[0]).toContain('2023');
    expect(outputs[0]).toContain('a.txt\nb.txt');
    expect(outputs[1]).toBe(outputs[0]);
  });
});
