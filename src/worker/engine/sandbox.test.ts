// When the engine sandbox replaces its SDK sandbox: a fake SDK (processes that end when told)
// and the real process-tree control block, whose live counts the test sets as guests would.
import { describe, expect, it } from 'vitest';
import { HEADER_INTS, TREE_FIELDS, TREE_STRIDE } from './guest-limits';
import { ProcessTrees } from './process-trees';
import { EngineSandbox, type BuiltSandbox, type EngineHost, type ResolvedSpawn } from './sandbox';

/** One fake SDK process: ends with `exit(code)`; records a kill. */
class FakeProc {
  stdout = null;
  stderr = null;
  stdin = null;
  killed = false;
  private finish: (r: { exitCode: number; reason: string }) => void = () => undefined;
  private readonly result = new Promise<{ exitCode: number; reason: string }>((r) => (this.finish = r));
  constructor(readonly env: Record<string, string>) {}
  wait() {
    return this.result;
  }
  exit(code = 0): void {
    this.finish({ exitCode: code, reason: 'exited' });
  }
  kill(): Promise<void> {
    this.killed = true;
    this.finish({ exitCode: 137, reason: 'terminated' });
    return Promise.resolve();
  }
  resizeTerminal(): void {}
}

/** A host whose SDK sandboxes are numbered; every spawned process is kept in `procs`. */
function fakeHost() {
  const trees = new ProcessTrees();
  const built: { id: number; closed: boolean }[] = [];
  const procs: { proc: FakeProc; sandbox: number }[] = [];
  const build = (): Promise<BuiltSandbox> => {
    const me = { id: built.length, closed: false };
    built.push(me);
    const sandbox = {
      command: (_name: string, _args: string[], opts: { env: Record<string, string> }) => ({
        spawn: () => {
          if (me.closed) return Promise.reject(new Error('spawn in a closed SDK sandbox'));
          const proc = new FakeProc(opts.env);
          procs.push({ proc, sandbox: me.id });
          return Promise.resolve(proc);
        },
      }),
      close: () => {
        me.closed = true;
        return Promise.resolve();
      },
    };
    return Promise.resolve({ sandbox: sandbox as unknown as BuiltSandbox['sandbox'], unmount: () => undefined });
  };
  const host: EngineHost = {
    build,
    beforeSpawn: () => undefined,
    memoryBytes: () => 0,
    started: () => 0,
    ended: () => 0,
    engineDied: () => Promise.resolve(),
    forget: () => undefined,
    trees,
  };
  /** Sets a tree's live count as the guests' workers would (guest-limits.ts). */
  const setLive = (tree: number, n: number) => {
    const ctl = new Int32Array(trees.control);
    Atomics.store(ctl, HEADER_INTS + (tree % 1024) * TREE_STRIDE + TREE_FIELDS.live, n);
  };
  return { host, build, built, procs, trees, setLive };
}

const req = (timeoutMs = 0): ResolvedSpawn => ({ cwd: '/workspace', env: {}, timeoutMs });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => sleep(10);

async function setup() {
  const h = fakeHost();
  const engine = new EngineSandbox(h.host, await h.build(), 'bash', {});
  /** Runs `command` to its end (exit 0 unless told), returning its tree id. */
  const run = async (command: string, opts: { live?: number; timeoutMs?: number; kill?: boolean } = {}) => {
    const p = await engine.spawn(command, req(opts.timeoutMs));
    const { proc } = h.procs.at(-1)!;
    const tree = parseInt(proc.env.SANDPIT_TREE!, 10);
    if (opts.live) h.setLive(tree, opts.live);
    if (opts.kill) await p.kill();
    else proc.exit();
    await p.done;
    await tick();
    return tree;
  };
  return { ...h, engine, run };
}

