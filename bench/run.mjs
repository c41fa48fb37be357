// `npm run bench`: one headless Chromium run measuring sandpit (the built app) beside the raw
// @wasmer/sdk on the same binaries, @lifo-sh/core, Pyodide and @bjorn3/browser_wasi_shim, on
// this machine, served offline by our own static server with COOP/COEP. Writes
// bench/results/<date>.json, the table in bench/README.md and bench/results/chart.svg.
// usage: node bench/run.mjs [--quick] [--only=sandpit,pyodide] [--skip-build]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { summarize } from './lib/stats.mjs';
import { writeReport } from './lib/report.mjs';
import { CHROMIUM_ARGS, chromiumPath, manifestMismatches, startServer } from './lib/serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// The built app: SANDPIT_OUT_DIR (as vite.config.ts and playwright.config.ts read it), so that a
// bench run does not serve, or rebuild, a dist/ another build on this machine is rewriting.
const distDir = resolve(root, process.env.SANDPIT_OUT_DIR ?? 'dist');
// 0: any free port. SANDPIT_BENCH_PORT pins it (the origin, hence OPFS/IndexedDB, stays the same).
const PORT = Number(process.env.SANDPIT_BENCH_PORT ?? 0);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const SUITES = argv
  .find((a) => a.startsWith('--suites='))
  ?.slice(9)
  .split(',') ?? ['cold', 'warm', 'state', 'memory'];
// --rows=a,b: only those warm rows (a partial run, merged into the day's results).
const onlyRows = argv
  .find((a) => a.startsWith('--rows='))
  ?.slice(7)
  .split(',');
const partial = !!only || SUITES.length < 4 || !!onlyRows;
const TARGETS = ['sandpit', 'wasmer-sdk', 'lifo', 'pyodide', 'wasi-shim'].filter((t) => !only || only.includes(t));
const rehash = argv.includes('--rehash-manifest');
// State rows over 10,000 distinct incompressible files instead of one shared content.
const distinctTree = argv.includes('--distinct-tree');
const ROW_TIMEOUT_MS = quick ? 180_000 : 420_000;
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);

// ---------------------------------------------------------------- build

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuild() {
  const dist = join(distDir, 'index.html');
  const srcT = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'public')),
    statSync(join(root, 'index.html')).mtimeMs,
  );
  if (argv.includes('--skip-build') && existsSync(dist)) return;
  if (existsSync(dist) && statSync(dist).mtimeMs >= srcT) return;
  log(`${distDir} missing or older than src/: npm run build`);
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

// ---------------------------------------------------------------- memory of the browser

