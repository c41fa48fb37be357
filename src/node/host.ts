// A BrowserHost is one Chromium (launched here, or reached at a wsEndpoint) with one browser
// context, serving the built app from a localhost server, and handing out one page per
// sandbox from a small pool of pages that are already loaded.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { Channel, type Mirror } from './channel.js';
import { SandboxError } from './errors.js';
import { DRIVER_PAGE, resolveDist, serveDist, type StaticServer } from './server.js';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserOptions {
  /** Chromium to launch. Default: $SANDPIT_CHROMIUM, else /usr/bin/chromium. */
  executablePath?: string;
  /** Connect to a running `chromium.launchServer()` instead of launching. */
  wsEndpoint?: string;
  /** Use this Playwright Browser (not closed by the driver). */
  instance?: Browser;
  /** Extra Chromium flags, after the defaults in CHROMIUM_ARGS. */
  args?: string[];
  /** URL of an already served app (with COOP/COEP). Default: dist/ served on a free localhost port. */
  appUrl?: string;
  /** Built app to serve. Default: $SANDPIT_DIST, else <package>/dist. */
  distDir?: string;
  /** Port of the served app. Default: a free one. A fixed port keeps the origin (and so persisted sandboxes) across runs. */
  port?: number;
  /** Browser profile folder: launch with a persistent profile, so OPFS/IndexedDB sandboxes outlive the process. Default: none. */
  userDataDir?: string;
  /** Pages kept loaded and ready for the next sandbox. Default: 1. */
  warmPages?: number;
  /** Timeout for launching, connecting and loading a page, in ms. Default: 60000. */
  timeoutMs?: number;
}

/** The fix-it text for a missing browser. */
export function chromiumHelp(path: string): string {
  return (
    `no Chromium at ${path}. Install Debian's (apt-get install chromium), or set ` +
    'SANDPIT_CHROMIUM=/path/to/chromium, or pass { browser: { executablePath } }, or connect to a ' +
    'running browser with { browser: { wsEndpoint } } (chromium.launchServer()).'
  );
}

// One static server per dist folder per process, shared by every host.
const servers = new Map<string, { server: Promise<StaticServer>; refs: number }>();

async function acquireServer(key: string, root: string, port = 0): Promise<StaticServer> {
  let s = servers.get(key);
  if (!s) {
    const server = serveDist(root, port);
    servers.set(key, (s = { server, refs: 0 }));
    server.catch(() => servers.get(key) === s && servers.delete(key));
  }
  s.refs++;
  return s.server;
}

async function releaseServer(key: string): Promise<void> {
  const s = servers.get(key);
  if (!s || --s.refs > 0) return;
  servers.delete(key);
  await (await s.server).close();
}

export class BrowserHost {
  /** Sandboxes alive on this host, plus creations under way: the load used for placement. */
  load = 0;
  #dead: SandboxError | undefined;
  #closing: Promise<void> | undefined;
  #warm: Promise<Channel>[] = [];
  #pages = new Map<Channel, number>();
  #serial = 0;

  private constructor(
    readonly label: string,
    private readonly browser: Browser | null,
    private readonly context: BrowserContext,
    private readonly appUrl: string,
    private readonly owns: { browser: boolean; serverKey?: string },
    private readonly options: BrowserOptions,
    /** Called when the last sandbox of this host is destroyed. */
    private readonly onIdle?: (host: BrowserHost) => void,
  ) {
    const gone = () => this.#die(new SandboxError('CLOSED', `${label}: the browser went away`));
    if (browser) browser.on('disconnected', gone);
    else context.on('close', gone);
  }

  static async start(options: BrowserOptions = {}, onIdle?: (host: BrowserHost) => void): Promise<BrowserHost> {
    const timeout = options.timeoutMs ?? 60_000;
    let serverKey: string | undefined;
    let appUrl = options.appUrl;
    if (!appUrl) {
      const root = resolveDist(options.distDir);
      const key = `${root}\0${options.port ?? 0}`;
      appUrl = (await acquireServer(key, root, options.port)).url + DRIVER_PAGE;
      serverKey = key;
    }
    let browser: Browser | null;
    let ownsBrowser = false;
    let label: string;
    try {
      if (options.userDataDir) {
        const executablePath = options.executablePath ?? process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';
        if (!existsSync(executablePath)) throw new SandboxError('NOT_FOUND', chromiumHelp(executablePath));
        label = `${executablePath} (profile ${options.userDataDir})`;
        const context = await chromium
          .launchPersistentContext(options.userDataDir, {
            executablePath,
            args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
            timeout,
          })
          .catch((err: unknown) => {
            throw new SandboxError(
              'LOCKED',
              `cannot start Chromium with profile ${options.userDataDir} (in use?): ${String(err).split('\n')[0]}`,
              {
                cause: err,
              },
            );
          });
        return new BrowserHost(label, null, context, appUrl, { browser: true, serverKey }, options, onIdle);
      }
      if (options.instance) {
        browser = options.instance;
        label = 'browser';
      } else if (options.wsEndpoint) {
        label = options.wsEndpoint;
        browser = await chromium.connect(options.wsEndpoint, { timeout }).catch((err: unknown) => {
          throw new SandboxError('CLOSED', `cannot connect to ${options.wsEndpoint}: ${String(err)}`, { cause: err });
        });
        ownsBrowser = true; // closing a connected browser only disconnects
      } else {
        const executablePath = options.executablePath ?? process.env.SANDPIT_CHROMIUM ?? '/usr/bin/chromium';
        if (!existsSync(executablePath)) throw new SandboxError('NOT_FOUND', chromiumHelp(executablePath));
        label = executablePath;
        browser = await chromium.launch({
          executablePath,
          args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
          timeout,
        });
        ownsBrowser = true;
      }
      const context = await browser.newContext();
      return new BrowserHost(label, browser, context, appUrl, { browser: ownsBrowser, serverKey }, options, onIdle);
    } catch (err) {
      if (serverKey) await releaseServer(serverKey);
      throw err;
    }
  }

