// `npm run conformance`: runs ../shared/conformance (when present) through the real sandbox in
// headless Chromium and writes conformance-results/<date>.{json,md} (+ docs/conformance.md for a
// full run). Not part of `npm test`.
//
// usage: node conformance/run.mjs [--suite posix|busybox]... [--sh bash|sh|both] [--filter STR]
//          [--limit N] [--pages N] [--timeout MS] [--build] [--no-docs]
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../bin/chromium-args.mjs';
import { CONTENT_TYPES, contentType, REQUIRED_ISOLATION_HEADERS } from '../src/node/http-headers.mjs';
import { createServer } from 'node:http';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pageInit, pageRun } from './harness.mjs';
import { classify, groupOf, judge, markdown, notesOf, summarise } from './report.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const confDir = resolve(process.env.SANDPIT_CONFORMANCE_DIR ?? join(repo, '..', 'shared', 'conformance'));

const opts = { suites: [], sh: 'both', filter: '', limit: 0, pages: 2, timeoutMs: 10_000, build: false, docs: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => argv[++i];
  if (a === '--suite') opts.suites.push(val());
  else if (a === '--sh') opts.sh = val();
  else if (a === '--filter') opts.filter = val();
  else if (a === '--limit') opts.limit = Number(val());
  else if (a === '--pages') opts.pages = Number(val());
  else if (a === '--timeout') opts.timeoutMs = Number(val());
  else if (a === '--build') opts.build = true;
  else if (a === '--no-docs') opts.docs = false;
  else {
    console.error(`unknown option ${a}`);
    process.exit(2);
  }
}

if (!existsSync(join(confDir, 'posix-shell.jsonl')) && !existsSync(join(confDir, 'busybox-applets.jsonl'))) {
  console.log(`conformance: no cases at ${confDir} (set SANDPIT_CONFORMANCE_DIR); nothing to run.`);
  process.exit(0);
}

// ---- cases -------------------------------------------------------------------------------
const load = (f) =>
  existsSync(join(confDir, f))
    ? readFileSync(join(confDir, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l))
    : [];
const wanted = (s) => opts.suites.length === 0 || opts.suites.includes(s);
const shells = opts.sh === 'both' ? ['bash', 'sh'] : [opts.sh];
const runs = [];
if (wanted('posix'))
  for (const sh of shells) runs.push({ name: `posix-shell (SH=${sh})`, file: 'posix-shell.jsonl', sh });
if (wanted('busybox')) runs.push({ name: 'busybox-applets (SH=bash)', file: 'busybox-applets.jsonl', sh: 'bash' });
const jobs = [];
for (const run of runs) {
  let cases = load(run.file).filter((c) => !opts.filter || c.id.includes(opts.filter));
  if (opts.limit) cases = cases.slice(0, opts.limit);
  run.cases = cases;
  run.results = [];
  for (const c of cases) jobs.push({ run, c, idx: jobs.length });
}
const helpers = {};
const helperDir = join(confDir, 'helpers');
if (existsSync(helperDir))
  for (const f of readdirSync(helperDir)) helpers[f] = readFileSync(join(helperDir, f), 'utf8');

