// CPython in headless Chromium: deterministic mode covers Python's randomness and clock,
// programs that run out of memory or recurse forever end with Python's own error and a
// non-zero exit, and the sandbox keeps working afterwards.
import { test, expect, ready } from './fixtures';
import type { Browser } from '@playwright/test';

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `commands` one after another in a new sandbox of a new browser context (a fresh page). */
async function inFreshPage(
  browser: Browser,
  create: Record<string, unknown>,
  commands: string[],
  files: Record<string, string> = {},
): Promise<Run[]> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await ready(page, '/?api');
    return await page.evaluate(
      async ({ create, commands, files }) => {
        const { Sandbox } = (globalThis as any).sandpit;
        const sb = await Sandbox.create(create);
        for (const [path, text] of Object.entries(files)) await sb.files.write(path, text);
        const out: Run[] = [];
        for (const c of commands) {
          const r = await sb.commands.run(c, { timeoutMs: 60_000 });
          out.push({ exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr });
        }
        await sb.destroy();
        return out;
      },
      { create, commands, files },
    );
  } finally {
    await context.close();
  }
}

test.describe('python deterministic mode', () => {
  const seeded = { deterministic: { seed: 7, epochMs: 1_700_000_000_000 } };
  const commands = [
    // The command, plus the str hash (PYTHONHASHSEED's random secret comes from the
    // same seeded random_get) and /dev/urandom opened by Python and inherited on stdin.
    `python3 -c "import random,os,time; print(random.random(), os.urandom(4).hex(), time.time())"`,
    `python3 -c "print(hash('sandpit'), {'a', 'b', 'c', 'd'}, open('/dev/urandom', 'rb').read(8).hex())"`,
    `python3 -c "import sys; print(sys.stdin.buffer.read(8).hex())" < /dev/urandom`,
  ];

  test('the same Python output in two fresh pages, another with a different seed', async ({ browser }) => {
    const first = await inFreshPage(browser, seeded, commands);
    const second = await inFreshPage(browser, seeded, commands);
    const other = await inFreshPage(browser, { deterministic: { seed: 8, epochMs: 1_700_000_000_000 } }, commands);
    for (const r of first) {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).not.toBe('');
    }
    expect(first[0].stdout).toMatch(/ 1700000000\.\d+\n$/);
    expect(second).toEqual(first);
    for (let i = 0; i < commands.length; i++) expect(other[i].stdout).not.toBe(first[i].stdout);
  });

  test('busybox reading /dev/urandom is seeded too', async ({ browser }) => {
    const cmd = ['head -c 8 /dev/urandom | od -x'];
    const [a] = await inFreshPage(browser, seeded, cmd);
    const [b] = await inFreshPage(browser, seeded, cmd);
    expect(a.exitCode).toBe(0);
    expect(a.stdout).not.toBe('');
    expect(b.stdout).toBe(a.stdout);
  });
});

test.describe('python failures end cleanly', () => {
  test('out of memory: MemoryError, exit 1, the sandbox keeps working', async ({ browser }) => {
    const [oom, after, py] = await inFreshPage(
      browser,
      {},
      ['python3 /home/user/oom.py', 'echo ok', 'python3 -c "print(6*7)"'],
      { '/home/user/oom.py': "a = []\nwhile True:\n    a.append(' ' * 10**6)\n" },
    );
    expect(oom.exitCode).toBe(1);
    expect(oom.stderr).toMatch(/MemoryError\s*$/);
    expect(after.stdout).toBe('ok\n');
    expect(py.stdout).toBe('42\n');
  });

  test('runaway recursion: RecursionError, exit 1, also with a limit of 10**6', async ({ browser }) => {
    const [plain, raised, after] = await inFreshPage(
      browser,
      {},
      ['python3 /home/user/r1.py', 'python3 /home/user/r2.py', 'python3 -c "print(6*7)"'],
      {
        '/home/user/r1.py': 'def f():\n    f()\nf()\n',
        '/home/user/r2.py': 'import sys\nsys.setrecursionlimit(10**6)\ndef f(n):\n    return f(n + 1)\nf(0)\n',
      },
    );
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).toMatch(/RecursionError: maximum recursion depth exceeded\s*$/);
    expect(raised.exitCode).toBe(1);
    expect(raised.stderr).toMatch(/RecursionError/);
    expect(after.stdout).toBe('42\n');
  });

  test('a multi-line -c program runs whole, with empty and multi-line arguments', async ({ browser }) => {
    // Regression: the runtime's proc_exec3 takes argv as one newline-separated string, so bash
    // exec'ing `python3 -c "a\nb"` used to deliver `-c a b` (Python ran only the first line,
    // exit 0: that is how an out-of-memory loop written this way "succeeded"). compat's
    // SANDPIT_ARGV (wasm/compat/src/argv.c) carries the real argv; python.wasm decodes it.
    const [r, oom] = await inFreshPage(browser, {}, [
      'python3 -c "import sys\nprint(sys.argv[1:], 6*7)" "x\ny" "" z',
      `python3 -c "a=[]\nwhile True: a.append(' '*10**6)"`,
    ]);
    expect(r.stdout).toBe("['x\\ny', '', 'z'] 42\n");
    expect(oom.exitCode).toBe(1);
    expect(oom.stderr).toMatch(/MemoryError\s*$/);
  });
});
