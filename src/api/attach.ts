// Multi-tab attach: a persisted sandbox has one writer, the tab whose kernel holds its lock.
// `Sandbox.open(id)` in another tab of the origin attaches instead of failing LOCKED: its
// calls go over a BroadcastChannel to the owning tab's page, which runs them on its own
// sandbox. Callbacks (streamed output, watch events) come back the same way. When the owner
// lets go of the lock (closed, crashed, taken over), the attached tab's handle stops, and its
// next call reopens the sandbox here as the new owner (or attaches to whoever owns it now).
import { proxy, type Remote } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import { SandboxError } from './errors';
import { lifeline } from './lifeline';
import type { KernelCalls } from './kernel-calls';
import type { KernelHandle } from './kernel-client';

type Msg =
  | { t: 'hello'; from: string; page: string }
  | { t: 'owner'; to: string }
  | { t: 'bye' }
  | { t: 'call'; from: string; n: number; method: string; args: unknown[] }
  | { t: 'reply'; to: string; n: number; ok: boolean; value?: unknown; error?: WireError; gone?: boolean }
  | { t: 'cb'; to: string; k: number; args: unknown[] };

interface WireError {
  code: string;
  message: string;
  path?: string;
}

/** A function argument, or an object of function-valued fields (StreamSinks), by callback id. */
type WireArg = { __cb: number } | { __cbs: Record<string, number> } | unknown;

/** This page: a sandbox is attached to from other pages only (one page opens an id once). */
const PAGE = crypto.randomUUID();

/** How long `Sandbox.open` waits for an owning tab to answer. */
const HELLO_MS = 1500;

function channelName(id: string): string {
  return `sandpit:attach:${id}`;
}

function lockName(id: string): string {
  // The kernel's writer lock (src/worker/lock.ts).
  return `sandpit:sandbox:${id}`;
}

function toWireError(err: unknown): WireError {
  const e = err as { code?: unknown; message?: unknown; path?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : 'UNSUPPORTED',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.path === 'string' ? { path: e.path } : {}),
  };
}

/** The owner's side of attach, for the sandbox's destroy. */
export interface AttachServer {
  /**
   * Settles when the attached tabs' calls running here have ended, or after `ms`. Closing the
   * sandbox under them would cut them: a command of theirs half run, an append of theirs lost.
   */
  drain(ms: number): Promise<void>;
  /** Stops answering and tells attached tabs to reopen (the sandbox was destroyed). */
  stop(): void;
}

/** The owner's side: answers attached tabs' calls on `calls()`, this tab's own sandbox. */
export function serveAttach(id: string, calls: () => KernelCalls | undefined): AttachServer {
  if (typeof BroadcastChannel === 'undefined') return { drain: async () => undefined, stop: () => undefined };
  const ch = new BroadcastChannel(channelName(id));
  const running = new Set<Promise<unknown>>();
  ch.onmessage = (e: MessageEvent<Msg>) => {
    const m = e.data;
    if (m?.t === 'hello' && m.page !== PAGE) ch.postMessage({ t: 'owner', to: m.from } satisfies Msg);
    if (m?.t !== 'call') return;
    // Only the per-sandbox methods; `close` from an attached tab just detaches it there.
    const args = m.args.map((a) =>
      reviveArg(a, (k, cbArgs) => ch.postMessage({ t: 'cb', to: m.from, k, args: cbArgs })),
    );
    const own = calls();
    // Closed here already (destroy() is under way): the call never ran, the caller may retry it.
    if (!own) {
      ch.postMessage({
        t: 'reply',
        to: m.from,
        n: m.n,
        ok: false,
        gone: true,
        error: toWireError(new SandboxError('CLOSED', `the tab that owned sandbox ${id} closed it`)),
      } satisfies Msg);
      return;
    }
    const method = (own as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[m.method];
    const call = Promise.resolve()
      .then(() => {
        if (!method || m.method === 'close')
          throw new SandboxError('UNSUPPORTED', `${m.method} is not available to an attached tab`);
        return method(...args);
      })
      .then(
        (value) => ch.postMessage({ t: 'reply', to: m.from, n: m.n, ok: true, value } satisfies Msg),
        (err: unknown) =>
          ch.postMessage({ t: 'reply', to: m.from, n: m.n, ok: false, error: toWireError(err) } satisfies Msg),
      )
      .finally(() => running.delete(call));
    running.add(call);
  };
  return {
    drain: async (ms) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
      await Promise.race([Promise.allSettled([...running]), late]);
      clearTimeout(timer);
    },
    stop: () => {
      ch.postMessage({ t: 'bye' } satisfies Msg);
      ch.close();
    },
  };
}