// ---- the built app -------------------------------------------------------------------------
// SANDPIT_OUT_DIR: the private build of this checkout (vite.config honours it too), so parallel
// builders never share dist/.
const distDir = resolve(process.env.SANDPIT_OUT_DIR ?? join(repo, 'dist'));
if (opts.build || !existsSync(join(distDir, 'index.html'))) {
  console.log(`conformance: building ${distDir} (npx vite build)…`);
  const r = spawnSync('npx', ['vite', 'build'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// dist/ is rebuilt by others while a run goes on: serve a private copy whose binaries match
// their manifest; when dist/ does not (stale or half-written), build a private one.
function checked(dir) {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'wasm', 'manifest.json'), 'utf8'));
    const bad = m.binaries.filter(
      (b) =>
        createHash('sha256')
          .update(readFileSync(join(dir, 'wasm', b.file)))
          .digest('hex') !== b.sha256,
    );
    if (bad.length === 0 && existsSync(join(dir, 'index.html'))) return m;
    console.error(`conformance: ${bad.map((b) => b.file).join(', ')} do not match the manifest`);
  } catch (e) {
    console.error(`conformance: incomplete build (${e.message})`);
  }
  return null;
}
const warnings = [];
const tmp = join(tmpdir(), `sandpit-conformance-${process.pid}`);
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
function copyDist() {
  for (let attempt = 0; attempt < 3; attempt++) {
    rmSync(tmp, { recursive: true, force: true });
    cpSync(distDir, tmp, { recursive: true });
    const m = checked(tmp);
    if (m) return { dir: tmp, manifest: m };
    spawnSync('sleep', ['5']);
  }
  console.error(`conformance: ${distDir} is stale or changing; building a private copy (npx vite build)…`);
  rmSync(tmp, { recursive: true, force: true });
  const r = spawnSync('npx', ['vite', 'build', '--outDir', tmp, '--emptyOutDir'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const m = checked(tmp);
  if (m) return { dir: tmp, manifest: m };
  // public/wasm is mid-change in the working tree: measure what is there, and say so.
  const man = JSON.parse(readFileSync(join(tmp, 'wasm', 'manifest.json'), 'utf8'));
  for (const b of man.binaries) {
    const bytes = readFileSync(join(tmp, 'wasm', b.file));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== b.sha256) {
      warnings.push(`${b.file} differs from its manifest entry (measured sha256 ${sha.slice(0, 12)}…)`);
      Object.assign(b, { sha256: sha, size: bytes.length });
    }
  }
  writeFileSync(join(tmp, 'wasm', 'manifest.json'), JSON.stringify(man, null, 2));
  for (const w of warnings) console.error(`conformance: warning: ${w}`);
  return { dir: tmp, manifest: man };
}
const { dir: dist, manifest } = copyDist();
const commands = new Set(manifest.binaries.flatMap((b) => b.commands ?? [])); // for "applet not installed"

/** The app's module scripts in an empty document (the playground UI would boot its own sandbox). */
function driverHtml() {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const tags = [
    ...html.matchAll(
      /<script\b[^>]*type=["']module["'][^>]*>[\s\S]*?<\/script>|<link\b[^>]*rel=["']modulepreload["'][^>]*>/gi,
    ),
  ].map((m) => m[0]);
  return `<!doctype html><html><head><meta charset="utf-8"><title>conformance</title><base href="/">\n<script>globalThis.__sandpitDriverPage = true;</script>\n${tags.join('\n')}\n</head><body></body></html>\n`;
}
const server = createServer((req, res) => {
  let url;
  try {
    url = decodeURIComponent((req.url ?? '/').split('?')[0]);
  } catch {
    return void res.writeHead(400).end();
  }
  if (url === '/__conformance.html') {
    res.writeHead(200, { 'Content-Type': CONTENT_TYPES['.html'], ...REQUIRED_ISOLATION_HEADERS });
    return void res.end(driverHtml());
  }
  let file = normalize(join(dist, url));
  if (file !== dist && !file.startsWith(dist + '/')) return void res.writeHead(403).end();
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end('not found');
  res.writeHead(200, { 'Content-Type': contentType(file), ...REQUIRED_ISOLATION_HEADERS });
  createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const appUrl = `http://127.0.0.1:${server.address().port}/__conformance.html`;

// ---- browser and pages ---------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath: process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium',
  args: await chromiumArgs(),
});
const context = await browser.newContext();
await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/])[a-z]+:\/\//, (route) => route.abort()); // offline

const withTimeout = (p, ms, what) => {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]);
};

async function openPage() {
  const page = await context.newPage();
  await withTimeout(page.goto(appUrl), 60_000, 'page load');
  await withTimeout(
    page.waitForFunction(() => globalThis.sandpit?.Sandbox),
    60_000,
    'sandpit module',
  );
  await withTimeout(page.evaluate(pageInit, { helpers, timeoutMs: opts.timeoutMs }), 120_000, 'sandbox init');
  return page;
}

