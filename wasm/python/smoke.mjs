// Smoke test for public/wasm/python.wasm + python311.zip under @wasmer/sdk/node.
// Mounts the stdlib zip at its guestPath (package `files`), checks the compiled-in modules,
// an in-memory sqlite3 query, cwd, subprocess-free imports that used to hang, and times
// cold and warm runs.   Run from the repo root: node wasm/python/smoke.mjs
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Wasmer } from '@wasmer/sdk/node';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const meta = JSON.parse(readFileSync(join(root, 'wasm/python/meta.json'), 'utf8'));
// PYTHON_WASM=path tests another build of the interpreter with the committed zip.
const wasm = readFileSync(process.env.PYTHON_WASM || join(root, 'public/wasm', meta.file));
const files = {};
for (const a of meta.assets) files[a.guestPath] = readFileSync(join(root, 'public/wasm', a.file));

const wasmer = new Wasmer({ cache: false });
await wasmer.ready();
const commands = Object.fromEntries(meta.commands.map((c) => [c, { module: 'python' }]));
// Sandbox `files` must live under /workspace, so the zip travels as a package file.
const pkg = await wasmer.packages.create({ modules: { python: wasm }, commands, files });
const sandbox = await wasmer.sandboxes.create({ packages: [pkg], env: meta.env });

let failed = 0;
async function run(label, args, expect, opts = {}) {
  const t0 = performance.now();
  const out = await sandbox
    .command(opts.cmd ?? 'python3', args, opts.cwd ? { cwd: opts.cwd } : {})
    .run({ check: false, timeoutMs: opts.timeoutMs ?? 20000, stdin: opts.stdin });
  const ms = performance.now() - t0;
  const stdout = out.stdout.text().trim();
  const ok = out.exitCode === 0 && (expect instanceof RegExp ? expect.test(stdout) : stdout === expect);
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  exit=${out.exitCode} ${JSON.stringify(stdout.slice(0, 100))}`,
  );
  if (!ok) console.log(out.stderr.text().slice(-2000));
  return ms;
}

const imports = 'import zlib,bz2,lzma,sqlite3,hashlib,json,re,decimal; print(6*7)';
const cold = await run('cold: imports, 6*7', ['-c', imports], '42');
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await run(`warm ${i + 1}: imports, 6*7`, ['-c', imports], '42'));
await run('python -c print', ['-c', 'print("hi")'], 'hi', { cmd: 'python' });
await run('python3.11 --version', ['-c', 'import sys; print(sys.version.split()[0])'], '3.11.2', { cmd: 'python3.11' });
await run(
  'sqlite3 in-memory query',
  [
    '-c',
    "import sqlite3; c=sqlite3.connect(':memory:'); c.execute('create table t(x)'); c.executemany('insert into t values (?)', [(i,) for i in range(10)]); print(c.execute('select sum(x), sqlite_version() from t').fetchone())",
  ],
  "(45, '3.40.1')",
);
await run(
  'compression round trips',
  [
    '-c',
    "import zlib,bz2,lzma; d=b'sandpit'*1000; print(all(m.decompress(m.compress(d))==d for m in (zlib,bz2,lzma)))",
  ],
  'True',
);
await run(
  'hashlib sha256/md5/blake2',
  [
    '-c',
    "import hashlib; print(hashlib.sha256(b'a').hexdigest()[:8], hashlib.md5(b'a').hexdigest()[:8], hashlib.blake2b(b'a').hexdigest()[:8])",
  ],
  'ca978112 0cc175b9 333fcb4e',
);
await run(
  'decimal',
  [
    '-c',
    "import decimal; print(decimal.Decimal(1)/decimal.Decimal(7), decimal.__name__, __import__('sys').modules.get('_decimal') is not None)",
  ],
  /^0\.1428571428571428571428571429 decimal (True|False)$/,
);
await run(
  'zero timeouts return (poll fix)',
  [
    '-c',
    'import selectors, select, time, asyncio; time.sleep(0); select.select([], [], [], 0); s = selectors.DefaultSelector(); print(s.select(0))',
  ],
  '[]',
  { timeoutMs: 15000 },
);
await run('subprocess import', ['-c', "import subprocess; print('imported')"], 'imported', { timeoutMs: 15000 });
if (process.env.SUBPROCESS !== '0') {
  // Children are other sandbox commands: python itself (no shell in this package).
  await run(
    'subprocess.run python3 (pipes)',
    [
      '-c',
      "import subprocess; r = subprocess.run(['python3', '-c', 'import sys; print(sys.stdin.read().upper())'], input='hi', capture_output=True, text=True); print(r.returncode, r.stdout.strip())",
    ],
    '0 HI',
    { timeoutMs: 30000 },
  );
  await run(
    'subprocess exit code + stderr',
    [
      '-c',
      "import subprocess; r = subprocess.run(['python3', '-c', 'import sys; sys.stderr.write(\"e\"); sys.exit(3)'], capture_output=True); print(r.returncode, r.stderr)",
    ],
    "3 b'e'",
    { timeoutMs: 30000 },
  );
  await run(
    'subprocess missing command',
    [
      '-c',
      "import subprocess\ntry: subprocess.run(['no-such-cmd'])\nexcept FileNotFoundError as e: print('FNF', e.filename)",
    ],
    'FNF no-such-cmd',
    { timeoutMs: 30000 },
  );
  await run(
    'pwd/getpass',
    ['-c', 'import pwd, getpass, os; print(pwd.getpwuid(os.getuid()).pw_name == getpass.getuser())'],
    'True',
  );
  await run(
    'fcntl locks granted',
    [
      '-c',
      "import fcntl, os; fd = os.open('/tmp/l', os.O_CREAT | os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX); fcntl.lockf(fd, fcntl.LOCK_UN); print('locked')",
    ],
    'locked',
  );
  await run('termios/tty import', ['-c', 'import termios, tty, getpass; print(termios.B9600)'], '13');
  await run(
    'os.pipe/dup2/waitpid exist',
    [
      '-c',
      "import os; r, w = os.pipe(); os.write(w, b'x'); print(os.read(r, 1), hasattr(os, 'waitpid'), hasattr(os, 'posix_spawn'))",
    ],
    "b'x' True True",
  );
}
await run(
  'asyncio.run (pipe self-wakeup)',
  [
    '-c',
    'import asyncio\nasync def m(): return await asyncio.gather(*(asyncio.sleep(0.01, i) for i in range(3)))\nprint(asyncio.run(m()))',
  ],
  '[0, 1, 2]',
  { timeoutMs: 15000 },
);
await run('cwd honoured', ['-c', 'import os; print(os.getcwd())'], '/tmp', { cwd: '/tmp' });
await run('write+read file', ['-c', "open('/tmp/x.txt','w').write('abc'); print(open('/tmp/x.txt').read())"], 'abc');
await run('stdin script', ['-'], '7', { stdin: 'print(3+4)\n' });

// Programs that fail must fail: out of memory and runaway recursion end with Python's own error
// and exit 1 (not a crashed engine, not exit 0), and the sandbox keeps running commands.
async function fails(label, args, stderrPattern, opts = {}) {
  const t0 = performance.now();
  const out = await (opts.sandbox ?? sandbox).command('python3', args).run({ check: false, timeoutMs: 60000 });
  const ms = performance.now() - t0;
  const stderr = out.stderr.text();
  const ok = out.exitCode === 1 && stderrPattern.test(stderr);
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label.padEnd(34)} ${ms.toFixed(0).padStart(5)} ms  exit=${out.exitCode} ${JSON.stringify(stderr.slice(-60))}`,
  );
}
// Grows to the 4 GiB wasm limit in 100 MB steps (growmem.c makes memory.grow rare, so this
// takes seconds, not minutes).
await fails('out of memory: MemoryError', ['-c', "a=[]\nwhile True: a.append(b' '*10**8)"], /MemoryError\s*$/);
await fails(
  'recursion: RecursionError',
  ['-c', 'def f(): f()\nf()'],
  /RecursionError: maximum recursion depth exceeded\s*$/,
);
await fails(
  'recursion limit 10**6: RecursionError',
  ['-c', 'import sys\nsys.setrecursionlimit(10**6)\ndef f(n): return f(n+1)\nf(0)'],
  /RecursionError/,
);
await run('still works after both', ['-c', 'print(6*7)'], '42');

