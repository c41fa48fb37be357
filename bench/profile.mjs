// `node bench/profile.mjs`: why sandpit misses its targets. For sandpit and the raw @wasmer/sdk
// it measures (1) a cold start with cached binaries, split into phases by performance marks,
// with a CPU profile of every thread (page, kernel worker, the SDK's nested pool workers);
// (2) one warm `true` split into API hop, spawn and process (probes.mjs), with a CPU profile
// of 30 warm `true` commands. Chromium is driven over CDP (bench/lib/cdp.mjs) because only
// auto-attach reaches nested workers. Writes bench/results/profile-<date>.json and the
// generated part of "Why targets are missed" in bench/README.md.
// usage: node bench/profile.mjs [--rehash-manifest] [--out=DIR]   (SANDPIT_OUT_DIR, SANDPIT_BENCH_PORT honoured)
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cdp, launchChromium } from './lib/cdp.mjs';
import { CHROMIUM_ARGS, chromiumPath, startServer } from './lib/serve.mjs';
import { median } from './lib/stats.mjs';
import { aggregate, profileMarkdown } from './lib/profile-report.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = resolve(root, process.env.SANDPIT_OUT_DIR ?? 'dist');
const port = Number(process.env.SANDPIT_BENCH_PORT ?? 0);
const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const N = 30;

if (!existsSync(join(distDir, 'index.html'))) throw new Error(`${distDir} has no build: npx vite build first`);

// --rehash-manifest: as in run.mjs, for a tree whose binaries are being rebuilt by other work.
const server = await startServer({ root, distDir, port, rehash: process.argv.includes('--rehash-manifest') });
const base = `http://127.0.0.1:${server.address().port}`;
const chrome = await launchChromium(chromiumPath(), CHROMIUM_ARGS, port ? port + 1 : 9222 + (process.pid % 500));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => void chrome.stop().finally(() => process.exit(130)));
}
const cdp = await Cdp.connect(chrome.url);
/** While set, every newly attached target starts its CPU profiler before it runs any code. */
let profileNew = false;
const profiled = new Set();
await cdp.autoAttach(async (sessionId) => {
  if (profileNew) await startProfiler(sessionId);
});

async function startProfiler(sessionId) {
  const info = cdp.sessions.get(sessionId);
  // Chromium's own UI pages (the omnibox popup) are not ours.
  if (!info || info.type === 'browser_ui' || info.url.startsWith('chrome')) return;
  try {
    await cdp.send('Profiler.enable', {}, sessionId);
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 }, sessionId);
    await cdp.send('Profiler.start', {}, sessionId);
    profiled.add(sessionId);
  } catch {
    /* a target that went away */
  }
}

/** Stops every running profiler; one entry per thread with its aggregated profile. */
async function stopProfilers() {
  const out = [];
  for (const sid of profiled) {
    const info = cdp.sessions.get(sid);
    try {
      const { profile } = await cdp.send('Profiler.stop', {}, sid);
      out.push({ type: info?.type, url: info?.url, ...aggregate(profile) });
    } catch {
      /* gone */
    }
  }
  profiled.clear();
  return out;
}

/** Opens the bench page for `target` in a new tab; returns its session id. */
async function openPage(target, auto, contextId, extra = '') {
  const { targetId } = await cdp.send('Target.createTarget', {
    url: 'about:blank',
    ...(contextId ? { browserContextId: contextId } : {}),
  });
  let sid;
  for (let i = 0; !sid; i++) {
    sid = [...cdp.sessions].find(([, t]) => t.targetId === targetId)?.[0];
    if (i > 200) throw new Error('page did not attach');
    await sleep(20);
  }
  await cdp.send('Page.enable', {}, sid);
  await cdp.send(
    'Page.navigate',
    { url: `${base}/bench/page.html?target=${target}${auto ? '&auto=1' : ''}${extra}` },
    sid,
  );
  for (let i = 0; ; i++) {
    const ok = await cdp.eval(sid, '!!globalThis.bench').catch(() => false);
    if (ok) break;
    if (i > 600) throw new Error(`${target}: bench page did not load`);
    await sleep(100);
  }
  return { sid, targetId };
}

