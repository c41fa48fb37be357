// Turns one run's result object into bench/results/<date>.json, the generated part of
// bench/README.md (between the BEGIN/END markers) and bench/results/chart.svg.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatRatio, formatValue, ratio } from './stats.mjs';
import { barChart, ratioChart } from './svg.mjs';

const BEGIN = '<!-- BEGIN GENERATED (bench/run.mjs) -->';
const END = '<!-- END GENERATED -->';

/** Rows drawn in the chart (the main ones, all in ms). */
export const CHART_ROWS = {
  'cold-unc-first': 'cold, not cached → first result',
  'cold-cac-first': 'cold, cached → first result',
  'warm-true': 'true',
  'warm-echo': 'echo hello',
  'warm-external': 'external command (cat)',
  'warm-pipeline': '3-stage pipeline',
  'shell-loop': 'shell loop (external cmd inside)',
  'py-cold': 'python3 -c pass, cold',
  'py-warm': 'python3 -c pass, warm',
  'py-cpu': 'CPU-bound Python',
  'cat-big': 'cat big file',
  sort: 'sort lines',
  'sqlite-inserts': 'sqlite3 inserts',
  'files-write-small': 'files API: write small files',
  'files-read-small': 'files API: read small files',
  'files-write-big': 'files API: write big file',
};

/** Rows that run commands in the engine: their target is ≤ 1.1× the raw engine. */
const COMMAND_GROUPS = new Set(['warm', 'python', 'binaries', 'throughput']);
const PEERS = ['lifo', 'pyodide', 'wasi-shim'];
const ok = (x) => !!x && !x.error && !x.skipped && Number.isFinite(x.median);

/**
 * The issue's targets, row by row: overhead over the raw engine ≤ 1.1× on command rows, faster
 * than every peer on rows both run, warm builtin round trip ≤ 1 ms, cold start (cached) ≤ 400 ms.
 * Returns { target, row, value, limit, met } with values as text.
 */
export function targetChecks(result) {
  const checks = [];
  const rows = result.rows;
  for (const row of Object.values(rows)) {
    const sp = row.results.sandpit;
    if (!sp) continue;
    const raw = row.results['wasmer-sdk'];
    if (COMMAND_GROUPS.has(row.group) && raw) {
      const r = ok(sp) && ok(raw) ? ratio(sp.median, raw.median) : null;
      checks.push({
        target: 'sandpit / raw engine ≤ 1.1×',
        row: row.title,
        value: r === null ? (ok(sp) ? 'raw engine failed' : 'sandpit failed') : formatRatio(r),
        met: r !== null && r <= 1.1,
      });
    }
    const peers = PEERS.filter((t) => ok(row.results[t]));
    if (peers.length && row.group !== 'memory' && row.group !== 'state') {
      const slower = peers.filter((t) => !ok(sp) || sp.median >= row.results[t].median);
      checks.push({
        target: 'faster than every peer',
        row: row.title,
        value: !ok(sp)
          ? 'sandpit failed'
          : slower.length
            ? `slower than ${slower.map((t) => `${t} (${formatRatio(ratio(sp.median, row.results[t].median))})`).join(', ')}`
            : `faster than ${peers.join(', ')}`,
        met: ok(sp) && !slower.length,
      });
    }
  }
  const limit = (id, target, ms) => {
    const sp = rows[id]?.results.sandpit;
    if (!sp) return;
    checks.push({
      target,
      row: rows[id].title,
      value: ok(sp) ? formatValue(sp.median) : 'failed',
      met: ok(sp) && sp.median <= ms,
    });
  };
  limit('warm-true', 'warm builtin round trip ≤ 1 ms', 1);
  limit('cold-cac-first', 'cold start, cached binaries, ≤ 400 ms', 400);
  limit('cold-cac-ready', 'cold start, cached binaries, ≤ 400 ms', 400);
  return checks;
}

function targetsMarkdown(result) {
  const checks = targetChecks(result);
  if (!checks.length) return '';
  const met = checks.filter((c) => c.met).length;
  const lines = [
    `**Targets** (issue #8): ${met} of ${checks.length} checks met.`,
    '',
    '| target | row | sandpit | met |',
    '| --- | --- | --- | --- |',
    ...checks.map((c) => `| ${c.target} | ${c.row.replace(/\|/g, '\\|')} | ${c.value} | ${c.met ? 'yes' : '**no**'} |`),
  ];
  return lines.join('\n');
}

function cell(res, unit) {
  if (!res) return '–';
  if (res.skipped) return 'n/a';
  if (res.error || !Number.isFinite(res.median)) return '**failed**';
  return formatValue(res.median, res.unit ?? unit);
}

