// Extensions end to end in headless Chromium: host functions of the page run as guest
// commands, in pipes and redirects, with args, stdin, cwd and env, asynchronously.
import { test, expect, ready } from './fixtures';

test('extensions run as commands: pipes, redirects, args, stdin, cwd, env, exit codes', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const calls: unknown[] = [];
    const sb = await (globalThis as any).sandpit.Sandbox.create({
      env: { GREETING: 'hey' },
      extensions: [
        {
          name: 'upper',
          run: async ({ stdin }: { stdin: string }) => {
            await new Promise((r) => setTimeout(r, 100)); // the guest waits for the Promise
            return { stdout: stdin.toUpperCase(), exitCode: 0 };
          },
        },
        {
          name: 'info',
          run: async (input: { args: string[]; cwd: string; env: Record<string, string>; stdin: string }) => {
            calls.push(input);
            return {
              stdout: JSON.stringify({ args: input.args, cwd: input.cwd, g: input.env.GREETING }) + '\n',
              stderr: 'warn\n',
              exitCode: 3,
            };
          },
        },
        {
          name: 'boom',
          run: () => {
            throw new Error('host says no');
          },
        },
      ],
    });
    const run = async (c: string, opts: object = {}) => {
      const r = await sb.commands.run(c, opts);
      return [r.stdout, r.stderr, r.exitCode];
    };
    const t0 = performance.now();
    const res = {
      pipe: await run('echo hi | upper'),
      firstMs: performance.now() - t0,
      which: await run('command -v upper'),
      stdin: await run('upper', { stdin: 'from stdin\n' }),
      write: await run('echo some text > f'),
      redirect: await run('upper < f > g; cat g'),
      chain: await run('echo abc | upper | tr B x | upper | wc -c'),
      info: await run('cd /tmp && info "a b" -z; echo "exit=$?"'),
      boom: await run('boom'),
    };
    const t1 = performance.now();
    for (let i = 0; i < 5; i++) await sb.commands.run('echo x | upper');
    const warmMs = (performance.now() - t1) / 5;
    await sb.destroy();
    return { ...res, warmMs, calls };
  });
  console.log(`extension: first call ${out.firstMs.toFixed(0)} ms, warm 'echo x | upper' ${out.warmMs.toFixed(0)} ms`);
  expect(out.pipe).toEqual(['HI\n', '', 0]);
  expect(out.which[0]).toMatch(/\/upper\n$/);
  expect(out.stdin).toEqual(['FROM STDIN\n', '', 0]);
  expect(out.redirect).toEqual(['SOME TEXT\n', '', 0]);
  expect(out.chain[0].trim()).toBe('4');
  expect(out.info).toEqual(['{"args":["a b","-z"],"cwd":"/tmp","g":"hey"}\nexit=3\n', 'warn\n', 0]);
  expect(out.boom).toEqual(['', 'boom: host says no\n', 1]);
});

test('extension options are checked', async ({ page }) => {
  await ready(page);
  const code = await page.evaluate(async () => {
    try {
      await (globalThis as any).sandpit.Sandbox.create({ extensions: [{ name: 'bad name', run: () => ({}) }] });
      return 'created';
    } catch (e: any) {
      return e.code;
    }
  });
  expect(code).toBe('EINVAL');
});

test('in a terminal: `stdin: false` extensions answer at once, filters work in pipes', async ({ page }) => {
  await ready(page);
  const text = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({
      extensions: [
        {
          name: 'hello',
          stdin: false,
          run: async ({ args }: { args: string[] }) => ({ stdout: `HELLO-OUT:${args[0]}\n` }),
        },
        { name: 'upper', run: async ({ stdin }: { stdin: string }) => ({ stdout: stdin.toUpperCase() }) },
      ],
    });
    let out = '';
    const dec = new TextDecoder();
    const pty = await sb.pty.create({ cols: 80, rows: 24, onData: (b: Uint8Array) => (out += dec.decode(b)) });
    const waitFor = async (s: string) => {
      for (let i = 0; i < 200 && !out.includes(s); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await new Promise((r) => setTimeout(r, 500));
    await pty.write('hello world\r');
    await waitFor('HELLO-OUT:world');
    await pty.write('echo quiet | upper\r');
    await waitFor('QUIET');
    await pty.kill();
    await sb.destroy();
    return out;
  });
  expect(text).toContain('HELLO-OUT:world');
  expect(text).toContain('QUIET');
});