describe('EngineSandbox: replacing the SDK sandbox', () => {
  it('keeps the SDK sandbox after commands that left no process', async () => {
    const t = await setup();
    for (const c of ['true', 'echo hello', 'cat f | tr a-z A-Z | wc -c', 'a && b', 'x &> log']) await t.run(c);
    await t.run('true');
    expect(t.engine.rebuilds).toBe(0);
    expect(t.built).toHaveLength(1);
    expect(new Set(t.procs.map((p) => p.sandbox))).toEqual(new Set([0]));
  });

  it('replaces it when a finished tree still counts live processes, with the one built at its end', async () => {
    const t = await setup();
    const tree = await t.run('spawns an orphan', { live: 1 });
    // Built shortly after the command ended (still live), before any next spawn; the old one
    // is still open.
    await sleep(40);
    expect(t.built).toHaveLength(2);
    expect(t.built[0]!.closed).toBe(false);
    expect(t.trees.live(tree)).toBe(1);
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.built[0]!.closed).toBe(true);
    expect(t.procs.at(-1)!.sandbox).toBe(1);
    expect(t.trees.killed(tree)).toBe(true);
    expect(t.built).toHaveLength(2);
  });

  it('replaces it once for orphans still counted after the replacement (they are in the closed one)', async () => {
    const t = await setup();
    await t.run('orphan that never leaves', { live: 1 });
    await t.run('true');
    await t.run('true');
    await t.run('echo again');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.procs.at(-1)!.sandbox).toBe(1);
  });

  it('does not replace it when the orphans ended before the next command', async () => {
    const t = await setup();
    const tree = await t.run('short orphan', { live: 1 });
    t.setLive(tree, 0);
    await t.run('true');
    expect(t.engine.rebuilds).toBe(0);
    expect(t.procs.at(-1)!.sandbox).toBe(0);
  });

  it('neither builds nor replaces when the tree drains just after the command (a child counted late)', async () => {
    const t = await setup();
    const tree = await t.run('cat f', { live: 1 });
    setTimeout(() => t.setLive(tree, 0), 5);
    // The next spawn comes at once: it waits for the drain instead of replacing.
    await t.run('true');
    await sleep(40);
    expect(t.engine.rebuilds).toBe(0);
    expect(t.built).toHaveLength(1);
    expect(t.procs.at(-1)!.sandbox).toBe(0);
  });

  it('replaces it after a background job even when no live process is counted (uncounted guests)', async () => {
    const t = await setup();
    await t.run('python3 server.py &');
    expect(t.built).toHaveLength(2);
    // The background job keeps running until the next command.
    expect(t.built[0]!.closed).toBe(false);
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.built[0]!.closed).toBe(true);
    expect(t.procs.at(-1)!.sandbox).toBe(1);
  });

  it('builds no replacement beside a storming tree, only once it has drained', async () => {
    const t = await setup();
    const tree = await t.run(':(){ :|:& };:', { live: 20 });
    await sleep(80);
    expect(t.built).toHaveLength(1);
    t.setLive(tree, 0);
    await sleep(60);
    expect(t.built).toHaveLength(2);
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.procs.at(-1)!.sandbox).toBe(1);
  });

  it('replaces it after a killed command (an orphan spinning without system calls)', async () => {
    const t = await setup();
    await t.run('while :; do :; done', { kill: true });
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.procs.at(-1)!.sandbox).toBe(1);
    // Once replaced, the next commands stay in the new one.
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
    expect(t.built).toHaveLength(2);
  });

  it('does not replace it under a running command; does once nothing of ours runs', async () => {
    const t = await setup();
    const bg = await t.engine.spawn('sleep 60', req());
    const bgProc = t.procs.at(-1)!.proc;
    await t.run('leaves one', { live: 1 });
    await t.run('true');
    expect(t.engine.rebuilds).toBe(0);
    bgProc.exit();
    await bg.done;
    await t.run('true');
    expect(t.engine.rebuilds).toBe(1);
  });

  it('closes a sandbox built ahead when the engine sandbox closes', async () => {
    const t = await setup();
    await t.run('x &');
    expect(t.built).toHaveLength(2);
    await t.engine.close();
    await tick();
    expect(t.built.every((b) => b.closed)).toBe(true);
  });
});

describe('EngineSandbox: binaries installed after start-up', () => {
  it('starts early commands at once and holds the others until the late binaries are in', async () => {
    const h = fakeHost();
    let install = () => undefined as void;
    const complete = new Promise<void>((r) => (install = r));
    const first = await h.build();
    const host: EngineHost = { ...h.host, runsEarly: (q) => q.command.startsWith('echo') };
    const engine = new EngineSandbox(host, { ...first, complete }, 'bash', {});
    const echo = await engine.spawn('echo hi', req());
    expect(h.procs).toHaveLength(1);
    let spawned = false;
    const py = engine.spawn('python3 -c pass', req()).then((p) => ((spawned = true), p));
    await sleep(30);
    expect(spawned).toBe(false);
    expect(h.procs).toHaveLength(1);
    install();
    const p = await py;
    expect(h.procs).toHaveLength(2);
    for (const { proc } of h.procs) proc.exit();
    await Promise.all([echo.done, p.done]);
  });

  it('a failed late load fails only the commands that wait for it', async () => {
    const h = fakeHost();
    const complete = Promise.reject(new Error('python.wasm does not match its sha256'));
    complete.catch(() => undefined);
    const first = await h.build();
    const host: EngineHost = { ...h.host, runsEarly: (q) => q.command === 'true' };
    const engine = new EngineSandbox(host, { ...first, complete }, 'bash', {});
    await expect(engine.spawn('python3', req())).rejects.toThrow(/sha256/);
    const ok = await engine.spawn('true', req());
    h.procs.at(-1)!.proc.exit();
    expect((await ok.done).exitCode).toBe(0);
  });
});