  get dead(): SandboxError | undefined {
    return this.#dead ?? (this.#closing ? new SandboxError('CLOSED', `${this.label}: closed`) : undefined);
  }

  /** Runs `factory` in a fresh page; the Sandbox it returns owns that page. */
  async place<T>(factory: (ch: Channel) => Promise<T>): Promise<T> {
    if (this.dead) throw this.dead;
    this.load++;
    let ch: Channel | undefined;
    try {
      ch = await this.#takePage();
      const sb = await factory(ch);
      if (!this.#pages.get(ch)) await this.#dropPage(ch);
      return sb;
    } catch (err) {
      if (ch) await this.#dropPage(ch);
      throw this.#dead ?? err;
    } finally {
      this.load--;
      this.#maybeIdle();
    }
  }

  /** Runs `fn` in a page borrowed for static calls (list, delete, capabilities…). */
  async borrow<T>(fn: (ch: Channel) => Promise<T>): Promise<T> {
    return this.place(async (ch) => fn(ch));
  }

  #takePage(): Promise<Channel> {
    const warm = this.#warm.shift();
    this.#refill();
    return warm ? warm.catch(() => this.#openPage()) : this.#openPage();
  }

  #refill(): void {
    const want = this.options.warmPages ?? 1;
    while (!this.dead && this.#warm.length < want) {
      const p = this.#openPage();
      p.catch(() => undefined);
      this.#warm.push(p);
    }
  }

  async #openPage(): Promise<Channel> {
    if (this.dead) throw this.dead;
    const page = await this.context.newPage();
    try {
      const ch = await Channel.open(page, this.appUrl, `${this.label} page ${++this.#serial}`, this.options.timeoutMs);
      ch.onKind('Sandbox', (m) => this.#adopt(m, ch));
      return ch;
    } catch (err) {
      await page.close().catch(() => undefined);
      throw this.#dead ?? err;
    }
  }

  // A Sandbox mirror keeps its page alive; destroying the last one in a page closes the page.
  #adopt(m: Mirror, ch: Channel): Mirror {
    this.#pages.set(ch, (this.#pages.get(ch) ?? 0) + 1);
    this.load++;
    const remoteDestroy = m.destroy as (...a: unknown[]) => Promise<void>;
    let destroyed = false;
    Object.defineProperty(m, 'page', { value: ch.page, enumerable: false });
    m.destroy = async (...args: unknown[]) => {
      if (destroyed) return;
      destroyed = true;
      try {
        await remoteDestroy(...args);
      } catch (err) {
        if (!(err instanceof SandboxError && err.code === 'CLOSED')) throw err;
      } finally {
        const n = (this.#pages.get(ch) ?? 1) - 1;
        if (n > 0) this.#pages.set(ch, n);
        else await this.#dropPage(ch);
        this.load--;
        this.#maybeIdle();
      }
    };
    return m;
  }

  async #dropPage(ch: Channel): Promise<void> {
    this.#pages.delete(ch);
    ch.close(new SandboxError('CLOSED', `${ch.label}: the sandbox was destroyed`));
    await ch.page.close().catch(() => undefined);
  }

  #maybeIdle(): void {
    if (this.load === 0 && !this.dead) this.onIdle?.(this);
  }

  #die(reason: SandboxError): void {
    if (this.#dead) return;
    this.#dead = reason;
    for (const ch of this.#pages.keys()) ch.close(reason);
    this.#warm = [];
  }

  /** Closes every page, the context, and what this host launched or connected. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const warm = this.#warm;
      this.#warm = [];
      for (const w of warm) void w.then((ch) => ch.page.close()).catch(() => undefined);
      for (const ch of this.#pages.keys()) ch.close(new SandboxError('CLOSED', `${this.label}: closed`));
      if (!this.#dead) {
        await this.context.close().catch(() => undefined);
        if (this.owns.browser) await this.browser?.close().catch(() => undefined);
      }
      if (this.owns.serverKey) await releaseServer(this.owns.serverKey);
    })();
    return this.#closing;
  }
}