const result = { date: new Date().toISOString(), chromium: chrome.version, cold: {}, warm: {} };
const adapterOf = { sandpit: 'sandpit', 'wasmer-sdk': 'wasmer' };
try {
  for (const target of ['sandpit', 'wasmer-sdk']) {
    // Cold start with cached binaries: a first visit fills the HTTP cache, the second (in the
    // same browser context) is profiled from the first instruction of every thread.
    const { browserContextId } = await cdp.send('Target.createBrowserContext');
    const first = await openPage(target, true, browserContextId);
    await cdp.eval(first.sid, 'globalThis.benchCold');
    await cdp.send('Target.closeTarget', { targetId: first.targetId });
    await sleep(1000);
    profileNew = true;
    const cold = await openPage(target, true, browserContextId);
    const coldRun = await cdp.eval(cold.sid, 'globalThis.benchCold');
    profileNew = false;
    const marks = await cdp.eval(cold.sid, 'globalThis.bench.marks()');
    const coldThreads = await stopProfilers();
    result.cold[target] = { run: coldRun, marks, threads: coldThreads };
    log(target, 'cold (cached)', JSON.stringify(coldRun));
    await cdp.send('Target.closeTarget', { targetId: cold.targetId });

    // Warm: the parts of one `true`, then a CPU profile of 30 of them.
    const warm = await openPage(target, false, browserContextId);
    log(target, 'warm page: init');
    await cdp.eval(warm.sid, 'globalThis.bench.init()');
    log(target, 'warm page: probes');
    const parts = await cdp.eval(warm.sid, `globalThis.bench.probe('${adapterOf[target]}', ${N})`);
    log(target, 'probes', JSON.stringify(summarise(parts)));
    await cdp.eval(warm.sid, `globalThis.bench.probe('loop', 5)`);
    // The guests' host-filesystem calls (sandpit's VFS bridge), counted in every worker.
    await inWorkers(hostfsCounter());
    await cdp.eval(warm.sid, `globalThis.bench.probe('loop', ${N})`);
    const hostfs = mergeCounts(await inWorkers('globalThis.__benchHostFs?.take()'), N);
    log(target, 'hostfs calls per command', JSON.stringify(hostfs));
    // The same counters over one `cat` of a 10 MB file (the cat-big row's data path).
    const catMs = await cdp.eval(warm.sid, `globalThis.bench.probe('catFile', 10)`);
    await inWorkers(hostfsCounter());
    const catOnceMs = await cdp.eval(warm.sid, `globalThis.bench.probe('catFile', 10)`);
    const cat = {
      ms: catOnceMs,
      firstMs: catMs,
      hostfs: mergeCounts(await inWorkers('globalThis.__benchHostFs?.take()'), 1),
    };
    log(target, 'cat 10 MB', JSON.stringify(cat));
    for (const sid of cdp.sessions.keys()) await startProfiler(sid);
    const t = Date.now();
    await cdp.eval(warm.sid, `globalThis.bench.probe('loop', ${N})`);
    const wallMs = Date.now() - t;
    const threads = await stopProfilers();
    result.warm[target] = { parts: summarise(parts), samples: parts, hostfs, cat, profile: { n: N, wallMs, threads } };
    log(target, `profile of ${N} × true: ${wallMs} ms`);
    await cdp.send('Target.closeTarget', { targetId: warm.targetId });
    await cdp.send('Target.disposeBrowserContext', { browserContextId });
  }
  // Experiments on the raw SDK's cold start (cached): what the package of all binaries costs,
  // and whether the SDK's persistent browser cache saves it. Phases only, median of 3.
  result.experiments = {};
  const EXPERIMENTS = {
    'all binaries (as the rows)': '',
    'bash + busybox only': '&modules=bash,busybox',
    'all binaries, SDK persistent cache': '&sdkcache=bench',
  };
  for (const [name, extra] of Object.entries(EXPERIMENTS)) {
    const { browserContextId } = await cdp.send('Target.createBrowserContext');
    const runs = [];
    for (let i = 0; i < 4; i++) {
      const p = await openPage('wasmer-sdk', true, browserContextId, extra);
      const run = await cdp.eval(p.sid, 'globalThis.benchCold');
      // The first visit fills the HTTP cache (and the SDK's): not counted.
      if (i > 0) runs.push({ ...(await cdp.eval(p.sid, 'globalThis.bench.marks()')), error: run.error });
      await cdp.send('Target.closeTarget', { targetId: p.targetId });
    }
    await cdp.send('Target.disposeBrowserContext', { browserContextId });
    const keys = Object.keys(runs[0] ?? {}).filter((k) => k !== 'error');
    result.experiments[name] = {
      error: runs.find((r) => r.error)?.error,
      marks: Object.fromEntries(keys.map((k) => [k, +median(runs.map((r) => r[k])).toFixed(1)])),
    };
    log('experiment', name, JSON.stringify(result.experiments[name]));
  }
} finally {
  cdp.close();
  await chrome.stop();
  server.close();
}

