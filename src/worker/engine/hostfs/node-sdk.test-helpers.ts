// Test support (Node only, not part of the worker build): the real @wasmer/sdk in Node with our
// host filesystem, for the SDK tests of hostfs, hostcall and the throughput measurement. Install
// the server first (installHostFs): the client's SDK workers then reach it through our entry.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Wasmer } from '@wasmer/sdk/node';
import { hookSandboxBuilder, type HostMountBuilder, type HostMountPlan } from './install';
import type { Vfs } from '../../vfs';
import type { VfsBackend } from '../vfs-backend';
import type { HostFsServer } from './server';
import { workerEntrySource, type WorkerEntryOptions } from './worker-cache';

const sdkDist = dirname(createRequire(import.meta.url).resolve('@wasmer/sdk/node'));

/** public/wasm: the committed binaries (tests that need one skip its cases when it is missing). */
export const wasmDir = fileURLToPath(new URL('../../../../public/wasm', import.meta.url));

/** /workspace as the storage mount, /home and /tmp as host mounts 2 and 3: the SDK tests' usual plan. */
export const HOME_TMP_PLAN: HostMountPlan = {
  storage: 1,
  mounts: [
    { path: '/home', mountId: 2 },
    { path: '/tmp', mountId: 3 },
  ],
};

/** Makes the directories HOME_TMP_PLAN's mounts need in `vfs` and serves `backend` at all three. */
export function serveHomeTmp(server: HostFsServer, vfs: Vfs, backend: VfsBackend): void {
  for (const d of ['/workspace', '/home/user', '/tmp']) vfs.mkdir(d, { recursive: true });
  server.mount(1, backend, '/workspace');
  server.mount(2, backend, '/home');
  server.mount(3, backend, '/tmp');
}

type SdkPackage = Awaited<ReturnType<Wasmer['packages']['create']>>;

/**
 * A sandbox of `pkg` (shell `sh`) whose first command forks, with time to compile the modules
 * (16 s measured at a load average of 18). SDK hang, measured (Node, cache: false, python's
 * module in the package, the client's first sandbox; not seen in Chromium's kernel): when the
 * first command of a sandbox does not fork (`true`, a builtin) the first one that does (`ls; …`,
 * `ln -s … && readlink`) never finishes, 14 of 14 times; its next command works again. When the
 * first command forks, every later one works (without python in the package the hang never
 * showed).
 */
export async function sandboxForkingFirst(wasmer: Wasmer, pkg: SdkPackage, env: Record<string, string>) {
  const sandbox = await wasmer.sandboxes.create({ packages: [pkg], shell: 'sh', env });
  await sandbox.command('sh', ['-c', 'ls / >/dev/null; true']).run({ check: false, timeoutMs: 100_000 });
  return sandbox;
}

/** wasm/python/meta.json: the python binary's file name, its environment and its stdlib assets. */
export const pythonMeta = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../wasm/python/meta.json', import.meta.url)), 'utf8'),
) as { file: string; env: Record<string, string>; assets: { file: string; guestPath: string }[] };

/** Our additions to the SDK worker (WorkerEntryOptions without the URLs, which are Node's). */
export type WorkerAdditions = Omit<WorkerEntryOptions, 'sdkWorkerUrl' | 'bridgeUrl'>;

/**
 * A ready Node client whose SDK workers run node-worker.js plus the bridge and `additions`, and
 * whose sandboxes are built with `plan`'s host mounts.
 */
export async function hostFsWasmer(plan: HostMountPlan, additions: WorkerAdditions): Promise<Wasmer> {
  const { setWorkerUrl } = (await import(pathToFileURL(join(sdkDist, '../pkg/wasmer_sdk_js.js')).href)) as {
    setWorkerUrl: (url: string) => void;
  };
  const src = workerEntrySource({
    sdkWorkerUrl: pathToFileURL(join(sdkDist, 'node-worker.js')).href,
    bridgeUrl: pathToFileURL(join(sdkDist, 'host-filesystem.js')).href,
    ...additions,
  });
  const workerUrl = `data:text/javascript,${encodeURIComponent(src)}`;
  class HostFsWasmer extends Wasmer {
    protected static override async initializeCore(options: ConstructorParameters<typeof Wasmer>[0] & object) {
      const core = await super.initializeCore(options);
      // After super: the Node entry sets its own worker URL there.
      setWorkerUrl(workerUrl);
      hookSandboxBuilder(core as unknown as { sandbox(): HostMountBuilder }, () => plan);
      return core;
    }
  }
  const wasmer = new HostFsWasmer({ cache: false });
  await wasmer.ready();
  return wasmer;
}
