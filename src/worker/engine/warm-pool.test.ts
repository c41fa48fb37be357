// The no-op guest that starts the SDK's first pool worker is a valid WASI command exiting 0.
import { describe, expect, it } from 'vitest';
import { NOOP, warmPool } from './warm-pool';

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
});
