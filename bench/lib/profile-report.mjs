// Reduces V8 CPU profiles (CDP Profiler.stop) to where the time went, and writes the
// generated part of bench/README.md's "Why targets are missed". Plain data in, text out.

/**
 * What a frame is: guest code (the WASIX binaries), the engine (the SDK's own wasm and JS),
 * sandpit's kernel, the bench/page code, or V8's own buckets.
 */
export function category(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8/browser (unattributed)';
  if (fn === '(root)') return 'idle';
  if (url.includes('wasmer_sdk_js_bg')) return 'engine wasm (wasmer-js runtime)';
  if (url.startsWith('wasm://') || fn.startsWith('wasm-function') || fn.startsWith('$'))
    return 'guest wasm (the binaries)';
  if (url.includes('/vendor/wasmer-sdk/')) return 'engine JS (@wasmer/sdk)';
  if (url.includes('/assets/kernel-')) return 'sandpit kernel worker JS';
  if (url.includes('/assets/')) return 'sandpit API JS (page)';
  if (url.includes('/bench/') || url.includes('/peers/')) return 'bench page';
  if (!url)
    return /^(WebAssembly|Module|Instance|compile|instantiate)/.test(fn)
      ? 'wasm compile/instantiate'
      : 'browser natives (postMessage, …)';
  return 'other JS';
}

/** A profile's self time per category and its heaviest functions (ms). */
export function aggregate(profile, top = 10) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** The nearest named JavaScript caller: what an anonymous wasm function was doing. */
  const jsCaller = (id) => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const f = byId.get(p).callFrame;
      // wasm-bindgen's glue (closure invokers, import shims) says nothing about the work.
      const glue = /^(wasm_bindgen|__wbg_|__wbindgen|js-to-wasm|wasm-to-js|passStringToWasm)/.test(f.functionName);
      if (f.url && !f.url.includes('.wasm') && !f.url.startsWith('wasm') && f.functionName && !glue)
        return f.functionName;
    }
    return '';
  };
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    // A sample's weight is the interval up to the next sample.
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  const cats = {};
  const fns = new Map();
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const c = category(n.callFrame);
    cats[c] = (cats[c] ?? 0) + ms;
    const wasm = n.callFrame.url.includes('.wasm') || n.callFrame.url.startsWith('wasm');
    const caller = wasm || !n.callFrame.url ? jsCaller(id) : '';
    const name = `${n.callFrame.functionName || '(anonymous)'}${caller ? ` ← ${caller}` : ''}`;
    const file = n.callFrame.url.split('/').pop();
    const key =
      `${name} ${file ? `(${file}${n.callFrame.url.startsWith('wasm') ? '' : `:${n.callFrame.lineNumber + 1}`})` : ''}`.trim();
    const f = fns.get(key) ?? { fn: key, category: c, ms: 0 };
    f.ms += ms;
    fns.set(key, f);
  }
  const round = (x) => +x.toFixed(2);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const busyMs = Object.entries(cats)
    .filter(([c]) => c !== 'idle')
    .reduce((a, [, v]) => a + v, 0);
  return {
    totalMs: round(totalMs),
    busyMs: round(busyMs),
    categories: Object.fromEntries(
      Object.entries(cats)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, round(v)]),
    ),
    top: [...fns.values()]
      .filter((f) => f.category !== 'idle')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: round(f.ms) })),
  };
}

