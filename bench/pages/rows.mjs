// The benchmark rows run inside the page. Each row does the same work on every system through
// its adapter (adapters.mjs): optional setup, then `run` timed `n` times after `warmup` runs.
// A row a system cannot do throws Unsupported (reported as n/a, not as a failure).

export class Unsupported extends Error {}

const need = (sb, method, why) => {
  if (typeof sb[method] !== 'function') throw new Unsupported(why);
};

/** Runs a shell command line, or the given argv where there is no shell (wasi-shim). */
async function cmd(sb, line, argv) {
  let r;
  if (sb.sh) r = await sb.sh(line);
  else if (sb.argv && argv) r = await sb.argv(argv);
  else throw new Unsupported(sb.argv ? 'needs a shell (no WASIX fork/exec/pipe)' : 'no shell');
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${(r.err || r.out || '').slice(0, 300)}`);
  return r;
}

async function py(sb, code) {
  need(sb, 'py', 'no Python');
  const r = await sb.py(code);
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${(r.err || r.out || '').slice(0, 300)}`);
  return r;
}

/** Reads a file back (untimed) so that a silently short write cannot pass for a fast row. */
async function checkSize(sb, path, size) {
  const b = await sb.read(path);
  if (b.length !== size) throw new Error(`${path} reads back as ${b.length} bytes, not ${size}`);
}

/** Deterministic filler bytes (xorshift), fast enough for 100 MB. */
export function bytes(n, seed = 1) {
  const out = new Uint8Array(n);
  const w = new Uint32Array(out.buffer, 0, n >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x;
  }
  return out;
}

function numberLines(n) {
  let x = 12345;
  const parts = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    parts.push(String(x));
  }
  return parts.join('\n') + '\n';
}

const CPU_PY = (n) =>
  `def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nt = 0\nfor i in range(2000):\n    t += sum(j * j for j in range(100))\nprint(fib(${n}), t)\n`;

const MB = 1 << 20;

/** Sizes: full run and `--quick`. Every row reports the size it used. */
export const SIZES = {
  full: {
    n: 25,
    loop: 1000,
    catMB: 100,
    sortLines: 1_000_000,
    sqlRows: 10_000,
    small: 10_000,
    bigMB: 100,
    treeFiles: 10_000,
    treeKB: 10,
    fib: 24,
    heavyN: 3,
  },
  quick: {
    n: 8,
    loop: 100,
    catMB: 10,
    sortLines: 100_000,
    sqlRows: 1000,
    small: 1000,
    bigMB: 10,
    treeFiles: 1000,
    treeKB: 10,
    fib: 20,
    heavyN: 2,
  },
};

/**
 * One row per userland binary: its start-up plus a small workload, as a process per sample
 * (issue #3's per-binary benchmark; jq -M: the raw engine's stdout is a terminal). Python's rows are in the python group. A system without
 * the command (exit 127) cannot do the row: n/a, not a failure.
 */
function binaryRow(id, name, title, line, argv, expect) {
  return {
    id,
    group: 'binaries',
    title,
    size: () => '',
    run: async (sb) => {
      let r;
      try {
        r = await cmd(sb, line, argv);
      } catch (e) {
        if (/^exit 127:/.test(e.message)) throw new Unsupported(`no ${name} command`);
        throw e;
      }
      if (r.out.trim() !== expect) throw new Error(`unexpected output ${JSON.stringify(r.out.slice(0, 80))}`);
    },
  };
}

const BINARY_ROWS = [
  binaryRow(
    'bin-bash',
    'bash',
    'bash: start + loop of 100 additions',
    "bash -c 'x=0; for ((i=1; i<=100; i++)); do x=$((x+i)); done; echo $x'",
    null,
    '5050',
  ),
  binaryRow(
    'bin-busybox',
    'awk',
    'busybox awk: start + sum of 1..10,000',
    "awk 'BEGIN { for (i = 1; i <= 10000; i++) s += i; print s }'",
    ['awk', 'BEGIN { for (i = 1; i <= 10000; i++) s += i; print s }'],
    '50005000',
  ),
  binaryRow(
    'bin-sqlite',
    'sqlite3',
    'sqlite3: start + select 6*7 (:memory:)',
    "sqlite3 :memory: 'select 6*7'",
    null,
    '42',
  ),
  binaryRow(
    'bin-lua',
    'lua',
    'lua: start + sum of 1..100,000',
    "lua -e 'local s = 0 for i = 1, 100000 do s = s + i end print(s)'",
    null,
    '5000050000',
  ),
  binaryRow('bin-jq', 'jq', 'jq: start + add of 1,000 numbers', "jq -M -n '[range(1000)] | add'", null, '499500'),
  binaryRow(
    'bin-js',
    'js',
    'js (MuJS): start + sum of 0..99,999',
    "js -e 'var s = 0; for (var i = 0; i < 100000; i++) s += i; print(s)'",
    null,
    '4999950000',
  ),
];

