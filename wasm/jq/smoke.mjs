// Smoke test for public/wasm/jq.wasm under @wasmer/sdk in Node; exits non-zero on failure.
// Run from the repo root: node wasm/jq/smoke.mjs
import { readFileSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk/node';

const bytes = readFileSync(new URL('../../public/wasm/jq.wasm', import.meta.url));
const w = new Wasmer({ cache: false });
await w.ready();
const pkg = await w.packages.create({ modules: { jq: bytes }, commands: { jq: { module: 'jq' } } });
const sb = await w.sandboxes.create({
  packages: [pkg],
  files: { '/workspace/data.json': '{"users":[{"name":"ada","age":36},{"name":"bob","age":7}]}\n' },
});

let failed = 0;
async function check(label, args, expected, opts = {}) {
  // -M unless the test is about colour: see the first checks.
  const out = await sb
    .command('jq', opts.colour ? args : ['-M', ...args], { cwd: opts.cwd, env: opts.env })
    .run({ check: false, timeoutMs: 20000, stdin: opts.stdin });
  const got = out.stdout.text().trim();
  const ok = out.exitCode === (opts.exitCode ?? 0) && got === expected;
  if (!ok) failed++;
  const shown = got.length > 80 ? `${got.slice(0, 40)}…${got.slice(-20)}` : got;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}: exit ${out.exitCode} stdout ${JSON.stringify(shown)}` +
      (ok ? '' : ` expected ${JSON.stringify(expected)} stderr ${JSON.stringify(out.stderr.text())}`),
  );
}

// The runtime reports stdout as a terminal even when captured, so jq colours by default.
await check('add (colour, as on a terminal)', ['.a|add'], '\x1b[0;39m3\x1b[0m', {
  stdin: '{"a":[1,2]}\n',
  colour: true,
});
await check('add, NO_COLOR', ['.a|add'], '3', { stdin: '{"a":[1,2]}\n', env: { NO_COLOR: '1' }, colour: true });
await check('add, -M', ['.a|add'], '3', { stdin: '{"a":[1,2]}\n' });
await check('version', ['--version'], 'jq-1.6');
await check('file argument', ['-r', '.users[] | select(.age > 18) | .name', '/workspace/data.json'], 'ada');
await check('compact + sort', ['-cS', '{b:1, a:[.users[].age]}', '/workspace/data.json'], '{"a":[36,7],"b":1}');
await check('regex (oniguruma)', ['-r', '.[] | sub("(?<x>[aeiou]+)"; "<\\(.x)>")'], 'f<oo>\nb<a>r', {
  stdin: '["foo","bar"]',
});
await check('test()', ['-c', 'map(test("^b"))'], '[false,true]', { stdin: '["foo","bar"]' });
await check('--arg, -n', ['-nr', '--arg', 'x', 'hi', '"\\($x) there"'], 'hi there');
await check('dates', ['-nr', '0 | todate'], '1970-01-01T00:00:00Z');
await check('math', ['-n', '[pow(2;10), (16|sqrt), (1|atan * 4 | . * 1000 | floor)]', '-c'], '[1024,4,3141]');
await check('slurp stream', ['-sc', 'add'], '6', { stdin: '1 2 3' });
await check('input parse error exits 4 (as jq 1.6 does)', ['.'], '', { stdin: '{bad', exitCode: 4 });
await check('deep nesting', ['-c', '.'], '['.repeat(200) + ']'.repeat(200), {
  stdin: '['.repeat(200) + ']'.repeat(200),
});
await check('relative file under cwd', ['-c', '.users | length', 'data.json'], '2', { cwd: '/workspace' });

await w.close();
process.exit(failed ? 1 : 0);