export function markdown(result) {
  const { targets, rows } = result;
  const head = ['row', 'size', ...targets.flatMap((t) => (t === 'sandpit' ? [t] : [t, `sandpit/${t}`]))];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`];
  const failures = new Map();
  for (const [id, row] of Object.entries(rows)) {
    const unit = Object.values(row.results).find((r) => r.unit)?.unit ?? 'ms';
    const sp = row.results.sandpit;
    const cells = [row.title, row.size || ''];
    for (const t of targets) {
      const r = row.results[t];
      cells.push(cell(r, unit));
      const ok = (x) => x && !x.error && !x.skipped;
      if (t !== 'sandpit') cells.push(ok(sp) && ok(r) ? formatRatio(ratio(sp.median, r.median)) : '–');
      if (r?.error) {
        const key = `${t}\u0000${r.error.replace(/\s+/g, ' ').slice(0, 240)}`;
        failures.set(key, [...(failures.get(key) ?? []), id]);
      }
    }
    lines.push(`| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  const notes = [...new Set(result.notes ?? [])].map((n) => `- ${n}`);
  for (const [id, row] of Object.entries(rows)) {
    for (const [t, r] of Object.entries(row.results)) if (r.note) notes.push(`- \`${id}\` on ${t}: ${r.note}`);
  }
  const m = result.machine;
  return [
    `Run of ${result.date.slice(0, 16).replace('T', ' ')} UTC${result.quick ? ' (**--quick** sizes)' : ''}, ${result.durationS} s; ` +
      `${m.cpus} × ${m.cpuModel}, ${m.memGB} GB; Chromium ${m.chromium}; Node ${m.node}. ` +
      `Load average (1/5/15 min) at start ${m.loadavgStart.join(' / ')}, at end ${m.loadavgEnd.join(' / ')} ` +
      `(other builds shared the 2 cores: absolute numbers are pessimistic, ratios are what to read).`,
    '',
    `Versions: ${Object.entries(result.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    'Medians of repeated runs; a ratio below 1 means sandpit is faster. n/a: the system cannot do the row.',
    '',
    ...lines,
    '',
    targetsMarkdown(result),
    '',
    failures.size
      ? '**Rows that failed** (recorded, not fatal):\n\n' +
        [...failures]
          .map(([key, ids]) => {
            const [t, err] = key.split('\u0000');
            return `- ${t}: ${ids.map((i) => `\`${i}\``).join(', ')}: ${err}`;
          })
          .join('\n')
      : 'No row failed.',
    '',
    ...(notes.length ? ['Notes:', '', ...notes, ''] : []),
    `![chart](results/chart.svg)`,
    '',
    `![sandpit / raw engine](results/ratios.svg)`,
    '',
    `Raw samples: [results/${result.date.slice(0, 10)}${result.quick ? '-quick' : ''}.json](results/${result.date.slice(0, 10)}${result.quick ? '-quick' : ''}.json).`,
  ].join('\n');
}

export function chart(result) {
  const rows = Object.entries(CHART_ROWS)
    .filter(([id]) => result.rows[id])
    .map(([id, label]) => ({
      label: `${label}${result.rows[id].size ? ` (${result.rows[id].size})` : ''}`,
      values: Object.fromEntries(
        result.targets.map((t) => {
          const r = result.rows[id].results[t];
          return [t, r && !r.error ? r.median : undefined];
        }),
      ),
      missing: Object.fromEntries(
        result.targets.map((t) => [
          t,
          result.rows[id].results[t]?.skipped || !result.rows[id].results[t] ? 'n/a' : 'failed',
        ]),
      ),
    }));
  return barChart({
    title: `Median time, log scale (${result.date.slice(0, 10)}${result.quick ? ', --quick' : ''})`,
    unit: 'ms',
    targets: result.targets,
    rows,
  });
}

/** sandpit / raw engine on every row both ran, against the 1.1× target. */
export function ratios(result) {
  const rows = Object.values(result.rows)
    .filter((row) => row.results.sandpit && row.results['wasmer-sdk'] && row.group !== 'memory')
    .map((row) => {
      const sp = row.results.sandpit;
      const raw = row.results['wasmer-sdk'];
      return { label: row.title.slice(0, 52), ratio: ok(sp) && ok(raw) ? ratio(sp.median, raw.median) : null };
    });
  return ratioChart({
    title: `sandpit / raw @wasmer/sdk, same run (${result.date.slice(0, 10)}); target ≤ 1.1×`,
    limit: 1.1,
    rows,
  });
}

export function writeReport(root, result) {
  const name = `${result.date.slice(0, 10)}${result.quick ? '-quick' : ''}`;
  const json = join(root, 'bench', 'results', `${name}.json`);
  writeFileSync(json, JSON.stringify(result, null, 1) + '\n');
  // A --quick run (development sizes) leaves the published chart and table alone.
  const svg = join(root, 'bench', 'results', result.quick ? 'chart-quick.svg' : 'chart.svg');
  writeFileSync(svg, chart(result));
  const ratioSvg = join(root, 'bench', 'results', result.quick ? 'ratios-quick.svg' : 'ratios.svg');
  writeFileSync(ratioSvg, ratios(result));
  if (result.quick) {
    const md = join(root, 'bench', 'results', `${name}.md`);
    writeFileSync(md, markdown(result) + '\n');
    return [json, svg, ratioSvg, md];
  }
  const readme = join(root, 'bench', 'README.md');
  const old = existsSync(readme) ? readFileSync(readme, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const at = old.indexOf(BEGIN);
  const end = old.indexOf(END);
  const text =
    at >= 0 && end > at
      ? `${old.slice(0, at + BEGIN.length)}\n${markdown(result)}\n${old.slice(end)}`
      : `${old}\n${BEGIN}\n${markdown(result)}\n${END}\n`;
  writeFileSync(readme, text);
  return [json, svg, ratioSvg, readme];
}

/** Regenerates README and chart from a saved JSON: node bench/lib/report.mjs results/X.json */
if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const root = join(new URL('.', import.meta.url).pathname, '..', '..');
  writeReport(root, JSON.parse(readFileSync(file, 'utf8')));
}
