// Process trees without a browser: installGuestLimits on a fake worker scope whose
// WebAssembly.Instance hands back the wrapped imports, driven the way the SDK's runtime drives
// a guest (identification through environ_get, fork through asyncify states, exit by throwing).
import { describe, expect, it } from 'vitest';
import { installGuestLimits, TREE_ENV } from './guest-limits';
import { ProcessTrees } from './process-trees';

type Fn = (...a: number[]) => unknown;

/** A guest process: its memory (with a stack), its runtime imports, and the state asyncify reports. */
class FakeGuest {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  asyncify = 0;
  exitCode: number | undefined;
  forks = 0;
  /** The relative clock timeouts (ns) poll_oneoff was called with, in order. */
  readonly polls: bigint[] = [];
  /** Called before each poll_oneoff with its number (1, 2, ...). */
  onPoll: (n: number) => void = () => undefined;
  constructor(readonly env: string[]) {}

  imports(): Record<string, Record<string, Fn>> {
    const bytes = () => new Uint8Array(this.memory.buffer);
    const encoded = this.env.map((e) => new TextEncoder().encode(e + '\0'));
    return {
      wasix_32v1: {
        environ_sizes_get: (countPtr, sizePtr) => {
          const v = new DataView(this.memory.buffer);
          v.setUint32(countPtr, encoded.length, true);
          v.setUint32(
            sizePtr,
            encoded.reduce((n, e) => n + e.length, 0),
            true,
          );
          return 0;
        },
        environ_get: (ptrs, buf) => {
          const v = new DataView(this.memory.buffer);
          let at = buf;
          encoded.forEach((e, i) => {
            v.setUint32(ptrs + 4 * i, at, true);
            bytes().set(e, at);
            at += e.length;
          });
          return 0;
        },
        proc_fork: () => {
          this.forks++;
          this.asyncify = 1; // the runtime starts unwinding the parent
          return 0;
        },
        fd_write: () => 0,
        // One clock subscription: blocks for its timeout (really: Atomics.wait), then reports it.
        poll_oneoff: (inPtr, outPtr, _n, countPtr) => {
          const v = new DataView(this.memory.buffer);
          const timeout = v.getBigUint64(inPtr + 24, true);
          this.polls.push(timeout);
          this.onPoll(this.polls.length);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(timeout) / 1e6);
          v.setBigUint64(outPtr, v.getBigUint64(inPtr, true), true);
          v.setUint8(outPtr + 10, 0);
          v.setUint32(countPtr, 1, true);
          return 0;
        },
        proc_exit: (code) => {
          this.exitCode = code;
          throw new Error(`exit ${code}`);
        },
      },
    };
  }
}

/** A scope like an SDK worker's: installGuestLimits patches its WebAssembly.Instance. */
function workerScope() {
  const made: { imports: Record<string, Record<string, Fn>>; exports: Record<string, unknown> }[] = [];
  let nextGuest: FakeGuest | undefined;
  function Instance(
    this: { exports: Record<string, unknown> },
    _m: unknown,
    imports: Record<string, Record<string, Fn>>,
  ) {
    const g = nextGuest!;
    this.exports = {
      asyncify_get_state: () => g.asyncify,
      __stack_pointer: { value: 60_000 },
      __stack_low: { value: 1024 },
      memory: g.memory,
      _start: () => {
        // The guest: one write (the first call identifies it), then what the test asks.
        imports.wasix_32v1!.fd_write!(1, 0, 0, 0);
        return program(imports);
      },
    };
    made.push({ imports, exports: this.exports });
  }
  let program: (imports: Record<string, Record<string, Fn>>) => unknown = () => 0;
  const scope = {
    WebAssembly: { Instance, Memory: WebAssembly.Memory },
    onmessage: null as null | ((e: MessageEvent) => unknown),
  };
  installGuestLimits(scope);
  const start = (guest: FakeGuest, run: (imports: Record<string, Record<string, Fn>>) => unknown) => {
    nextGuest = guest;
    program = run;
    const inst = new (
      scope.WebAssembly.Instance as unknown as new (m: unknown, i: unknown) => { exports: Record<string, Fn> }
    )({}, guest.imports());
    try {
      return inst.exports._start!();
    } catch (err) {
      return err;
    }
  };
  return { scope, start, made };
}

function greet(scope: ReturnType<typeof workerScope>['scope'], trees: ProcessTrees) {
  scope.onmessage!({ data: trees.greeting() } as MessageEvent);
}

