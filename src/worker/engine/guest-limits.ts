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
export const TREE_FIELDS = { owner: 0, live: 1, kill: 2, spawns: 3, denied: 4, cap: 5, deadline: 6 } as const;
export const TREE_STRIDE = 8;
/** Header: [0] live guest processes on the page (counted ones), [1] the page cap. */
export const HEADER_INTS = 8;
export const GREETING = 'sandpit-guest-limits';
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
    DEADLINE = 6;
  const STRIDE = 8,
    HEADER = 8;
  const EAGAIN = 6;
  const KILLED_EXIT = 137;
  const ENV_KEY = 'SANDPIT_TREE=';
  /** Calls that start a process or a thread: each is a new SDK worker and, for processes, a memory. */
  const STARTS = /^(proc_fork|proc_fork_env|proc_spawn\d?|thread_spawn(_v2)?)$/;

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

  const slotOf = (tree: number): number => HEADER + (tree % slots) * STRIDE;
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
      // Only instances whose end we see (below) are counted; the others can still be killed.
      if (!countable) return;
      counted = true;
      if (forkChild) return;
      Atomics.add(ctl, slotOf(t) + LIVE, 1);
      Atomics.add(ctl, 0, 1);
    };
    const leave = (): void => {
      if (!counted || !ctl) return;
      counted = false;
      Atomics.sub(ctl, slotOf(tree) + LIVE, 1);
      Atomics.sub(ctl, 0, 1);
    };
    /** Reads SANDPIT_TREE from the environment block `environ_get` just filled. */
    const fromEnviron = (bufPtr: number, size: number): number => {
      if (!memory || size <= 0) return 0;
      const bytes = new Uint8Array(memory.buffer, bufPtr, size);
      const key = [...ENV_KEY].map((c) => c.charCodeAt(0));
      outer: for (let i = 0; i + key.length < size; i++) {
        if (i > 0 && bytes[i - 1] !== 0) continue;
        for (let k = 0; k < key.length; k++) if (bytes[i + k] !== key[k]) continue outer;
        let n = 0;
        for (let j = i + key.length; j < size && bytes[j] !== 0; j++) n = n * 10 + (bytes[j]! - 48);
        return n;
      }
      return 0;
    };
    /** Identification is tried once, at the instance's first call in a normal state. */
    let asked = false;
    const kill = (): unknown => {
      // The runtime's own exit: unwinds the guest as if it had called exit(137).
      if (exitImport) return exitImport(KILLED_EXIT);
      throw new Error('sandpit: process tree killed');
    };
    // The deadline is checked here, not only by the kernel: its timers run late while a
    // runaway tree keeps its thread busy.
    const killed = (): boolean => {
      if (!tree || !ctl) return false;
      const s = slotOf(tree);
      if (Atomics.load(ctl, s + KILL) !== 0) return true;
      const deadline = Atomics.load(ctl, s + DEADLINE);
      if (deadline <= 0 || Date.now() - epoch < deadline) return false;
      Atomics.store(ctl, s + KILL, 1);
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
        out[name] = (...a: number[]) => {
          const st = ctl !== undefined ? state() : -1;
          // A fork child's first call is its parent's proc_fork, rewinding (asyncify state 2).
          if (st === 2 && isFork && !asked && !tree) forkChild = true;
          const normal = st === 0;
          let precounted = false;
          if (normal) {
            if (!tree && !asked) {
              asked = true;
              join(treeFromRuntime());
            }
            if (killed() && !isExit) return kill();
            if (starts && tree) {
              const s = slotOf(tree);
              const cap = Atomics.load(ctl!, s + CAP);
              const pageCap = Atomics.load(ctl!, 1);
              if (
                (cap > 0 && Atomics.load(ctl!, s + LIVE) >= cap) ||
                (pageCap > 0 && Atomics.load(ctl!, 0) >= pageCap)
              ) {
                Atomics.add(ctl!, s + DENIED, 1);
                return EAGAIN;
              }
              Atomics.add(ctl!, s + SPAWNS, 1);
              // The child's memory is made now and it may wait for a free SDK worker for a
              // while: it counts from here (a queue of children is what exhausts memories).
              if (isFork) {
                precounted = true;
                Atomics.add(ctl!, s + LIVE, 1);
                Atomics.add(ctl!, 0, 1);
              }
            }
          }
          let r: unknown;
          try {
            r = call(...a);
          } finally {
            // The fork did not happen (an error, not the unwind that starts it): uncount.
            if (precounted && state() !== 1) {
              Atomics.sub(ctl!, slotOf(tree) + LIVE, 1);
              Atomics.sub(ctl!, 0, 1);
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
          if (state() !== 1) leave();
          return r;
        } catch (err) {
          leave();
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
