// Counts the Web Workers @wasmer/sdk starts on this thread (its pool: roughly one per guest
// process or thread running at once; it never shrinks) and can terminate them. A fork bomb's
// orphans keep starting workers after the command ended and cannot be killed through the SDK;
// the census is how the runtime sees the storm, and terminating the old pool is how it ends it.
// New workers are also pointed at a local copy of the SDK's modules (worker-modules.ts).
import { PAGE_FIELDS } from './guest-limits';
import { sdkImportUrl } from './worker-modules';

const live = new Set<Worker>();
let made = 0;
let installed = false;
/** Posted to every new worker before anything else (the control block of process-trees.ts). */
let greeting: unknown;

export function setWorkerGreeting(message: unknown): void {
  greeting = message;
  const control = (message as { control?: unknown } | null)?.control;
  ctl = control instanceof SharedArrayBuffer ? new Int32Array(control) : undefined;
  publishIdle();
}

/**
 * Pool workers that are idle as far as this thread saw: a worker says `busy` when it takes a
 * task and `idle` when it is done; a task posted to it makes it busy at once. New workers are
 * not idle until they say so. Published in the control block for guest-limits.ts queueLimit.
 */
const idle = new Set<Worker>();
let ctl: Int32Array | undefined;
function publishIdle(): void {
  if (!ctl) return;
  Atomics.store(ctl, PAGE_FIELDS.idleWorkers, idle.size);
  // Orphans' forks waiting for an idle worker wait on this field (guest-limits.ts queueRoom).
  Atomics.notify(ctl, PAGE_FIELDS.idleWorkers);
}
function setIdle(w: Worker, on: boolean): void {
  if (on === idle.has(w)) return;
  if (on) idle.add(w);
  else idle.delete(w);
  publishIdle();
}

/** Wraps this thread's Worker constructor; call before the SDK creates its pool. */
export function installWorkerCensus(scope: { Worker?: typeof Worker } = globalThis): void {
  if (installed || typeof scope.Worker !== 'function') return;
  installed = true;
  const Base = scope.Worker;
  scope.Worker = class CountedWorker extends Base {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      // Only our entry (a blob: URL, worker-entry.ts) understands it; the SDK's would choke.
      if (greeting !== undefined && String(url).startsWith('blob:')) this.postMessage(greeting);
      made++;
      live.add(this);
      this.addEventListener('message', (e: MessageEvent) => {
        const type = (e.data as { type?: unknown } | null)?.type;
        if (type === 'idle') setIdle(this, true);
        else if (type === 'busy' || type === 'retired') setIdle(this, false);
      });
    }
    // The SDK's init message names the module every worker imports (its `sdkUrl`): the blob:
    // copy loads without a request per worker (worker-modules.ts).
    override postMessage(message: unknown, options?: Transferable[] | StructuredSerializeOptions): void {
      const m = message as { type?: unknown; sdkUrl?: unknown } | null;
      if (m && typeof m === 'object' && m.type === 'init' && typeof m.sdkUrl === 'string') {
        const url = sdkImportUrl(m.sdkUrl);
        if (url !== m.sdkUrl) message = { ...m, sdkUrl: url };
      }
      // A task (the SDK's shared-object envelope, an array) makes the worker busy.
      if (Array.isArray(message)) setIdle(this, false);
      if (Array.isArray(options)) super.postMessage(message, options);
      else super.postMessage(message, options);
    }
    override terminate(): void {
      live.delete(this);
      setIdle(this, false);
      super.terminate();
    }
  };
}

/** Workers started on this thread so far. */
export function workersMade(): number {
  return made;
}

/** Terminates every worker started before `since` (a snapshot from `liveWorkers()`). */
export function liveWorkers(): Worker[] {
  return [...live];
}

export function terminateWorkers(workers: Worker[]): void {
  for (const w of workers) w.terminate();
}