/** Proportional set size (MB) of every process below this one: the Chromium we launched. */
function browserPssMB() {
  let kb = 0;
  for (const pid of browserProcesses()) {
    try {
      const m = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m);
      if (m) kb += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return kb / 1024;
}

const MEM_TITLES = {
  'mem-one': 'memory: one idle sandbox (page JS + wasm, measureUserAgentSpecificMemory)',
  'mem-ten': 'memory: ten sandboxes in one page (page JS + wasm)',
  'mem-one-pss': 'memory: one idle sandbox (PSS of all browser processes)',
  'mem-ten-pss': 'memory: ten sandboxes in one page (PSS of all browser processes)',
};

/** Waits until the browser's process count stops falling (closed contexts' renderers gone). */
async function quiesce() {
  let last = Infinity;
  for (let i = 0; i < 20; i++) {
    await sleep(500);
    const n = browserProcesses().length;
    if (n >= last) return;
    last = n;
  }
}

function browserProcesses() {
  const kids = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1];
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(pid);
    } catch {
      /* gone */
    }
  }
  const out = [];
  const walk = (pid) => {
    for (const c of kids.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(String(process.pid));
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms / 1000} s`)), ms))),
  ]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------- suites

async function main() {
  ensureBuild();
  const server = await startServer({ root, distDir, port: PORT, rehash });
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });

  const result = {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGB: +(os.totalmem() / 2 ** 30).toFixed(1),
      node: process.version,
      chromium: browser.version(),
      loadavgStart: os.loadavg().map((x) => +x.toFixed(2)),
    },
    versions: versions(),
    targets: TARGETS,
    rows: {},
    notes: [
      'warm rows and cold starts: the systems took turns sample by sample (round-robin), so load changes during the run weigh on all of them alike',
    ],
  };
  const { bad } = manifestMismatches(distDir);
  if (bad.length) {
    result.notes.push(
      `${distDir}/wasm/manifest.json sha256 did not match ${bad.join(', ')} (binaries being rebuilt by other work)` +
        (rehash ? '; --rehash-manifest served the sha256 of the binaries as they were' : '; sandpit refuses to start'),
    );
    log(result.notes.at(-1));
  }
  const put = (id, title, group, target, r) => {
    const row = (result.rows[id] ??= { title, group, size: r.size ?? '', results: {} });
    if (r.size && !row.size) row.size = r.size;
    row.results[target] = {
      ...(r.samples?.length ? summarize(r.samples) : {}),
      samples: r.samples?.map((x) => +x.toFixed(3)),
      ...(r.unit ? { unit: r.unit } : {}),
      ...(r.error
        ? {
            error: r.error
              .replace(/^page\.evaluate: /, '')
              .split('\n    at ')[0]
              .slice(0, 500),
          }
        : {}),
      ...(r.skipped ? { skipped: r.skipped } : {}),
      ...(r.note ? { note: r.note } : {}),
      loadavg: +os.loadavg()[0].toFixed(2),
    };
    const s = row.results[target];
    log(
      `${target.padEnd(10)} ${id.padEnd(22)} ${r.error ? `FAILED ${r.error.split('\n')[0].slice(0, 140)}` : r.skipped ? `n/a (${r.skipped})` : `median ${s.median?.toFixed(2)} ${r.unit ?? 'ms'} (n=${s.n})`}`,
    );
  };
  const pageErrors = [];
  const open = async (target, ctx, auto = false) => {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${target}: ${e.message}`));
    await page.goto(`${base}/bench/page.html?target=${target}${auto ? '&auto=1' : ''}`);
    await page.waitForFunction(() => globalThis.bench, null, { timeout: 60_000 });
    return page;
  };

  // Cold start: a new browser context has an empty HTTP cache (uncached); a second visit in the
  // same context finds the binaries in it (cached).
  // The systems take turns run by run (the first one changing each run), like the warm rows.
  const coldRuns = quick ? 2 : 3;
  const coldTargets = SUITES.includes('cold') ? TARGETS : [];
  const accs = Object.fromEntries(coldTargets.map((t) => [t, { unc: [], cac: [] }]));
  for (let i = 0; i < coldRuns; i++) {
    for (let k = 0; k < coldTargets.length; k++) {
      const target = coldTargets[(k + i) % coldTargets.length];
      const ctx = await browser.newContext();
      for (const kind of ['unc', 'cac']) {
        const r = await (async () => {
          const page = await open(target, ctx, true);
          const out = await withTimeout(
            page.evaluate(() => globalThis.benchCold),
            ROW_TIMEOUT_MS,
            'cold',
          );
          await page.close();
          return out;
        })().catch((e) => ({ error: e.message }));
        accs[target][kind].push(r);
      }
      await ctx.close();
    }
  }
  for (const target of coldTargets) {
    const acc = accs[target];
    for (const kind of ['unc', 'cac']) {
      const runs = acc[kind];
      const err = runs.find((r) => r.error)?.error;
      const label = kind === 'unc' ? 'not cached' : 'cached';
      const pick = (f) => runs.filter((r) => Number.isFinite(r[f])).map((r) => r[f]);
      put(`cold-${kind}-ready`, `cold (${label}): page load → sandbox ready`, 'cold', target, {
        samples: pick('ready'),
        error: err,
      });
      put(`cold-${kind}-first`, `cold (${label}): page load → first command result`, 'cold', target, {
        samples: pick('first'),
        error: err,
      });
      if (kind === 'unc')
        put(
          'py-cold',
          'python3 -c pass, first in a new page (after ready)',
          'python',
          target,
          runs.some((r) => 'pyFirst' in r) ? { samples: pick('pyFirst'), error: err } : { skipped: 'no Python' },
        );
    }
  }

  const rowIds = await (async () => {
    const ctx = await browser.newContext();
    const page = await open('wasi-shim', ctx).catch(() => null);
    const rows = page ? await page.evaluate(() => globalThis.bench.rows) : [];
    await ctx.close();
    return rows;
  })();
  const warmIds = onlyRows ? rowIds.filter((r) => onlyRows.includes(r.id)) : rowIds;
  if (SUITES.includes('warm')) await warmRows(warmIds, { browser, open, put });

  // sandpit's state operations over one tree.
  if (TARGETS.includes('sandpit') && SUITES.includes('state')) {
    // A persistent profile (a fresh user-data directory), as a user's browser has: in an
    // incognito-like context Chromium keeps OPFS in memory behind IPC (96 MB written in 0.7 s
    // against 0.14 s on disk, 2026-11-22), which is not what a user's sandbox pays.
    const profileDir = mkdtempSync(join(os.tmpdir(), 'sandpit-bench-profile-'));
    const ctx = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath(),
      args: CHROMIUM_ARGS,
    });
    const page = await open('sandpit', ctx);
    const defs = await page.evaluate(() => globalThis.bench.stateRows);
    let res;
    try {
      res = await withTimeout(
        page.evaluate(([q, d]) => globalThis.bench.stateRows_(q, d), [quick, distinctTree]),
        ROW_TIMEOUT_MS * 2,
        'state rows',
      );
    } catch (e) {
      res = Object.fromEntries(defs.map((d) => [d.id, { error: e.message }]));
    }
    for (const d of defs) put(d.id, d.title, 'state', 'sandpit', res[d.id] ?? { error: 'not run' });
    await ctx.close();
    rmSync(profileDir, { recursive: true, force: true });
  }

  // Memory: PSS of the whole browser (all its processes) before and after sandboxes, plus the
  // page's own measureUserAgentSpecificMemory (it needs crossOriginIsolated: the page is).
  for (const target of SUITES.includes('memory') ? TARGETS : []) {
    await quiesce();
    const ctx = await browser.newContext();
    try {
      const page = await open(target, ctx);
      const cdp = await ctx.newCDPSession(page);
      const settle = async () => {
        await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
        await sleep(1500);
      };
      await settle();
      const pss0 = browserPssMB();
      const ua0 = await page.evaluate(() => globalThis.bench.uaMemory());
      await withTimeout(
        page.evaluate(() => globalThis.bench.init()),
        ROW_TIMEOUT_MS,
        'init',
      );
      await settle();
      const pss1 = browserPssMB();
      const ua1 = await page.evaluate(() => globalThis.bench.uaMemory());
      await withTimeout(
        page.evaluate(() => globalThis.bench.more(9)),
        ROW_TIMEOUT_MS,
        'ten sandboxes',
      );
      await settle();
      const pss10 = browserPssMB();
      const ua10 = await page.evaluate(() => globalThis.bench.uaMemory());
      const mb = (b) => (b == null ? NaN : b / 2 ** 20);
      const ua = (b) =>
        ua0 == null
          ? { skipped: 'measureUserAgentSpecificMemory unavailable' }
          : { samples: [mb(b) - mb(ua0)], unit: 'MB' };
      put('mem-one', MEM_TITLES['mem-one'], 'memory', target, ua(ua1));
      put('mem-ten', MEM_TITLES['mem-ten'], 'memory', target, ua(ua10));
      put('mem-one-pss', MEM_TITLES['mem-one-pss'], 'memory', target, { samples: [pss1 - pss0], unit: 'MB' });
      put('mem-ten-pss', MEM_TITLES['mem-ten-pss'], 'memory', target, { samples: [pss10 - pss0], unit: 'MB' });
    } catch (e) {
      for (const [id, title] of Object.entries(MEM_TITLES))
        put(id, title, 'memory', target, { error: e.message, unit: 'MB' });
    }
    await ctx.close();
  }

  result.machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  result.durationS = Math.round((Date.now() - started) / 1000);
  result.pageErrors = [...new Set(pageErrors)].slice(0, 30);
  await browser.close();
  server.close();
  if (partial) mergePrevious(result);
  const paths = writeReport(root, result);
  log(`done in ${result.durationS} s: ${paths.join(', ')}`);
}

