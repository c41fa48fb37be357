// The Node half of the proxy: one Channel per page. It sends (handle id, method path, args)
// to page-runtime.ts, turns replies back into values, and builds Node mirrors of the objects
// the page keeps (a sandbox, a background process, a watcher…) from their descriptors.
//
// Wire tags (key `__sandpit$`): 'u8' {b64} bytes · 'blob' {b64,type} · 'stream' {b64} a
// ReadableStream read to the end · 'cb' {id} a Node callback · 'signal' {id,aborted} an
// AbortSignal · 'ref' {id} a page object passed back · 'handle' {id,kind,methods,props,children}
// a page object · 'error' {name,message,code,...} a thrown or returned error.
import type { Page } from 'playwright-core';
import { SandboxError, fromDriverError, fromWireError, type WireError } from './errors.js';
import { KNOWN_METHODS } from './names.js';
import { installPageRuntime } from './page-runtime.js';

export const TAG = '__sandpit$';
const HANDLE = Symbol('sandpit.handle');

export interface Shape {
  kind: string;
  methods: string[];
  props: Record<string, unknown>;
  children: Record<string, Shape>;
}
export interface HandleWire extends Shape {
  id: number;
}

type Fn = (...args: unknown[]) => unknown;
type Reply = { ok: true; value: unknown } | { ok: false; error: WireError };

/** A Node object standing for a page object. */
export interface Mirror {
  [key: string]: unknown;
}

/** Lets the owner of a channel decorate mirrors of a kind (e.g. Sandbox.destroy closes the page). */
export type MirrorHook = (mirror: Mirror, handle: HandleWire, channel: Channel) => Mirror;

export function handleIdOf(o: unknown): { channel: Channel; id: number } | undefined {
  return typeof o === 'object' && o !== null
    ? (o as { [HANDLE]?: { channel: Channel; id: number } })[HANDLE]
    : undefined;
}

const isPlain = (o: object) => {
  const p = Object.getPrototypeOf(o);
  return p === Object.prototype || p === null;
};

// When a mirror is garbage collected, its page object is dropped from the page registry too.
const finalizer = new FinalizationRegistry<{ channel: Channel; id: number }>(({ channel, id }) => channel.release(id));

export class Channel {
  #callbacks = new Map<number, Fn>();
  #released: number[] = [];
  #nextId = 1;
  #closed: SandboxError | undefined;
  #hooks = new Map<string, MirrorHook>();

  private constructor(
    readonly page: Page,
    readonly label: string,
  ) {}

