// Change notification: subscribers get the events under a path, batched per microtask so a
// chunked write (or `tar x`) becomes one callback with de-duplicated events, not thousands.

import { isWithin, normalizePath } from './path';

export type WatchEventType = 'create' | 'modify' | 'remove' | 'rename';

export interface WatchEvent {
  type: WatchEventType;
  /** The affected path; for 'rename' the new path. */
  path: string;
  /** For 'rename' only: the old path. */
  from?: string;
}

export type WatchCallback = (events: WatchEvent[]) => void;

interface Subscription {
  path: string;
  recursive: boolean;
  cb: WatchCallback;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

function matches(sub: Subscription, path: string): boolean {
  if (sub.recursive) return isWithin(path, sub.path);
  return path === sub.path || parentOf(path) === sub.path;
}

export class WatchHub {
  private readonly subs = new Set<Subscription>();
  private pending: WatchEvent[] = [];
  private scheduled = false;

  /** Subscribe to changes at `path` (and its direct children, or everything below if recursive). Returns a disposer. */
  subscribe(path: string, recursive: boolean, cb: WatchCallback): () => void {
    const sub: Subscription = { path: normalizePath(path), recursive, cb };
    this.subs.add(sub);
    return () => {
      this.subs.delete(sub);
    };
  }

  get active(): boolean {
    return this.subs.size > 0;
  }

  emit(event: WatchEvent): void {
    // Nobody listening: do not even queue (the common case inside a running guest).
    if (this.subs.size === 0) return;
    const prev = this.pending[this.pending.length - 1];
    if (prev && prev.type === 'modify' && event.type === 'modify' && prev.path === event.path) return;
    this.pending.push(event);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Deliver queued events now (also used by tests and before a snapshot is handed out). */
  flush(): void {
    this.scheduled = false;
    const events = this.pending;
    if (events.length === 0) return;
    this.pending = [];
    for (const sub of [...this.subs]) {
      const mine = events.filter((e) => matches(sub, e.path) || (e.from !== undefined && matches(sub, e.from)));
      if (mine.length === 0) continue;
      try {
        sub.cb(mine);
      } catch {
        // A throwing listener must not stop the others or the filesystem.
      }
    }
  }

  clear(): void {
    this.subs.clear();
    this.pending = [];
  }
}
