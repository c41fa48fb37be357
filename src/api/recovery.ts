// After the kernel worker stopped (crash, browser kill, terminate), the next call of a sandbox
// reopens it on a new worker from its last committed state. A memory-only sandbox had no
// state outside the worker: it stays CLOSED, and says why.
import type { HostCallbacks, KernelInit } from '../worker/protocol';
import { SandboxError, rethrow } from './errors';
import { kernel, type KernelHandle } from './kernel-client';

/** Told when a sandbox was reopened on a new kernel worker. */
export interface RestartEvent {
  /** The sandbox's id. */
  id: string;
  /** Why it was reopened. */
  reason: 'kernel-stopped';
  /** Reopens of this sandbox so far, this one included. */
  restarts: number;
}

/** How to open the same sandbox again. */
export interface ReopenSpec {
  init: KernelInit;
  host: HostCallbacks | undefined;
  onRestart?: ((e: RestartEvent) => void) | undefined;
}

/** A freshly released lock may take a moment to be seen free by a new worker. */
const LOCK_RETRIES = 20;
const LOCK_RETRY_MS = 150;

/** Reopens `spec` on the page's (new) kernel; returns the new handle and sid. */
export async function reopen(spec: ReopenSpec, restarts: number): Promise<{ handle: KernelHandle; sid: string }> {
  const { init } = spec;
  // Sandbox.open leaves persistence at its default and reads the stored kind (mustExist).
  if (init.persistence === 'memory' && !init.mustExist) {
    throw new SandboxError(
      'CLOSED',
      `sandbox ${init.id} was memory-only and the kernel worker stopped (crashed or was terminated), so its ` +
        `files are gone; create it with persistence: 'opfs', 'indexeddb' or 'auto' to survive that`,
    );
  }
  // Only what is persisted: no import/template source, no mounts from the first creation.
  const again: KernelInit = { ...init, mustExist: true };
  delete again.takeover;
  for (let attempt = 0; ; attempt++) {
    const handle = kernel();
    try {
      const info = await rethrow(() => handle.whileAlive(handle.api.create(again, undefined, undefined, spec.host)));
      console.warn(
        `sandpit: the kernel worker had stopped; sandbox ${init.id} was reopened from its last saved state ` +
          '(running commands were lost)',
      );
      spec.onRestart?.({ id: init.id, reason: 'kernel-stopped', restarts: restarts + 1 });
      return { handle, sid: info.sid };
    } catch (err) {
      // The dead worker's writer lock is released by the browser, not at once.
      if ((err as SandboxError).code !== 'LOCKED' || attempt >= LOCK_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
    }
  }
}
