// Smoke test for public/wasm/sqlite3.wasm under @wasmer/sdk in Node; exits non-zero on failure.
// Run from the repo root: node wasm/sqlite/smoke.mjs
import { readFileSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk/node';

const bytes = readFileSync(new URL('../../public/wasm/sqlite3.wasm', import.meta.url));
const w = new Wasmer({ cache: false });
await w.ready();
const pkg = await w.packages.create({ modules: { sqlite3: bytes }, commands: { sqlite3: { module: 'sqlite3' } } });
const sb = await w.sandboxes.create({ packages: [pkg] });

let failed = 0;
async function check(label, args, expected, opts = {}) {
  const out = await sb
    .command('sqlite3', args, opts.cwd ? { cwd: opts.cwd } : {})
    .run({ check: false, timeoutMs: 20000, stdin: opts.stdin });
  const got = out.stdout.text().trim();
  const ok = out.exitCode === 0 && (expected instanceof RegExp ? expected.test(got) : got === expected);
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}: exit ${out.exitCode} stdout ${JSON.stringify(got)}` +
      (ok ? '' : ` expected ${expected} stderr ${JSON.stringify(out.stderr.text())}`),
  );
}

await check('memory', [':memory:', 'select 6*7'], '42');
await check('version', ['-version'], /^3\.40\.1 /);
await check(
  'file db in /tmp',
  ['/tmp/t.db', 'create table t(x); insert into t values (1),(2),(39); select sum(x) from t;'],
  '42',
);
await check('script on stdin', ['-batch'], '3|c', {
  stdin: "create table k(a,b); insert into k values (3,'c'); select * from k;\n",
});
// /workspace outlives one command, so a second process must see the first one's table.
await check('file db, write', ['/workspace/p.db', 'create table p(v); insert into p values (7);'], '');
await check('file db, reopen', ['/workspace/p.db', 'select v*6 from p'], '42');
// Plain-WASI binaries ignore `cwd` unless our compat library's start-up chdir is linked in.
const hasCwdFix = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).some(
  (i) => i.module.startsWith('wasix') && i.name === 'getcwd',
);
if (hasCwdFix) await check('relative path under cwd', ['p.db', 'select count(*) from p'], '1', { cwd: '/workspace' });
else console.log('skip relative path under cwd: compat library (getcwd/chdir start-up) not linked');
await check('json1 + math', [':memory:', "select json_extract('{\"a\":[1,2]}', '$.a[1]') + 40"], '42');

await w.close();
process.exit(failed ? 1 : 0);
