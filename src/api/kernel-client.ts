// Starts one kernel worker and wraps it with Comlink. Vite recognises the
// `new Worker(new URL(...), { type: 'module' })` form and bundles the worker separately.
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';

export interface KernelHandle {
  api: Remote<WorkerApi>;
  /** Ends the worker at once (and with it every guest process and the SDK's own workers). */
  terminate(): void;
}

export function startKernel(): KernelHandle {
  const worker = new Worker(new URL('../worker/kernel.ts', import.meta.url), {
    type: 'module',
    name: 'sandpit-kernel',
  });
  const api = wrap<WorkerApi>(worker);
  return {
    api,
    terminate() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
