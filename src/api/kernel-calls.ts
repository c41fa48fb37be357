// A sandbox's view of the shared kernel: every per-sandbox WorkerApi method with the
// sandbox id already applied.
import type { Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';

type PerSandbox = Exclude<keyof WorkerApi, 'create' | 'close' | 'count'>;
type DropSid<F> = F extends (sid: string, ...args: infer A) => infer R ? (...args: A) => R : never;

export type KernelCalls = { [K in PerSandbox]: DropSid<Remote<WorkerApi>[K]> };

export function bindKernel(api: Remote<WorkerApi>, sid: string): KernelCalls {
  return new Proxy({} as KernelCalls, {
    get: (_target, name) => {
      const method = api[name as PerSandbox] as unknown as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => method(sid, ...args);
    },
  });
}
