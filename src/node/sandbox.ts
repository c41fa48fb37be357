// `Sandbox` for Node: the browser API's statics, each sandbox living in its own page of a
// headless Chromium. Instances are mirrors of the page's Sandbox (see channel.ts), so they
// have whatever methods the built app has.
import type { Page } from 'playwright-core';
import type { Capabilities, Sandbox as PageSandbox, SandboxOptions as PageSandboxOptions } from '../api/index';
import type { Channel } from './channel.js';
import { BrowserHost, type BrowserOptions } from './host.js';

/** Page API shapes as seen from Node: the same methods, all async already. */
type Mirrored<T> = {
  readonly [K in keyof T]: T[K] extends (...args: never[]) => unknown
    ? T[K]
    : T[K] extends object
      ? Mirrored<T[K]>
      : T[K];
};

/** A sandbox driven from Node. Methods of the built app that its types do not list yet are there too. */
export type Sandbox = Mirrored<PageSandbox> & {
  /** The Playwright page the sandbox lives in. */
  readonly page: Page;
};

export interface SandboxOptions extends PageSandboxOptions {
  /** Which browser runs the sandbox and what it loads. Default: launch Debian's Chromium. */
  browser?: BrowserOptions;
}

export type { BrowserOptions };

/** Anything the driver can place sandboxes on: a single browser, or a pool of them. */
export interface Placer {
  place<T>(factory: (ch: Channel) => Promise<T>): Promise<T>;
}

/** Calls static `Sandbox.<name>` in a fresh page; a returned Sandbox keeps that page. */
export function callStatic<T>(placer: Placer, name: string, args: unknown[]): Promise<T> {
  return placer.place((ch) => ch.invoke(0, ['Sandbox', name], args) as Promise<T>);
}

// Default hosts, one per browser configuration; each closes itself (and what it launched)
// when its last sandbox is destroyed.
const hosts = new Map<string, Promise<BrowserHost>>();

function keyOf(b: BrowserOptions): string {
  return JSON.stringify([
    b.wsEndpoint,
    b.executablePath,
    b.appUrl,
    b.distDir,
    b.args,
    b.warmPages,
    b.port,
    b.userDataDir,
  ]);
}

/** The shared host for `browser` options. */
export function defaultHost(browser: BrowserOptions = {}): Placer {
  return {
    async place(factory) {
      for (;;) {
        if (browser.instance) {
          // A caller-owned Browser: no sharing, closed (its context) when idle.
          const host = await BrowserHost.start(browser, (h) => void h.close());
          return host.place(factory);
        }
        const key = keyOf(browser);
        let p = hosts.get(key);
        if (!p) {
          p = BrowserHost.start(browser, (h) => {
            if (hosts.get(key) === p) hosts.delete(key);
            void h.close();
          });
          hosts.set(key, p);
          p.catch(() => hosts.get(key) === p && hosts.delete(key));
        }
        const host = await p;
        if (host.dead) {
          if (hosts.get(key) === p) hosts.delete(key);
          continue;
        }
        return host.place(factory);
      }
    },
  };
}

function split(options: SandboxOptions | undefined): [BrowserOptions | undefined, PageSandboxOptions] {
  const { browser, ...rest } = options ?? {};
  return [browser, rest];
}

export const Sandbox = {
  /** Starts a sandbox in a new page (launching or reusing the browser). */
  create(options?: SandboxOptions): Promise<Sandbox> {
    const [browser, opts] = split(options);
    return callStatic(defaultHost(browser), 'create', [opts]);
  },
  /** Reopens a persisted sandbox (same browser profile and app origin). */
  open(id: string, options?: Record<string, unknown> & { browser?: BrowserOptions }): Promise<Sandbox> {
    const { browser, ...rest } = options ?? {};
    return callStatic(defaultHost(browser), 'open', [id, rest]);
  },
  /** Starts a sandbox from `exportState()` output. */
  importState(
    blob: Blob | Uint8Array,
    options?: Record<string, unknown> & { browser?: BrowserOptions },
  ): Promise<Sandbox> {
    const { browser, ...rest } = options ?? {};
    return callStatic(defaultHost(browser), 'importState', [blob, rest]);
  },
  /** Persisted sandboxes. */
  list(options?: { browser?: BrowserOptions }): Promise<unknown[]> {
    return callStatic(defaultHost(options?.browser), 'list', []);
  },
  delete(id: string, options?: { browser?: BrowserOptions }): Promise<void> {
    return callStatic(defaultHost(options?.browser), 'delete', [id]);
  },
  /** What the browser supports (async here: it asks a page). */
  capabilities(options?: { browser?: BrowserOptions }): Promise<Capabilities> {
    return callStatic(defaultHost(options?.browser), 'capabilities', []);
  },
};