const started = Date.now();
let done = 0;
let next = 0;
async function worker() {
  let page = await openPage();
  while (next < jobs.length) {
    const { run, c, idx } = jobs[next++];
    const merged = c.expect.merged_output !== undefined;
    let got;
    try {
      got = await withTimeout(
        page.evaluate(pageRun, {
          idx,
          script: c.script,
          shell: run.sh,
          shellArgs: c.shell_args ?? [],
          env: c.env ?? {},
          merged,
          timeoutMs: opts.timeoutMs,
          maxOutputBytes: 1 << 20,
        }),
        opts.timeoutMs + 30_000,
        'case',
      );
    } catch (e) {
      got = { hung: true, error: String(e.message ?? e) };
    }
    if (got.hung) {
      // The sandbox (or the page) is wedged: start over with a new one.
      await page.close().catch(() => {});
      page = await openPage();
    }
    const diffs = got.hung || got.error ? ['run'] : judge(c.expect, got);
    const pass = diffs.length === 0;
    const r = { id: c.id, tags: c.tags, group: groupOf(c), pass, ms: got.ms };
    if (!pass) {
      Object.assign(r, classify(c, got, diffs, commands));
      r.got = { stdout: got.stdout?.slice(0, 400), stderr: got.stderr?.slice(0, 400), exitCode: got.exitCode };
    }
    run.results.push(r);
    if (++done % 50 === 0 || done === jobs.length) {
      const min = ((Date.now() - started) / 60000).toFixed(1);
      console.error(`conformance: ${done}/${jobs.length} cases (${min} min)`);
    }
  }
  await page.close().catch(() => {});
}

try {
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.pages, jobs.length)) }, () => worker()));
} finally {
  await browser.close().catch(() => {});
  server.close();
}

// ---- summary -------------------------------------------------------------------------------
const order = new Map(jobs.map((j) => [j.c.id + '\0' + j.run.name, j.idx]));
const suites = runs.map((run) =>
  summarise(
    run.name,
    run.results.sort((a, b) => order.get(a.id + '\0' + run.name) - order.get(b.id + '\0' + run.name)),
  ),
);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
} catch {
  /* not a checkout */
}
const date = new Date().toISOString().slice(0, 10);
const meta = {
  date,
  commit,
  durationMin: +((Date.now() - started) / 60000).toFixed(1),
  pages: opts.pages,
  timeoutMs: opts.timeoutMs,
  warnings,
  binaries: Object.fromEntries(manifest.binaries.map((b) => [b.file, b.sha256.slice(0, 12)])),
  options: opts,
};
const full = !opts.filter && !opts.limit && opts.suites.length === 0 && opts.sh === 'both';
const stem = full ? date : `${date}-partial`; // a partial run never replaces a full one
const outDir = join(repo, 'conformance-results');
mkdirSync(outDir, { recursive: true });
if (!existsSync(join(outDir, '.gitignore'))) writeFileSync(join(outDir, '.gitignore'), '*\n');
const json = { ...meta, suites, cases: Object.fromEntries(runs.map((r) => [r.name, r.results])) };
let jsonText = JSON.stringify(json, null, 2) + '\n';
try {
  const prettier = await import('prettier');
  jsonText = await prettier.format(jsonText, {
    parser: 'json',
    ...((await prettier.resolveConfig(repo + '/x.json')) ?? {}),
  });
} catch {
  /* unformatted is fine */
}
const docPath = join(repo, 'docs', 'conformance.md');
const md = markdown(meta, suites, notesOf(existsSync(docPath) ? readFileSync(docPath, 'utf8') : ''));
writeFileSync(join(outDir, `${stem}.json`), jsonText);
writeFileSync(join(outDir, `${stem}.md`), md);
if (opts.docs && full) writeFileSync(docPath, md);

for (const s of suites) {
  const cats = Object.entries(s.categories)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${s.name}: ${s.passed} passed, ${s.failed} failed (${((100 * s.passed) / Math.max(1, s.total)).toFixed(1)}%)${cats ? ' — ' + cats : ''}`,
  );
}
console.log(`results: conformance-results/${stem}.json, .md${opts.docs && full ? ', docs/conformance.md' : ''}`);
