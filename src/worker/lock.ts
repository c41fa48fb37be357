// One writer per persisted sandbox across tabs of an origin: a Web Lock held while the sandbox
// is open. Where Web Locks are missing (old browsers, Node tests) there is nothing to race.
import { KernelError } from './errors';

export type Release = () => void;

export async function acquireWriterLock(id: string): Promise<Release> {
  const locks = (globalThis.navigator as WorkerNavigator | undefined)?.locks;
  if (!locks) return () => undefined;
  return new Promise<Release>((resolve, reject) => {
    void locks
      .request(`sandpit:sandbox:${id}`, { ifAvailable: true }, (lock: Lock | null) => {
        if (!lock) {
          reject(new KernelError('LOCKED', `sandbox ${id} is open in another tab or worker`));
          return undefined;
        }
        // Held until release() resolves this promise.
        return new Promise<void>((done) => resolve(done));
      })
      .catch(reject);
  });
}
