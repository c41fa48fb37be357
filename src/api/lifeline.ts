// The life of a kernel handle (the page's worker, or another tab that owns a sandbox): calls
// to something that has gone never settle, so each call races the handle's death, which fails
// it with CLOSED and the reason.
import { SandboxError } from './errors';

export interface Lifeline {
  readonly alive: boolean;
  /** Settles like `call`, or rejects with CLOSED if the handle dies first. */
  whileAlive<T>(call: Promise<T>): Promise<T>;
  /** Marks the handle dead and fails the calls in flight; true the first time only. */
  end(): boolean;
}

export function lifeline(reason: string): Lifeline {
  let alive = true;
  let died!: () => void;
  const death = new Promise<never>((_, reject) => {
    died = () => reject(new SandboxError('CLOSED', reason));
  });
  death.catch(() => undefined);
  return {
    get alive() {
      return alive;
    },
    whileAlive: <T>(call: Promise<T>) => Promise.race([call, death]),
    end() {
      if (!alive) return false;
      alive = false;
      died();
      return true;
    },
  };
}
