// A Wasmer client whose sandboxes see the kernel's host-filesystem mounts (/workspace, /home,
// /tmp, /etc served by src/worker/engine/hostfs over a MemoryBackend), like the app does.
// The TypeScript sources are transpiled with the repo's typescript into a temp dir at start.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { Wasmer } from '@wasmer/sdk/node';

const src = fileURLToPath(new URL('../../src/worker/engine/hostfs/', import.meta.url));
const out = join(tmpdir(), `sandpit-hostfs-${process.pid}`);
mkdirSync(out, { recursive: true });
// Every module of the folder (not just the ones imported below: they import each other).
const names = readdirSync(src)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3));
for (const name of names) {
  const code = ts
    .transpileModule(readFileSync(join(src, `${name}.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    })
    .outputText.replace(/from '\.\/([\w-]+)'/g, "from './$1.mjs'");
  writeFileSync(join(out, `${name}.mjs`), code);
}
const load = (n) => import(pathToFileURL(join(out, `${n}.mjs`)).href);
const { HostFsServer } = await load('server');
const { MemoryBackend } = await load('memory');
const { installHostFs, hookSandboxBuilder } = await load('install');
const { workerEntrySource } = await load('worker-cache');
const sdkDist = dirname(createRequire(import.meta.url).resolve('@wasmer/sdk/node'));
const { setWorkerUrl } = await import(pathToFileURL(join(sdkDist, '../pkg/wasmer_sdk_js.js')).href);

export const fs = new MemoryBackend();
for (const d of ['/home', '/home/user', '/tmp', '/etc']) fs.mkdir(d);
const server = new HostFsServer();
const roots = ['/workspace', '/home', '/tmp', '/etc'];
roots.forEach((root, i) => server.mount(i + 1, fs, root));
installHostFs(server);
const PLAN = { storage: 1, mounts: roots.slice(1).map((path, i) => ({ path, mountId: i + 2 })) };
const workerUrl = `data:text/javascript,${encodeURIComponent(
  workerEntrySource({
    sdkWorkerUrl: pathToFileURL(join(sdkDist, 'node-worker.js')).href,
    bridgeUrl: pathToFileURL(join(sdkDist, 'host-filesystem.js')).href,
    statCache: true,
  }),
)}`;

export class HostFsWasmer extends Wasmer {
  static async initializeCore(options) {
    const core = await super.initializeCore(options);
    setWorkerUrl(workerUrl);
    hookSandboxBuilder(core, () => PLAN);
    return core;
  }
}
