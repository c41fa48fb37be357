// One sandbox's engine: its guest processes, how a command string becomes one, and the SDK
// sandbox they run in. The SDK sandbox is disposable (our VFS holds the files): it is replaced
// when it holds orphaned guests (processes of a command that ended: its process tree still
// counts live ones, or it was killed, or it had a background job) and when the runtime restarts
// after its scheduler died. The replacement is built as soon as it is known to be needed (when
// the command ends), so the next command does not wait for the build.
import { KernelError } from '../errors';
import type { SpawnRequest, StreamSinks } from '../protocol';
import { TREE_ENV } from './guest-limits';
import type { ProcessTrees } from './process-trees';
import { ProcessTable, type GuestProcess } from './processes';
import type { Sdk } from './sdk';
import type { EarlyRunQuery } from './early-run';

export type WasmerSandbox = Awaited<ReturnType<InstanceType<Sdk['Wasmer']>['sandboxes']['create']>>;

export type ResolvedSpawn = SpawnRequest & { cwd: string; env: Record<string, string>; timeoutMs: number };

/** An SDK sandbox over our VFS, and how to take its host mounts down again. */
export interface BuiltSandbox {
  sandbox: WasmerSandbox;
  unmount: () => void;
  /**
   * Settles once the binaries loaded after start-up are installed in `sandbox` (undefined: they
   * were there from the start). Commands that may need them wait for it (early-run.ts).
   */
  complete?: Promise<void>;
}

/** What an engine sandbox needs from its runtime. */
export interface EngineHost {
  /** A fresh SDK sandbox over this sandbox's VFS (with the runtime's current client). */
  build(): Promise<BuiltSandbox>;
  /** Before each spawn: a runtime restart in progress, to wait for. */
  beforeSpawn(): Promise<void> | undefined;
  /** The command can start before the late binaries are installed (early-run.ts). */
  runsEarly?(q: EarlyRunQuery): boolean;
  /** Engine wasm memory in bytes (shared by the page's sandboxes). */
  memoryBytes(): number;
  /** A mark taken when a process starts, handed back to `ended` when it ends. */
  started(): number;
  /** Returns how many engine workers the process tree started. */
  ended(mark: number): number;
  /** The SDK reported its scheduler dead: restart the runtime (rebuilds every sandbox). */
  engineDied(err: unknown): Promise<void>;
  /** The engine sandbox is closed for good. */
  forget(): void;
  /** Process trees of the page (one per command; guest-limits.ts). */
  trees: ProcessTrees;
}

/** A process tree that outlived its command: when it was killed and emptied (ms after the start). */
export interface OrphanTree {
  tree: number;
  command: string;
  /** Killed at (its deadline, or when it hit its cap with its command over); undefined: ended alone. */
  killMs?: number;
  /** No process of the tree left at. */
  emptyMs?: number;
  /** Most live processes seen at once (sampled). */
  peak: number;
  spawns: number;
  denied: number;
  /** SDK workers started on the page meanwhile (all sandboxes). */
  workers: number;
}

/** How often a tree that outlived its command is checked (for its deadline and its cap). */
const ORPHAN_CHECK_MS = 25;
/** A tree whose processes all ended is let go after this long without any (late joiners). */
const ORPHAN_QUIET_MS = 300;
/**
 * How long a spawn waits for finished trees to drain before it replaces the SDK sandbox: a
 * child's worker counts its end a few ms after its parent (and so the command) saw it exit.
 */
const DRAIN_MS = 25;
/** Orphans of one tree few enough to build the replacement beside them (see #spareWanted). */
const QUIET_ORPHANS = 2;
/** A killed tree still counting processes this long after the kill is let go (see below). */
const KILL_WRITE_OFF_MS = 3000;

const DEFAULT_OUTPUT = 16 << 20;

/**
 * A background job (`cmd &`; not `&&`, `&>`, `>&`, `|&`) can outlive its command. Its tree's
 * live count does not see every guest (modules run through JSPI, e.g. python, and processes
 * that cleared their environment are not counted: guest-limits.ts), so after such a command the
 * SDK sandbox is replaced before the next one, as docs/processes.md promises.
 */
const BACKGROUND = /(^|[^&>|<])&(?![&>])/;

