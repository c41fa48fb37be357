// The page's kernel worker, shared by every Sandbox of the page (they share one engine), and
// wrapped with Comlink. Vite recognises the `new Worker(new URL(...), { type: 'module' })`
// form and bundles the worker separately.
//
// A worker can stop under us (terminated, crashed, killed by the browser). Comlink calls to a
// dead worker never settle, so every call races the handle's death; the next kernel() starts
// a new worker and sandboxes reopen on it (src/api/recovery.ts).
import { wrap, releaseProxy, type Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import { lifeline } from './lifeline';

export interface KernelHandle {
  api: Remote<WorkerApi>;
  /** False once the worker has stopped (terminated or found dead). */
  readonly alive: boolean;
  /** Settles like `call`, or rejects with CLOSED if the worker stops first. */
  whileAlive<T>(call: Promise<T>): Promise<T>;
  /** Ends the worker at once (and with it every guest process and the SDK's own workers). */
  terminate(): void;
}

let shared: KernelHandle | undefined;

/** How long a worker that reported an error gets to answer before it is taken for dead. */
const PING_MS = 5000;

function startKernel(): KernelHandle {
  const worker = new Worker(new URL('../worker/kernel.ts', import.meta.url), {
    type: 'module',
    name: 'sandpit-kernel',
  });
  const api = wrap<WorkerApi>(worker);
  const life = lifeline(
    'the kernel worker stopped during this call (it crashed or was terminated); the next call restarts it',
  );
  const handle: KernelHandle = {
    api,
    get alive() {
      return life.alive;
    },
    whileAlive: life.whileAlive,
    terminate() {
      if (!life.end()) return;
      if (shared === handle) shared = undefined;
      api[releaseProxy]();
      worker.terminate();
    },
  };
  // A worker that failed to load, or whose event loop is gone, does not answer a ping.
  worker.addEventListener('error', () => {
    const ping = api.count();
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), PING_MS));
    void Promise.race([ping, timeout]).then(
      (r) => r === 'timeout' && handle.terminate(),
      () => handle.terminate(),
    );
  });
  return handle;
}

/** The page's kernel, started on first use and again after the last one stopped. */
export function kernel(): KernelHandle {
  if (shared && !shared.alive) shared = undefined;
  shared ??= startKernel();
  return shared;
}

/** Stops the kernel worker once no sandbox uses it, so a page that is done frees its memory. */
export async function releaseIfIdle(handle: KernelHandle): Promise<void> {
  if (shared !== handle || !handle.alive) return;
  if ((await handle.whileAlive(handle.api.count())) === 0 && shared === handle) handle.terminate();
}

/**
 * Test hook: stops the page's kernel worker the way a crash would (nothing saved, no sandbox
 * told), so e2e tests can show that the next call recovers. Not part of the public API.
 */
(globalThis as { __sandpitKillKernel?: () => boolean }).__sandpitKillKernel = () => {
  if (!shared) return false;
  shared.terminate();
  return true;
};
