// What guest programs see of the kernel VFS through @wasmer/sdk 0.16.0's host filesystem, in
// headless Chromium: big listings, big reads, coherence with the files API, and the metadata the
// SDK's protocol cannot carry (docs/hostfs-protocol.md, "What the protocol carries").
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

async function ready(page: Page): Promise<void> {
  await page.goto('/');
  await page.waitForFunction(() => 'sandpit' in globalThis);
}

function report(name: string, value: unknown): void {
  console.log(`[guest-fs] ${name}: ${JSON.stringify(value)}`);
  test.info().annotations.push({ type: name, description: JSON.stringify(value) });
}

test('a directory of 20,000 files lists in the guest (paged readDir)', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.files.writeFiles(
      Array.from({ length: 20_000 }, (_, i) => ({ path: `/home/user/many/file-${i}.txt`, data: '' })),
    );
    const t0 = performance.now();
    const r = await sb.commands.run('ls many | wc -l; ls many/file-19999.txt', { timeoutMs: 120_000 });
    const ms = performance.now() - t0;
    await sb.destroy();
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, ms: Math.round(ms) };
  });
  report('ls of 20,000 entries', out);
  expect(out.stderr).toBe('');
  expect(out.stdout).toBe('20000\nmany/file-19999.txt\n');
});

test('a guest reads a big file byte for byte (read-ahead), and sees every files API change', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const data = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 12)) & 0xff;
    await sb.files.write('/home/user/big.bin', data);
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const want = hex(await crypto.subtle.digest('SHA-256', data));
    const t0 = performance.now();
    const sum = await sb.commands.run('sha256sum big.bin; cat big.bin | wc -c');
    const ms = performance.now() - t0;
    // Coherence: each API write is seen by the very next guest read (worker caches invalidated).
    const seen: string[] = [];
    for (const v of ['one', 'second', '3']) {
      await sb.files.write('/home/user/v.txt', v);
      seen.push((await sb.commands.run('cat v.txt; echo; wc -c < v.txt')).stdout);
    }
    await sb.files.remove('/home/user/v.txt');
    const gone = await sb.commands.run('cat v.txt');
    await sb.destroy();
    return { want, got: sum.stdout, ms: Math.round(ms), seen, goneExit: gone.exitCode };
  });
  report('sha256sum + cat | wc of 3 MB', { ms: out.ms });
  expect(out.got).toBe(`${out.want}  big.bin\n${3 * 1024 * 1024 + 17}\n`);
  expect(out.seen).toEqual(['one\n3\n', 'second\n6\n', '3\n1\n']);
  expect(out.goneExit).not.toBe(0);
});

test('cwd through a regular file is ENOTDIR', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.files.write('/home/user/f', 'x');
    let code = 'none';
    try {
      await sb.commands.run('ls', { cwd: '/home/user/f' });
    } catch (e: any) {
      code = e.code;
    }
    await sb.destroy();
    return code;
  });
  expect(out).toBe('ENOTDIR');
});

test('a symlink made by a guest is a symlink for the files API', async ({ page }) => {
  // WASIX would keep it in its own per-command inode table; our compat library's symlink()
  // asks the kernel instead (docs/hostfs-protocol.md, "Guest metadata").
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.commands.run('echo hi > target.txt && ln -s target.txt link');
    const type = await sb.files.stat('/home/user/link').then(
      (s: { type: string }) => s.type,
      (e: { code: string }) => e.code,
    );
    await sb.destroy();
    return type;
  });
  expect(out).toBe('symlink');
});

