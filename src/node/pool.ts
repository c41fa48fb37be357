// createPool: sandboxes spread over several browsers (chromium.launchServer() endpoints),
// each new one placed on the least-loaded browser that is still there. When a browser goes
// away its sandboxes fail with CLOSED and placement continues on the others.
import type { SandboxOptions as PageSandboxOptions } from '../api/index';
import { SandboxError } from './errors.js';
import { BrowserHost, type BrowserOptions } from './host.js';
import { callStatic, type Sandbox } from './sandbox.js';

export interface PoolOptions extends Omit<BrowserOptions, 'wsEndpoint' | 'instance' | 'executablePath'> {
  /** Browser endpoints (ws://…) from chromium.launchServer(). */
  endpoints: string[];
  /** How long to wait before trying a browser that went away again, in ms. Default: 5000. */
  retryMs?: number;
}

export interface PoolMember {
  endpoint: string;
  alive: boolean;
  sandboxes: number;
}

export interface Pool {
  create(options?: PageSandboxOptions): Promise<Sandbox>;
  /** Per endpoint: reachable or not, and its load. */
  members(): PoolMember[];
  /** Closes the pool's pages and disconnects; the browsers themselves keep running. */
  close(): Promise<void>;
}

interface Slot {
  endpoint: string;
  host?: BrowserHost;
  connecting?: Promise<BrowserHost>;
  failedAt?: number;
}

export async function createPool(options: PoolOptions): Promise<Pool> {
  const { endpoints, retryMs = 5000, ...browser } = options;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw new SandboxError('EINVAL', 'createPool needs at least one endpoint');
  }
  const slots: Slot[] = endpoints.map((endpoint) => ({ endpoint }));
  let closed = false;

  const connect = (s: Slot): Promise<BrowserHost> =>
    (s.connecting ??= BrowserHost.start({ ...browser, wsEndpoint: s.endpoint }).then(
      (h) => {
        s.host = h;
        s.failedAt = undefined;
        return h;
      },
      (err: unknown) => {
        s.failedAt = Date.now();
        s.connecting = undefined;
        throw err;
      },
    ));

  const alive = (s: Slot) => s.host !== undefined && !s.host.dead;

  // Connect to all at once; an endpoint that is down now is retried later.
  await Promise.allSettled(slots.map(connect));
  if (!slots.some(alive)) throw new SandboxError('CLOSED', `no browser reachable at ${endpoints.join(', ')}`);

  // Browsers that went away are tried again once retryMs has passed since they failed.
  const reconnect = async (): Promise<void> => {
    const now = Date.now();
    const retry = slots.filter((s) => !alive(s) && (s.failedAt === undefined || now - s.failedAt >= retryMs));
    for (const s of retry) {
      if (s.host?.dead) {
        s.host = undefined;
        s.connecting = undefined;
      }
    }
    await Promise.allSettled(retry.map(connect));
  };

  // Chosen and charged in one synchronous step, so concurrent creates spread out.
  const leastLoaded = (skip: Set<BrowserHost>): BrowserHost | undefined =>
    slots
      .filter(alive)
      .map((s) => s.host!)
      .filter((h) => !skip.has(h))
      .sort((a, b) => a.load - b.load)[0];

  return {
    async create(opts = {}) {
      if (closed) throw new SandboxError('CLOSED', 'the pool is closed');
      let last: unknown;
      await reconnect();
      const tried = new Set<BrowserHost>();
      for (let host = leastLoaded(tried); host; host = leastLoaded(tried)) {
        tried.add(host);
        try {
          return await callStatic<Sandbox>(host, 'create', [opts]);
        } catch (err) {
          last = err;
          // Only a browser going away moves on to the next one; other failures are the caller's.
          if (!(err instanceof SandboxError && err.code === 'CLOSED' && host.dead)) throw err;
          const s = slots.find((x) => x.host === host);
          if (s) s.failedAt = Date.now();
        }
      }
      throw last ?? new SandboxError('CLOSED', `no browser reachable at ${endpoints.join(', ')}`);
    },
    members() {
      return slots.map((s) => ({ endpoint: s.endpoint, alive: alive(s), sandboxes: s.host?.load ?? 0 }));
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.host?.close()));
    },
  };
}
