// The persistence interface every storage kind implements, and the errors it may raise.

/** A flat key → bytes store. Keys are short ASCII strings like 'obj/<sha256>' or 'root.0'. */
export interface StorageBackend {
  /** The stored bytes, or undefined if the key is absent. */
  load(key: string): Promise<Uint8Array | undefined>;
  /**
   * Store bytes under a key, replacing any previous value. Need not be atomic: the commit protocol
   * copes. The caller may overwrite `bytes` once the promise settles (implementations copy or write them).
   */
  save(key: string, bytes: Uint8Array, options?: SaveOptions): Promise<void>;
  /**
   * Optional: make durable every key saved with `deferSync` (and not yet synced or deleted) among
   * `keys`. A backend without it makes every save durable before it settles.
   */
  sync?(keys: string[]): Promise<void>;
  /** Remove a key; absent keys are not an error. */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix` (all keys if omitted), in no particular order. */
  list(prefix?: string): Promise<string[]>;
}

export interface SaveOptions {
  /**
   * The bytes need not be durable (on disk, surviving a power loss) when the promise settles, only
   * after a later `sync` naming this key. Lets a commit of several packs wait for the disk once.
   */
  deferSync?: boolean;
}

export type StoreErrorCode = 'QUOTA' | 'CORRUPT' | 'NOT_FOUND' | 'UNSUPPORTED';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(`${code}: ${message}`, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Browsers report a full disk as a DOMException named QuotaExceededError (IndexedDB, OPFS, localStorage alike). */
export function isQuotaError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const name = (e as { name?: unknown }).name;
  return (
    name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || (e as { code?: unknown }).code === 'QUOTA'
  );
}

/** Rethrow storage failures with a string code: QUOTA for a full disk, the original error otherwise. */
export function storageError(e: unknown, what: string): unknown {
  if (e instanceof StoreError) return e;
  if (isQuotaError(e)) return new StoreError('QUOTA', `storage is full while ${what}`, { cause: e });
  return e;
}
