// SandboxError and CommandExitError on the Node side, rebuilt from what the page sent: the
// page's classes cannot cross, so the string `code` is what identifies a failure.
import type { ErrorCode } from '../api/index';

export type { ErrorCode };

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
    code: ErrorCode = 'EXIT',
    message = `command exited with code ${exitCode}`,
  ) {
    super(code, message);
  }
}

/** The shape page-runtime.ts gives a thrown error. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  path?: string;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export function fromWireError(e: WireError): SandboxError {
  const code = (e.code ?? 'UNSUPPORTED') as ErrorCode;
  if (e.name === 'CommandExitError' || typeof e.exitCode === 'number') {
    return new CommandExitError(e.exitCode ?? 1, e.stdout ?? '', e.stderr ?? '', code, e.message);
  }
  const err = new SandboxError(code, e.message, e.path === undefined ? undefined : { path: e.path });
  if (e.code === undefined) err.message = `${e.name}: ${e.message}`;
  return err;
}

/** Playwright failures (page crashed, browser gone) mean the sandbox is gone: CLOSED. */
export function fromDriverError(err: unknown, what: string): SandboxError {
  if (err instanceof SandboxError) return err;
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  return new SandboxError('CLOSED', `${what}: the browser page is gone (${message})`, { cause: err });
}