/** Owner side: turns callback ids back into functions (Comlink proxies, as the kernel expects). */
function reviveArg(arg: WireArg, post: (k: number, args: unknown[]) => void): unknown {
  const a = arg as { __cb?: number; __cbs?: Record<string, number> } | null;
  if (a && typeof a === 'object' && typeof a.__cb === 'number') {
    const k = a.__cb;
    return proxy((...args: unknown[]) => post(k, args));
  }
  if (a && typeof a === 'object' && a.__cbs) {
    const out: Record<string, (...args: unknown[]) => void> = {};
    for (const [name, k] of Object.entries(a.__cbs)) out[name] = (...args: unknown[]) => post(k, args);
    return proxy(out);
  }
  return arg;
}

/**
 * The attached side: a KernelHandle whose calls run in the owning tab. Resolves undefined if
 * no tab answers (the lock's holder is not a page that serves attach).
 */
export async function attachRemote(id: string): Promise<KernelHandle | undefined> {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const me = crypto.randomUUID();
  const ch = new BroadcastChannel(channelName(id));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const callbacks = new Map<number, (...args: unknown[]) => unknown>();
  let nextCall = 1;
  let nextCb = 1;
  let stop = () => undefined as void;
  let answered!: () => void;
  const owner = new Promise<void>((r) => (answered = r));
  ch.onmessage = (e: MessageEvent<Msg>) => {
    const m = e.data;
    if (m?.t === 'owner' && m.to === me) answered();
    // The owner closed its sandbox (destroyed, or taken over by another tab).
    if (m?.t === 'bye') stop();
    if (m?.t === 'cb' && m.to === me) void callbacks.get(m.k)?.(...m.args);
    if (m?.t !== 'reply' || m.to !== me) return;
    const p = pending.get(m.n);
    pending.delete(m.n);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(Object.assign(new Error(m.error!.message), m.error, m.gone ? { retry: true } : {}));
    // The owner has closed the sandbox: what comes next goes through a reopen.
    if (m.gone) stop();
  };
  ch.postMessage({ t: 'hello', from: me, page: PAGE } satisfies Msg);
  const found = await Promise.race([
    owner.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), HELLO_MS)),
  ]);
  if (!found) {
    ch.close();
    return undefined;
  }

  const life = lifeline(`the tab that owned sandbox ${id} let it go during this call; the next call reopens it`);
  stop = () => {
    if (!life.end()) return;
    ch.close();
    for (const p of pending.values())
      p.reject(new SandboxError('CLOSED', `the tab that owned sandbox ${id} let it go`));
    pending.clear();
  };
  watchOwner(id, stop);

  const wireArg = (arg: unknown): WireArg => {
    if (typeof arg === 'function') {
      const k = nextCb++;
      callbacks.set(k, arg as (...args: unknown[]) => unknown);
      return { __cb: k };
    }
    if (
      arg &&
      typeof arg === 'object' &&
      !ArrayBuffer.isView(arg) &&
      Object.values(arg).some((v) => typeof v === 'function')
    ) {
      const ks: Record<string, number> = {};
      for (const [name, fn] of Object.entries(arg)) {
        if (typeof fn !== 'function') continue;
        const k = nextCb++;
        callbacks.set(k, fn as (...args: unknown[]) => unknown);
        ks[name] = k;
      }
      return { __cbs: ks };
    }
    return arg;
  };
  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (!life.alive) return Promise.reject(new SandboxError('CLOSED', `the tab that owned sandbox ${id} let it go`));
    const n = nextCall++;
    return new Promise((resolve, reject) => {
      pending.set(n, { resolve, reject });
      ch.postMessage({ t: 'call', from: me, n, method, args: args.map(wireArg) } satisfies Msg);
    });
  };
  const api = new Proxy({} as Remote<WorkerApi>, {
    get: (_target, name) => {
      if (typeof name !== 'string' || name === 'then') return undefined;
      // Detaching ends nothing in the owner's tab.
      if (name === 'close') return async () => stop();
      if (name === 'count') return async () => 1;
      // Per-sandbox methods get (sid, ...args); the owner applies its own sid.
      return (_sid: string, ...args: unknown[]) => call(name, args);
    },
  });
  return {
    api,
    get alive() {
      return life.alive;
    },
    whileAlive: life.whileAlive,
    terminate: stop,
  };
}

/**
 * True if the sandbox's writer lock is free, or frees, within `ms`. For a holder that answers no
 * attach: a tab that is closing (its kernel worker, and so the lock, not gone yet).
 */
export async function lockFreesWithin(id: string, ms: number): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return false;
  try {
    // Taken and let go at once: the kernel worker takes it for real.
    await locks.request(lockName(id), { signal: AbortSignal.timeout(ms) }, () => undefined);
    return true;
  } catch {
    return false;
  }
}

/** Calls `onGone` once the owning tab no longer holds the sandbox's writer lock. */
function watchOwner(id: string, onGone: () => void): void {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return;
  // Queued behind the owner; granted when it lets go. Released at once, so that this tab's
  // kernel (or another tab) can take the sandbox.
  void locks.request(lockName(id), () => onGone()).catch(() => onGone());
}
