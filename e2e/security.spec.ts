// Security in headless Chromium: a guest cannot see the page (DOM, cookies, localStorage,
// sessionStorage), another sandbox's files, or the network unless allowed; hostile paths in the
// files API get coded errors and never escape; random file+command sequences only ever reject
// with a coded SandboxError and never hang. Figures go to docs/reliability.md.
import { test, expect, ready, report } from './fixtures';

const FULL = !!process.env.RELIABILITY_FULL;

test('a guest cannot read the page: DOM, cookies, localStorage, sessionStorage', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const secret = 'S3CR3T' + Math.random().toString(36).slice(2);
    document.cookie = `tok=${secret}-cookie; path=/`;
    localStorage.setItem('tok', `${secret}-local`);
    sessionStorage.setItem('tok', `${secret}-session`);
    const div = document.createElement('div');
    div.textContent = `${secret}-dom`;
    document.body.append(div);
    (globalThis as any).pageSecret = `${secret}-global`;
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const probes = [
      'env',
      'set',
      'cat /proc/*/environ /proc/*/cmdline /proc/self/* 2>/dev/null',
      'ls -laR /home /tmp /etc /usr /var /proc 2>/dev/null | head -c 2000000',
      `grep -r -a -l "${secret.slice(0, 6)}" /home /tmp /etc /usr /var /root /mnt /bin /lib /opt 2>/dev/null`,
      'cat /dev/mem /dev/kmem /dev/port 2>&1',
      `python3 -c "import os; print(dict(os.environ)); print(os.listdir('/'))"`,
      `js -e 'print(typeof document, typeof localStorage, typeof window, typeof globalThis.postMessage)' 2>&1 || mujs -e 'print(typeof document)' 2>&1`,
    ];
    const outputs: string[] = [];
    for (const p of probes) {
      const r = await sb.commands.run(p, { timeoutMs: 15_000, maxOutputBytes: 4 << 20 });
      outputs.push(r.stdout + r.stderr);
    }
    await sb.destroy();
    const all = outputs.join('\n');
    return { leaked: all.includes(secret), bytes: all.length, js: outputs[7]!.slice(0, 200) };
  });
  report('page secrets probe', out);
  expect(out.leaked).toBe(false);
  expect(out.bytes).toBeGreaterThan(1000);
});

test("a guest cannot read another sandbox's files", async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const secret = 'OTHER' + Math.random().toString(36).slice(2);
    const a = await Sandbox.create({ id: `victim-${Date.now()}` });
    await a.files.write('/home/user/secret.txt', secret);
    await a.files.write('/tmp/secret.txt', secret);
    const b = await Sandbox.create();
    const r = await b.commands.run(
      `ls /home/user/secret.txt /tmp/secret.txt 2>&1; grep -r -a -l "${secret}" /home /tmp /root /mnt /var /etc 2>/dev/null; echo done`,
      { timeoutMs: 60_000 },
    );
    let apiRead = 'no error';
    try {
      await b.files.read('/home/user/secret.txt');
    } catch (e: any) {
      apiRead = e.code;
    }
    await a.destroy({ purge: true });
    await b.destroy();
    return { out: r.stdout + r.stderr, leaked: (r.stdout + r.stderr).includes(secret), apiRead };
  });
  report('cross-sandbox probe', { leaked: out.leaked, apiRead: out.apiRead });
  expect(out.leaked).toBe(false);
  expect(out.apiRead).toBe('ENOENT');
  expect(out.out).toMatch(/done\n$/);
});

test('no network unless allowed: curl and python to the preview server fail', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const url = `${location.origin}/wasm/manifest.json`;
    const curl = await sb.commands.run(`curl -sS ${url}`, { timeoutMs: 30_000 });
    const py = await sb.commands.run(
      `python3 -c "import urllib.request; print(urllib.request.urlopen('${url}').read()[:20])"`,
      { timeoutMs: 30_000 },
    );
    const allowedOther = await (globalThis as any).sandpit.Sandbox.create({ network: { allow: ['example.com'] } });
    const other = await allowedOther.commands.run(`curl -sS ${url}`, { timeoutMs: 30_000 });
    await allowedOther.destroy();
    await sb.destroy();
    const strip = (r: any) => ({ exitCode: r.exitCode, stdout: r.stdout.slice(0, 100), stderr: r.stderr.slice(-200) });
    return { curl: strip(curl), py: strip(py), other: strip(other) };
  });
  report('network off', out);
  expect(out.curl.exitCode).not.toBe(0);
  expect(out.curl.stdout).not.toContain('"version"');
  expect(out.py.exitCode).not.toBe(0);
  expect(out.py.stdout).not.toContain('version');
  expect(out.other.exitCode).not.toBe(0);
  expect(out.other.stdout).not.toContain('"version"');
});