/**
 * Warm rows: one page and one sandbox per system, all open at once, and every row's samples
 * taken round-robin (one sample of each system in turn, the first system changing each round)
 * so that the machine's changing load weighs on every system alike and the ratios of one run
 * compare like with like. A sample that fails or hangs ends that system's row with the error;
 * its page is then replaced by a new one for the next rows.
 */
async function warmRows(rowIds, { browser, open, put }) {
  const pages = {};
  const fresh = async (target) => {
    await pages[target]?.ctx.close().catch(() => undefined);
    const ctx = await browser.newContext();
    pages[target] = { ctx };
    const page = await open(target, ctx);
    await withTimeout(
      page.evaluate(() => globalThis.bench.init()),
      ROW_TIMEOUT_MS,
      'init',
    );
    pages[target] = { ctx, page };
  };
  const live = [];
  for (const target of TARGETS) {
    try {
      await fresh(target);
      live.push(target);
    } catch (e) {
      for (const r of rowIds) put(r.id, r.title, r.group, target, { error: `sandbox did not start: ${e.message}` });
    }
  }
  const call = (target, fn, arg, what) =>
    withTimeout(pages[target].page.evaluate(fn, arg), ROW_TIMEOUT_MS, what).catch((e) => ({ error: e.message }));
  for (const r of rowIds) {
    const state = {};
    for (const target of live) {
      const start = await call(target, ([id, q]) => globalThis.bench.rowStart(id, q), [r.id, quick], `${r.id} setup`);
      state[target] = { ...start, samples: [] };
    }
    const going = () => live.filter((t) => state[t].n !== undefined && !state[t].error && !state[t].skipped);
    const rounds = Math.max(0, ...going().map((t) => state[t].warmup + state[t].n));
    for (let round = 0; round < rounds; round++) {
      const order = going();
      for (let k = 0; k < order.length; k++) {
        const target = order[(k + round) % order.length];
        const st = state[target];
        if (round >= st.warmup + st.n) continue;
        const s = await call(target, (id) => globalThis.bench.rowSample(id), r.id, r.id);
        if (s.ms !== undefined) {
          if (round >= st.warmup) st.samples.push(s.ms);
          continue;
        }
        Object.assign(st, s.skipped ? { skipped: s.skipped } : { error: s.error });
        if (s.error) {
          // A hung or broken page: a new one for the rows to come.
          log(`${target} ${r.id}: ${s.error.split('\n')[0].slice(0, 160)}; new page`);
          await fresh(target).catch((e) => log(`${target}: new page failed: ${e.message}`));
        }
      }
    }
    for (const target of live) {
      const st = state[target];
      if (st.n !== undefined && !st.error && !st.skipped) {
        const end = await call(target, (id) => globalThis.bench.rowEnd(id), r.id, `${r.id} verify`);
        if (end.error) st.error = end.error;
      }
      put(r.id, r.title, r.group, target, st);
    }
  }
  for (const target of live) await pages[target].ctx.close().catch(() => undefined);
}

