// Points @wasmer/sdk at our SDK worker entry in the browser: the SDK's own dist/browser-worker.js,
// unchanged, plus paged listings, read-ahead and the stat cache (workerEntrySource). Coherence of
// the worker-side caches relies on every backend announcing changes (HostFsBackend.onChange).

import { workerEntrySource, type WorkerEntryOptions } from './worker-cache';
import { installGuestLimits } from '../guest-limits';
import { blobModule } from '../worker-modules';

/**
 * Call right after `super.initializeCore()` in the Wasmer subclass (the SDK sets its default
 * worker URL there; workers started later use ours). `sdkUrl` is the URL of the SDK's
 * `dist/index.js`, as given to loadSdk.
 */
export async function useHostFsWorkerEntry(
  sdkUrl: string,
  options: Omit<WorkerEntryOptions, 'sdkWorkerUrl' | 'bridgeUrl'> = {},
): Promise<void> {
  const pkg = (await import(/* @vite-ignore */ new URL('../pkg/wasmer_sdk_js.js', sdkUrl).href)) as {
    setWorkerUrl(url: string): void;
  };
  const entry = (sdkWorkerUrl: string): string => {
    const src = workerEntrySource({ ...options, sdkWorkerUrl }) + `(${installGuestLimits.toString()})(globalThis);\n`;
    return URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
  };
  const workerUrl = new URL('browser-worker.js', sdkUrl).href;
  pkg.setWorkerUrl(entry(workerUrl));
  // Every new worker imports browser-worker.js and its four modules, one request each, in
  // turn: once blob: copies exist (worker-modules.ts, as for the SDK's own modules), workers
  // started from then on import those. Until then, or if copying fails, the files themselves.
  blobModule(workerUrl).then(
    (copy) => pkg.setWorkerUrl(entry(copy)),
    () => undefined,
  );
}
