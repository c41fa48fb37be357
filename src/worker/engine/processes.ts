// The process table: every guest command the kernel started, with its output collected up to
// a cap (the rest still streams to callbacks), its stdin, and its end as a RunReply.
import { KernelError } from '../errors';
import type { ProcessInfo, RunReply, StreamSinks } from '../protocol';
import type { Sdk } from './sdk';

type SdkProcess = InstanceType<Sdk['Process']>;

/** Collects one output stream: keeps the first `cap` bytes, forwards every chunk. */
class Collector {
  private parts: Uint8Array[] = [];
  private kept = 0;
  truncated = false;

  constructor(
    private readonly cap: number,
    private readonly forward?: (chunk: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    this.forward?.(chunk);
    const room = this.cap - this.kept;
    if (room <= 0) {
      this.truncated ||= chunk.length > 0;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.parts.push(part.slice());
    this.kept += part.length;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.kept);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function drain(stream: AsyncIterable<Uint8Array> | null, into: Collector, afterChunk: () => void): Promise<void> {
  if (!stream) return;
  for await (const chunk of stream) {
    into.push(chunk);
    afterChunk();
  }
}

/** After a kill, how long the SDK gets to report the end before the process is given up. */
const KILL_GRACE_MS = 3000;

/**
 * After a kill or timeout, how long the reply waits for the SDK's report of the end. Under an
 * output flood that report queues behind every chunk the guest wrote before it died (measured:
 * ~1 s after 10 s of `head -c 1G /dev/zero`); the kill flag has already ended the tree at its
 * next system call, so the caller gets its reply now and the end is followed in the background.
 */
const KILL_REPLY_MS = 100;

export class GuestProcess {
  readonly startedAt = Date.now();
  private readonly started = performance.now();
  private killed = false;
  private timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  private replyTimer: ReturnType<typeof setTimeout> | undefined;
  private killedAt: number | undefined;
  /** Ends `done` now as killed or timed out, without waiting for the SDK's report of the end. */
  private replyNow: () => void = () => undefined;
  /** The same, with why on stderr: its engine died or never answered a kill. */
  private giveUp: (why: string) => void = () => undefined;
  /** The SDK never reported this process's end: its sandbox must be rebuilt. */
  abandoned = false;
  readonly done: Promise<RunReply>;

  constructor(
    readonly pid: number,
    readonly command: string,
    private readonly proc: SdkProcess,
    outputBytes: number,
    sinks: StreamSinks | undefined,
    timeoutMs = 0,
    /** Ends the rest of the process's tree (its children and orphans; process-trees.ts). */
    private readonly killTree: () => void = () => undefined,
  ) {
    const out = new Collector(outputBytes, sinks?.onStdout ? (c) => void sinks.onStdout?.(c) : undefined);
    const err = new Collector(outputBytes, sinks?.onStderr ? (c) => void sinks.onStderr?.(c) : undefined);
    // Our own timer: the SDK's timeout does not stop a shell waiting on a sleeping child,
    // a hard kill does (and keeps the sandbox and its files).
    const deadline = timeoutMs > 0 ? this.started + timeoutMs : Infinity;
    const expire = (): void => {
      if (this.timedOut) return;
      this.timedOut = true;
      this.forceKill();
    };
    if (timeoutMs > 0) this.timer = setTimeout(expire, timeoutMs);
    // Under an output flood the chunks keep the event loop busy and the timer fires late:
    // the deadline is also checked after every chunk.
    const afterChunk = (): void => {
      const now = performance.now();
      if (now >= deadline) expire();
      // The chunks may arrive as one long run of microtasks, where no timer fires.
      if (this.killedAt !== undefined && now - this.killedAt >= KILL_REPLY_MS) this.replyNow();
    };
    const reply = (reason: RunReply['reason'], exitCode: number): RunReply => ({
      stdout: out.bytes(),
      stderr: err.bytes(),
      exitCode,
      durationMs: performance.now() - this.started,
      truncated: out.truncated || err.truncated,
      reason,
    });
    const natural = (async () => {
      const drained = Promise.all([drain(proc.stdout, out, afterChunk), drain(proc.stderr, err, afterChunk)]);
      const result = await proc.wait();
      // What was written is already in the pipes; orphaned grandchildren may hold them open
      // for ever, so the readers get a short grace, not an unbounded wait.
      await Promise.race([drained, sleep(this.killed || this.timedOut ? 50 : 250)]);
      // Past its deadline the tree's processes end themselves (guest-limits.ts), maybe before
      // our timer fired: that is the timeout too.
      if (performance.now() >= deadline) this.timedOut = true;
      const reason =
        this.timedOut || result.reason === 'timeout'
          ? 'timeout'
          : this.killed || result.reason === 'terminated'
            ? 'killed'
            : 'exited';
      return reply(
        reason,
        reason === 'timeout' ? 124 : reason === 'killed' && result.exitCode === 0 ? 137 : result.exitCode,
      );
    })();
    const cut = new Promise<RunReply>((resolve) => {
      this.replyNow = () => resolve(reply(this.timedOut ? 'timeout' : 'killed', this.timedOut ? 124 : 137));
    });
    this.giveUp = (why) => {
      this.abandoned = true;
      err.push(new TextEncoder().encode(`sandpit: ${why}\n`));
      this.replyNow();
    };
    this.done = Promise.race([natural, cut]).finally(() => {
      clearTimeout(this.timer);
      clearTimeout(this.watchdog);
      clearTimeout(this.replyTimer);
    });
  }

  /** Kills through the SDK; if it does not report the end in time, gives the process up. */
  private forceKill(): void {
    this.killTree();
    void this.proc.kill().catch(() => undefined);
    this.killedAt ??= performance.now();
    this.replyTimer ??= setTimeout(() => this.replyNow(), KILL_REPLY_MS);
    this.watchdog ??= setTimeout(() => this.giveUp('the engine did not stop the process in time'), KILL_GRACE_MS);
  }

  /** Ends the process's reply now: its engine is gone. */
  abandon(why: string): void {
    this.giveUp(why);
  }

  async writeStdin(data: Uint8Array): Promise<void> {
    if (!this.proc.stdin) throw new KernelError('EINVAL', `process ${this.pid} has no open stdin`);
    await this.proc.stdin.write(data);
  }

  async closeStdin(): Promise<void> {
    await this.proc.stdin?.close();
  }

  async kill(): Promise<void> {
    this.killed = true;
    this.forceKill();
  }

  resize(cols: number, rows: number): void {
    this.proc.resizeTerminal(cols, rows);
  }

  info(): ProcessInfo {
    return { pid: this.pid, command: this.command, startedAt: this.startedAt };
  }
}

export class ProcessTable {
  private readonly live = new Map<number, GuestProcess>();
  /** Recently ended processes, so a late wait() still gets the reply; oldest dropped first. */
  private readonly ended = new Map<number, GuestProcess>();
  private nextPid = 100;

  add(
    command: string,
    proc: SdkProcess,
    outputBytes: number,
    sinks?: StreamSinks,
    timeoutMs = 0,
    killTree?: () => void,
  ): GuestProcess {
    const p = new GuestProcess(this.nextPid++, command, proc, outputBytes, sinks, timeoutMs, killTree);
    this.live.set(p.pid, p);
    // Ended processes leave the table; their reply stays reachable through the handle.
    void p.done
      .catch(() => undefined)
      .finally(() => {
        this.live.delete(p.pid);
        this.ended.set(p.pid, p);
        if (this.ended.size > 256) this.ended.delete(this.ended.keys().next().value as number);
      });
    return p;
  }

  /** A live or recently ended process. */
  get(pid: number): GuestProcess {
    const p = this.live.get(pid) ?? this.ended.get(pid);
    if (!p) throw new KernelError('NOT_FOUND', `no running process ${pid}`);
    return p;
  }

  running(pid: number): GuestProcess {
    const p = this.live.get(pid);
    if (!p) throw new KernelError('NOT_FOUND', `no running process ${pid}`);
    return p;
  }

  liveCount(): number {
    return this.live.size;
  }

  /** Ends every live process's reply now (their engine is gone). */
  abandonAll(why: string): void {
    for (const p of this.live.values()) p.abandon(why);
  }

  list(): ProcessInfo[] {
    return [...this.live.values()].map((p) => p.info());
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((p) => p.kill().catch(() => undefined)));
  }
}