const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`) : '–');

function threadName(t) {
  if (t.type === 'page') return 'page (main thread)';
  const file = (t.url ?? '').split('/').pop().split('?')[0];
  if (file.startsWith('kernel-')) return 'sandpit kernel worker';
  if (/^blob:/.test(t.url ?? '') || file.includes('worker')) return `SDK pool worker (${file.slice(0, 24) || 'blob'})`;
  return `${t.type} ${file.slice(0, 40)}`;
}

/** Threads summed by name (the SDK's pool workers are alike), busiest first. */
function threadTable(threads) {
  const rows = new Map();
  for (const t of threads) {
    const name = threadName(t);
    const r = rows.get(name) ?? { name, count: 0, busyMs: 0, categories: {} };
    r.count++;
    r.busyMs += t.busyMs;
    for (const [c, v] of Object.entries(t.categories)) if (c !== 'idle') r.categories[c] = (r.categories[c] ?? 0) + v;
    rows.set(name, r);
  }
  const lines = ['| thread | busy | where the busy time went |', '| --- | ---: | --- |'];
  for (const r of [...rows.values()].sort((a, b) => b.busyMs - a.busyMs)) {
    if (r.busyMs < 0.5) continue;
    const cats = Object.entries(r.categories)
      .sort((a, b) => b[1] - a[1])
      .filter(([, v]) => v >= 0.5)
      .slice(0, 5)
      .map(([c, v]) => `${c} ${ms(v)}`)
      .join(', ');
    lines.push(`| ${r.name}${r.count > 1 ? ` × ${r.count}` : ''} | ${ms(r.busyMs)} | ${cats} |`);
  }
  return lines.join('\n');
}

function topTable(threads, n = 8) {
  const all = new Map();
  for (const t of threads)
    for (const f of t.top) {
      const k = `${threadName(t)}\u0000${f.fn}`;
      const e = all.get(k) ?? { thread: threadName(t), fn: f.fn, ms: 0 };
      e.ms += f.ms;
      all.set(k, e);
    }
  const lines = ['| self time | function | thread |', '| ---: | --- | --- |'];
  for (const e of [...all.values()].sort((a, b) => b.ms - a.ms).slice(0, n))
    lines.push(`| ${ms(e.ms)} | \`${e.fn.replace(/\|/g, '\\|')}\` | ${e.thread} |`);
  return lines.join('\n');
}

/** Phases of a cold start from its marks, as consecutive intervals. */
function phases(marks, order) {
  const lines = ['| phase | ends at | takes |', '| --- | ---: | ---: |'];
  let last = 0;
  for (const [key, label] of order) {
    const at = marks[key];
    if (!Number.isFinite(at)) continue;
    lines.push(`| ${label} | ${ms(at)} | ${ms(at - last)} |`);
    last = at;
  }
  return lines.join('\n');
}

const COLD_ORDER = {
  sandpit: [
    ['responseEnd', 'navigation → HTML received'],
    ['api-found', '→ app bundle ran (globalThis.sandpit)'],
    ['phase-manifest', '→ kernel worker started, manifest requested'],
    ['phase-binaries', '→ manifest read, binaries requested'],
    ['phase-engine', '→ binaries loaded (HTTP cache)'],
    ['phase-ready', '→ SDK ready + package of all binaries created'],
    ['sandbox-created', '→ sandbox created (VFS, mounts, SDK sandbox)'],
    ['first-result', '→ first command result (`echo hi`)'],
  ],
  'wasmer-sdk': [
    ['responseEnd', 'navigation → HTML received'],
    ['sdk-imported', '→ SDK imported'],
    ['phase-manifest', '→ manifest read'],
    ['sdk-ready', '→ SDK ready (`new Wasmer`, `ready()`)'],
    ['binaries-fetched', '→ binaries loaded (HTTP cache)'],
    ['package-created', '→ package of all binaries created'],
    ['sandbox-created', '→ sandbox created'],
    ['first-result', '→ first command result (`echo hi`)'],
  ],
};

