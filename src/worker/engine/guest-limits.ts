// Process trees inside SDK workers: every guest process knows which command of ours it belongs
// to, a tree may only have so many processes at once (fork/spawn past the cap fail with
// EAGAIN), and a tree the kernel kills ends at its next system call. @wasmer/sdk 0.16 has no
// process limit and its kill() does not reach orphans (docs/processes.md), so this is done
// where every guest system call passes: the import object of each guest instance.
//
// installGuestLimits runs inside SDK workers, so it reaches them as source text (see
// worker-entry.ts): keep it self-contained. The control block layout is TREE_FIELDS below and
// is shared with the kernel side (process-trees.ts).

/** Int32 fields of one tree slot in the control block. */
export const TREE_FIELDS = {
  owner: 0,
  live: 1,
  kill: 2,
  spawns: 3,
  denied: 4,
  cap: 5,
  deadline: 6,
  nonce: 7,
  /** When the tree was killed, and when its last counted process ended after that (ms after the epoch). */
  killedAt: 8,
  emptiedAt: 9,
  /** Children forked and not started yet (each waits for an SDK worker, often a new one). */
  queued: 10,
  /** Its command has ended: what runs now are orphans (`cmd &`, a fork bomb's children). */
  orphan: 11,
} as const;
export const TREE_STRIDE = 12;
/**
 * Int32 fields of the control block's header: live guest processes on the page (counted
 * ones), the page's budget for forks (of memories held plus live processes: pageLoad below),
 * guest wasm memories the page's SDK workers hold, the load past which they collect, the pool
 * workers the kernel saw idle (worker-census.ts), forks of orphaned trees waiting for an idle
 * worker, whether the kernel starts spare workers for them (warm-pool.ts SpareWorkers), and the
 * kernel thread's heartbeat.
 */
export const PAGE_FIELDS = {
  live: 0,
  memoryCap: 1,
  memories: 2,
  pressure: 3,
  idleWorkers: 4,
  wantWorkers: 5,
  spares: 6,
  /** The kernel thread's heartbeat: ms after the epoch, stored every 10 ms (warm-pool.ts). */
  kernelBeat: 7,
} as const;
export const HEADER_INTS = 8;
export const GREETING = 'sandpit-guest-limits';
/**
 * The variable that carries a process's tree: `<id>:<nonce>`. The runtime merges a child's
 * environment into its parent's (exec and spawn alike), so `env -i` or `unset` cannot drop it,
 * but a guest can set it: the nonce (random, per tree) makes a value a guest did not inherit
 * invalid, and a process with an invalid one is ended at its first system call.
 */
export const TREE_ENV = 'SANDPIT_TREE';

export interface GuestLimitsGreeting {
  type: typeof GREETING;
  control: SharedArrayBuffer;
  slots: number;
  /** `Date.now()` at which tree deadlines count from (deadlines are int32 ms after it). */
  epoch: number;
}

