// Kernel-side errors. They cross Comlink as plain objects, so they carry a string code
// (and a path) rather than relying on a class the other side cannot see.
import { transferHandlers } from 'comlink';
import type { ErrorCode, WireError } from './protocol';

export class KernelError extends Error {
  override name = 'SandboxError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

/** Normalises anything thrown inside the kernel into the wire shape. */
export function toWire(err: unknown): WireError {
  if (err instanceof KernelError) {
    return { name: err.name, message: err.message, code: err.code, ...(err.path ? { path: err.path } : {}) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { name: 'SandboxError', message, code: 'UNSUPPORTED' };
}

/**
 * Comlink's default throw handler keeps only name/message/stack; ours also keeps code and
 * path. Its receiving side copies every own property, so the API side needs no change.
 */
export function installErrorTransfer(): void {
  const original = transferHandlers.get('throw');
  if (!original) return;
  transferHandlers.set('throw', {
    canHandle: original.canHandle,
    serialize: (thrown: unknown) => {
      const value = (thrown as { value: unknown }).value;
      return [{ isError: true, value: toWire(value) }, []];
    },
    deserialize: original.deserialize,
  });
}
