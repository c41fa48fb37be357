// Browser end-to-end demo of the host filesystem: headless Chromium, a module "kernel" worker that
// runs @wasmer/sdk 0.16.0 (dist/ and pkg/ served unchanged) and our HostFsServer over a
// MemoryBackend mounted at /workspace, /home, /tmp and /usr. A WASI program writes a file in one
// command and reads it in the next; the page prints timings and RPC counts.
//   node src/worker/engine/hostfs/demo/browser-demo.mjs      (CHROMIUM=/path overrides the browser)
// Everything it serves is staged under /tmp/sandpit-hostfs-demo; only 127.0.0.1 is contacted.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../../../../../bin/chromium-args.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../../../../..');
const stage = '/tmp/sandpit-hostfs-demo';
const sdkRoot = join(dirname(createRequire(import.meta.url).resolve('@wasmer/sdk/node')), '..');

// 1. Stage: SDK unchanged, our TypeScript transpiled one file at a time (imports get ".js").
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'hostfs'), { recursive: true });
cpSync(join(sdkRoot, 'dist'), join(stage, 'sdk/dist'), { recursive: true });
cpSync(join(sdkRoot, 'pkg'), join(stage, 'sdk/pkg'), { recursive: true });
for (const f of readdirSync(join(here, '..')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
  const js = ts
    .transpileModule(readFileSync(join(here, '..', f), 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    })
    .outputText.replace(/(from\s+'\.\/[\w-]+)'/g, "$1.js'");
  writeFileSync(join(stage, 'hostfs', f.replace(/\.ts$/, '.js')), js);
}
cpSync(join(here, 'fsx.wasm'), join(stage, 'fsx.wasm'));
const busybox = join(repo, 'public/wasm/busybox.wasm');
const haveBusybox = existsSync(busybox);
if (haveBusybox) cpSync(busybox, join(stage, 'busybox.wasm'));

writeFileSync(
  join(stage, 'index.html'),
  `<!doctype html><meta charset="utf-8"><title>hostfs demo</title><pre id="out">running…</pre>
<script type="module">
  const w = new Worker('./kernel.js' + location.search, { type: 'module' });
  w.onmessage = (e) => { window.result = e.data; document.getElementById('out').textContent = JSON.stringify(e.data, null, 2); };
  w.onerror = (e) => { window.result = { error: e.message }; };
</script>`,
);

writeFileSync(
  join(stage, 'kernel.js'),
  `// The demo's kernel worker: SDK client + host filesystem server.
import { Wasmer } from './sdk/dist/index.js';
import { setWorkerUrl } from './sdk/pkg/wasmer_sdk_js.js';
import { workerEntrySource } from './hostfs/worker-cache.js';
import { HostFsServer } from './hostfs/server.js';
import { MemoryBackend } from './hostfs/memory.js';
import { installHostFs, hookSandboxBuilder } from './hostfs/install.js';

const CACHE = new URL(import.meta.url).searchParams.get('cache') === '1';
const report = { crossOriginIsolated: self.crossOriginIsolated, statCache: CACHE, steps: [] };
try {
  const fs = new MemoryBackend();
  fs.writeFile('/workspace/seed.txt', 'seeded by the host\\n');
  fs.writeFile('/home/user/.profile', 'export EDITOR=vi\\n');
  fs.mkdir('/tmp'); fs.mkdir('/usr');
  for (let i = 0; i < 100; i++) fs.writeFile('/home/user/many/f' + String(i).padStart(3, '0'), 'x'.repeat(i));
  let calls = [];
  const server = new HostFsServer({ onCall: (i) => calls.push(i) });
  server.mount(1, fs, '/workspace'); server.mount(2, fs, '/home'); server.mount(3, fs, '/tmp'); server.mount(4, fs, '/usr');
  installHostFs(server);
  const PLAN = { storage: 1, mounts: [{ path: '/home', mountId: 2 }, { path: '/tmp', mountId: 3 }, { path: '/usr', mountId: 4 }] };
  class HostFsWasmer extends Wasmer {
    static async initializeCore(options) {
      const core = await super.initializeCore(options);
      hookSandboxBuilder(core, () => PLAN);
      if (CACHE) {
        // The SDK's browser worker plus the stat cache, as a blob: module.
        const src = workerEntrySource({ sdkWorkerUrl: new URL('./sdk/dist/browser-worker.js', import.meta.url).href });
        setWorkerUrl(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      }
      return core;
    }
  }
  const t0 = performance.now();
  const wasmer = new HostFsWasmer({ cache: false });
  await wasmer.ready();
  const modules = { fsx: new Uint8Array(await (await fetch('./fsx.wasm')).arrayBuffer()) };
  const commands = { fsx: { module: 'fsx' } };
  if (${haveBusybox}) {
    modules.busybox = new Uint8Array(await (await fetch('./busybox.wasm')).arrayBuffer());
    for (const c of ['tee', 'cat', 'ls', 'wc', 'find']) commands[c] = { module: 'busybox' };
  }
  const pkg = await wasmer.packages.create({ modules, commands });
  const sb = await wasmer.sandboxes.create({ packages: [pkg] });
  report.readyMs = Math.round(performance.now() - t0);
  const run = async (cmd, args, stdin) => {
    calls = [];
    const t = performance.now();
    const out = await sb.command(cmd, args).run({ check: false, timeoutMs: 60000, ...(stdin ? { stdin } : {}) });
    const ms = performance.now() - t;
    const byMethod = {};
    for (const c of calls) byMethod[c.method] = (byMethod[c.method] ?? 0) + 1;
    const hostUs = calls.reduce((n, c) => n + c.micros, 0) / (calls.length || 1);
    const step = { cmd: [cmd, ...args].join(' '), exit: out.exitCode, ms: +ms.toFixed(1), rpcs: calls.length, byMethod,
      hostUsPerCall: +hostUs.toFixed(1), stdout: out.stdout.text().slice(0, 400), stderr: out.stderr.text().slice(0, 400) };
    report.steps.push(step);
    return step;
  };
  await run('fsx', ['cat', '/workspace/seed.txt', '/home/user/.profile']);
  await run('fsx', ['write', '/home/user/note.txt', 'written by command 1\\n']);
  await run('fsx', ['cat', '/home/user/note.txt']);
  await run('fsx', ['append', '/home/user/note.txt', 'appended by command 3\\n']);
  await run('fsx', ['stat', '/home/user/note.txt']);
  await run('fsx', ['cat', '/home/user/note.txt']);
  await run('fsx', ['write', '/tmp/t.txt', 'tmp file\\n']);
  await run('fsx', ['write', '/usr/u.txt', 'usr file\\n']);
  await run('fsx', ['cat', '/tmp/t.txt', '/usr/u.txt']);
  await run('fsx', ['ls', '/home/user']);
  await run('fsx', ['ls', '/']);
  await run('fsx', ['names', '/home/user/many']);
  await run('fsx', ['ls', '/home/user/many']);
  await run('fsx', ['statloop', '/home/user/note.txt', '2000']);
  await run('fsx', ['statloop', '/dev/null', '2000']);
  await run('fsx', ['big', '/tmp/big.bin', String(10 * 1024 * 1024)]);
  await run('fsx', ['sum', '/tmp/big.bin']);
  if (${haveBusybox}) {
    await run('tee', ['/home/user/bb.txt'], 'hello from busybox\\n');
    await run('cat', ['/home/user/bb.txt']);
    await run('ls', ['-la', '/home/user']);
    await run('wc', ['-c', '/tmp/big.bin']);
    await run('find', ['/home', '/tmp', '/workspace']);
  }
  report.hostSees = { note: fs.readText('/home/user/note.txt'), tmp: fs.readText('/tmp/t.txt'),
    bigBytes: fs.stat('/tmp/big.bin').size, home: fs.readdir('/home/user').map((e) => e.name).filter((n) => n !== 'many'),
    busybox: ${haveBusybox} ? fs.readText('/home/user/bb.txt') : null };
  await wasmer.close();
} catch (e) {
  report.error = String(e && e.stack || e);
}
postMessage(report);
`,
);

// 2. Serve with cross-origin isolation.
const types = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};
const server = createServer((req, res) => {
  const path = join(stage, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!path.startsWith(stage) || !existsSync(path)) return res.writeHead(404).end();
  res.writeHead(200, {
    'Content-Type': types[extname(path)] ?? 'application/octet-stream',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  res.end(readFileSync(path));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// 3. Drive headless Chromium; refuse every non-local request.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: await chromiumArgs(),
});
try {
  let allOk = true;
  const results = {};
  for (const cache of ['0', '1']) {
    const page = await browser.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
    page.on('console', (m) => process.env.VERBOSE && console.log('[page]', m.text()));
    await page.goto(`${origin}/index.html?cache=${cache}`);
    await page.waitForFunction(() => globalThis.result, null, { timeout: 180_000 });
    const result = await page.evaluate(() => globalThis.result);
    results[cache] = result;
    await page.close();
    const out = (cmd) => result.steps?.filter((s) => s.cmd === cmd).map((s) => s.stdout);
    const ok =
      !result.error &&
      result.crossOriginIsolated &&
      result.hostSees?.note === 'written by command 1\nappended by command 3\n' &&
      out('fsx cat /home/user/note.txt')?.join('') ===
        'written by command 1\nwritten by command 1\nappended by command 3\n' &&
      out('fsx stat /home/user/note.txt')?.[0]?.includes('size=43') &&
      (!haveBusybox || out('cat /home/user/bb.txt')?.[0] === 'hello from busybox\n');
    allOk &&= ok;
    console.log(
      `\n== stat cache ${cache === '1' ? 'on' : 'off'}: ready in ${result.readyMs} ms${result.error ? ' ERROR ' + result.error : ''}`,
    );
    for (const s of result.steps ?? []) {
      const cmd = s.cmd.replaceAll('\n', '\\n').slice(0, 60).padEnd(60);
      const text = (s.stdout + s.stderr).replaceAll('\n', '|').slice(0, 50);
      console.log(`${cmd} exit ${s.exit} ${String(s.ms).padStart(7)} ms ${String(s.rpcs).padStart(6)} rpcs  ${text}`);
    }
    console.log(ok ? 'ok: later commands read what earlier ones wrote, from our backend' : 'FAILED');
  }
  writeFileSync(join(stage, 'results.json'), JSON.stringify(results, null, 2));
  console.log(`\n${allOk ? 'DEMO OK' : 'DEMO FAILED'} (full results: ${stage}/results.json)`);
  process.exitCode = allOk ? 0 : 1;
} finally {
  await browser.close();
  server.close();
}