  /** Exposes the callback binding, loads `url`, waits for globalThis.sandpit, installs the runtime. */
  static async open(page: Page, url: string, label: string, timeoutMs = 60_000): Promise<Channel> {
    const ch = new Channel(page, label);
    await page.exposeBinding('__sandpitCallback', (_source, id: number, args: unknown[]) => ch.#dispatch(id, args));
    page.on('close', () => ch.close(new SandboxError('CLOSED', `${label}: the page was closed`)));
    page.on('crash', () => ch.close(new SandboxError('CLOSED', `${label}: the page crashed`)));
    await page.goto(url, { timeout: timeoutMs });
    await page.waitForFunction(() => 'sandpit' in globalThis, undefined, { timeout: timeoutMs });
    await page.evaluate(installPageRuntime);
    return ch;
  }

  get closed(): SandboxError | undefined {
    return this.#closed;
  }

  close(reason: SandboxError): void {
    if (this.#closed) return;
    this.#closed = reason;
    this.#callbacks.clear();
  }

  /** Forgets page object `id` (batched into the next call, or sent after a short delay). */
  release(id: number): void {
    if (this.#closed) return;
    if (this.#released.push(id) === 1) setTimeout(() => void this.#flushReleased(), 1000).unref();
  }

  async #flushReleased(): Promise<void> {
    const ids = this.#released.splice(0);
    if (ids.length === 0 || this.#closed) return;
    await this.page
      .evaluate(
        (i) =>
          (globalThis as unknown as { __sandpitDriver: { release(i: number[]): void } }).__sandpitDriver.release(i),
        ids,
      )
      .catch(() => undefined);
  }

  onKind(kind: string, hook: MirrorHook): void {
    this.#hooks.set(kind, hook);
  }

  /** Calls `path` on page object `id` (0 is globalThis.sandpit). */
  async invoke(id: number, path: readonly string[], args: readonly unknown[]): Promise<unknown> {
    if (this.#closed) throw this.#closed;
    const wire = await Promise.all(args.map((a) => this.encode(a)));
    let reply: Reply;
    try {
      reply = (await this.page.evaluate(
        ([i, p, a]) =>
          (
            globalThis as unknown as { __sandpitDriver: { call(...x: unknown[]): Promise<unknown> } }
          ).__sandpitDriver.call(i, p, a),
        [id, path, wire] as const,
      )) as Reply;
    } catch (err) {
      const e = this.#closed ?? fromDriverError(err, `${this.label}: ${path.join('.')}`);
      this.close(e);
      throw e;
    }
    if (!reply.ok) throw fromWireError(reply.error);
    return this.decode(reply.value);
  }

  /** Tells the page a Node AbortSignal fired. */
  async #abort(id: number): Promise<void> {
    if (this.#closed) return;
    await this.page
      .evaluate(
        (i) => (globalThis as unknown as { __sandpitDriver: { abort(i: number): void } }).__sandpitDriver.abort(i),
        id,
      )
      .catch(() => undefined);
  }

  async #dispatch(id: number, args: unknown[]): Promise<unknown> {
    const fn = this.#callbacks.get(id);
    if (!fn) return undefined;
    const value = await fn(...args.map((a) => this.decode(a)));
    return this.encode(value);
  }

  async encode(v: unknown): Promise<unknown> {
    if (v === null || v === undefined) return v;
    if (typeof v === 'function') {
      const id = this.#nextId++;
      this.#callbacks.set(id, v as Fn);
      return { [TAG]: 'cb', id };
    }
    if (typeof v !== 'object') return v;
    const ref = handleIdOf(v);
    if (ref) {
      if (ref.channel !== this) throw new SandboxError('EINVAL', 'an object of one sandbox page was passed to another');
      return { [TAG]: 'ref', id: ref.id };
    }
    if (v instanceof Uint8Array)
      return { [TAG]: 'u8', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (v instanceof ArrayBuffer) return { [TAG]: 'u8', b64: Buffer.from(v).toString('base64') };
    if (v instanceof Blob)
      return { [TAG]: 'blob', type: v.type, b64: Buffer.from(await v.arrayBuffer()).toString('base64') };
    if (v instanceof ReadableStream) {
      return { [TAG]: 'stream', b64: Buffer.from(await new Response(v).arrayBuffer()).toString('base64') };
    }
    if (v instanceof AbortSignal) {
      const id = this.#nextId++;
      if (!v.aborted) v.addEventListener('abort', () => void this.#abort(id), { once: true });
      return { [TAG]: 'signal', id, aborted: v.aborted };
    }
    if (v instanceof Date) return v;
    if (Array.isArray(v)) return Promise.all(v.map((x) => this.encode(x)));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = await this.encode(x);
    return out;
  }

  decode(v: unknown): unknown {
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (Array.isArray(v)) return v.map((x) => this.decode(x));
    const o = v as Record<string, unknown>;
    switch (o[TAG]) {
      case undefined: {
        if (!isPlain(o)) return o;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(o)) out[k] = this.decode(x);
        return out;
      }
      case 'u8':
        return new Uint8Array(Buffer.from(o.b64 as string, 'base64'));
      case 'blob':
        return new Blob([Buffer.from(o.b64 as string, 'base64')], { type: o.type as string });
      case 'stream': {
        const bytes = new Uint8Array(Buffer.from(o.b64 as string, 'base64'));
        return new ReadableStream<Uint8Array>({
          start(c) {
            if (bytes.length) c.enqueue(bytes);
            c.close();
          },
        });
      }
      case 'error':
        return fromWireError(o as unknown as WireError);
      case 'handle':
        return this.mirror(o as unknown as HandleWire);
      default:
        throw new SandboxError('CORRUPT', `unknown wire tag ${String(o[TAG])}`);
    }
  }

  /** Builds the Node object for page object `h`: its methods, data props and child objects. */
  mirror(h: HandleWire): Mirror {
    const known = KNOWN_METHODS[h.kind] ?? [];
    const build = (shape: Shape | undefined, prefix: string[]): Mirror => {
      const m: Mirror = {};
      const names = new Set(shape?.methods ?? []);
      const childNames = new Set(Object.keys(shape?.children ?? {}));
      for (const path of known) {
        const parts = path.split('.');
        if (parts.length - 1 < prefix.length || parts.slice(0, prefix.length).join('.') !== prefix.join('.')) continue;
        const rest = parts.slice(prefix.length);
        if (rest.length === 1) names.add(rest[0]!);
        else childNames.add(rest[0]!);
      }
      for (const [k, x] of Object.entries(shape?.props ?? {})) m[k] = this.decode(x);
      for (const name of names) {
        const path = [...prefix, name];
        m[name] = (...args: unknown[]) => this.invoke(h.id, path, args);
      }
      for (const name of childNames) m[name] = build(shape?.children[name], [...prefix, name]);
      return m;
    };
    let m = build(h, []);
    Object.defineProperty(m, HANDLE, { value: { channel: this, id: h.id } });
    finalizer.register(m, { channel: this, id: h.id });
    const hook = this.#hooks.get(h.kind);
    if (hook) m = hook(m, h, this);
    return m;
  }
}