/**
 * Wraps the SDK's worker-side host-filesystem call (dist/host-filesystem.js) with a counter of
 * calls per method and the time the guest thread spent blocked on them. Guests call it through
 * the global, so a wrapper sees every call.
 */
function hostfsCounter() {
  return `(() => {
  const g = globalThis;
  if (typeof g.__wasmerHostFileSystem !== 'function') return false;
  if (!g.__benchHostFs) {
    const orig = g.__wasmerHostFileSystem;
    const st = { calls: {}, paths: {}, rpc: 0, ms: 0 };
    st.take = () => { const r = { calls: st.calls, paths: st.paths, rpc: st.rpc, ms: st.ms }; st.calls = {}; st.paths = {}; st.rpc = 0; st.ms = 0; return r; };
    // Round trips that reach the kernel (the rest are answered by sandpit's worker-side caches).
    const post = g.postMessage.bind(g);
    g.postMessage = (m, ...rest) => {
      if (m && m.type === 'wasmer-filesystem-rpc') st.rpc++;
      return post(m, ...rest);
    };
    g.__wasmerHostFileSystem = (mount, method, args) => {
      const t = performance.now();
      try { return orig(mount, method, args); } finally {
        st.ms += performance.now() - t;
        st.calls[method] = (st.calls[method] ?? 0) + 1;
        const key = method + ' ' + String(Array.isArray(args) ? args[0] : '').slice(0, 60);
        st.paths[key] = (st.paths[key] ?? 0) + 1;
      }
    };
    g.__benchHostFs = st;
  }
  g.__benchHostFs.take();
  return true;
})()`;
}

/** Evaluates `expr` in every attached worker (2 s each at most: a worker may be blocked). */
async function inWorkers(expr) {
  const out = [];
  for (const [sid, info] of cdp.sessions) {
    if (info.type !== 'worker') continue;
    const v = await Promise.race([cdp.eval(sid, expr).catch(() => undefined), sleep(2000)]);
    if (v) out.push(v);
  }
  return out;
}

/** Sums the workers' counters; per command. */
function mergeCounts(list, n) {
  const calls = {};
  const paths = {};
  let ms = 0;
  let rpc = 0;
  for (const c of list) {
    ms += c.ms;
    rpc += c.rpc ?? 0;
    for (const [k, v] of Object.entries(c.calls)) calls[k] = (calls[k] ?? 0) + v;
    for (const [k, v] of Object.entries(c.paths ?? {})) paths[k] = (paths[k] ?? 0) + v;
  }
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  return {
    callsPerCommand: +(total / n).toFixed(1),
    roundTripsPerCommand: +(rpc / n).toFixed(1),
    blockedMsPerCommand: +(ms / n).toFixed(3),
    byMethod: Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, +(v / n).toFixed(1)])),
    /** `method path` (relative to its mount) → calls per command, most frequent first. */
    byPath: Object.fromEntries(
      Object.entries(paths)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20)
        .map(([k, v]) => [k, +(v / n).toFixed(1)]),
    ),
  };
}

/** Medians of every sample list in a nested object. */
function summarise(o) {
  if (Array.isArray(o)) return +median(o).toFixed(3);
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, summarise(v)]));
  return o;
}

// --out=DIR: write the JSON and the markdown there (an experiment), not into bench/.
const outDir = process.argv.find((a) => a.startsWith('--out='))?.slice(6);
const resultsDir = outDir ?? join(root, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `profile-${result.date.slice(0, 10)}.json`);
writeFileSync(file, JSON.stringify(result, null, 1) + '\n');
const readme = outDir ? join(outDir, 'profile.md') : join(root, 'bench', 'README.md');
const BEGIN = '<!-- BEGIN PROFILE (bench/profile.mjs) -->';
const END = '<!-- END PROFILE -->';
const old = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
const md = profileMarkdown(result);
const at = old.indexOf(BEGIN);
const end = old.indexOf(END);
writeFileSync(
  readme,
  at >= 0 && end > at
    ? `${old.slice(0, at + BEGIN.length)}\n${md}\n${old.slice(end)}`
    : `${old}\n${BEGIN}\n${md}\n${END}\n`,
);
log(`done: ${file}, ${readme}`);
process.exit(0);