/** Errors by which @wasmer/sdk 0.16 says its client or shared thread pool is gone. */
export function isEngineDead(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  // The last one: a spawn that raced a restart reached the old, closed client.
  return /Scheduler is dead|thread pool is shut down|client is shut down/i.test(text);
}

export class EngineSandbox {
  readonly processes = new ProcessTable();
  #current: Promise<BuiltSandbox>;
  /** Spawns between their start and their entry in the process table. */
  #spawning = 0;
  /**
   * The SDK sandbox must be replaced before the next command once nothing of ours runs: a
   * command was killed or timed out, had a background job, or a killed tree was written off.
   * Otherwise it is replaced only if a finished command's tree still counts live processes.
   */
  #replace = false;
  /** An SDK sandbox built ahead, for the next replacement (undefined: none, or it failed). */
  #spare: Promise<BuiltSandbox> | undefined;
  #closed = false;
  /** How often the SDK sandbox was rebuilt (orphans, dead engine); for tests and metrics. */
  rebuilds = 0;

  constructor(
    private readonly host: EngineHost,
    first: BuiltSandbox,
    readonly shell: string,
    readonly baseEnv: Record<string, string>,
  ) {
    this.#current = Promise.resolve(first);
  }

  /** Starts `shell -c command` (or `argv`) as a guest process in the table. */
  async spawn(command: string, req: ResolvedSpawn, sinks?: StreamSinks): Promise<GuestProcess> {
    if (this.#closed) throw new KernelError('CLOSED', 'sandbox is closed');
    const [name, ...args] = req.argv ?? [this.shell, '-c', command];
    if (!name) throw new KernelError('EINVAL', 'empty argv');
    // The SDK reports every stdio as a terminal, so without a real one say so: SANDPIT_NOTTY
    // makes compat's isatty() false (stdio fully buffered, `ls` one name per line, `[ -t 1 ]`
    // false) and NO_COLOR turns colours off (jq and others); a caller's own env wins.
    const noTty: Record<string, string> = req.terminal ? {} : { NO_COLOR: '1', SANDPIT_NOTTY: '1' };
    // Every process of this command, forked or spawned, finds its tree through this variable
    // or its parent's memory (guest-limits.ts); the tree is what a timeout or kill ends.
    const tree = this.host.trees.open();
    const env = { ...this.baseEnv, ...noTty, ...req.env, PWD: req.cwd, [TREE_ENV]: this.host.trees.token(tree) };
    /** When the command started: its timeout and its tree's deadline count from here. */
    let started = 0;
    const options = {
      ...(req.terminal ? { terminal: { columns: req.terminal.cols, rows: req.terminal.rows } } : {}),
      stdin: req.openStdin || req.stdin ? ('pipe' as const) : ('closed' as const),
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
    };
    await this.host.beforeSpawn();
    this.#spawning++;
    const label = command || (req.argv ?? []).join(' ');
    let p: GuestProcess;
    try {
      const early = () =>
        this.host.runsEarly?.({
          command,
          ...(req.argv ? { argv: req.argv } : {}),
          ...(req.env ? { env: req.env } : {}),
          ...(req.terminal ? { terminal: true } : {}),
        }) ?? false;
      const start = async () => {
        const built = await this.#sandbox();
        if (built.complete && !early()) await built.complete;
        return built.sandbox.command(name, args, { cwd: req.cwd, env }).spawn(options);
      };
      let proc;
      try {
        proc = await start();
      } catch (err) {
        if (!isEngineDead(err)) throw err;
        // The page's engine died (e.g. a fork bomb elsewhere): restart it and try once more.
        await this.host.engineDied(err);
        proc = await start();
      }
      p = this.processes.add(label, proc, req.outputBytes ?? DEFAULT_OUTPUT, sinks, req.timeoutMs, () => {
        this.host.trees.kill(tree);
      });
      // The process's timeout counts from now; so does the tree's (else it ends early: 'exited').
      started = performance.now();
      this.host.trees.startDeadline(tree, req.timeoutMs);
      this.#trees.add(tree);
    } finally {
      this.#spawning--;
    }
    const mark = this.host.started();
    const ended = (reason: string) => {
      // The runtime's storm watch (workers still being started after the command).
      this.host.ended(mark);
      // A killed tree may hold guests spinning without system calls (the kill flag never
      // reaches them) or uncounted ones: only closing the SDK sandbox ends those.
      const replace = reason !== 'exited' || BACKGROUND.test(label);
      this.#ended(p.abandoned, replace, tree);
      this.#watchOrphans(tree, label, started, mark);
    };
    void p.done.then(
      (reply) => ended(reply.reason),
      (err: unknown) => {
        if (isEngineDead(err)) void this.host.engineDied(err);
        ended('failed');
      },
    );
    if (req.stdin) {
      await p.writeStdin(req.stdin);
      if (!req.openStdin) await p.closeStdin();
    }
    return p;
  }

  /**
   * A process ended. Guests it left behind (`cmd &`, a fork bomb's children) cannot all be
   * ended one by one, so once nothing of ours runs, the SDK sandbox is replaced before the next
   * command: closing it ends every guest in it. When that looks needed now, the replacement is
   * built at once, while the caller reads the result (the old one is closed only at the next
   * spawn, so a background job runs until then, as before).
   */
  #ended(abandoned: boolean, replace: boolean, tree: number): void {
    if (replace) this.#replace = true;
    if (abandoned) this.rebuild();
    else if (this.#replace && this.host.trees.live(tree) === 0) this.#prebuild();
    // Otherwise #watchOrphans decides, from its first check on (ORPHAN_CHECK_MS after the end).
  }

  /**
   * Whether to build the replacement now, from a finished tree's counts: a few quiet orphans
   * (the next command will replace the SDK sandbox), or none left after a command that asked
   * for a replacement. Not while a tree storms (a fork bomb's orphans, or one being killed):
   * a build then competes with it for the engine and the kernel thread.
   */
  #spareWanted(tree: number, s: { live: number; denied: number }): boolean {
    if (this.#spare || this.#closed || this.#retired.has(tree)) return false;
    if (s.live === 0) return this.#replace;
    return s.live <= QUIET_ORPHANS && s.denied === 0 && !this.host.trees.killed(tree);
  }

  /** Starts building the next SDK sandbox, unless one is built or being built. */
  #prebuild(): void {
    if (this.#closed || this.#spare) return;
    const spare = this.host.build();
    this.#spare = spare;
    // A failed build is not kept: the replacement builds again.
    spare.catch(() => {
      if (this.#spare === spare) this.#spare = undefined;
    });
  }

  /** Some finished command's tree still has live processes (orphans we can see). */
  #orphansLive(): boolean {
    for (const t of this.#trees) if (!this.#retired.has(t) && this.host.trees.live(t) > 0) return true;
    return false;
  }

  /** Trees of this sandbox's commands that may still have processes. */
  readonly #trees = new Set<number>();
  /**
   * Trees whose SDK sandbox was replaced (and their kill flag set): what is left of them is in
   * a closed SDK sandbox, so replacing the current one again would not end it.
   */
  readonly #retired = new Set<number>();
  /** Trees that outlived their command and how they ended (for tests and docs/processes.md). */
  readonly orphanTrees: OrphanTree[] = [];

  /**
   * The command's own process ended. Processes it left (`cmd &`, a fork bomb's children) are
   * ended when its deadline passes, and at once when they hit the tree's cap: a tree whose
   * command is over and that still forks past its cap is a runaway.
   */
  #watchOrphans(tree: number, command: string, started: number, mark: number): void {
    const trees = this.host.trees;
    trees.orphaned(tree);
    let quietSince = performance.now();
    let seen = false;
    let killMs: number | undefined;
    let emptyMs: number | undefined;
    let peak = 0;
    const timer = setInterval(() => {
      const s = trees.stats(tree);
      const now = performance.now();
      if (this.#spareWanted(tree, s)) this.#prebuild();
      if (s.live > 0) {
        seen = true;
        peak = Math.max(peak, s.live);
        quietSince = now;
        emptyMs = undefined;
        if (!trees.killed(tree) && (s.denied > 0 || trees.expired(tree))) trees.kill(tree);
        if (trees.killed(tree)) {
          // When it was killed and emptied, as recorded where that happened (process-trees.ts):
          // this check runs late while the page is busy.
          killMs ??= Math.round((trees.killedAt(tree) ?? now) - started);
          // Counted children that never got to run cannot leave: write them off.
          if (now - started - killMs < KILL_WRITE_OFF_MS) return;
        } else return;
      } else {
        // Killed and emptied between two checks (they run late while the page is busy).
        const killedAt = trees.killedAt(tree);
        if (killedAt !== undefined) killMs ??= Math.round(killedAt - started);
        emptyMs ??= Math.round((trees.emptiedAt(tree) ?? now) - started);
        if (now - quietSince < ORPHAN_QUIET_MS) return;
      }
      clearInterval(timer);
      // Written off with processes still counted: they may run later, in this SDK sandbox.
      if (s.live > 0 && !this.#retired.has(tree)) this.#replace = true;
      trees.release(tree);
      this.#trees.delete(tree);
      this.#retired.delete(tree);
      if (seen) {
        const end: OrphanTree = {
          tree,
          command,
          killMs,
          emptyMs,
          peak,
          spawns: s.spawns,
          denied: s.denied,
          workers: this.host.started() - mark,
        };
        this.orphanTrees.push(end);
        if (this.orphanTrees.length > 32) this.orphanTrees.shift();
        console.info(`sandpit: process tree ended ${JSON.stringify(end)}`);
      }
    }, ORPHAN_CHECK_MS);
  }

  /** Ends every process of this sandbox's trees (before its SDK sandbox is closed). */
  #killTrees(): void {
    for (const t of this.#trees) this.host.trees.kill(t);
  }

  /** Bytes of the page engine's wasm memory (shared by every sandbox of the page). */
  memoryBytes(): number {
    return this.host.memoryBytes();
  }

  /** Something of ours runs or is starting in it. */
  busy(): boolean {
    return this.processes.liveCount() > 0 || this.#spawning > 0;
  }

  /** The SDK sandbox to start the next process in: a fresh one if the last holds orphans. */
  async #sandbox(): Promise<BuiltSandbox> {
    const idle = () => this.processes.liveCount() === 0 && this.#spawning <= 1;
    if (idle() && !this.#replace && this.#orphansLive()) {
      const until = performance.now() + DRAIN_MS;
      while (this.#orphansLive() && performance.now() < until) await new Promise((r) => setTimeout(r, 2));
    }
    if (idle() && (this.#replace || this.#orphansLive())) this.rebuild();
    return this.#current;
  }

  /**
   * Closes the SDK sandbox (ending every guest in it) and puts a new one over the same VFS in
   * its place: the one built ahead if there is one.
   */
  rebuild(): void {
    this.#replace = false;
    this.rebuilds++;
    for (const t of this.#trees) this.#retired.add(t);
    const spare = this.#spare;
    this.#spare = undefined;
    const old = this.#current;
    // The old one's trees are killed (their counted processes end at their next system call)
    // before the new one is handed out; closing it (for guests the kill flag does not reach)
    // goes on beside the next command instead of before it.
    this.#current = old
      .then(
        (b) => void this.#dispose(b),
        () => undefined,
      )
      .then(() => (spare ? spare.catch(() => this.host.build()) : this.host.build()));
    // A failed build is retried by the next spawn.
    this.#current.catch(() => (this.#replace = true));
  }

  /** The runtime restarted: every process of the old engine is gone, build on the new one. */
  restarted(ready: Promise<void>): void {
    this.processes.abandonAll('the engine restarted');
    this.#replace = false;
    for (const t of this.#trees) this.#retired.add(t);
    // A sandbox built ahead belongs to the dead engine too.
    this.#dropSpare();
    this.rebuilds++;
    const old = this.#current;
    // The dead engine's sandbox may never answer close(): do not wait for it.
    void old.then((b) => this.#dispose(b)).catch(() => undefined);
    this.#current = ready.then(() => this.host.build());
    this.#current.catch(() => (this.#replace = true));
  }

  /** Closes the sandbox built ahead, if any (it never ran anything of ours). */
  #dropSpare(): void {
    const spare = this.#spare;
    this.#spare = undefined;
    void spare
      ?.then(async (b) => {
        try {
          await Promise.race([b.sandbox.close(), new Promise((r) => setTimeout(r, 2000))]);
        } finally {
          b.unmount();
        }
      })
      .catch(() => undefined);
  }

  async #dispose(b: BuiltSandbox): Promise<void> {
    this.#killTrees();
    try {
      await Promise.race([b.sandbox.close(), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // Closing a broken sandbox fails; its mounts still come down.
    } finally {
      b.unmount();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.host.forget();
    await this.processes.killAll();
    this.processes.abandonAll('the sandbox closed');
    this.#dropSpare();
    const b = await this.#current.catch(() => undefined);
    if (b) await this.#dispose(b);
  }
}