export function installGuestLimits(scope: object): void {
  // Same values as the exported constants (this function runs as source text in SDK workers).
  const OWNER = 0,
    LIVE = 1,
    KILL = 2,
    SPAWNS = 3,
    DENIED = 4,
    CAP = 5,
    DEADLINE = 6,
    NONCE = 7,
    KILLED_AT = 8,
    EMPTIED_AT = 9,
    QUEUED = 10,
    ORPHAN = 11;
  const STRIDE = 12,
    HEADER = 8;
  const PAGE_LIVE = 0,
    PAGE_CAP = 1,
    PAGE_MEMORIES = 2,
    PAGE_PRESSURE = 3,
    PAGE_IDLE = 4,
    PAGE_WANT = 5,
    PAGE_SPARES = 6,
    PAGE_BEAT = 7;
  /** How often a worker looks at the page's memory count, and nudges its collector at most. */
  const NUDGE_CHECK_MS = 100,
    NUDGE_EVERY_MS = 300;
  /** ArrayBuffer bytes that make V8 collect now (past its 64 MB external-memory trigger). */
  const NUDGE_BYTES = 72 << 20;
  /**
   * Collections after a memory here may have become garbage (~0.6 s of them): the SDK may still
   * hold it for a moment after the guest ended, and a full collection is not free.
   */
  const NUDGES_PER_EVENT = 2;
  const EAGAIN = 6;
  /**
   * Forked children of one tree that may wait to start at once; a fork past it waits (up to
   * QUEUE_WAIT_MS, and never past a kill) until one has started. Each waiting child needs an
   * SDK worker, and while a fork bomb makes the pool grow, a new one: measured 1-2.5 s to
   * start (dozens start at once on a busy machine), and the children waiting when the tree is
   * killed end only once started. Bounding the queue bounds that tail; a normal pipeline's
   * forks wait a moment at most (their children start in the same time, a few at a time).
   */
  const QUEUE_MAX = 4,
    QUEUE_WAIT_MS = 5000;
  /** A waiting fork looks again at least this often (a kill is not notified: it polls). */
  const QUEUE_POLL_MS = 10;
  /**
   * How close to its tree's deadline an orphan's fork waits for the deadline instead. A child
   * is handed to the SDK's scheduler, on the kernel's thread, which runs 50-150 ms behind
   * during a fork bomb (more while the killed tree's processes end there): a child forked
   * just before the deadline started only after it, and its tree ended that much later.
   */
  const FORK_GUARD_MS = 200;
  /** How close to its tree's deadline an orphan's fork no longer asks for a spare worker. */
  const SPARE_LEAD_MS = 1000;
  /** How late the kernel's heartbeat (every 10 ms) may be before orphans' forks wait for it. */
  const KERNEL_LAG_MS = 50;
  const KILLED_EXIT = 137;
  /** What fromEnviron reports for a tree variable that names no tree of ours (forged). */
  const FORGED = -1;
  const ENV_KEY = 'SANDPIT_TREE=';
  /** Calls that start a process or a thread: each is a new SDK worker and, for processes, a memory. */
  const STARTS = /^(proc_fork|proc_fork_env|proc_spawn\d?|thread_spawn(_v2)?)$/;
  /**
   * The longest a guest of a tree sleeps in one call of the runtime: a sleeping process learns
   * of its tree's kill (or deadline) only when its call returns, so longer sleeps are cut into
   * slices of this (in ns). bash sleeps 1-16 s in `fork: retry` after a refused fork, which
   * kept a killed fork bomb's tree alive that long.
   */
  const SLEEP_SLICE_NS = BigInt(50_000_000);
  /** Layout of WASI's subscription (48 bytes) and event (32 bytes) records. */
  const SUB_SIZE = 48,
    SUB_TAG = 8,
    SUB_TIMEOUT = 24,
    SUB_FLAGS = 40,
    EVENT_SIZE = 32,
    EVENT_TYPE = 10,
    CLOCK = 0,
    ABSTIME = 1;

  const g = scope as typeof globalThis & { onmessage: ((e: MessageEvent) => unknown) | null };
  let ctl: Int32Array | undefined;
  let slots = 0;
  let epoch = 0;
  // The kernel greets every SDK worker with the control block before the SDK's own init message.
  const sdkOnMessage = g.onmessage;
  g.onmessage = function (this: unknown, e: MessageEvent) {
    const d = e.data as { type?: string; control?: SharedArrayBuffer; slots?: number; epoch?: number } | null;
    if (d && d.type === 'sandpit-guest-limits' && d.control) {
      ctl = new Int32Array(d.control);
      slots = d.slots ?? 0;
      epoch = d.epoch ?? 0;
      return;
    }
    return sdkOnMessage?.call(this as never, e);
  };

  // Guest memories. A page (one renderer process) has address space for ~124 wasm memories
  // (docs/processes.md). A memory is given back only when every worker that holds it has
  // garbage-collected it, and an idle SDK worker allocates nothing, so it never collects: the
  // memories of ended processes (a killed fork bomb: dozens) stay reserved until the next one
  // on the page fails to allocate, which fails its worker and with it the SDK's whole pool.
  // So memories are counted from when a worker makes or runs one until it collects it, forks
  // fail past the page's cap (pageLoad), and over the pressure mark workers collect at once.
  let localMemories = 0;
  const tracked = new WeakSet<object>();
  const reclaimed = new FinalizationRegistry<number>(() => {
    localMemories--;
    if (ctl) Atomics.sub(ctl, PAGE_MEMORIES, 1);
  });
  const track = (memory: object | undefined): void => {
    if (!ctl || !memory || tracked.has(memory)) return;
    tracked.add(memory);
    localMemories++;
    Atomics.add(ctl, PAGE_MEMORIES, 1);
    reclaimed.register(memory, 0);
  };
  const BaseMemory = g.WebAssembly.Memory as typeof WebAssembly.Memory | undefined;
  if (typeof BaseMemory === 'function') {
    (g.WebAssembly as { Memory: typeof WebAssembly.Memory }).Memory = new Proxy(BaseMemory, {
      construct(target, args, newTarget) {
        const memory = Reflect.construct(target, args, newTarget) as WebAssembly.Memory;
        track(memory);
        mayHaveGarbage();
        return memory;
      },
    });
  }
  // Allocating (and dropping) ArrayBuffers past V8's external-memory trigger is what makes an
  // idle worker collect; the buffers are never touched, so the pages are never committed. Only
  // after something here may have left garbage: a guest ended, or a memory was made here for
  // another worker (a fork child's).
  let lastNudge = 0;
  let nudgesDue = 0;
  const mayHaveGarbage = (): void => {
    nudgesDue = NUDGES_PER_EVENT;
  };
  /**
   * What the page's memories are measured by: those held, plus one for each live process, whose
   * memory may not be held by any of our workers yet (a forked child waiting for a worker is
   * counted live from its fork; its memory, from when a worker runs it). Errs on the safe side.
   */
  const pageLoad = (): number => Atomics.load(ctl!, PAGE_MEMORIES) + Math.max(0, Atomics.load(ctl!, PAGE_LIVE));
  /**
   * Whether a fork here would pass the page's cap. This worker's own memories do not count: the
   * new one is made here, and V8 collects this worker before it fails to reserve one, while a
   * busy worker (a shell running a loop of commands: one memory per child, made here) runs no
   * finalizer that would count its garbage down. Counting them refused the forks of a plain
   * `for i in $(seq 1000); do /usr/bin/true; done` (CI: "fork: retry: Resource temporarily
   * unavailable").
   */
  const pageFull = (): boolean => {
    const cap = Atomics.load(ctl!, PAGE_CAP);
    return cap > 0 && pageLoad() - localMemories >= cap;
  };
  const nudge = (): void => {
    if (!ctl || localMemories <= 0 || nudgesDue <= 0) return;
    const pressure = Atomics.load(ctl, PAGE_PRESSURE);
    if (pressure <= 0 || pageLoad() < pressure) return;
    const now = Date.now();
    if (now - lastNudge < NUDGE_EVERY_MS) return;
    // Not while a killed tree empties: its queued children need the CPU to start and end
    // (each in some worker), the memories are needed only by later forks. The collection due
    // here waits until then.
    if (draining()) return;
    lastNudge = now;
    nudgesDue--;
    try {
      const junk: ArrayBuffer[] = [];
      for (let n = 0; n < NUDGE_BYTES; n += 8 << 20) junk.push(new ArrayBuffer(8 << 20));
      junk.length = 0;
    } catch {
      // Out of address space for the buffers too: the collection is as good as triggered.
    }
  };
  /** Some killed tree still counts live processes. */
  const draining = (): boolean => {
    for (let i = 0; i < slots; i++) {
      const base = HEADER + i * STRIDE;
      if (Atomics.load(ctl!, base + KILL) !== 0 && Atomics.load(ctl!, base + LIVE) > 0) return true;
    }
    return false;
  };
  const every = (g as { setInterval?: (f: () => void, ms: number) => unknown }).setInterval;
  if (typeof every === 'function') every.call(g, nudge, NUDGE_CHECK_MS);

  const slotOf = (tree: number): number => HEADER + (tree % slots) * STRIDE;
  /**
   * One counted process of the tree is gone. The kernel may have written the tree's count off
   * already (process-trees.ts release): then the page's count was lowered with it, not again.
   */
  const uncount = (tree: number): void => {
    const s = slotOf(tree) + LIVE;
    const before = Atomics.sub(ctl!, s, 1);
    if (before > 0) Atomics.sub(ctl!, PAGE_LIVE, 1);
    else Atomics.add(ctl!, s, 1);
    // The last process of a killed tree: when it ended is what a kill is measured by (the
    // kernel's own check of the count runs late while the page is busy).
    if (before === 1 && Atomics.load(ctl!, slotOf(tree) + KILL) !== 0)
      Atomics.store(ctl!, slotOf(tree) + EMPTIED_AT, Math.max(1, Date.now() - epoch));
  };
  /**
   * How many of the tree's children may wait to start. A running command's forks (a pipeline)
   * get QUEUE_MAX: its children start in new workers together. Orphans (its command has ended:
   * a fork bomb's, `cmd &`) only as many as the pool has idle workers (as the kernel last saw
   * them, worker-census.ts): a child handed to the SDK ends only once it has started, and one
   * that waits for a new worker (0.3-2.5 s under load) was the tail of every killed bomb, while
   * a fork that waits here ends at once. The kernel grows the pool for the forks that wait
   * (spare workers running a no-op guest, warm-pool.ts); without that, one more than idle.
   */
  const queueLimit = (tree: number): number => {
    if (Atomics.load(ctl!, slotOf(tree) + ORPHAN) === 0) return QUEUE_MAX;
    return Math.min(QUEUE_MAX, Math.max(0, Atomics.load(ctl!, PAGE_IDLE)) + (sparesOn() ? 0 : 1));
  };
  /**
   * The kernel's thread, where the SDK's scheduler hands children to workers, is more than
   * KERNEL_LAG_MS behind (its heartbeat, warm-pool.ts SpareWorkers): a child forked now would
   * wait there, not yet killable, so an orphan's fork waits in its parent instead.
   */
  const kernelBehind = (): boolean => {
    const beat = Atomics.load(ctl!, PAGE_BEAT);
    return beat > 0 && Date.now() - epoch - beat > KERNEL_LAG_MS;
  };
  /** The kernel starts spare pool workers for orphans' forks that wait for an idle one. */
  const sparesOn = (): boolean => Atomics.load(ctl!, PAGE_SPARES) > 0;
  /** A forked child of the tree started (or its fork failed): the next fork may go on. */
  const dequeue = (tree: number): void => {
    const at = slotOf(tree) + QUEUED;
    if (Atomics.sub(ctl!, at, 1) <= 0) Atomics.add(ctl!, at, 1);
    Atomics.notify(ctl!, at);
    Atomics.notify(ctl!, PAGE_IDLE);
  };
  /**
   * Takes a place in the tree's queue of children waiting to start (given back by dequeue),
   * waiting while queueLimit are taken; false, without a place, if the tree was killed
   * meanwhile. Taken atomically: a bomb's processes fork at the same moment in many workers. Past
   * QUEUE_WAIT_MS it takes one anyway (a child that never starts must not stop its tree's
   * forks for good). An orphan's fork waiting for an idle worker says so (PAGE_WANT, which
   * the kernel waits on) and waits for the idle count to change.
   */
  const queueRoom = (tree: number, killedNow: () => boolean): boolean => {
    const at = slotOf(tree) + QUEUED;
    const until = performance.now() + QUEUE_WAIT_MS;
    let wanting = false;
    try {
      for (;;) {
        // Also after a wait: a child forked now into a killed tree would only start to end.
        if (killedNow()) return false;
        const q = Atomics.load(ctl!, at);
        const idle = Atomics.load(ctl!, PAGE_IDLE);
        if (nearDeadline(tree)) {
          // No spare worker is wanted for it any more: starting one costs CPU the tree's end needs.
          if (wanting) {
            wanting = false;
            Atomics.sub(ctl!, PAGE_WANT, 1);
          }
          Atomics.wait(ctl!, at, q, QUEUE_POLL_MS);
          continue;
        }
        const forIdle = Atomics.load(ctl!, slotOf(tree) + ORPHAN) !== 0 && sparesOn();
        if (q < queueLimit(tree) && !(forIdle && kernelBehind())) {
          if (Atomics.compareExchange(ctl!, at, q, q + 1) === q) return true;
          continue;
        }
        const left = until - performance.now();
        if (left <= 0) {
          Atomics.add(ctl!, at, 1);
          return true;
        }
        // A spare started this close to the deadline would be ready after it (a new worker
        // takes 0.3-2.5 s to start) and only take CPU from the tree's end.
        if (forIdle && !wanting && !nearDeadline(tree, SPARE_LEAD_MS)) {
          wanting = true;
          Atomics.add(ctl!, PAGE_WANT, 1);
          Atomics.notify(ctl!, PAGE_WANT);
        }
        if (forIdle) Atomics.wait(ctl!, PAGE_IDLE, idle, Math.min(left, QUEUE_POLL_MS));
        else Atomics.wait(ctl!, at, q, Math.min(left, QUEUE_POLL_MS));
      }
    } finally {
      if (wanting) {
        Atomics.sub(ctl!, PAGE_WANT, 1);
        Atomics.notify(ctl!, PAGE_WANT);
      }
    }
  };
  /**
   * Kills the tree (as process-trees.ts kill), recording `at` (ms after the epoch) as when if
   * nobody killed it first; its forks waiting for room (queueRoom) are woken to end now rather
   * than at their next look.
   */
  const killTree = (tree: number, at = Math.max(1, Date.now() - epoch)): void => {
    const s = slotOf(tree);
    if (Atomics.compareExchange(ctl!, s + KILL, 0, 1) !== 0) return;
    Atomics.compareExchange(ctl!, s + KILLED_AT, 0, at);
    Atomics.notify(ctl!, s + QUEUED);
    Atomics.notify(ctl!, PAGE_IDLE);
  };
  /**
   * An orphaned tree's deadline is less than FORK_GUARD_MS away: its forks wait for it (and
   * end then) instead of handing the SDK a child that would be killed as it starts.
   */
  const nearDeadline = (tree: number, within = FORK_GUARD_MS): boolean => {
    const s = slotOf(tree);
    if (Atomics.load(ctl!, s + ORPHAN) === 0) return false;
    const deadline = Atomics.load(ctl!, s + DEADLINE);
    return deadline > 0 && deadline - (Date.now() - epoch) < within;
  };
  const mine = (tree: number): boolean => !!ctl && Atomics.load(ctl, slotOf(tree) + OWNER) === tree;

  const Base = g.WebAssembly.Instance;
  const Patched = function (module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    if (!imports || !(imports.wasix_32v1 || imports.wasi_snapshot_preview1)) return new Base(module, imports);
    /** This instance's tree (0: not known yet), whether it is counted live, its exports. */
    let tree = 0;
    let counted = false;
    /** The instance's real exports, once it exists (imports are not called before). */
    const box: { ex?: Record<string, unknown> } = {};
    let memory: WebAssembly.Memory | undefined = (imports.env as Record<string, unknown> | undefined)?.memory as
      WebAssembly.Memory | undefined;
    const state = (): number => {
      const f = box.ex?.asyncify_get_state as (() => number) | undefined;
      return f ? f() : 0;
    };
    const exitImport = (imports.wasix_32v1?.proc_exit ?? imports.wasi_snapshot_preview1?.proc_exit) as
      ((code: number) => unknown) | undefined;
    const envSizesImport = (imports.wasix_32v1?.environ_sizes_get ??
      imports.wasi_snapshot_preview1?.environ_sizes_get) as ((countPtr: number, sizePtr: number) => number) | undefined;
    const envGetImport = (imports.wasix_32v1?.environ_get ?? imports.wasi_snapshot_preview1?.environ_get) as
      ((ptrs: number, buf: number) => number) | undefined;
    const globalValue = (name: string): number => {
      const v = box.ex?.[name] as WebAssembly.Global | undefined;
      return v && typeof v === 'object' && 'value' in v ? Number(v.value) : 0;
    };
    /**
     * Asks the runtime for this process's environment, as the guest would, into scratch space
     * just below the guest's stack pointer (free: this thread's guest code is suspended in
     * this call and the stack grows down). A forked child has its parent's environment.
     */
    const treeFromRuntime = (): number => {
      const sp = globalValue('__stack_pointer');
      const low = globalValue('__stack_low');
      if (!sp || !memory || !envSizesImport || !envGetImport) return 0;
      const sizes = (sp - 16) & ~15;
      if (envSizesImport(sizes, sizes + 4) !== 0) return 0;
      const view = new Uint32Array(memory.buffer, sizes, 2);
      const count = view[0]!;
      const size = view[1]!;
      const buf = (sizes - size - 16) & ~15;
      const ptrs = (buf - count * 4 - 16) & ~15;
      if (ptrs <= Math.max(low, 1024) || size > 1 << 20) return 0;
      if (envGetImport(ptrs, buf) !== 0) return 0;
      return fromEnviron(buf, size);
    };
    /** Set once the instance exists: its exports can be wrapped (asyncify modules). */
    let countable = false;
    /** A fork child: its parent counted it when it forked (its memory exists from then on). */
    let forkChild = false;
    const join = (t: number): void => {
      if (!t || !ctl || !mine(t)) return;
      tree = t;
      if (forkChild) dequeue(t);
      // Only instances whose end we see (below) are counted; the others can still be killed.
      if (!countable) return;
      counted = true;
      if (forkChild) return;
      Atomics.add(ctl, slotOf(t) + LIVE, 1);
      Atomics.add(ctl, PAGE_LIVE, 1);
    };
    const leave = (): void => {
      if (!counted || !ctl) return;
      counted = false;
      uncount(tree);
    };
    /**
     * Reads SANDPIT_TREE (`<id>:<nonce>`) from the environment block `environ_get` just filled:
     * the tree's id, 0 without one, FORGED if it names no live tree of ours.
     */
    const fromEnviron = (bufPtr: number, size: number): number => {
      if (!memory || !ctl || size <= 0) return 0;
      const bytes = new Uint8Array(memory.buffer, bufPtr, size);
      const key = [...ENV_KEY].map((c) => c.charCodeAt(0));
      outer: for (let i = 0; i + key.length < size; i++) {
        if (i > 0 && bytes[i - 1] !== 0) continue;
        for (let k = 0; k < key.length; k++) if (bytes[i + k] !== key[k]) continue outer;
        const start = i + key.length;
        let end = start;
        while (end < size && bytes[end] !== 0 && end - start <= 24) end++;
        // Longer than any id:nonce (and never spread whole: a guest chooses its length).
        const text = String.fromCharCode(...bytes.subarray(start, end));
        const m = /^(\d{1,9}):(\d{1,10})$/.exec(text);
        if (!m) return FORGED;
        const id = Number(m[1]);
        return id > 0 && mine(id) && Atomics.load(ctl, slotOf(id) + NONCE) === Number(m[2]) ? id : FORGED;
      }
      return 0;
    };
    /** Its tree variable was set by a guest, not inherited: it is ended (see TREE_ENV). */
    let forged = false;
    /** Identification is tried once, at the instance's first call in a normal state. */
    let asked = false;
    const kill = (): unknown => {
      // The runtime's own exit: unwinds the guest as if it had called exit(137).
      if (exitImport) return exitImport(KILLED_EXIT);
      throw new Error('sandpit: process tree killed');
    };
    /**
     * poll_oneoff with relative clocks longer than a slice: waits slice by slice (every clock
     * capped at what is left of it, at most a slice), so a kill is seen within one. Events of
     * clocks that are not due yet mean "go on"; any other event ends the wait as the runtime
     * reported it. The guest's records are given back unchanged. undefined: not sliced.
     */
    const pollSliced = (call: (...x: number[]) => unknown, a: number[]): unknown => {
      const [inPtr = 0, outPtr = 0, n = 0, countPtr = 0] = a;
      if (!memory || n <= 0 || n > 16) return undefined;
      let dv = new DataView(memory.buffer);
      const clocks: { at: number; timeout: bigint; userdata: bigint }[] = [];
      for (let i = 0; i < n; i++) {
        const at = inPtr + i * SUB_SIZE;
        if (dv.getUint8(at + SUB_TAG) !== CLOCK || dv.getUint16(at + SUB_FLAGS, true) & ABSTIME) continue;
        const timeout = dv.getBigUint64(at + SUB_TIMEOUT, true);
        if (timeout > SLEEP_SLICE_NS) clocks.push({ at, timeout, userdata: dv.getBigUint64(at, true) });
      }
      if (clocks.length === 0) return undefined;
      const start = performance.now();
      const elapsed = (): bigint => BigInt(Math.floor((performance.now() - start) * 1e6));
      try {
        for (;;) {
          const spent = elapsed();
          for (const c of clocks) {
            const left = c.timeout - spent;
            // Never 0: the runtime does not return from a relative clock of 0 (wasm/compat).
            const slice = left < SLEEP_SLICE_NS ? (left > 0 ? left : BigInt(1)) : SLEEP_SLICE_NS;
            dv.setBigUint64(c.at + SUB_TIMEOUT, slice, true);
          }
          const r = call(...a);
          if (r !== 0 || state() !== 0 || killed()) return r;
          dv = new DataView(memory.buffer);
          const count = dv.getUint32(countPtr, true);
          const now = elapsed();
          for (let e = 0; e < count; e++) {
            const ev = outPtr + e * EVENT_SIZE;
            if (dv.getUint8(ev + EVENT_TYPE) !== CLOCK) return r;
            const userdata = dv.getBigUint64(ev, true);
            const c = clocks.find((x) => x.userdata === userdata);
            if (!c || c.timeout <= now) return r;
          }
          if (count === 0) return r;
        }
      } finally {
        const back = new DataView(memory.buffer);
        for (const c of clocks) back.setBigUint64(c.at + SUB_TIMEOUT, c.timeout, true);
      }
    };
    /** thread_sleep(ns), slice by slice, for the same reason. undefined: not sliced. */
    const sleepSliced = (call: (...x: unknown[]) => unknown, a: unknown[]): unknown => {
      const total = a[0];
      if (typeof total !== 'bigint' || total <= SLEEP_SLICE_NS) return undefined;
      const start = performance.now();
      for (;;) {
        const left = total - BigInt(Math.floor((performance.now() - start) * 1e6));
        if (left <= 0) return 0;
        const r = call(left < SLEEP_SLICE_NS ? left : SLEEP_SLICE_NS, ...a.slice(1));
        if (r !== 0 || state() !== 0 || killed()) return r;
      }
    };
    // The deadline is checked here, not only by the kernel: its timers run late while a
    // runaway tree keeps its thread busy.
    const killed = (): boolean => {
      if (!tree || !ctl) return false;
      const s = slotOf(tree);
      if (Atomics.load(ctl, s + KILL) !== 0) return true;
      const deadline = Atomics.load(ctl, s + DEADLINE);
      if (deadline <= 0 || Date.now() - epoch < deadline) return false;
      // Killed by its deadline: at the deadline, whoever sees it first.
      killTree(tree, deadline);
      return true;
    };

    const wrapped: WebAssembly.Imports = {};
    for (const [ns, fns] of Object.entries(imports)) {
      if (ns !== 'wasix_32v1' && ns !== 'wasi_snapshot_preview1' && ns !== 'wasi_unstable') {
        wrapped[ns] = fns;
        continue;
      }
      const out: Record<string, unknown> = {};
      for (const [name, f] of Object.entries(fns)) {
        if (typeof f !== 'function') {
          out[name] = f;
          continue;
        }
        const call = f as (...a: number[]) => unknown;
        const starts = STARTS.test(name);
        const isFork = name === 'proc_fork' || name === 'proc_fork_env';
        const isExit = name === 'proc_exit' || name === 'proc_exit2';
        const sliced = name === 'poll_oneoff' ? pollSliced : name === 'thread_sleep' ? sleepSliced : undefined;
        out[name] = (...a: number[]) => {
          const st = ctl !== undefined ? state() : -1;
          // A fork child's first call is its parent's proc_fork, rewinding (asyncify state 2).
          if (st === 2 && isFork && !asked && !tree) forkChild = true;
          const normal = st === 0;
          let precounted = false;
          if (normal) {
            if (!tree && !asked) {
              asked = true;
              const t = treeFromRuntime();
              if (t === FORGED) forged = true;
              else join(t);
            }
            if ((forged || killed()) && !isExit) return kill();
            if (starts && tree) {
              const s = slotOf(tree);
              if (isFork && !queueRoom(tree, killed)) return kill();
              const cap = Atomics.load(ctl!, s + CAP);
              if ((cap > 0 && Atomics.load(ctl!, s + LIVE) >= cap) || pageFull()) {
                if (isFork) dequeue(tree);
                Atomics.add(ctl!, s + DENIED, 1);
                // An orphaned tree that forks past its cap is a runaway, which the kernel kills
                // when it sees the refusal (sandbox.ts): killed here at once instead, so that
                // none of its forks goes on while the kernel's thread is behind.
                if (Atomics.load(ctl!, s + ORPHAN) !== 0) {
                  killTree(tree);
                  return kill();
                }
                return EAGAIN;
              }
              Atomics.add(ctl!, s + SPAWNS, 1);
              // The child's memory is made now and it may wait for a free SDK worker for a
              // while: it counts from here (a queue of children is what exhausts memories).
              if (isFork) {
                precounted = true;
                Atomics.add(ctl!, s + LIVE, 1);
                Atomics.add(ctl!, PAGE_LIVE, 1);
              }
            }
          }
          let r: unknown;
          try {
            // A sleep of a tree's process: in slices, so that a kill ends it within one.
            if (normal && tree && sliced) r = sliced(call as never, a);
            if (r === undefined) r = call(...a);
          } finally {
            // The fork did not happen (an error, not the unwind that starts it): uncount.
            if (precounted && state() !== 1) {
              uncount(tree);
              dequeue(tree);
            }
          }
          if (normal) {
            // A call that blocked (a wait, a read, a sleep) may return into a killed tree.
            if (killed() && !isExit && state() === 0) return kill();
          }
          return r;
        };
      }
      wrapped[ns] = out as WebAssembly.ModuleImports;
    }
    const inst = new Base(module, wrapped);
    const realExports = inst.exports as Record<string, unknown>;
    memory ??= realExports.memory as WebAssembly.Memory | undefined;
    // A memory made in another worker (a fork child's, or the process's for a thread) is
    // held here too until this worker collects it.
    track(memory);
    // Entry points: a process (or thread) ends when its entry returns other than by unwinding
    // (asyncify unwinds the whole stack for fork and returns to the runtime, still alive).
    box.ex = realExports;
    // Modules run through JSPI (no asyncify; e.g. python) get their entry handed to
    // WebAssembly.promising, which takes only real wasm exports: those are left alone, and so
    // not counted (they cannot fork either).
    if (typeof realExports.asyncify_get_state !== 'function') return inst;
    countable = true;
    const exports: Record<string, unknown> = { ...realExports };
    for (const entry of ['_start', 'wasi_thread_start']) {
      const f = realExports[entry];
      if (typeof f !== 'function') continue;
      exports[entry] = (...a: unknown[]) => {
        try {
          const r = (f as (...x: unknown[]) => unknown)(...a);
          if (state() !== 1) {
            leave();
            mayHaveGarbage();
          }
          return r;
        } catch (err) {
          leave();
          mayHaveGarbage();
          throw err;
        }
      };
    }
    Object.defineProperty(inst, 'exports', { value: Object.freeze(exports) });
    return inst;
  } as unknown as typeof WebAssembly.Instance;
  Patched.prototype = Base.prototype;
  (g.WebAssembly as { Instance: typeof WebAssembly.Instance }).Instance = Patched;
}