/**
 * Row definitions. `run(sb, S, ctx)` does the timed work; `setup(sb, S, ctx)` runs first,
 * untimed; `size(S)` says what the row used.
 */
export const ROWS = [
  {
    id: 'warm-true',
    group: 'warm',
    title: "commands.run('true')",
    size: () => '',
    run: (sb) => cmd(sb, 'true', ['true']),
  },
  {
    id: 'warm-echo',
    group: 'warm',
    title: 'echo hello',
    size: () => '',
    run: async (sb) => {
      const r = await cmd(sb, 'echo hello', ['echo', 'hello']);
      if (!r.out.startsWith('hello')) throw new Error(`unexpected output ${JSON.stringify(r.out.slice(0, 80))}`);
    },
  },
  {
    id: 'warm-external',
    group: 'warm',
    title: 'external command (cat small file)',
    size: () => '',
    setup: (sb) => sb.write('small.txt', 'hello world\n'),
    run: (sb) => cmd(sb, 'cat small.txt', ['cat', 'small.txt']),
  },
  {
    id: 'warm-pipeline',
    group: 'warm',
    title: '3-stage pipeline (cat | tr | wc)',
    size: () => '',
    setup: (sb) => sb.write('small.txt', 'hello world\n'),
    run: async (sb) => {
      const r = await cmd(sb, 'cat small.txt | tr a-z A-Z | wc -c');
      if (r.out.trim() !== '12') throw new Error(`unexpected output ${JSON.stringify(r.out.slice(0, 80))}`);
    },
  },
  {
    id: 'shell-loop',
    group: 'warm',
    title: 'shell loop, external command inside',
    size: (S) => `${S.loop} iterations`,
    heavy: true,
    setup: (sb) => sb.write('small.txt', 'hello world\n'),
    run: (sb, S) => cmd(sb, `i=0; while [ $i -lt ${S.loop} ]; do cat small.txt > /dev/null; i=$((i+1)); done`),
  },
  { id: 'py-warm', group: 'python', title: 'python3 -c pass (warm)', size: () => '', run: (sb) => py(sb, 'pass') },
  {
    id: 'py-cpu',
    group: 'python',
    title: 'CPU-bound Python (fib + loops)',
    size: (S) => `fib(${S.fib}) + 2000×sum(100)`,
    heavy: true,
    run: async (sb, S) => {
      const r = await py(sb, CPU_PY(S.fib));
      if (!r.out.includes('46368') && !r.out.includes('6765')) throw new Error(`unexpected ${r.out.slice(0, 80)}`);
    },
  },
  ...BINARY_ROWS,
  {
    id: 'cat-big',
    group: 'throughput',
    title: 'cat of a big file to /dev/null',
    size: (S) => `${S.catMB} MB`,
    heavy: true,
    setup: async (sb, S) => {
      await sb.write('big.bin', bytes(S.catMB * MB));
      await checkSize(sb, 'big.bin', S.catMB * MB);
    },
    run: (sb) => cmd(sb, 'cat big.bin > /dev/null', ['cat', 'big.bin']),
  },
  {
    id: 'sort',
    group: 'throughput',
    title: 'sort of numeric lines to /dev/null',
    size: (S) => `${S.sortLines.toLocaleString('en')} lines`,
    heavy: true,
    setup: async (sb, S) => {
      const text = numberLines(S.sortLines);
      await sb.write('nums.txt', text);
      await checkSize(sb, 'nums.txt', text.length);
    },
    run: (sb) => cmd(sb, 'sort nums.txt > /dev/null', ['sort', 'nums.txt']),
  },
  {
    id: 'sqlite-inserts',
    group: 'throughput',
    title: 'sqlite3 inserts in one transaction (file db)',
    size: (S) => `${S.sqlRows.toLocaleString('en')} rows`,
    heavy: true,
    setup: async (sb, S) => {
      const lines = ['BEGIN;', 'CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);'];
      for (let i = 0; i < S.sqlRows; i++) lines.push(`INSERT INTO t(name, v) VALUES ('row${i}', ${i * 0.5});`);
      lines.push('COMMIT;', 'SELECT count(*) FROM t;');
      await sb.write('ins.sql', lines.join('\n') + '\n');
    },
    run: async (sb, S) => {
      const r = await cmd(sb, "rm -f t.db && sqlite3 -batch t.db '.read ins.sql'");
      if (r.out.trim() !== String(S.sqlRows)) throw new Error(`unexpected output ${r.out.slice(0, 80)}`);
    },
  },
  {
    id: 'files-write-small',
    group: 'files',
    title: 'files API: write small files one by one',
    size: (S) => `${S.small.toLocaleString('en')} × 100 B`,
    heavy: true,
    setup: (sb) => sb.mkdir('many'),
    run: async (sb, S, ctx) => {
      const data = 'x'.repeat(99) + '\n';
      ctx.round = (ctx.round ?? 0) + 1;
      for (let i = 0; i < S.small; i++) await sb.write(`many/f${i}.txt`, data);
    },
  },
  {
    id: 'files-read-small',
    group: 'files',
    title: 'files API: read small files one by one',
    size: (S) => `${S.small.toLocaleString('en')} × 100 B`,
    heavy: true,
    setup: async (sb, S) => {
      await sb.mkdir('many');
      const data = 'x'.repeat(99) + '\n';
      if (sb.writeMany)
        await sb.writeMany(Array.from({ length: S.small }, (_, i) => ({ path: `many/f${i}.txt`, data })));
      else for (let i = 0; i < S.small; i++) await sb.write(`many/f${i}.txt`, data);
    },
    run: async (sb, S) => {
      for (let i = 0; i < S.small; i++) {
        const b = await sb.read(`many/f${i}.txt`);
        if (b.length !== 100) throw new Error(`read ${b.length} bytes`);
      }
    },
  },
  {
    id: 'files-write-batch',
    group: 'files',
    title: 'files API: writeFiles batch of small files',
    size: (S) => `${S.small.toLocaleString('en')} × 100 B`,
    heavy: true,
    setup: (sb) => sb.mkdir('batch'),
    run: async (sb, S) => {
      need(sb, 'writeMany', 'no batch write');
      const data = 'x'.repeat(99) + '\n';
      await sb.writeMany(Array.from({ length: S.small }, (_, i) => ({ path: `batch/f${i}.txt`, data })));
    },
  },
  {
    id: 'files-write-big',
    group: 'files',
    title: 'files API: write one big file',
    size: (S) => `${S.bigMB} MB`,
    heavy: true,
    setup: (sb, S, ctx) => void (ctx.big = bytes(S.bigMB * MB, 7)),
    run: (sb, S, ctx) => sb.write('one.bin', ctx.big),
    verify: (sb, S) => checkSize(sb, 'one.bin', S.bigMB * MB),
  },
  {
    id: 'files-read-big',
    group: 'files',
    title: 'files API: read one big file',
    size: (S) => `${S.bigMB} MB`,
    heavy: true,
    setup: (sb, S) => sb.write('one.bin', bytes(S.bigMB * MB, 7)),
    run: async (sb, S) => {
      const b = await sb.read('one.bin');
      if (b.length !== S.bigMB * MB) throw new Error(`read ${b.length} bytes`);
    },
  },
];

