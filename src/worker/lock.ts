// One writer per persisted sandbox across tabs of an origin: a Web Lock held while the sandbox
// is open. `takeover` first asks the holder (over a BroadcastChannel) to save and let go, then
// waits for the lock; a holder that does not answer in time has the lock stolen.
// Where Web Locks are missing (old browsers, Node tests) there is nothing to race.
import { KernelError } from './errors';

export type Release = () => void;

/**
 * Settles like `p`, or rejects with `onLate()` after `ms`. For steps that should be quick but
 * wait on something another context holds (a closing tab's store handles): a clear error
 * instead of an open that never returns.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, onLate: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onLate()), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const CHANNEL = 'sandpit:locks';
const TAKEOVER_WAIT_MS = 3000;

/** Holders answer takeover requests: `onRequest(id)` saves and releases, if it holds `id`. */
export function listenForTakeovers(onRequest: (id: string) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => undefined;
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (e: MessageEvent<{ type?: string; id?: string }>) => {
    if (e.data?.type === 'takeover' && typeof e.data.id === 'string') onRequest(e.data.id);
  };
  return () => ch.close();
}

export async function acquireWriterLock(
  id: string,
  options: { takeover?: boolean; onLost?: () => void } = {},
): Promise<Release> {
  const locks = (globalThis.navigator as WorkerNavigator | undefined)?.locks;
  if (!locks) return () => undefined;
  const name = `sandpit:sandbox:${id}`;
  if (options.takeover && typeof BroadcastChannel !== 'undefined') {
    const ch = new BroadcastChannel(CHANNEL);
    ch.postMessage({ type: 'takeover', id });
    ch.close();
    try {
      return await request(locks, name, { signal: AbortSignal.timeout(TAKEOVER_WAIT_MS) }, id, options.onLost);
    } catch (err) {
      if ((err as { name?: string })?.name !== 'TimeoutError') throw err;
      return request(locks, name, { steal: true }, id, options.onLost);
    }
  }
  return request(locks, name, options.takeover ? { steal: true } : { ifAvailable: true }, id, options.onLost);
}

function request(
  locks: LockManager,
  name: string,
  opts: LockOptions,
  id: string,
  onLost?: () => void,
): Promise<Release> {
  let released = false;
  return new Promise<Release>((resolve, reject) => {
    locks
      .request(name, opts, (lock: Lock | null) => {
        if (!lock) {
          reject(
            new KernelError(
              'LOCKED',
              `sandbox ${id} is open in another tab; open it with { takeover: true } to move it here`,
            ),
          );
          return undefined;
        }
        // Held until release() resolves this promise.
        return new Promise<void>((done) =>
          resolve(() => {
            released = true;
            done();
          }),
        );
      })
      .catch((err: unknown) => {
        // A stolen lock rejects the holder's request with AbortError.
        if (!released && (err as { name?: string })?.name === 'AbortError') onLost?.();
        else reject(err);
      });
  });
}
