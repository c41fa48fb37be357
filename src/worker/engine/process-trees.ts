// The kernel side of guest-limits.ts: one control block shared with every SDK worker, one slot
// per command we start (its process tree). The workers count a tree's live processes, refuse
// its forks past the cap and end its processes once its kill flag is set.
import {
  GREETING,
  HEADER_INTS,
  PAGE_FIELDS as P,
  TREE_FIELDS as F,
  TREE_STRIDE,
  type GuestLimitsGreeting,
} from './guest-limits';

/** Slots in the control block; a tree id's slot is `id % SLOTS` (ids only grow). */
const SLOTS = 1024;

export interface TreeLimits {
  /** Live processes (and threads) one command's tree may have; forks past it fail with EAGAIN. */
  perTree: number;
  /**
   * The page's budget of guest wasm memories, all sandboxes together: memories held (by live
   * processes, and by ended ones not yet collected) plus live processes (whose memory may not
   * be held by any worker yet); forks past it fail (guest-limits.ts pageLoad).
   */
  perPage: number;
}

/**
 * Defaults. A page has address space for ~124 wasm memories (docs/processes.md): forks stop at
 * a load of 112, which leaves the rest for commands started by the kernel (a command's first
 * process is not refused; its allocation failing would end the SDK's whole pool). The load
 * counts a running process twice (its memory and itself), so one runaway tree at its cap of
 * 32 is ~64-80 of it. A shell pipeline of 10 stages with subshells fits in 32.
 */
export const DEFAULT_LIMITS: TreeLimits = { perTree: 32, perPage: 112 };

/**
 * The load past which SDK workers collect their garbage: 16 short of the budget. Collecting
 * costs CPU a growing bomb and its emptying compete for (at two thirds of the budget, one bomb
 * already crossed it: kill noticed ~0.8 s later and emptied ~0.7 s slower than without), and
 * memories of ended guests need collecting only for the budget to serve the next forks. A
 * worker keeps its due collections until the mark is crossed (guest-limits.ts nudge).
 */
const pressureMark = (cap: number): number => Math.max(1, cap - 16);

export class ProcessTrees {
  readonly control = new SharedArrayBuffer((HEADER_INTS + SLOTS * TREE_STRIDE) * 4);
  private readonly ctl = new Int32Array(this.control);
  private next = 1;
  private readonly epoch = Date.now();
  /** `performance.now()` at the epoch: times the workers record are turned into the kernel's. */
  private readonly epochPerf = performance.now();

  constructor(private readonly limits: TreeLimits = DEFAULT_LIMITS) {
    this.ctl[P.memoryCap] = limits.perPage;
    this.ctl[P.pressure] = pressureMark(limits.perPage);
  }

  /** What every new SDK worker is told first (worker-census.ts posts it). */
  greeting(): GuestLimitsGreeting {
    return { type: GREETING, control: this.control, slots: SLOTS, epoch: this.epoch };
  }

  private at(tree: number, field: number): number {
    return HEADER_INTS + (tree % SLOTS) * TREE_STRIDE + field;
  }

  /** A new tree for one command; its processes find it through `token` (guest-limits.ts TREE_ENV). */
  open(): number {
    // Skip slots still held by a tree with live processes (a long-running orphan).
    for (let tries = 0; tries < SLOTS; tries++) {
      const id = this.next++;
      const prev = Atomics.load(this.ctl, this.at(id, F.owner));
      if (prev && Atomics.load(this.ctl, this.at(prev, F.live)) > 0) continue;
      const base = this.at(id, 0);
      for (let i = 0; i < TREE_STRIDE; i++) Atomics.store(this.ctl, base + i, 0);
      Atomics.store(this.ctl, this.at(id, F.cap), this.limits.perTree);
      Atomics.store(this.ctl, this.at(id, F.nonce), 1 + Math.floor(Math.random() * 0x7ffffffe));
      Atomics.store(this.ctl, this.at(id, F.owner), id);
      return id;
    }
    throw new Error('no free process tree slot');
  }

  /**
   * The tree's one deadline, `timeoutMs` from now: set when its command has started, as the
   * command's own timeout counts from then (processes.ts), so a tree that ends itself at its
   * deadline is never ended before the command's timeout is due. Every process of the tree
   * ends at its first system call past it (the SDK workers check it), and the kernel kills a
   * tree that outlived its command once it has passed (sandbox.ts).
   */
  startDeadline(tree: number, timeoutMs: number): void {
    if (timeoutMs <= 0 || !this.owned(tree)) return;
    Atomics.store(this.ctl, this.at(tree, F.deadline), Math.max(1, Date.now() - this.epoch + timeoutMs));
  }

