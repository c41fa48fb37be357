// The page's kernel worker, shared by every Sandbox of the page (they share one engine), and
// wrapped with Comlink. Vite recognises the `new Worker(new URL(...), { type: 'module' })`
// form and bundles the worker separately.
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';

export interface KernelHandle {
  api: Remote<WorkerApi>;
  /** Ends the worker at once (and with it every guest process and the SDK's own workers). */
  terminate(): void;
}

let shared: KernelHandle | undefined;

function startKernel(): KernelHandle {
  const worker = new Worker(new URL('../worker/kernel.ts', import.meta.url), {
    type: 'module',
    name: 'sandpit-kernel',
  });
  const api = wrap<WorkerApi>(worker);
  const handle: KernelHandle = {
    api,
    terminate() {
      if (shared === handle) shared = undefined;
      api[releaseProxy]();
      worker.terminate();
    },
  };
  return handle;
}

/** The page's kernel, started on first use. */
export function kernel(): KernelHandle {
  shared ??= startKernel();
  return shared;
}

/** Stops the kernel worker once no sandbox uses it, so a page that is done frees its memory. */
export async function releaseIfIdle(handle: KernelHandle): Promise<void> {
  if (shared !== handle) return;
  if ((await handle.api.count()) === 0 && shared === handle) handle.terminate();
}
