// The API surface the driver knows by name (shared/API.md). Methods the page does not have
// yet are still present on Node mirrors and fail with UNSUPPORTED, so callers get a clear
// error instead of "is not a function". Methods the page has that are not listed here work
// anyway: mirrors are built from what the page reports. Adding an API method needs at most
// a name here.

/** Method paths of a Sandbox instance. */
export const SANDBOX_METHODS = [
  'destroy',
  'snapshot',
  'restore',
  'listSnapshots',
  'deleteSnapshot',
  'diff',
  'exportState',
  'fork',
  'runCode',
  'setEnv',
  'setCwd',
  'mount',
  'commands.run',
  'commands.list',
  'commands.kill',
  'files.read',
  'files.write',
  'files.writeFiles',
  'files.list',
  'files.stat',
  'files.exists',
  'files.mkdir',
  'files.remove',
  'files.rename',
  'files.watch',
  'pty.create',
] as const;

/** Static methods of the page's `Sandbox` class that return a Sandbox (each gets its own page). */
export const SANDBOX_FACTORIES = ['create', 'open', 'importState'] as const;

/** Static methods of the page's `Sandbox` class that return data. */
export const SANDBOX_STATICS = ['list', 'delete', 'capabilities', 'buildTemplate'] as const;

/** Method paths by kind, for objects the API returns. */
export const KNOWN_METHODS: Record<string, readonly string[]> = {
  Sandbox: SANDBOX_METHODS,
  Volume: ['write', 'read', 'list', 'remove', 'delete'],
};
