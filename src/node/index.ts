// sandpit/node: the Sandbox API from Node, each sandbox running in a page of headless Chromium.
export { Sandbox } from './sandbox.js';
export type { SandboxOptions, BrowserOptions } from './sandbox.js';
export { createPool } from './pool.js';
export type { Pool, PoolOptions, PoolMember } from './pool.js';
export { SandboxError, CommandExitError } from './errors.js';
export type { ErrorCode } from './errors.js';
export { BrowserHost, CHROMIUM_ARGS } from './host.js';
export { serveDist, resolveDist, ISOLATION_HEADERS } from './server.js';
export type { StaticServer } from './server.js';