  /** The tree's deadline has passed. */
  expired(tree: number): boolean {
    if (!this.owned(tree)) return false;
    const deadline = Atomics.load(this.ctl, this.at(tree, F.deadline));
    return deadline > 0 && Date.now() - this.epoch >= deadline;
  }

  /** The value of the tree's variable (TREE_ENV) for its command's environment. */
  token(tree: number): string {
    return `${tree}:${Atomics.load(this.ctl, this.at(tree, F.nonce))}`;
  }

  private owned(tree: number): boolean {
    return tree > 0 && Atomics.load(this.ctl, this.at(tree, F.owner)) === tree;
  }

  /** The tree's command has ended; what runs on are orphans (guest-limits.ts queueLimit). */
  orphaned(tree: number): void {
    if (this.owned(tree)) Atomics.store(this.ctl, this.at(tree, F.orphan), 1);
  }

  /** Every process of the tree ends at its next system call (or when its blocking call returns). */
  kill(tree: number): void {
    if (!this.owned(tree)) return;
    if (Atomics.compareExchange(this.ctl, this.at(tree, F.kill), 0, 1) !== 0) return;
    // Past its deadline the tree was due then, whoever notices it (guest-limits.ts killed()).
    const deadline = Atomics.load(this.ctl, this.at(tree, F.deadline));
    const at = this.expired(tree) ? deadline : Math.max(1, Date.now() - this.epoch);
    Atomics.compareExchange(this.ctl, this.at(tree, F.killedAt), 0, at);
    // Its forks waiting for room (guest-limits.ts queueRoom) end now rather than at their next look.
    Atomics.notify(this.ctl, this.at(tree, F.queued));
    Atomics.notify(this.ctl, P.idleWorkers);
  }

  /**
   * When the tree was killed and when its last counted process ended after that, as
   * `performance.now()` times (undefined: not yet). Recorded by whoever did it (the kernel or
   * the SDK worker where it happened), so they do not depend on when the kernel looks.
   */
  killedAt(tree: number): number | undefined {
    return this.timeOf(tree, F.killedAt);
  }

  emptiedAt(tree: number): number | undefined {
    return this.timeOf(tree, F.emptiedAt);
  }

  private timeOf(tree: number, field: number): number | undefined {
    const v = this.owned(tree) ? Atomics.load(this.ctl, this.at(tree, field)) : 0;
    return v > 0 ? this.epochPerf + v : undefined;
  }

  killed(tree: number): boolean {
    return this.owned(tree) && Atomics.load(this.ctl, this.at(tree, F.kill)) !== 0;
  }

  /** Live processes and threads of the tree that made at least one system call. */
  live(tree: number): number {
    return this.owned(tree) ? Math.max(0, Atomics.load(this.ctl, this.at(tree, F.live))) : 0;
  }

  /** Forks/spawns the tree made, and how many the cap refused. */
  stats(tree: number): { spawns: number; denied: number; live: number } {
    if (!this.owned(tree)) return { spawns: 0, denied: 0, live: 0 };
    return {
      spawns: Atomics.load(this.ctl, this.at(tree, F.spawns)),
      denied: Atomics.load(this.ctl, this.at(tree, F.denied)),
      live: this.live(tree),
    };
  }

  /** Forgets the tree's live count (it emptied, or its rest never ran and cannot leave). */
  release(tree: number): void {
    if (!this.owned(tree)) return;
    const left = Atomics.exchange(this.ctl, this.at(tree, F.live), 0);
    if (left > 0) Atomics.sub(this.ctl, P.live, left);
    // Its children that never started never will: forks waiting for them go on.
    Atomics.store(this.ctl, this.at(tree, F.queued), 0);
    Atomics.notify(this.ctl, this.at(tree, F.queued));
  }

  /** Live guest processes on the page (of every tree). */
  pageLive(): number {
    return Math.max(0, Atomics.load(this.ctl, P.live));
  }

  /** Guest wasm memories the page's SDK workers hold (made or run, not yet collected). */
  memories(): number {
    return Math.max(0, Atomics.load(this.ctl, P.memories));
  }

  /** Waits until the tree has no live process, up to `ms`; true if it emptied. */
  async drained(tree: number, ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    while (this.live(tree) > 0) {
      if (performance.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  /** All counts start again (the engine restarted: every guest is gone). */
  reset(): void {
    for (let i = 0; i < SLOTS; i++) {
      Atomics.store(this.ctl, HEADER_INTS + i * TREE_STRIDE + F.live, 0);
    }
    Atomics.store(this.ctl, P.live, 0);
    Atomics.store(this.ctl, P.memories, 0);
  }
}
