// A sandbox's view of the shared kernel: every per-sandbox WorkerApi method with the
// sandbox id already applied. The binding can move: after the kernel worker stopped, the next
// call first reopens the sandbox on a new worker (`recover`), under a new sid.
import type { Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import type { KernelHandle } from './kernel-client';

type PerSandbox = Exclude<keyof WorkerApi, 'create' | 'close' | 'count'>;
type DropSid<F> = F extends (sid: string, ...args: infer A) => infer R ? (...args: A) => R : never;

export type KernelCalls = { [K in PerSandbox]: DropSid<Remote<WorkerApi>[K]> };

/** Where a sandbox lives now. */
export interface KernelBinding {
  handle: KernelHandle;
  sid: string;
  /** Called before a call when `handle` has stopped: reopens the sandbox, or throws CLOSED. */
  recover(): Promise<void>;
}

export function bindKernel(binding: KernelBinding): KernelCalls {
  return new Proxy({} as KernelCalls, {
    get: (_target, name) => {
      return async (...args: unknown[]) => {
        const once = () => {
          const { handle, sid } = binding;
          const method = handle.api[name as PerSandbox] as unknown as (...args: unknown[]) => Promise<unknown>;
          return handle.whileAlive(method(sid, ...args));
        };
        if (!binding.handle.alive) await binding.recover();
        try {
          return await once();
        } catch (err) {
          // The call never ran (an attached tab's owner had just closed the sandbox): reopen, retry.
          if (!(err as { retry?: boolean }).retry || binding.handle.alive) throw err;
          await binding.recover();
          return once();
        }
      };
    },
  });
}
