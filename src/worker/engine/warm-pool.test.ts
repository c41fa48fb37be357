// The no-op guest that starts the SDK's first pool worker is a valid WASI command exiting 0.
import { describe, expect, it } from 'vitest';
import { NOOP, SpareWorkers, warmPool, type NoopRunner } from './warm-pool';
import { PAGE_FIELDS } from './guest-limits';

describe('warm pool', () => {
  it('the no-op module calls proc_exit(0) from _start and exports its memory', async () => {
    expect(WebAssembly.validate(NOOP)).toBe(true);
    const codes: number[] = [];
    const { instance } = await WebAssembly.instantiate(NOOP, {
      wasi_snapshot_preview1: { proc_exit: (code: number) => void codes.push(code) },
    });
    expect(instance.exports.memory).toBeInstanceOf(WebAssembly.Memory);
    (instance.exports._start as () => void)();
    expect(codes).toEqual([0]);
  });

  it('never fails: a client that cannot run it only loses the head start', async () => {
    const broken = {
      packages: { create: () => Promise.reject(new Error('client is shut down')) },
    } as unknown as Parameters<typeof warmPool>[0];
    await expect(warmPool(broken)).resolves.toBeUndefined();
  });

  it('spares: started while forks wait and no worker is idle, at most two at once, never after stop', async () => {
    const control = new SharedArrayBuffer(64);
    const ctl = new Int32Array(control);
    const ends: (() => void)[] = [];
    let runs = 0;
    const runner: NoopRunner = {
      run: () => {
        runs++;
        return new Promise<void>((r) => ends.push(r));
      },
      close: async () => undefined,
    };
    const epoch = Date.now();
    const spares = new SpareWorkers({ control, epoch });
    const tick = () => new Promise((r) => setTimeout(r, 60));
    // Nothing waits: nothing started. Without a runner, orphans' forks are not told to wait.
    spares.use(runner);
    expect(ctl[PAGE_FIELDS.spares]).toBe(1);
    await tick();
    expect(runs).toBe(0);
    // Three forks wait (a fork notifies the kernel): two spares start, no more while they start.
    Atomics.store(ctl, PAGE_FIELDS.wantWorkers, 3);
    Atomics.notify(ctl, PAGE_FIELDS.wantWorkers);
    await tick();
    expect(runs).toBe(2);
    // One is done and its worker idle: it is for a waiting fork, so no spare is started.
    Atomics.store(ctl, PAGE_FIELDS.idleWorkers, 1);
    ends.shift()!();
    await tick();
    expect(runs).toBe(2);
    // Taken: another starts beside the one still starting.
    Atomics.store(ctl, PAGE_FIELDS.idleWorkers, 0);
    await tick();
    expect(runs).toBe(3);
    // The kernel thread's heartbeat is fresh while it runs, and cleared when stopped.
    expect(Date.now() - (ctl[PAGE_FIELDS.kernelBeat]! + epoch)).toBeLessThan(200);
    spares.stop();
    expect(ctl[PAGE_FIELDS.spares]).toBe(0);
    expect(ctl[PAGE_FIELDS.kernelBeat]).toBe(0);
    for (const end of ends.splice(0)) end();
    await tick();
    expect(runs).toBe(3);
  });
});
