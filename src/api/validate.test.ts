import { describe, expect, it } from 'vitest';
import { guestPath, nonNegativeInt, stringRecord } from './validate';
import { SandboxError } from './errors';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof SandboxError ? e.code : 'not-a-SandboxError';
  }
}

describe('guestPath', () => {
  it('normalises absolute paths', () => {
    expect(guestPath('/home/user/./a//b/../c')).toBe('/home/user/a/c');
    expect(guestPath('/')).toBe('/');
  });
  it('refuses relative paths, NUL bytes, root escapes and non-strings with EINVAL', () => {
    for (const bad of ['a.txt', '/a\0b', '/..', '/a/../../b', '', 42, null, 'x'.repeat(5000)]) {
      expect(codeOf(() => guestPath(bad))).toBe('EINVAL');
    }
  });
});

describe('argument checks', () => {
  it('accepts non-negative integers only', () => {
    expect(nonNegativeInt(0, 'n')).toBe(0);
    expect(codeOf(() => nonNegativeInt(-1, 'n'))).toBe('EINVAL');
    expect(codeOf(() => nonNegativeInt(1.5, 'n'))).toBe('EINVAL');
    expect(codeOf(() => nonNegativeInt('1', 'n'))).toBe('EINVAL');
  });
  it('accepts records of strings only', () => {
    expect(stringRecord({ A: '1' }, 'env')).toEqual({ A: '1' });
    expect(stringRecord(undefined, 'env')).toEqual({});
    expect(codeOf(() => stringRecord({ A: 1 }, 'env'))).toBe('EINVAL');
    expect(codeOf(() => stringRecord([], 'env'))).toBe('EINVAL');
  });
});
