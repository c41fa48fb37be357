// Argument checks shared by the API: bad input fails early with EINVAL, before any worker call.
import { SandboxError } from './errors';

/** An absolute, normalised guest path; relative paths, NUL bytes and `..` escapes are refused. */
export function guestPath(path: unknown, what = 'path'): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new SandboxError('EINVAL', `${what} must be a non-empty string`);
  }
  if (path.length > 4096) throw new SandboxError('EINVAL', `${what} is longer than 4096 characters`);
  if (path.includes('\0')) throw new SandboxError('EINVAL', `${what} contains a NUL byte`, { path });
  if (!path.startsWith('/')) throw new SandboxError('EINVAL', `${what} must be absolute: ${path}`, { path });
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new SandboxError('EINVAL', `${what} escapes the root: ${path}`, { path });
      parts.pop();
    } else parts.push(part);
  }
  return '/' + parts.join('/');
}

export function nonNegativeInt(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SandboxError('EINVAL', `${what} must be a non-negative integer`);
  }
  return value;
}

export function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandboxError('EINVAL', `${what} must be an object of strings`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new SandboxError('EINVAL', `${what}.${k} must be a string`);
  }
  return value as Record<string, string>;
}
