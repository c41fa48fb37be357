// Autosave for a persisted sandbox: commits after commands and file writes, debounced, one at a
// time, each atomic (store/repository.ts). Storage trouble surfaces as QUOTA and leaves the last
// committed state intact.
import { KernelError } from './errors';
import { registryGet, registryPut } from './registry';
import type { StoredSnapshot } from './snapshots';
import type { Vfs, VfsOptions } from './vfs';
import { Repository, StoreError, openBackend, saveVfs, loadVfs, type PersistenceKind } from './store';
import type { InitialState } from './sandbox-state';

const DEBOUNCE_MS = 250;

export interface SessionMeta {
  env: Record<string, string>;
  cwd: string;
}

function storeError(err: unknown): never {
  if (err instanceof StoreError) {
    throw new KernelError(err.code === 'NOT_FOUND' ? 'NOT_FOUND' : err.code, err.message);
  }
  throw err;
}

/** What a persister saves: a sandbox (files, snapshots, session) or a volume (files only). */
export interface Persistable {
  vfs: Vfs;
  persistedSnapshots(): StoredSnapshot[];
  persistedMeta(): unknown;
}

export class Persister {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** The last autosave failure, reported by the next flush() (an explicit save). */
  private lastError: unknown;

  private constructor(
    readonly id: string,
    readonly kind: PersistenceKind,
    private readonly repo: Repository,
    private readonly createdAt: number,
    /** Sandboxes are listed in the registry; volumes keep their own list. */
    private readonly listed: boolean,
  ) {}

  static async open(
    id: string,
    kind: PersistenceKind | 'auto',
    listed = true,
    vfsOptions: VfsOptions = {},
  ): Promise<{ persister: Persister; loaded: InitialState | undefined }> {
    try {
      const { kind: actual, backend } = await openBackend(kind, id);
      const repo = await Repository.open(backend);
      const loadedVfs = await loadVfs(repo, vfsOptions);
      const prior = listed ? await registryGet(id) : undefined;
      const loaded = loadedVfs && {
        vfs: loadedVfs.vfs,
        snapshots: loadedVfs.snapshots,
        env: (loadedVfs.meta as SessionMeta | undefined)?.env ?? {},
        cwd: (loadedVfs.meta as SessionMeta | undefined)?.cwd ?? '/home/user',
      };
      return { persister: new Persister(id, actual, repo, prior?.createdAt ?? Date.now(), listed), loaded };
    } catch (err) {
      storeError(err);
    }
  }

  /** Save soon (debounced): after a command ends or the files API writes. */
  schedule(state: Persistable): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.save(state).catch((e) => (this.lastError = e)), DEBOUNCE_MS);
  }

  /** Save now and wait for it; rethrows a failure of this or an earlier autosave. */
  async flush(state: Persistable): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.save(state);
    const e = this.lastError;
    this.lastError = undefined;
    if (e) storeError(e);
  }

  private save(state: Persistable): Promise<void> {
    const run = this.saving.then(async () => {
      try {
        await saveVfs(this.repo, state.vfs, state.persistedSnapshots(), state.persistedMeta());
        if (!this.listed) return;
        await registryPut({
          id: this.id,
          persistence: this.kind,
          createdAt: this.createdAt,
          updatedAt: Date.now(),
          bytes: state.vfs.usage().bytes,
        });
      } catch (err) {
        storeError(err);
      }
    });
    this.saving = run.catch(() => undefined);
    return run;
  }

  /** Removes everything stored. */
  async destroy(): Promise<void> {
    this.cancel();
    await this.saving;
    await this.repo.destroy().catch(storeError);
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
