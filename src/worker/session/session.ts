// Session defaults (cwd, env, timeout) that every command inherits unless it overrides them.
import type { KernelInit, SpawnRequest } from '../protocol';

export class Session {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;

  constructor(init: Pick<KernelInit, 'cwd' | 'env' | 'timeoutMs'>) {
    this.cwd = init.cwd;
    this.env = { ...init.env };
    this.timeoutMs = init.timeoutMs;
  }

  resolve<R extends SpawnRequest>(req: R): R & { cwd: string; env: Record<string, string>; timeoutMs: number } {
    return {
      ...req,
      cwd: req.cwd ?? this.cwd,
      env: { ...this.env, ...req.env },
      timeoutMs: req.timeoutMs ?? this.timeoutMs,
    };
  }
}