/** Rows on sandpit's state operations over one tree (sandpit only: peers have no equivalent). */
export const STATE_ROWS = [
  { id: 'state-tree-write', title: 'write the tree (writeFiles, memory)' },
  { id: 'state-snapshot', title: 'snapshot()' },
  { id: 'state-fork', title: 'fork()' },
  { id: 'state-export', title: 'exportState()' },
  { id: 'state-import', title: 'Sandbox.importState(blob)' },
  { id: 'state-opfs-persist', title: 'OPFS: write the tree + save()' },
  { id: 'state-opfs-save', title: 'OPFS: save() of the written tree' },
  { id: 'state-opfs-reopen', title: 'OPFS: Sandbox.open() after destroy' },
];

/**
 * The state rows' tree. `distinct`: every file its own incompressible bytes (what a real 100 MB
 * tree costs to export); otherwise one shared 10 KB content (a 100 MB tree of distinct files
 * crashed the page in the state rows on 2026-11-22 at 15:57 UTC: see bench/README.md).
 */
export function treeFiles(S, distinct = false) {
  const shared = distinct ? null : bytes(S.treeKB * 1024, 3);
  return Array.from({ length: S.treeFiles }, (_, i) => ({
    path: `tree/d${i % 100}/f${i}.bin`,
    data: shared ?? bytes(S.treeKB * 1024, i + 1),
  }));
}
