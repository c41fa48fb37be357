// SandboxError and CommandExitError on the Node side, rebuilt from what the page sent: the
// page's classes cannot cross, so the string `code` is what identifies a failure.
import { CommandExitError, SandboxError, type ErrorCode } from '../api/errors.js';

// The same classes as the page's API (build-node.mjs transpiles src/api/errors.ts too), so
// `instanceof` and the fields agree whichever side a program imports from.
export { CommandExitError, SandboxError, type ErrorCode };

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
    const reason = code === 'TIMEOUT' ? 'timeout' : code === 'KILLED' ? 'killed' : 'exited';
    const err = new CommandExitError(e.exitCode ?? 1, e.stdout ?? '', e.stderr ?? '', reason);
    err.message = e.message;
    return err;
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
