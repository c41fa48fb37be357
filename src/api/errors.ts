// Public error types. Every failure is a SandboxError with a string code; errors from the
// kernel worker are rebuilt here from their code, never from a worker-side class.
import type { ErrorCode } from '../worker/protocol';

export type { ErrorCode };

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'ENOENT',
  'EEXIST',
  'ENOTDIR',
  'EISDIR',
  'ENOTEMPTY',
  'ENOSPC',
  'EINVAL',
  'EACCES',
  'TIMEOUT',
  'KILLED',
  'NOT_FOUND',
  'CLOSED',
  'LOCKED',
  'NOT_ISOLATED',
  'QUOTA',
  'CORRUPT',
  'UNSUPPORTED',
  'EXIT',
  'ELOOP',
]);

export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly code: ErrorCode;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.path !== undefined) this.path = options.path;
  }
}

/** Thrown by `commands.run(..., { check: true })` when the command did not exit 0. */
export class CommandExitError extends SandboxError {
  override name = 'CommandExitError';
  constructor(
    readonly exitCode: number,
    readonly stdout: string,
    readonly stderr: string,
    reason: 'exited' | 'timeout' | 'killed' = 'exited',
  ) {
    super(
      reason === 'timeout' ? 'TIMEOUT' : reason === 'killed' ? 'KILLED' : 'EXIT',
      `command ${reason === 'exited' ? 'exited with code' : reason + ', exit code'} ${exitCode}`,
    );
  }
}

/** Turns whatever crossed the worker boundary (or was thrown locally) into a SandboxError. */
export function toSandboxError(err: unknown): SandboxError {
  if (err instanceof SandboxError) return err;
  const e = err as { code?: unknown; message?: unknown; path?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'string' && CODES.has(e.code) ? (e.code as ErrorCode) : 'UNSUPPORTED';
  return new SandboxError(code, message, {
    ...(typeof e?.path === 'string' ? { path: e.path } : {}),
    cause: err,
  });
}

/** Runs `fn` and rethrows any failure as a SandboxError. */
export async function rethrow<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toSandboxError(err);
  }
}