// Deterministic mode (wasm/compat/src/wrap_determ.c): the kernel sets SANDPIT_SEED and
// SANDPIT_EPOCH_MS; random, os.urandom, /dev/urandom, str hashes and time.time() repeat exactly
// in every fresh process, and differ from a run with another seed.
const detSource =
  "import random,os,time; print(random.random(), os.urandom(4).hex(), open('/dev/urandom','rb').read(6).hex(), hash('abc'), time.time())";
async function detRun(seed) {
  const sb = await wasmer.sandboxes.create({
    packages: [pkg],
    env: { ...meta.env, SANDPIT_SEED: seed, SANDPIT_EPOCH_MS: '1700000000000' },
  });
  const out = await sb.command('python3', ['-c', detSource]).run({ check: false, timeoutMs: 20000 });
  return out.stdout.text().trim();
}
{
  const [a, b, c] = [await detRun('7'), await detRun('7'), await detRun('8')];
  const ok = a !== '' && a === b && a !== c && / 1700000000\.\d+$/.test(a);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${'deterministic mode'.padEnd(34)} ${JSON.stringify([a, b, c])}`);
}

const sorted = [...warm].sort((a, b) => a - b);
const fmt = (ms) => ms.toFixed(0);
console.log(
  `timing: cold ${fmt(cold)} ms, warm min ${fmt(sorted[0])} / median ${fmt(sorted[2])} ms (${warm.map(fmt).join(', ')})`,
);
await wasmer.close();
process.exit(failed ? 1 : 0);