test('a symlink, mode and mtime set in one command are what the next command sees', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const run = async (cmd: string) => {
      const r = await sb.commands.run(cmd);
      return r.stdout + r.stderr;
    };
    await run(
      "echo hi > t.txt && ln -s t.txt l && echo 'echo ran' > s.sh && chmod 750 s.sh && touch -d '2001-02-03 04:05:06' t.txt",
    );
    const later = {
      ls: await run('ls -l l s.sh'),
      readlink: await run('readlink l; cat l'),
      mtime: await run('stat -c %Y t.txt'),
      x: await run('test -x s.sh && ./s.sh'),
      findL: await run('find . -type l'),
    };
    const api = {
      link: await sb.files.stat('/home/user/l'),
      script: await sb.files.stat('/home/user/s.sh'),
      t: await sb.files.stat('/home/user/t.txt'),
    };
    await sb.destroy();
    return { later, api };
  });
  report('later commands', out.later);
  expect(out.later.ls).toMatch(/^lrwxrwxrwx .* l -> t\.txt$/m);
  expect(out.later.ls).toMatch(/^-rwxr-x--- .* s\.sh$/m);
  expect(out.later.readlink).toBe('t.txt\nhi\n');
  expect(out.later.mtime).toBe(`${Date.UTC(2001, 1, 3, 4, 5, 6) / 1000}\n`);
  expect(out.later.x).toBe('ran\n');
  expect(out.later.findL).toBe('./l\n');
  expect(out.api.link).toMatchObject({ type: 'symlink', target: 't.txt' });
  expect(out.api.script.mode & 0o777).toBe(0o750);
  expect(out.api.t.mtimeMs).toBe(Date.UTC(2001, 1, 3, 4, 5, 6));
});

test('files written through the files API have the mode and mtime the guest sees', async ({ page }) => {
  // The public files API has no symlink/chmod/utimes; what it sets (0644, now) must show as such.
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.files.write('/home/user/api.txt', 'from the api\n');
    const s = await sb.files.stat('/home/user/api.txt');
    const r = await sb.commands.run('ls -l api.txt; stat -c "%a %Y" api.txt; test -x api.txt || echo not-x');
    await sb.destroy();
    return { stdout: r.stdout, mode: s.mode, mtimeMs: s.mtimeMs };
  });
  report('files API entry as the guest sees it', out.stdout);
  const [ls, stat, x] = out.stdout.split('\n');
  expect(ls).toMatch(/^-rw-r--r-- .* api\.txt$/);
  expect(stat).toBe(`${(out.mode & 0o777).toString(8)} ${Math.floor(out.mtimeMs / 1000)}`);
  expect(x).toBe('not-x');
});

test('chmod +x in a guest shows in files.stat mode', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.commands.run('echo x > s.sh && chmod +x s.sh');
    const mode = (await sb.files.stat('/home/user/s.sh')).mode;
    await sb.destroy();
    return mode;
  });
  expect(out & 0o111).toBe(0o111);
});

test('touch -d in a guest sets the mtime files.stat reports', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.commands.run("touch -d '2001-02-03 04:05:06' t.txt");
    const s = await sb.files.stat('/home/user/t.txt');
    await sb.destroy();
    return new Date(s.mtimeMs).getUTCFullYear();
  });
  expect(out).toBe(2001);
});

test('a guest out of space says "No space left on device"', async ({ page }) => {
  // The SDK turns ENOSPC into EIO; compat asks the kernel why a write failed (busybox's own
  // "standard output: I/O error" for a failed stdio stream included: compat wraps it).
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ fsLimitBytes: 1 << 20 });
    const runs: [string, number, string, number][] = [];
    for (const [name, c] of [
      ['pipe', 'head -c 2000000 /dev/zero | cat > big'],
      ['head', 'rm -f big; head -c 2000000 /dev/zero > big'],
      ['bash', 'rm -f big; printf -v x "%1500000s" ""; echo "$x" > big'],
      ['python', "rm -f big; python3 -c \"open('big', 'wb').write(bytes(2000000))\""],
    ]) {
      const r = await sb.commands.run(c);
      const size = (await sb.files.stat('/home/user/big')).size;
      runs.push([name, r.exitCode, r.stderr.replace(/^Traceback[^]*\n(?=OSError)/, ''), size]);
    }
    await sb.destroy();
    return runs;
  });
  report('guest ENOSPC', out);
  for (const [, code, stderr, size] of out) {
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/No space left on device/);
    expect(size).toBeLessThanOrEqual(1 << 20); // nothing over the quota stays
  }
  expect(out[1]!.slice(1, 3)).toEqual([1, 'head: standard output: No space left on device\n']);
  expect(out[3]![2]).toMatch(/OSError: \[Errno 51\] No space left on device/); // WASI's ENOSPC
});
