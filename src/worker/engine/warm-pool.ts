// Starts one of the SDK's pool workers while the kernel creates the package of the first
// binaries: a guest process runs in a pool worker, and the pool starts its first worker only
// when the first process is spawned (a new Worker, its script, the SDK's wasm instantiated in
// it: ~100-300 ms measured on 2 busy cores). Running a no-op guest as soon as the client is
// ready starts that worker beside the package's creation; the first command then finds it idle.
//
// The same no-op grows the pool for orphaned process trees (SpareWorkers): their forks go on
// only into idle workers (guest-limits.ts queueLimit), so a killed fork bomb has no child
// waiting for a new worker to start, which it could only end in once started.
import type { Sdk } from './sdk';
import { PAGE_FIELDS } from './guest-limits';

type Wasmer = InstanceType<Sdk['Wasmer']>;

/** `(module (memory (export "memory") 1) (func (export "_start") i32.const 0 call $proc_exit))`. */
export const NOOP = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  // types: (i32) -> (), () -> ()
  0x01,
  0x08,
  0x02,
  0x60,
  0x01,
  0x7f,
  0x00,
  0x60,
  0x00,
  0x00,
  // import wasi_snapshot_preview1.proc_exit : type 0
  0x02,
  0x24,
  0x01,
  0x16,
  ...ascii('wasi_snapshot_preview1'),
  0x09,
  ...ascii('proc_exit'),
  0x00,
  0x00,
  // one function of type 1
  0x03,
  0x02,
  0x01,
  0x01,
  // memory: 1 page
  0x05,
  0x03,
  0x01,
  0x00,
  0x01,
  // exports: memory, _start
  0x07,
  0x13,
  0x02,
  0x06,
  ...ascii('memory'),
  0x02,
  0x00,
  0x06,
  ...ascii('_start'),
  0x00,
  0x01,
  // code: i32.const 0; call 0; end
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x41,
  0x00,
  0x10,
  0x00,
  0x0b,
]);

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

/** Runs the no-op guest: one pool worker busy for a moment (an idle one, else a new one). */
export interface NoopRunner {
  run(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs a no-op guest in a throwaway SDK sandbox, and makes another for SpareWorkers (made now:
 * sandboxes are built one at a time later, see runtime.ts `creating`). The warmed one is
 * closed as before: with it kept open for the spares, the first 10-stage pipeline on a fresh
 * page looked slower (median 2.35 s against 1.85 s, 8 pages each; a second series 2.47 s
 * against 2.30 s: noisy, load 5-9). Never fails (undefined: the first command starts its
 * worker itself, and there are no spares).
 */
export async function warmPool(wasmer: Wasmer): Promise<NoopRunner | undefined> {
  try {
    const pkg = await wasmer.packages.create({ modules: { noop: NOOP }, commands: { noop: { module: 'noop' } } });
    const first = await wasmer.sandboxes.create({ packages: [pkg] });
    try {
      await first.command('noop').run({ check: false, timeoutMs: 10_000 });
    } finally {
      await first.close();
    }
    const sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
    const run = async (): Promise<void> => {
      try {
        await sandbox.command('noop').run({ check: false, timeoutMs: 10_000 });
      } catch {
        // Only a worker less: a fork waiting for one takes one anyway after a while.
      }
    };
    return { run, close: () => sandbox.close().catch(() => undefined) };
  } catch {
    return undefined;
  }
}

/** Atomics.waitAsync (not in every engine, nor in this project's TypeScript lib). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync?: (
      a: Int32Array,
      i: number,
      v: number,
      ms: number,
    ) => { async: true; value: Promise<string> } | { async: false; value: string };
  }
).waitAsync?.bind(Atomics);

/** New workers started at once for waiting forks: each costs CPU the page's guests need too. */
const MAX_STARTING = 2;
/** How often the kernel thread's heartbeat is stored. */
const BEAT_MS = 10;
/** How often the demand is looked at while forks wait (they also notify when they start to). */
const WANT_POLL_MS = 20;

/**
 * Grows the SDK's pool while forks of orphaned trees wait for an idle worker (the count they
 * publish, PAGE_FIELDS.wantWorkers) and none is idle: each spare is a no-op guest, which the
 * pool runs in a new worker that is idle right after. Never tied to a process of a tree, so a
 * kill does not wait for it. Runs on the kernel thread (the SDK's scheduler and the census are
 * there too, so the idle count it reads is the scheduler's).
 */
export class SpareWorkers {
  readonly #ctl: Int32Array;
  #runner: NoopRunner | undefined;
  #starting = 0;
  #stopped = false;
  /** Spares started so far (tests, docs). */
  started = 0;

  readonly #beat: ReturnType<typeof setInterval>;

  /** `trees`: the control block and its epoch (process-trees.ts greeting). */
  constructor(trees: { control: SharedArrayBuffer; epoch: number }) {
    this.#ctl = new Int32Array(trees.control);
    // The heartbeat: how far behind this thread is, for orphans' forks (guest-limits.ts
    // kernelBehind): a child handed to the scheduler while it is behind waits there.
    const beat = () => Atomics.store(this.#ctl, PAGE_FIELDS.kernelBeat, Math.max(1, Date.now() - trees.epoch));
    beat();
    this.#beat = setInterval(beat, BEAT_MS);
    void this.#watch();
  }

  /** The current client's no-op runner (undefined: none, e.g. while the engine restarts). */
  use(runner: NoopRunner | undefined): void {
    this.#runner = runner;
    // Orphans' forks wait for idle workers only while someone grows the pool.
    Atomics.store(this.#ctl, PAGE_FIELDS.spares, runner && !this.#stopped ? 1 : 0);
    Atomics.notify(this.#ctl, PAGE_FIELDS.idleWorkers);
    this.tick();
  }

  /** Starts spares for the forks waiting now, if no worker is idle. */
  tick(): void {
    const runner = this.#runner;
    if (!runner || this.#stopped) return;
    // An idle worker is there for a waiting fork; a spare started now could take it first.
    if (Atomics.load(this.#ctl, PAGE_FIELDS.idleWorkers) > 0) return;
    const want = Math.min(MAX_STARTING, Atomics.load(this.#ctl, PAGE_FIELDS.wantWorkers));
    while (this.#starting < want) {
      this.#starting++;
      this.started++;
      // Its worker says idle when done; the next look (WANT_POLL_MS) sees whether it was taken.
      void runner.run().finally(() => this.#starting--);
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#beat);
    Atomics.store(this.#ctl, PAGE_FIELDS.kernelBeat, 0);
    this.use(undefined);
  }

  async #watch(): Promise<void> {
    while (!this.#stopped) {
      const want = Atomics.load(this.#ctl, PAGE_FIELDS.wantWorkers);
      this.tick();
      // Woken by a fork that starts to wait; while some wait, looked at every WANT_POLL_MS.
      const wait = waitAsync?.(this.#ctl, PAGE_FIELDS.wantWorkers, want, want > 0 ? WANT_POLL_MS : 1000);
      if (wait?.async) await wait.value;
      else await new Promise((r) => setTimeout(r, want > 0 || !wait ? WANT_POLL_MS : 0));
    }
  }
}
