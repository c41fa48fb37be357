// Smoke test for public/wasm/lua.wasm under @wasmer/sdk in Node; exits non-zero on failure.
// Covers what rides on setjmp/longjmp (error, pcall, coroutines) as well as plain output.
// Run from the repo root: node wasm/lua/smoke.mjs
import { existsSync, readFileSync } from 'node:fs';
import { Wasmer } from '@wasmer/sdk/node';

const bytes = readFileSync(new URL('../../public/wasm/lua.wasm', import.meta.url));
const w = new Wasmer({ cache: false });
await w.ready();
// os.execute and io.popen run `/bin/sh -c`: bash provides sh when it has been built.
const bashUrl = new URL('../../public/wasm/bash.wasm', import.meta.url);
const withSh = existsSync(bashUrl);
const pkg = await w.packages.create({
  modules: { lua: bytes, ...(withSh ? { bash: readFileSync(bashUrl) } : {}) },
  commands: {
    lua: { module: 'lua' },
    'lua5.4': { module: 'lua' },
    ...(withSh ? { sh: { module: 'bash' } } : {}),
  },
});
const sb = await w.sandboxes.create({
  packages: [pkg],
  files: { '/workspace/hello.lua': 'print("hello", ...)\n' },
});

/** Linked with libsandpit-compat: its start-up cwd sync imports WASIX getcwd. */
function hasCompat(wasm) {
  return WebAssembly.Module.imports(new WebAssembly.Module(wasm)).some(
    (i) => i.module.startsWith('wasix') && i.name === 'getcwd',
  );
}

let failed = 0;
async function check(label, cmd, args, expected, opts = {}) {
  const out = await sb
    .command(cmd, args, opts.cwd ? { cwd: opts.cwd } : {})
    .run({ check: false, timeoutMs: 20000, stdin: opts.stdin });
  const got = out.stdout.text().trim();
  const code = opts.exitCode ?? 0;
  const ok = out.exitCode === code && (expected instanceof RegExp ? expected.test(got) : got === expected);
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label}: exit ${out.exitCode} stdout ${JSON.stringify(got)}` +
      (ok ? '' : ` expected ${expected} stderr ${JSON.stringify(out.stderr.text())}`),
  );
  return out;
}

await check('print', 'lua', ['-e', 'print(2^10)'], '1024.0');
await check('lua5.4 name', 'lua5.4', ['-v'], /^Lua 5\.4\.4/);
await check('pcall/error', 'lua', ['-e', 'print(pcall(error, "boom"))'], 'false\tboom');
await check('error object', 'lua', ['-e', 'local ok, e = pcall(error, {code=7}); print(ok, e.code)'], 'false\t7');
await check(
  'coroutines',
  'lua',
  [
    '-e',
    `
  local co = coroutine.wrap(function(a)
    local b = coroutine.yield(a + 1)
    return pcall(function() coroutine.yield(b * 2); error("inner") end)
  end)
  print(co(1), co(5), select(2, co()))`,
  ],
  '2\t10\t(command line):4: inner',
);
await check(
  'stack overflow is an error',
  'lua',
  ['-e', 'local function f(n) return 1 + f(n) end print(pcall(f, 1))'],
  /^false\t.*stack overflow/,
);
const top = await check('uncaught error exits 1', 'lua', ['-e', 'error("top")'], '', { exitCode: 1 });
if (!/top/.test(top.stderr.text())) {
  failed++;
  console.log('FAIL uncaught error message missing');
}
await check('script from stdin', 'lua', ['-'], '3', { stdin: 'print(1 + 2)\n' });
await check('script by path with args', 'lua', ['/workspace/hello.lua', 'a', 'b'], 'hello\ta\tb');
await check(
  'io in /tmp',
  'lua',
  [
    '-e',
    `
  local f = assert(io.open("/tmp/x.txt", "w")); f:write("abc"); f:close()
  print(io.open("/tmp/x.txt"):read("a"), os.remove("/tmp/x.txt"))`,
  ],
  'abc\ttrue',
);
await check(
  'os.tmpname, io.tmpfile',
  'lua',
  [
    '-e',
    'local t = io.tmpfile(); t:write("q"); t:seek("set"); print(os.tmpname():match("^/tmp/lua_") ~= nil, t:read("a"))',
  ],
  'true\tq',
);
if (hasCompat(bytes) && withSh) {
  await check('os.execute', 'lua', ['-e', 'print(os.execute("exit 3")); print(os.execute())'], 'nil\texit\t3\ntrue');
  await check(
    'io.popen read',
    'lua',
    ['-e', 'local p = io.popen("echo hi; echo there"); print(p:read("a")); print(p:close())'],
    'hi\nthere\n\ntrue\texit\t0',
  );
  await check(
    'io.popen write',
    'lua',
    [
      '-e',
      `
    local q = io.popen('read -r x; echo "got $x" > /workspace/o.txt', "w"); q:write("it\\n"); q:close()
    print(io.open("/workspace/o.txt"):read("l"))`,
    ],
    'got it',
  );
} else console.log('skip os.execute/io.popen: needs the compat library and public/wasm/bash.wasm');
// Plain-WASI binaries ignore `cwd` unless our compat library's start-up chdir is linked in.
if (hasCompat(bytes))
  await check('relative script under cwd', 'lua', ['hello.lua', 'x'], 'hello\tx', { cwd: '/workspace' });
else console.log('skip relative script under cwd: compat library not linked');

await w.close();
process.exit(failed ? 1 : 0);
