// Smoke test for public/wasm/mujs.wasm (commands js, mujs) under @wasmer/sdk in Node;
// exits non-zero on failure. Run from the repo root: node wasm/mujs/smoke.mjs
import { readFileSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk/node';

const bytes = readFileSync(new URL('../../public/wasm/mujs.wasm', import.meta.url));
const w = new Wasmer({ cache: false });
await w.ready();
const pkg = await w.packages.create({
  modules: { mujs: bytes },
  commands: { js: { module: 'mujs' }, mujs: { module: 'mujs' } },
});
const sb = await w.sandboxes.create({
  packages: [pkg],
  files: { '/workspace/main.js': '#!/usr/bin/env js\nprint("args:", scriptArgs.join(","));\n' },
});

let failed = 0;
async function check(label, cmd, args, expected, opts = {}) {
  const out = await sb
    .command(cmd, args, opts.cwd ? { cwd: opts.cwd } : {})
    .run({ check: false, timeoutMs: 20000, stdin: opts.stdin });
  const got = out.stdout.text().trim();
  const ok =
    out.exitCode === (opts.exitCode ?? 0) && got === expected && (!opts.stderr || opts.stderr.test(out.stderr.text()));
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}: exit ${out.exitCode} stdout ${JSON.stringify(got)}` +
      (ok ? '' : ` expected ${JSON.stringify(expected)} stderr ${JSON.stringify(out.stderr.text())}`),
  );
}

await check('-e', 'js', ['-e', 'print(1+1)'], '2');
await check('mujs name', 'mujs', ['-e', 'print(typeof JSON.parse)'], 'function');
await check('script from stdin (-)', 'js', ['-'], '3,6', {
  stdin: 'print([1,2].map(function (x) { return x * 3 }).join())\n',
});
await check('script file with args and #!', 'js', ['/workspace/main.js', 'a', 'b'], 'args: a,b');
await check('-e with scriptArgs', 'js', ['-e', 'print(scriptArgs.length)', 'x', 'y'], '2');
// try/catch and uncaught errors ride on setjmp/longjmp (wasm exception handling).
await check('try/catch', 'js', ['-e', 'try { null.x } catch (e) { print(e.name) }'], 'TypeError');
await check(
  'nested throw through frames',
  'js',
  [
    '-e',
    'function f(n) { if (!n) throw new RangeError("deep"); return f(n - 1) } try { f(900) } catch (e) { print(e.message) }',
  ],
  'deep',
);
await check('uncaught error exits 1', 'js', ['-e', 'function g() { throw new Error("boom") } g()'], '', {
  exitCode: 1,
  stderr: /Error: boom\n\tat g/,
});
await check('syntax error exits 1', 'js', ['-e', 'print('], '', { exitCode: 1, stderr: /SyntaxError/ });
await check(
  'JSON, RegExp, Date',
  'js',
  ['-e', 'print(JSON.stringify({a: [1, /x+/.test("xx")]}), new Date(0).toISOString())'],
  '{"a":[1,true]} 1970-01-01T00:00:00.000Z',
);
await check('console.log, quit(3)', 'js', ['-e', 'console.log("bye"); quit(3)'], 'bye', { exitCode: 3 });
await check('read() a file', 'js', ['-e', 'print(read("/workspace/main.js").split("\\n")[1].length)'], '37');
await check(
  'runaway recursion is a catchable error',
  'js',
  ['-e', 'function r() { return r() } try { r() } catch (e) { print(e) }'],
  'Error: call stack overflow',
);
await check('relative script under cwd', 'js', ['main.js', 'z'], 'args: z', { cwd: '/workspace' });

await w.close();
process.exit(failed ? 1 : 0);
