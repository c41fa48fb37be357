import { describe, expect, it } from 'vitest';
import { CommandExitError, SandboxError, toSandboxError } from './errors';

describe('toSandboxError', () => {
  it('rebuilds a SandboxError from a wire error that crossed the worker boundary', () => {
    // What Comlink's throw handler produces on the receiving side: a plain Error with copied props.
    const wire = Object.assign(new Error('no such file'), { name: 'SandboxError', code: 'ENOENT', path: '/x' });
    const err = toSandboxError(wire);
    expect(err).toBeInstanceOf(SandboxError);
    expect(err.code).toBe('ENOENT');
    expect(err.path).toBe('/x');
    expect(err.message).toBe('no such file');
  });
  it('maps unknown codes and non-errors to UNSUPPORTED', () => {
    expect(toSandboxError(Object.assign(new Error('x'), { code: 'WEIRD' })).code).toBe('UNSUPPORTED');
    expect(toSandboxError('boom').code).toBe('UNSUPPORTED');
  });
  it('CommandExitError carries the exit and the output', () => {
    const e = new CommandExitError(3, 'out', 'err');
    expect(e).toBeInstanceOf(SandboxError);
    expect([e.code, e.exitCode, e.stdout, e.stderr]).toEqual(['EXIT', 3, 'out', 'err']);
    expect(new CommandExitError(124, '', '', 'timeout').code).toBe('TIMEOUT');
  });
});
