// Judging a case's result against its `expect`, classifying failures and writing the summary.

/** Whether `got` meets `expect` ({stdout?, stderr?, merged_output?, exit_code?}). */
export function judge(expect, got) {
  const diffs = [];
  const out = got.stdout ?? '';
  const err = got.stderr ?? '';
  if (expect.merged_output !== undefined && out !== expect.merged_output) diffs.push('merged_output');
  if (expect.stdout !== undefined && out !== expect.stdout) diffs.push('stdout');
  if (expect.stderr !== undefined && err !== expect.stderr) diffs.push('stderr');
  if (expect.exit_code !== undefined) {
    const ok = expect.exit_code === 'nonzero' ? got.exitCode !== 0 : got.exitCode === expect.exit_code;
    if (!ok) diffs.push('exit_code');
  }
  return diffs;
}

const clip = (s, n = 60) => {
  const t = JSON.stringify(s ?? '');
  return t.length > n ? t.slice(0, n - 4) + '…"' : t;
};

/** First differing line of two texts, as a short "got … want …". */
function firstDiff(got, want) {
  const a = (got ?? '').split('\n');
  const b = (want ?? '').split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i + 1}: got ${clip(a[i] ?? '<eof>')} want ${clip(b[i] ?? '<eof>')}`;
  }
  return 'same lines';
}

const RUNTIME = /RuntimeError|unreachable|Maximum call stack|panicked|EXECUTION_ERROR|memory access out of bounds/;
const NOT_FOUND = /(?:^|\n)(?:[^\n:]*: )?(?:line \d+: )?([^\s:'"]+): (?:command not found|not found|applet not found)/;

/**
 * A failing case's category and a one-line reason. Categories: timeout, missing command,
 * runtime error (the sandbox's process died: exit 71, traps), exit status, output difference.
 */
export function classify(c, got, diffs, commands) {
  if (got.hung) return { category: 'timeout', reason: 'hung past the timeout (sandbox recreated)' };
  if (got.error) return { category: 'runtime error', reason: `run failed: ${clip(got.error.split('\n')[0], 120)}` };
  if (got.reason === 'timeout') return { category: 'timeout', reason: `timeout (${got.ms} ms)` };
  const expected = `${c.expect.stdout ?? ''}${c.expect.stderr ?? ''}${c.expect.merged_output ?? ''}`;
  const err = got.stderr ?? '';
  const nf = NOT_FOUND.exec(err);
  if (nf && !expected.includes(nf[1]))
    return { category: 'missing command', reason: `${nf[1]}: not found`, what: nf[1] };
  const applet = c.tags.find((t) => t.startsWith('applet:'))?.slice(7);
  if (applet && commands && !commands.has(applet)) {
    return { category: 'missing command', reason: `applet ${applet} is not installed`, what: applet };
  }
  if (got.exitCode === 71 || RUNTIME.test(err)) {
    const line = err.split('\n').find((l) => l.trim()) ?? '';
    return { category: 'runtime error', reason: `exit ${got.exitCode}${line ? ': ' + clip(line, 90) : ''}` };
  }
  if (diffs.length === 1 && diffs[0] === 'exit_code') {
    return { category: 'exit status', reason: `exit ${got.exitCode}, want ${c.expect.exit_code}` };
  }
  const parts = [];
  for (const d of diffs) {
    if (d === 'exit_code') parts.push(`exit ${got.exitCode} want ${c.expect.exit_code}`);
    else if (d === 'stderr') parts.push(`stderr ${firstDiff(got.stderr, c.expect.stderr)}`);
    else parts.push(`${d} ${firstDiff(got.stdout, c.expect[d])}`);
  }
  return { category: 'output difference', reason: parts.join('; ') };
}

/** The group a case is counted in: the spec file for shell cases, the applet for busybox. */
export function groupOf(c) {
  const applet = c.tags.find((t) => t.startsWith('applet:'));
  if (applet) return applet.slice(7);
  const m = /^[^/]+\/([^:#]+)/.exec(c.id);
  return m ? m[1] : c.id;
}

function tally(map, key, pass) {
  const e = map.get(key) ?? { total: 0, passed: 0 };
  e.total++;
  if (pass) e.passed++;
  map.set(key, e);
}

const pct = (p, t) => (t ? `${((100 * p) / t).toFixed(1)}%` : '—');

/** Per-run summary object (what goes into the JSON). */
export function summarise(name, results) {
  const byTag = new Map();
  const byGroup = new Map();
  const categories = {};
  const missing = {};
  let passed = 0;
  for (const r of results) {
    if (r.pass) passed++;
    for (const t of r.tags) tally(byTag, t, r.pass);
    tally(byGroup, r.group, r.pass);
    if (!r.pass) {
      categories[r.category] = (categories[r.category] ?? 0) + 1;
      if (r.what) missing[r.what] = (missing[r.what] ?? 0) + 1;
    }
  }
  const obj = (m) =>
    Object.fromEntries([...m.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([k, v]) => [k, v]));
  return {
    name,
    total: results.length,
    passed,
    failed: results.length - passed,
    rate: results.length ? +(passed / results.length).toFixed(4) : 0,
    categories,
    missingCommands: missing,
    byTag: obj(byTag),
    byGroup: obj(byGroup),
    failures: results.filter((r) => !r.pass).map((r) => ({ id: r.id, category: r.category, reason: r.reason })),
  };
}

/** The markdown summary (also committed as docs/conformance.md); `notes` is a hand-written
 * block kept across runs (between <!-- notes --> and <!-- /notes --> in the old file). */
export function markdown(meta, suites, notes = '') {
  const L = [];
  L.push('# Conformance (shared/conformance)', '');
  if (notes) L.push(notes, '');
  L.push(
    `Generated by \`npm run conformance\` on ${meta.date} (commit ${meta.commit}, ${meta.durationMin} min, ` +
      `${meta.pages} page(s), timeout ${meta.timeoutMs / 1000} s per case). Each case runs through ` +
      '`Sandbox.commands.run` in headless Chromium, from a snapshot, in a fresh empty cwd.',
    '',
  );
  for (const w of meta.warnings ?? []) L.push(`Warning: ${w}.`, '');
  L.push('| run | cases | passed | failed | rate |', '| --- | ---: | ---: | ---: | ---: |');
  for (const s of suites) L.push(`| ${s.name} | ${s.total} | ${s.passed} | ${s.failed} | ${pct(s.passed, s.total)} |`);
  L.push('', '## Failure causes', '');
  const cats = ['missing command', 'runtime error', 'timeout', 'exit status', 'output difference'];
  L.push(`| run | ${cats.join(' | ')} |`, `| --- |${cats.map(() => ' ---: |').join('')}`);
  for (const s of suites) L.push(`| ${s.name} | ${cats.map((c) => s.categories[c] ?? 0).join(' | ')} |`);
  L.push(
    '',
    'missing command: `x: command not found` (or the applet is not installed); runtime error: the guest died ' +
      '(exit 71, a trap, a failed run); exit status: output right, status wrong; output difference: stdout/stderr differ.',
  );
  for (const s of suites) {
    const miss = Object.entries(s.missingCommands).sort((a, b) => b[1] - a[1]);
    if (miss.length) L.push('', `Missing in ${s.name}: ${miss.map(([k, v]) => `\`${k}\` (${v})`).join(', ')}`);
  }
  for (const s of suites) {
    L.push('', `## ${s.name}: by ${s.name.startsWith('busybox') ? 'applet' : 'spec file'}`, '');
    L.push('| group | passed | total | rate |', '| --- | ---: | ---: | ---: |');
    for (const [k, v] of Object.entries(s.byGroup))
      L.push(`| ${k} | ${v.passed} | ${v.total} | ${pct(v.passed, v.total)} |`);
    L.push(
      '',
      `By tag: ${Object.entries(s.byTag)
        .map(([k, v]) => `\`${k}\` ${v.passed}/${v.total}`)
        .join(', ')}`,
    );
  }
  for (const s of suites) {
    L.push('', `## ${s.name}: failing cases (${s.failed})`, '');
    for (const f of s.failures) L.push(`- \`${f.id}\` — ${f.category}: ${f.reason.replace(/\|/g, '\\|')}`);
  }
  L.push('');
  return L.join('\n');
}

/** The hand-written notes block of an earlier summary, if any. */
export function notesOf(text) {
  const m = /<!-- notes -->[\s\S]*?<!-- \/notes -->/.exec(text ?? '');
  return m ? m[0] : '';
}