/** A kernel's trees, an SDK worker that has been greeted with them, one open tree and a guest in it. */
function inTree(trees: ProcessTrees) {
  const w = workerScope();
  greet(w.scope, trees);
  const tree = trees.open();
  const guest = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
  return { trees, w, tree, guest };
}

/**
 * In a greeted SDK worker: an orphaned tree (its command has ended), the control block as
 * words, and `forkOnce()`: a new guest of the tree forks once (its forks count what went on)
 * and reports how long the fork took.
 */
function orphanForks(trees: ProcessTrees) {
  const w = workerScope();
  greet(w.scope, trees);
  const tree = trees.open();
  trees.orphaned(tree);
  const forkOnce = () => {
    const g = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    const t0 = performance.now();
    w.start(g, (imports) => {
      imports.wasix_32v1!.proc_fork!(1, 0);
      g.asyncify = 0;
    });
    return { g, ms: performance.now() - t0 };
  };
  return { tree, raw: new Int32Array(trees.control), forkOnce };
}

describe('process trees', () => {
  it('a guest finds its tree through its environment and counts while it runs', () => {
    const trees = new ProcessTrees({ perTree: 4, perPage: 100 });
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    let during = -1;
    w.start(new FakeGuest(['A=1', `${TREE_ENV}=${trees.token(tree)}`]), () => (during = trees.live(tree)));
    expect(during).toBe(1);
    expect(trees.live(tree)).toBe(0);
  });

  it('forks past the cap fail with EAGAIN; a fork counts its child from the fork on', () => {
    const { trees, w, tree, guest } = inTree(new ProcessTrees({ perTree: 2, perPage: 100 }));
    const results: unknown[] = [];
    w.start(guest, (imports) => {
      const fork = imports.wasix_32v1!.proc_fork!;
      results.push(fork(1, 0)); // allowed: unwinds (the child is counted now)
      guest.asyncify = 0; // as after the runtime rewound the parent
      results.push(fork(1, 0)); // live would pass the cap of 2: refused
      return 0;
    });
    expect(results).toEqual([0, 6]);
    expect(trees.stats(tree)).toMatchObject({ spawns: 1, denied: 1 });
    // The parent ended; its forked child is still counted until it runs and ends.
    expect(trees.live(tree)).toBe(1);
  });

  it('a killed tree ends at its next system call with 137; other trees go on', () => {
    const trees = new ProcessTrees();
    const w = workerScope();
    greet(w.scope, trees);
    const a = trees.open();
    const b = trees.open();
    const ga = new FakeGuest([`${TREE_ENV}=${trees.token(a)}`]);
    const gb = new FakeGuest([`${TREE_ENV}=${trees.token(b)}`]);
    let wroteAfterKill = false;
    w.start(ga, (imports) => {
      trees.kill(a);
      imports.wasix_32v1!.fd_write!(1, 0, 0, 0);
      wroteAfterKill = true;
      return 0;
    });
    expect(ga.exitCode).toBe(137);
    expect(wroteAfterKill).toBe(false);
    expect(trees.killedAt(a)).toBeLessThanOrEqual(trees.emptiedAt(a)!);
    expect(trees.killedAt(b)).toBeUndefined();
    w.start(gb, (imports) => imports.wasix_32v1!.fd_write!(1, 0, 0, 0));
    expect(gb.exitCode).toBeUndefined();
    expect(trees.live(a)).toBe(0);
  });

  it('a deadline ends the tree inside the worker, without the kernel', async () => {
    const trees = new ProcessTrees();
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    const t0 = performance.now();
    trees.startDeadline(tree, 20);
    expect(trees.expired(tree)).toBe(false);
    const guest = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    await new Promise((r) => setTimeout(r, 40));
    expect(trees.expired(tree)).toBe(true);
    w.start(guest, () => 0);
    const ended = performance.now();
    expect(guest.exitCode).toBe(137);
    expect(trees.killed(tree)).toBe(true);
    // Killed at its deadline (not when a worker or the kernel noticed), emptied when its last
    // process ended: both recorded in the control block.
    expect(trees.killedAt(tree)! - t0).toBeGreaterThanOrEqual(15);
    expect(trees.killedAt(tree)! - t0).toBeLessThan(30);
    expect(trees.emptiedAt(tree)).toBeGreaterThanOrEqual(t0 + 35);
    expect(trees.emptiedAt(tree)).toBeLessThanOrEqual(ended + 2);
  });

  /** Writes one relative clock subscription of `ns` (userdata 7) at 1024; the event goes to 2048. */
  function sleepCall(guest: FakeGuest, imports: Record<string, Record<string, Fn>>, ns: bigint): unknown {
    const v = new DataView(guest.memory.buffer);
    v.setBigUint64(1024, BigInt(7), true);
    v.setUint8(1024 + 8, 0);
    v.setBigUint64(1024 + 24, ns, true);
    v.setUint16(1024 + 40, 0, true);
    return imports.wasix_32v1!.poll_oneoff!(1024, 2048, 1, 3000);
  }

  it('a long sleep is waited in slices: a kill during it ends the process within one', () => {
    const { trees, w, tree, guest } = inTree(new ProcessTrees());
    // The kernel kills the tree while the guest is in its third slice of a 10 s sleep.
    guest.onPoll = (n) => n === 3 && trees.kill(tree);
    const t0 = performance.now();
    let woke = false;
    w.start(guest, (imports) => {
      sleepCall(guest, imports, BigInt(10e9));
      woke = true;
      return 0;
    });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(guest.exitCode).toBe(137);
    expect(woke).toBe(false);
    expect(guest.polls).toEqual([BigInt(50e6), BigInt(50e6), BigInt(50e6)]);
    // The guest's subscription record is given back as it wrote it.
    expect(new DataView(guest.memory.buffer).getBigUint64(1024 + 24, true)).toBe(BigInt(10e9));
  });

  it('a sliced sleep without a kill lasts its whole time and reports its own clock', () => {
    const { w, guest } = inTree(new ProcessTrees());
    const t0 = performance.now();
    const r = w.start(guest, (imports) => sleepCall(guest, imports, BigInt(180e6)));
    const ms = performance.now() - t0;
    expect(r).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(175);
    expect(guest.polls.length).toBeGreaterThanOrEqual(4); // 50 + 50 + 50 + what is left
    expect(guest.polls.every((ns) => ns <= BigInt(50e6) && ns > 0)).toBe(true);
    const v = new DataView(guest.memory.buffer);
    expect({ userdata: v.getBigUint64(2048, true), events: v.getUint32(3000, true) }).toEqual({
      userdata: BigInt(7),
      events: 1,
    });
    // A process of no tree of ours sleeps in one call, as before.
    const plain = new FakeGuest(['A=1']);
    w.start(plain, (imports) => sleepCall(plain, imports, BigInt(60e6)));
    expect(plain.polls).toEqual([BigInt(60e6)]);
  });

  it('a fork waits while 4 forked children have not started; a started child makes room, a kill ends the wait', () => {
    const trees = new ProcessTrees();
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    const env = [`${TREE_ENV}=${trees.token(tree)}`];
    const parent = new FakeGuest(env);
    const forks = (guest: FakeGuest, imports: Record<string, Record<string, Fn>>, n: number) => {
      for (let i = 0; i < n; i++) {
        imports.wasix_32v1!.proc_fork!(1, 0);
        guest.asyncify = 0; // rewound: the parent goes on
      }
    };
    w.start(parent, (imports) => forks(parent, imports, 4));
    expect(parent.forks).toBe(4);
    // One of the four children starts in another worker: its first call is the fork's rewind.
    const child = new FakeGuest(env);
    child.asyncify = 2;
    w.start(child, (imports) => {
      imports.wasix_32v1!.proc_fork!(1, 0);
      child.asyncify = 0;
      return imports.wasix_32v1!.fd_write!(1, 0, 0, 0);
    });
    // Room for one more fork at once; the sixth waits, and the tree's deadline ends the wait.
    const second = new FakeGuest(env);
    trees.startDeadline(tree, 150);
    const t0 = performance.now();
    w.start(second, (imports) => forks(second, imports, 2));
    const waited = performance.now() - t0;
    expect(second.forks).toBe(1);
    expect(second.exitCode).toBe(137);
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThan(900);
  });

  it("an orphaned tree's children wait to start one more than the pool has idle workers", () => {
    const trees = new ProcessTrees();
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    trees.orphaned(tree); // its command has ended
    const raw = new Int32Array(trees.control);
    const forkAll = (n: number) => {
      const g = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
      w.start(g, (imports) => {
        for (let i = 0; i < n; i++) {
          imports.wasix_32v1!.proc_fork!(1, 0);
          g.asyncify = 0;
        }
      });
      return g;
    };
    raw[4] = 2; // the kernel saw two idle workers (PAGE_FIELDS.idleWorkers)
    expect(forkAll(3).forks).toBe(3);
    // None idle: the next fork waits for one of the three to start; the deadline ends it.
    raw[4] = 0;
    trees.startDeadline(tree, 80);
    const g = forkAll(1);
    expect(g.forks).toBe(0);
    expect(g.exitCode).toBe(137);
  });

  it("with spare workers, an orphan's fork goes on only into an idle worker, says it waits, and a kill ends the wait", async () => {
    const trees = new ProcessTrees();
    const { tree, raw, forkOnce: fork } = orphanForks(trees);
    raw[6] = 1; // the kernel grows the pool (PAGE_FIELDS.spares)
    const forkOnce = () => fork().g;
    raw[4] = 1; // one idle worker (PAGE_FIELDS.idleWorkers)
    expect(forkOnce().forks).toBe(1);
    // Its child has not started: the idle worker is spoken for. Another thread (the kernel)
    // sees the fork waiting (PAGE_FIELDS.wantWorkers) and makes a worker idle after 100 ms.
    const { Worker } = await import('node:worker_threads');
    const seen = new Int32Array(new SharedArrayBuffer(4));
    const kernel = new Worker(
      `const { workerData } = require('node:worker_threads');
       const a = new Int32Array(workerData.control);
       Atomics.wait(a, 5, 0, 5000);
       const want = Atomics.load(a, 5);
       setTimeout(() => { new Int32Array(workerData.seen)[0] = want; Atomics.store(a, 4, 2); Atomics.notify(a, 4); }, 100);`,
      { eval: true, workerData: { control: trees.control, seen: seen.buffer } },
    );
    const t0 = performance.now();
    const second = forkOnce();
    const waited = performance.now() - t0;
    await kernel.terminate();
    expect(second.forks).toBe(1);
    expect(seen[0]).toBe(1); // the kernel saw one fork waiting
    expect(raw[5]).toBe(0); // and none waits now
    expect(waited).toBeGreaterThanOrEqual(80);
    expect(waited).toBeLessThan(2000);
    // Two children waiting, two idle workers: the next fork waits; the tree's kill ends it.
    trees.startDeadline(tree, 60);
    const third = forkOnce();
    expect(third.forks).toBe(0);
    expect(third.exitCode).toBe(137);
    expect(raw[5]).toBe(0);
  });

  it("an orphaned tree's fork past its cap kills the tree at once; a running command's gets EAGAIN", () => {
    const trees = new ProcessTrees({ perTree: 2, perPage: 100 });
    const w = workerScope();
    greet(w.scope, trees);
    const forkTwice = (tree: number) => {
      const g = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
      const r = w.start(g, (imports) => {
        const first = imports.wasix_32v1!.proc_fork!(1, 0);
        g.asyncify = 0;
        return [first, imports.wasix_32v1!.proc_fork!(1, 0)];
      });
      return { g, r };
    };
    const running = trees.open();
    // The parent and its child are the cap of 2. EAGAIN: the shell may retry.
    expect(forkTwice(running).r).toEqual([0, 6]);
    expect(trees.killed(running)).toBe(false);
    const orphan = trees.open();
    trees.orphaned(orphan);
    const t0 = performance.now();
    const { g } = forkTwice(orphan);
    expect(g.exitCode).toBe(137);
    expect(trees.killed(orphan)).toBe(true);
    expect(trees.killedAt(orphan)!).toBeGreaterThanOrEqual(t0 - 5);
  });

  it("an orphan's fork within 200 ms of its tree's deadline waits for it and ends there", () => {
    const trees = new ProcessTrees();
    const { tree, raw, forkOnce } = orphanForks(trees);
    raw[4] = 8; // idle workers: room for the fork but for the deadline
    trees.startDeadline(tree, 400);
    expect(forkOnce().g.forks).toBe(1); // 400 ms left: it goes on
    const sleep = performance.now() + 250;
    while (performance.now() < sleep); // now < 200 ms are left
    const { g, ms } = forkOnce();
    expect(g.forks).toBe(0);
    expect(g.exitCode).toBe(137);
    expect(ms).toBeGreaterThanOrEqual(100);
    expect(trees.killed(tree)).toBe(true);
  });

  it("an orphan's fork waits while the kernel's heartbeat is late (its scheduler would hold the child)", () => {
    const trees = new ProcessTrees();
    const { tree, raw, forkOnce: fork } = orphanForks(trees);
    const forkOnce = () => fork().g;
    const epoch = trees.greeting().epoch;
    raw[6] = 1; // spares on
    raw[4] = 4; // idle workers
    raw[7] = Date.now() - epoch; // a fresh heartbeat (PAGE_FIELDS.kernelBeat)
    expect(forkOnce().forks).toBe(1);
    const spin = performance.now() + 80;
    while (performance.now() < spin);
    raw[7] = Date.now() - epoch - 70; // the kernel is 70 ms behind
    trees.startDeadline(tree, 400);
    const late = forkOnce();
    expect(late.forks).toBe(0);
    expect(late.exitCode).toBe(137);
  });

  it('without the greeting (not our worker) nothing is counted or refused', () => {
    const trees = new ProcessTrees({ perTree: 1, perPage: 1 });
    const w = workerScope();
    const tree = trees.open();
    const guest = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    const r = w.start(guest, (imports) => {
      const first = imports.wasix_32v1!.proc_fork!(1, 0);
      guest.asyncify = 0;
      return [first, imports.wasix_32v1!.proc_fork!(1, 0)];
    });
    expect(r).toEqual([0, 0]);
    expect(trees.live(tree)).toBe(0);
  });

  it('release writes off what a killed tree still counts', () => {
    const { trees, w, tree, guest } = inTree(new ProcessTrees({ perTree: 4, perPage: 100 }));
    w.start(guest, (imports) => {
      imports.wasix_32v1!.proc_fork!(1, 0);
      guest.asyncify = 0; // the parent goes on and ends; its child never runs
      return 0;
    });
    expect(trees.pageLive()).toBe(1);
    trees.release(tree);
    expect(trees.live(tree)).toBe(0);
    expect(trees.pageLive()).toBe(0);
  });

  it('a write-off is not subtracted again when the processes it wrote off end', () => {
    const trees = new ProcessTrees({ perTree: 4, perPage: 100 });
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    // The kernel writes the tree off while its process still runs (release), then it ends.
    w.start(new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]), () => trees.release(tree));
    const raw = new Int32Array(trees.control);
    expect(raw[0]).toBe(0); // the page's live count, unclamped: not -1
    expect(trees.live(tree)).toBe(0);
  });

  it('guest memories are counted from when a worker makes or runs one; forks past the budget fail', () => {
    const trees = new ProcessTrees({ perTree: 10, perPage: 3 });
    // Another worker (idle, after its guests ended) holds two memories it has not collected.
    const idle = workerScope();
    greet(idle.scope, trees);
    const made = new idle.scope.WebAssembly.Memory({ initial: 1 });
    expect(made).toBeInstanceOf(WebAssembly.Memory);
    new idle.scope.WebAssembly.Memory({ initial: 1 });
    expect(trees.memories()).toBe(2);
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    const guest = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    const results: unknown[] = [];
    // The guest's own memory makes 3; its worker's own memories do not count for its fork (V8
    // collects that worker before failing to reserve one), the other's 2 and the live guest do:
    // a load of 3 (the budget), so its fork is refused although its tree has room.
    w.start(guest, (imports) => results.push(trees.memories(), imports.wasix_32v1!.proc_fork!(1, 0)));
    expect(results).toEqual([3, 6]);
    expect(trees.stats(tree)).toMatchObject({ spawns: 0, denied: 1 });
  });

  it("a busy worker's own memories do not refuse its forks (a shell running a loop of commands)", () => {
    const trees = new ProcessTrees({ perTree: 10, perPage: 3 });
    const w = workerScope();
    greet(w.scope, trees);
    // Memories the shell's worker made for children that have ended, not yet collected there.
    for (let i = 0; i < 3; i++) new w.scope.WebAssembly.Memory({ initial: 1 });
    const tree = trees.open();
    const guest = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    const results: unknown[] = [];
    w.start(guest, (imports) => results.push(trees.memories(), imports.wasix_32v1!.proc_fork!(1, 0)));
    expect(results).toEqual([4, 0]);
    expect(trees.stats(tree)).toMatchObject({ spawns: 1, denied: 0 });
  });

  it('a tree variable the guest set itself (not inherited) ends the process; none at all is left alone', () => {
    const trees = new ProcessTrees();
    const w = workerScope();
    greet(w.scope, trees);
    const tree = trees.open();
    // `SANDPIT_TREE=0 sh`, another id, or the right id without its nonce: ended at once.
    for (const value of ['0', `${tree}`, `${tree}:1`, `${tree + 1}:${trees.token(tree).split(':')[1]}`, 'x']) {
      const guest = new FakeGuest([`${TREE_ENV}=${value}`]);
      let ran = false;
      w.start(guest, () => (ran = true));
      expect({ value, exit: guest.exitCode, ran }).toEqual({ value, exit: 137, ran: false });
    }
    const plain = new FakeGuest(['A=1']);
    w.start(plain, () => 0);
    expect(plain.exitCode).toBeUndefined();
    const right = new FakeGuest([`${TREE_ENV}=${trees.token(tree)}`]);
    w.start(right, () => 0);
    expect(right.exitCode).toBeUndefined();
  });
});
