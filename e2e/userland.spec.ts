// Issue 3's acceptance commands, run literally through commands.run in headless Chromium: the
// real bash, busybox, CPython, sqlite3, Lua, jq and MuJS binaries of public/wasm.
import { test, expect, ready } from './fixtures';

const CASES: { cmd: string; expect: (out: string) => boolean; what: string }[] = [
  { cmd: 'for i in 3 1 2; do echo $i; done | sort | tail -1', expect: (o) => o === '3\n', what: '3' },
  { cmd: 'echo $(echo a; (echo b)) | tr ab AB', expect: (o) => o === 'A B\n', what: 'A B' },
  { cmd: 'seq 1 100 | xargs -n 10 echo | wc -l', expect: (o) => o.trim() === '10', what: '10' },
  {
    cmd: "find /usr/bin -name 'py*' -exec basename {} \\;",
    expect: (o) => o.split('\n').includes('python3') && o.split('\n').includes('python'),
    what: 'python and python3 listed',
  },
  {
    cmd: `python3 -c "import subprocess,json,sqlite3,zlib; print(subprocess.run(['echo','hi'],capture_output=True,text=True).stdout.strip())"`,
    expect: (o) => o === 'hi\n',
    what: 'hi',
  },
  { cmd: `echo '{"a":[1,2]}' | jq '.a|add'`, expect: (o) => o === '3\n', what: '3' },
  { cmd: "sqlite3 :memory: 'select 6*7'", expect: (o) => o === '42\n', what: '42' },
  { cmd: "lua -e 'print(2^10)'", expect: (o) => o === '1024.0\n', what: '1024.0' },
  { cmd: "js -e 'print(1+1)'", expect: (o) => o === '2\n', what: '2' },
  // Beyond the list: pipelines end when the reader leaves (SIGPIPE), and pipes are not terminals.
  { cmd: 'yes | head -c 1000000 | wc -c', expect: (o) => o.trim() === '1000000', what: '1000000' },
  { cmd: '{ [ -t 1 ] && echo tty || echo pipe; } | cat', expect: (o) => o === 'pipe\n', what: 'pipe' },
];

test('issue 3 acceptance commands print what they should', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page);
  const results = await page.evaluate(
    async (cmds) => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const out: { cmd: string; stdout: string; stderr: string; exitCode: number }[] = [];
      for (const cmd of cmds) {
        const r = await sb.commands.run(cmd, { timeoutMs: 60_000 });
        out.push({ cmd, stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode });
      }
      await sb.destroy();
      return out;
    },
    CASES.map((c) => c.cmd),
  );
  const failures = results
    .map((r, i) => ({ ...r, want: CASES[i]!.what, ok: r.exitCode === 0 && CASES[i]!.expect(r.stdout) }))
    .filter((r) => !r.ok);
  expect(failures).toEqual([]);
});

test('tar -czf writes a gzip archive that tar -tzf lists', async ({ page }) => {
  // tar -z forks gzip over a pipe, closes its end and waits for gzip: it hung while compat's
  // dup2 left a copy of that pipe's write end open (wasm/compat/README.md, dup2).
  await ready(page);
  const r = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    const run = (cmd: string) => sb.commands.run(cmd, { timeoutMs: 15_000 });
    const out = {
      create: await run('mkdir -p t && echo x > t/f && tar -czf t.tgz t && tar -tzf t.tgz'),
      extract: await run('mkdir -p o && tar -xzf t.tgz -C o && cat o/t/f'),
      gunzip: await run('gzip -dc t.tgz | tar -tf -'),
      bzip2: await run('tar -cjf t.tbz t && tar -tjf t.tbz'),
    };
    await sb.destroy();
    return out;
  });
  for (const o of Object.values(r)) expect(o.exitCode).toBe(0);
  expect(r.create.stdout.split('\n').sort()).toEqual(['', 't/', 't/f']);
  expect(r.extract.stdout).toBe('x\n');
  expect(r.gunzip.stdout).toContain('t/f');
  expect(r.bzip2.stdout).toContain('t/f');
});