test('hostile paths in the files API: coded errors, never an escape', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.files.write('/home/user/in.txt', 'inside');
    const paths: Record<string, unknown> = {
      dotdot: '/../../etc/passwd',
      dotdotDeep: '/home/user/../../../../x',
      relative: '../x',
      empty: '',
      nul: '/home/user/a\0b',
      nulEnd: '/home/user/in.txt\0.png',
      longPath: '/' + 'a/'.repeat(3000),
      longName: '/home/user/' + 'n'.repeat(5000),
      name300: '/home/user/' + 'n'.repeat(300),
      loneSurrogate: '/home/user/\uD800x',
      notString: 42,
      object: { toString: () => '/etc' },
      nullPath: null,
    };
    const ops: Record<string, (p: any) => Promise<unknown>> = {
      read: (p) => sb.files.read(p),
      write: (p) => sb.files.write(p, 'x'),
      stat: (p) => sb.files.stat(p),
      list: (p) => sb.files.list(p),
      mkdir: (p) => sb.files.mkdir(p, { recursive: true }),
      remove: (p) => sb.files.remove(p, { recursive: true }),
      renameFrom: (p) => sb.files.rename(p, '/home/user/r'),
      renameTo: (p) => sb.files.rename('/home/user/in.txt', p),
    };
    const results: Record<string, Record<string, string>> = {};
    for (const [name, p] of Object.entries(paths)) {
      results[name] = {};
      for (const [op, f] of Object.entries(ops)) {
        try {
          await f(p);
          results[name]![op] = 'ok';
          if (op === 'renameTo') await sb.files.rename(p, '/home/user/in.txt');
        } catch (e: any) {
          results[name]![op] = e?.name === 'SandboxError' && typeof e.code === 'string' ? e.code : `raw: ${e}`;
        }
      }
    }
    const inside = await sb.files.read('/home/user/in.txt');
    const root = (await sb.files.list('/')).map((e: any) => e.name).sort();
    const names = (await sb.files.list('/home/user')).map((e: any) => e.name.length);
    const guest = await sb.commands.run('ls /home/user | wc -l; cat /home/user/in.txt');
    await sb.destroy();
    return { results, inside, root, names, guest: guest.stdout };
  });
  report('hostile paths', out.results);
  const codes = ['EINVAL', 'ENOENT', 'ENAMETOOLONG', 'ENOTDIR', 'EISDIR', 'EEXIST', 'EACCES'];
  for (const name of [
    'dotdot',
    'dotdotDeep',
    'relative',
    'empty',
    'nul',
    'nulEnd',
    'longPath',
    'longName',
    'notString',
    'object',
    'nullPath',
  ]) {
    for (const [op, code] of Object.entries(out.results[name]!)) {
      expect(code, `${name} ${op}`).not.toBe('ok');
      expect(codes, `${name} ${op}`).toContain(code);
    }
  }
  // Whatever happens to a 300-byte name or a lone surrogate, it is a coded error or stays inside.
  for (const name of ['name300', 'loneSurrogate']) {
    for (const [op, code] of Object.entries(out.results[name]!)) {
      expect(['ok', ...codes], `${name} ${op}`).toContain(code);
    }
  }
  expect(out.inside).toBe('inside');
  expect(out.guest).toMatch(/inside$/);
});

test('random file and command sequences: every rejection is a coded SandboxError, nothing hangs', async ({ page }) => {
  await ready(page);
  const steps = FULL ? 2000 : 300;
  const out = await page.evaluate(async (steps) => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ fsLimitBytes: 4 << 20 });
    let seed = 4242;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T>(a: T[]) => a[rnd(a.length)]!;
    const segs = ['a', 'b', 'c', '..', '.', '', 'd e', 'é', '\0', 'x'.repeat(300)];
    const path = () =>
      (rnd(10) ? '/home/user/' : pick(['', '/', '/tmp/', '../'])) +
      Array.from({ length: 1 + rnd(3) }, () => pick(segs)).join('/');
    const cmds = [
      'ls',
      'cat a',
      'mkdir -p a/b',
      'rm -rf a',
      'echo x > b',
      'mv a c',
      'cat /nope',
      'exit 3',
      'head -c 100000 /dev/zero > big',
      'true | false',
      'ln -s a a',
    ];
    const codes: Record<string, number> = {};
    const raw: string[] = [];
    let ok = 0;
    let slowest = 0;
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const kind = rnd(9);
      try {
        const p = path();
        await Promise.race([
          (async () => {
            if (kind === 0) await sb.files.write(p, 'x'.repeat(rnd(5000)));
            else if (kind === 1) await sb.files.read(p);
            else if (kind === 2) await sb.files.mkdir(p, { recursive: !!rnd(2) });
            else if (kind === 3) await sb.files.remove(p, { recursive: !!rnd(2) });
            else if (kind === 4) await sb.files.rename(p, path());
            else if (kind === 5) await sb.files.list(p, { depth: 1 + rnd(3) });
            else if (kind === 6) await sb.files.stat(p);
            else if (kind === 7) await sb.commands.run(pick(cmds), { timeoutMs: 5000, cwd: rnd(5) ? '/home/user' : p });
            else
              await sb.files.writeFiles([
                { path: p, data: new Uint8Array(rnd(100)) },
                { path: path(), data: 'y' },
              ]);
          })(),
          new Promise((_, reject) =>
            setTimeout(() => reject(Object.assign(new Error('hang'), { hang: true })), 30_000),
          ),
        ]);
        ok++;
      } catch (e: any) {
        if (e?.hang) raw.push(`hang at step ${i} kind ${kind}`);
        else if (e?.name === 'SandboxError' && typeof e.code === 'string') {
          codes[e.code] = (codes[e.code] ?? 0) + 1;
          if (e.code === 'UNSUPPORTED') raw.push(`UNSUPPORTED from kind ${kind}: ${e.message}`);
        } else raw.push(`${e?.name}: ${e?.message} (kind ${kind})`);
      }
      slowest = Math.max(slowest, performance.now() - t0);
    }
    const after = await sb.commands.run('echo alive');
    await sb.destroy();
    return { steps, ok, codes, raw: raw.slice(0, 10), slowestMs: Math.round(slowest), after: after.stdout };
  }, steps);
  report('random API sequences', out);
  expect(out.raw).toEqual([]);
  expect(out.after).toBe('alive\n');
  for (const code of Object.keys(out.codes)) {
    expect([
      'ENOENT',
      'EEXIST',
      'ENOTDIR',
      'EISDIR',
      'ENOTEMPTY',
      'ENOSPC',
      'EINVAL',
      'EACCES',
      'ENAMETOOLONG',
    ]).toContain(code);
  }
});
