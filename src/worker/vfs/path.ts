// Lexical path helpers. Resolution against the tree (symlinks, `..`) lives in resolve.ts; these only split and join.

/** Split a path into components, dropping empty ones and `.`; `..` is kept for the resolver to handle physically. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    out.push(part);
  }
  return out;
}

/** Join physical components back into an absolute path. */
export function joinPath(names: readonly string[]): string {
  return '/' + names.join('/');
}

/**
 * Lexically normalise an absolute path (`..` never climbs above `/`). Used for watch
 * subscriptions and mount points, where the caller names a place rather than walking to it.
 */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of splitPath(path)) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return joinPath(out);
}

/** Child path under a directory path. */
export function childPath(dir: string, name: string): string {
  return dir === '/' ? '/' + name : dir + '/' + name;
}

/** True if `path` is `base` itself or lies below it. */
export function isWithin(path: string, base: string): boolean {
  return base === '/' || path === base || path.startsWith(base + '/');
}