/**
 * A partial run keeps the other rows and systems from the same day's results file, or else from
 * the latest earlier one (so a partial run after midnight does not leave a table of its rows only).
 */
function mergePrevious(result) {
  const dir = join(root, 'bench', 'results');
  const suffix = quick ? '-quick.json' : '.json';
  const dated = new RegExp(`^\\d{4}-\\d{2}-\\d{2}${suffix.replace('.', '\\.')}$`);
  const today = `${result.date.slice(0, 10)}${suffix}`;
  const earlier = readdirSync(dir)
    .filter((f) => dated.test(f) && f <= today)
    .sort()
    .pop();
  if (!earlier) return;
  const file = join(dir, earlier);
  const prev = JSON.parse(readFileSync(file, 'utf8'));
  const all = ['sandpit', 'wasmer-sdk', 'lifo', 'pyodide', 'wasi-shim'];
  // A later re-run of the same rows replaces the note of the earlier one (each re-run's rows
  // replace the earlier ones' results, so only the last note is true).
  const rerun = `${onlyRows ? onlyRows.join(', ') : `${SUITES.join(', ')} rows`} of ${result.targets.join(', ')} re-run at `;
  result.notes = [...new Set([...(prev.notes ?? []).filter((n) => !n.startsWith(rerun)), ...result.notes])];
  result.notes.push(
    `${rerun}${result.date.slice(11, 16)} UTC at ${result.versions.sandpit} (load ${result.machine.loadavgStart.join(' / ')}); the rest from the run of ${prev.date.slice(0, 10) === result.date.slice(0, 10) ? '' : `${prev.date.slice(0, 10)} `}${prev.date.slice(11, 16)} UTC at ${prev.versions.sandpit} (load ${prev.machine.loadavgStart.join(' / ')})`,
  );
  // The header's versions are the run that the rest of the table comes from.
  result.versions = prev.versions;
  for (const [id, row] of Object.entries(prev.rows)) {
    const mine = (result.rows[id] ??= { ...row, results: {} });
    for (const [t, r] of Object.entries(row.results)) mine.results[t] ??= r;
  }
  // Keep the previous run's row order, then any new rows.
  result.rows = Object.fromEntries(
    [...Object.keys(prev.rows), ...Object.keys(result.rows)].map((id) => [id, result.rows[id]]),
  );
  result.targets = all.filter((t) => result.targets.includes(t) || prev.targets.includes(t));
  result.machine.loadavgStart = prev.machine.loadavgStart;
  result.date = prev.date.slice(0, 10) === result.date.slice(0, 10) ? prev.date : result.date;
  result.durationS += prev.durationS ?? 0;
}

function versions() {
  const v = (p) => {
    try {
      return JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim();
  } catch {
    /* not a checkout */
  }
  return {
    sandpit: commit,
    '@wasmer/sdk': v('@wasmer/sdk'),
    '@lifo-sh/core': v('@lifo-sh/core'),
    pyodide: v('pyodide'),
    '@bjorn3/browser_wasi_shim': v('@bjorn3/browser_wasi_shim'),
  };
}

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
