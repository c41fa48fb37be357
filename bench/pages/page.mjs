// The bench page's entry: loads one system's adapter (?target=…), and exposes `globalThis.bench`
// for bench/run.mjs to drive. With ?auto=1 it measures a cold start by itself as soon as the
// page runs: sandbox ready, first command result, first Python, relative to navigation start.
/* global performance, location, URLSearchParams */
import { adapters } from './adapters.mjs';
import { ROWS, SIZES, STATE_ROWS, Unsupported, treeFiles } from './rows.mjs';
import { probes } from './probes.mjs';

const params = new URLSearchParams(location.search);
const target = params.get('target');
const errText = (e) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

let systemP;
const system = () => (systemP ??= adapters[target]());
let sb;
const extra = [];

async function time(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function cold() {
  const out = { script: performance.now() };
  try {
    const sys = await system();
    sb = await sys.create();
    out.ready = performance.now();
    if (sb.sh || sb.argv) {
      const r = sb.sh ? await sb.sh('echo hi') : await sb.argv(['echo', 'hi']);
      if (r.code !== 0) throw new Error(`echo: exit ${r.code} ${r.err}`);
    } else {
      await sb.py('pass');
    }
    out.first = performance.now();
    performance.mark('first-result');
    if (sb.py) {
      const t = performance.now();
      const r = await sb.py('pass');
      if (r.code !== 0) throw new Error(`python: exit ${r.code} ${r.err.slice(0, 200)}`);
      // Pyodide has no process to start: its first Python is the load itself.
      out.pyFirst = target === 'pyodide' ? out.first : performance.now() - t;
    }
  } catch (e) {
    out.error = errText(e);
  }
  return out;
}

async function row(id, quick) {
  const S = quick ? SIZES.quick : SIZES.full;
  const def = ROWS.find((r) => r.id === id);
  if (!def) throw new Error(`no row ${id}`);
  const ctx = {};
  const n = def.heavy ? S.heavyN : S.n;
  const warmup = def.heavy ? (id === 'shell-loop' || id === 'py-cpu' ? 1 : 0) : 3;
  const samples = [];
  try {
    if (def.setup) await def.setup(sb, S, ctx);
    for (let i = 0; i < warmup; i++) await def.run(sb, S, ctx);
    for (let i = 0; i < n; i++) samples.push(await time(() => def.run(sb, S, ctx)));
    if (def.verify) await def.verify(sb, S, ctx);
    return { samples, size: def.size(S) };
  } catch (e) {
    if (e instanceof Unsupported) return { skipped: e.message, size: def.size(S) };
    return { error: errText(e), samples, size: def.size(S) };
  }
}

/**
 * The same row split in three for bench/run.mjs to interleave the systems sample by sample:
 * `rowStart` runs the setup (untimed) and says how many samples to take, `rowSample` times one
 * run (warm-ups are samples the runner drops), `rowEnd` verifies.
 */
const open = new Map();

async function rowStart(id, quick) {
  const S = quick ? SIZES.quick : SIZES.full;
  const def = ROWS.find((r) => r.id === id);
  if (!def) throw new Error(`no row ${id}`);
  const ctx = {};
  const size = def.size(S);
  try {
    if (def.setup) await def.setup(sb, S, ctx);
    open.set(id, { def, S, ctx });
    const n = def.heavy ? S.heavyN : S.n;
    const warmup = def.heavy ? (id === 'shell-loop' || id === 'py-cpu' ? 1 : 0) : 3;
    return { n, warmup, size };
  } catch (e) {
    if (e instanceof Unsupported) return { skipped: e.message, size };
    return { error: errText(e), size };
  }
}

async function rowSample(id) {
  const { def, S, ctx } = open.get(id);
  try {
    return { ms: await time(() => def.run(sb, S, ctx)) };
  } catch (e) {
    if (e instanceof Unsupported) return { skipped: e.message };
    return { error: errText(e) };
  }
}

async function rowEnd(id) {
  const { def, S, ctx } = open.get(id);
  open.delete(id);
  try {
    if (def.verify) await def.verify(sb, S, ctx);
    return {};
  } catch (e) {
    return { error: errText(e) };
  }
}

/** sandpit's snapshot / fork / export / import / OPFS rows over one tree. */
async function stateRows(quick, distinct = false) {
  const S = quick ? SIZES.quick : SIZES.full;
  const sys = await system();
  const size = `${S.treeFiles.toLocaleString('en')} files × ${S.treeKB} KB = ${((S.treeFiles * S.treeKB) / 1024).toFixed(0)} MB${distinct ? ', distinct incompressible contents' : ', one shared content'}`;
  const res = {};
  const rec = async (id, n, fn) => {
    const samples = [];
    try {
      for (let i = 0; i < n; i++) samples.push(await fn(i));
      res[id] = { samples, size };
    } catch (e) {
      res[id] = { error: errText(e), samples, size };
    }
  };
  const n = S.heavyN;
  const files = treeFiles(S, distinct);
  const src = await sys.create();
  await rec('state-tree-write', 1, () => time(() => src.writeMany(files)));
  await rec('state-snapshot', n, () => time(() => src.raw.snapshot({ name: 'bench' })));
  await rec('state-fork', n, async () => {
    let child;
    const t = await time(async () => (child = await src.raw.fork()));
    await child.destroy({ purge: true });
    return t;
  });
  let blob;
  await rec('state-export', n, () => time(async () => (blob = await src.raw.exportState())));
  const blobMB = blob ? blob.size / (1 << 20) : NaN;
  await rec('state-import', n, async () => {
    let copy;
    const t = await time(async () => (copy = await sys.Sandbox.importState(blob)));
    await copy.destroy({ purge: true });
    return t;
  });
  if (res['state-export']) res['state-export'].note = `blob ${blobMB.toFixed(1)} MB`;
  await src.destroy();
  const reopen = [];
  // save() alone, timed inside the persist row's samples (the tree write is the row above's cost).
  const saves = [];
  await rec('state-opfs-persist', Math.min(n, 2), async (i) => {
    const id = `bench-opfs-${Date.now()}-${i}`;
    const p = sys.wrap(await sys.Sandbox.create({ id, persistence: 'opfs', fsLimitBytes: 1 << 30 }));
    const t = await time(async () => {
      await p.writeMany(files);
      saves.push(await time(() => p.raw.save()));
    });
    await p.raw.destroy();
    reopen.push(id);
    return t;
  });
  res['state-opfs-save'] = { samples: saves, size };
  await rec('state-opfs-reopen', reopen.length, async (i) => {
    let s;
    const t = await time(async () => {
      s = await sys.Sandbox.open(reopen[i]);
      const r = await s.commands.run(`ls tree/d0 | wc -l`);
      if (r.exitCode !== 0) throw new Error(`ls: ${r.stderr}`);
    });
    await s.destroy({ purge: true });
    return t;
  });
  return res;
}

/** Creates `count` more sandboxes (kept alive) and runs `true` or `pass` in each. */
async function more(count) {
  const sys = await system();
  for (let i = 0; i < count; i++) {
    const s = await sys.create();
    if (s.sh) await s.sh('true');
    else if (s.argv) await s.argv(['true']);
    else if (s.py) await s.py('pass');
    extra.push(s);
  }
}

async function uaMemory() {
  if (!performance.measureUserAgentSpecificMemory) return null;
  const r = await Promise.race([
    performance.measureUserAgentSpecificMemory(),
    new Promise((res) => setTimeout(() => res(null), 60_000)),
  ]);
  return r ? r.bytes : null;
}

globalThis.bench = {
  target,
  rows: ROWS.map(({ id, title, group }) => ({ id, title, group })),
  stateRows: STATE_ROWS,
  isolated: globalThis.crossOriginIsolated,
  init: async () => {
    const t = performance.now();
    sb = await (await system()).create();
    return performance.now() - t;
  },
  row,
  rowStart,
  rowSample,
  rowEnd,
  stateRows_: stateRows,
  more,
  uaMemory,
  /** bench/profile.mjs's measurements (probes.mjs) on this page's sandbox. */
  probe: (name, arg) => probes[name](sb, arg),
  /** The cold start's marks (adapters.mjs, cold()) and navigation timing, ms from navigation. */
  marks: () => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      responseEnd: nav?.responseEnd,
      domContentLoaded: nav?.domContentLoadedEventEnd,
      ...Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])),
    };
  },
};
if (params.get('auto') === '1') globalThis.benchCold = cold();