export function profileMarkdown(r) {
  const out = [
    `Profile run of ${r.date.slice(0, 16).replace('T', ' ')} UTC (\`node bench/profile.mjs\`, ${r.chromium}).`,
    '',
  ];
  for (const [target, c] of Object.entries(r.cold)) {
    out.push(
      `#### Cold start, binaries cached: ${target} (first result at ${ms(c.run?.first)})`,
      '',
      phases(c.marks, COLD_ORDER[target] ?? []),
      '',
      'CPU time per thread over the whole cold start:',
      '',
      threadTable(c.threads),
      '',
      'Heaviest functions (self time):',
      '',
      topTable(c.threads),
      '',
    );
  }
  if (r.experiments && Object.keys(r.experiments).length) {
    const cols = [
      ['sdk-ready', 'SDK ready'],
      ['binaries-fetched', 'binaries loaded'],
      ['package-created', 'package created'],
      ['sandbox-created', 'sandbox created'],
      ['first-result', 'first result'],
    ];
    out.push(
      "#### Experiments: the raw SDK's cold start (cached), median of 3, ms from navigation",
      '',
      `| package | ${cols.map(([, l]) => l).join(' | ')} | package step alone |`,
      `| --- | ${cols.map(() => '---:').join(' | ')} | ---: |`,
      ...Object.entries(r.experiments).map(
        ([name, e]) =>
          `| ${name} | ${cols.map(([k]) => ms(e.marks[k])).join(' | ')} | ${ms(e.marks['package-created'] - e.marks['binaries-fetched'])} |`,
      ),
      '',
    );
  }
  for (const [target, w] of Object.entries(r.warm)) {
    out.push(`#### One warm command: ${target}`, '');
    if (target === 'sandpit') {
      const p = w.parts;
      out.push(
        '| measure (median of 30) | ms |',
        '| --- | ---: |',
        `| API round trip that does no kernel work (\`files.exists\`) | ${p.hop.toFixed(2)} |`,
      );
      for (const [cmd, v] of Object.entries(p.runs)) {
        if (v.inKernel === undefined) {
          out.push(`| \`commands.run('true')\`, ${cmd.replace(/^true, /, '')} | ${v.total.toFixed(2)} |`);
          continue;
        }
        out.push(
          `| \`commands.run(${JSON.stringify(cmd)})\`, page → result | ${v.total.toFixed(2)} |`,
          `| … of which the process in the kernel (\`durationMs\`: spawn returned → exit, pipes drained) | ${v.inKernel.toFixed(2)} |`,
          `| … the rest: the SDK's \`spawn()\` until the process exists, 2 API hops (spawn, wait), kernel bookkeeping | ${(v.total - v.inKernel).toFixed(2)} |`,
        );
      }
    } else {
      out.push('| raw SDK call (median of 30) | ms |', '| --- | ---: |');
      for (const [k, v] of Object.entries(w.parts)) out.push(`| \`${k}\` | ${v.toFixed(2)} |`);
    }
    if (w.hostfs?.callsPerCommand) {
      const h = w.hostfs;
      const methods = Object.entries(h.byMethod)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const paths = Object.entries(h.byPath ?? {})
        .map(([k, v]) => `\`${k}\` ×${v}`)
        .join(', ');
      out.push(
        '',
        `Host-filesystem calls (guest → sandpit's VFS, each one blocking the guest) per \`true\`: ` +
          `${h.callsPerCommand} (${methods}), of which ${h.roundTripsPerCommand ?? '?'} went to the kernel ` +
          `worker (the rest were answered by the worker-side caches); the guest spent ` +
          `${h.blockedMsPerCommand.toFixed(2)} ms blocked in them. By method and path (relative to the mount: \`user\` is /home/user, \`bash.bashrc\` is in /etc, an empty path is a mount's root): ${paths}.`,
      );
    }
    if (w.cat?.hostfs?.callsPerCommand) {
      const h = w.cat.hostfs;
      const methods = Object.entries(h.byMethod)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const perTrip = h.roundTripsPerCommand ? (10 * 1024) / h.roundTripsPerCommand : NaN;
      out.push(
        '',
        `\`cat\` of a 10 MB file to /dev/null: ${ms(w.cat.ms)}; ${h.callsPerCommand} host-filesystem calls ` +
          `(${methods}), ${h.roundTripsPerCommand} round trips to the kernel worker ` +
          `(${Number.isFinite(perTrip) ? `${perTrip.toFixed(0)} KB each on average` : '–'}), ` +
          `the guest blocked ${ms(h.blockedMsPerCommand)} in them.`,
      );
    } else if (w.cat) {
      out.push('', `\`cat\` of a 10 MB file to /dev/null: ${ms(w.cat.ms)}.`);
    }
    out.push(
      '',
      `CPU profile of ${w.profile.n} × \`true\` (${ms(w.profile.wallMs)} wall, ${ms(w.profile.wallMs / w.profile.n)} each):`,
      '',
      threadTable(w.profile.threads),
      '',
      topTable(w.profile.threads),
      '',
    );
  }
  return out.join('\n');
}