test('a fork keeps its parent extensions and network', async ({ page }) => {
  await ready(page);
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({
      network: { allow: [location.host] },
      extensions: [{ name: 'twice', run: async ({ stdin }: { stdin: string }) => ({ stdout: stdin + stdin }) }],
    });
    const child = await sb.fork();
    const a = await child.commands.run('echo ab | twice');
    const b = await child.commands.run(`curl -s -o /dev/null -w '%{http_code}' ${location.origin}/`);
    await child.destroy();
    await sb.destroy();
    return [a.stdout, b.stdout];
  });
  expect(out).toEqual(['ab\nab\n', '200']);
});

// The user's extension wins over a binary's command of the same name: the late binaries (jq,
// python3, lua, sqlite3, js) are installed after the sandbox's extensions, and used to shadow
// them from then on; an argv spawn of a name two packages provide failed ("ambiguous"), and an
// extension named `bash` broke every command (the kernel runs commands with `bash -c`).
test('extensions named like binaries win, before and after the late binaries are installed', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sandpit = (globalThis as any).sandpit;
    const ext = (name: string, stdin = true) => ({
      name,
      stdin,
      run: ({ args, stdin: text }: { args: string[]; stdin: string }) => ({
        stdout: `ext ${name}(${args.join(' ')}) [${text.trim()}]\n`,
      }),
    });
    const extensions = [ext('jq'), ext('sqlite3'), ext('ls'), ext('bash'), ext('js', false)];
    // Created at once, before the late binaries are in (they load while the first commands run).
    const sb = await sandpit.Sandbox.create({ extensions });
    const run = async (c: string) => {
      const r = await sb.commands.run(c);
      return `${r.exitCode}:${r.stdout}${r.stderr}`;
    };
    const res: Record<string, string> = {
      jqFirst: await run(`echo '{}' | jq .`),
      // A late binary nobody shadows: the command waits for the late binaries, so they are in now.
      lua: await run('lua -e "print(6*7)"'),
      jqAfter: await run(`echo '{"a":1}' | jq -c .`),
      sqlite: await run(`sqlite3 :memory: 'select 1'`),
      ls: await run('ls /nope'),
      bash: await run('echo from-the-shell; bash -c x'),
      python: await run('python3 -c "print(2+2)"'),
    };
    // An argv spawn (a terminal's command) of an extension's name.
    let screen = '';
    const dec = new TextDecoder();
    const pty = await sb.pty.create({ command: ['js', 'a'], onData: (b: Uint8Array) => (screen += dec.decode(b)) });
    await pty.wait();
    res.ptyArgv = screen;
    // A sandbox built after the late binaries are in, and one without extensions.
    const later = await sandpit.Sandbox.create({ extensions: [ext('jq')] });
    res.laterJq = (await later.commands.run(`echo '{}' | jq .`)).stdout;
    const plain = await sandpit.Sandbox.create();
    res.plainJq = (await plain.commands.run(`echo '{"a":1}' | jq -c .`)).stdout;
    for (const s of [sb, later, plain]) await s.destroy();
    return res;
  });
  expect(out.jqFirst).toBe('0:ext jq(.) [{}]\n');
  expect(out.lua).toBe('0:42\n');
  expect(out.jqAfter).toBe('0:ext jq(-c .) [{"a":1}]\n');
  expect(out.sqlite).toBe('0:ext sqlite3(:memory: select 1) []\n');
  expect(out.ls).toBe('0:ext ls(/nope) []\n');
  expect(out.bash).toBe('0:from-the-shell\next bash(-c x) []\n');
  expect(out.python).toBe('0:4\n');
  expect(out.ptyArgv).toContain('ext js(a) []');
  expect(out.laterJq).toBe('ext jq(.) [{}]\n');
  expect(out.plainJq).toBe('{"a":1}\n');
});
