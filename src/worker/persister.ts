// Autosave for a persisted sandbox: commits after commands and file writes, debounced, one at a
// time, each atomic (store/repository.ts). Storage trouble surfaces as QUOTA and leaves the last
// committed state intact.
import { KernelError } from './errors';
import { registryGet, registryPut } from './registry';
import type { SandboxState } from './sandbox-state';
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
  ) {}

  static async open(
    id: string,
    kind: PersistenceKind | 'auto',
  ): Promise<{ persister: Persister; loaded: InitialState | undefined }> {
    try {
      const { kind: actual, backend } = await openBackend(kind, id);
      const repo = await Repository.open(backend);
      const loadedVfs = await loadVfs(repo);
      const prior = await registryGet(id);
      const loaded = loadedVfs && {
        vfs: loadedVfs.vfs,
        snapshots: loadedVfs.snapshots,
        env: (loadedVfs.meta as SessionMeta | undefined)?.env ?? {},
        cwd: (loadedVfs.meta as SessionMeta | undefined)?.cwd ?? '/home/user',
      };
      return { persister: new Persister(id, actual, repo, prior?.createdAt ?? Date.now()), loaded };
    } catch (err) {
      storeError(err);
    }
  }

  /** Save soon (debounced): after a command ends or the files API writes. */
  schedule(state: SandboxState): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.save(state).catch((e) => (this.lastError = e)), DEBOUNCE_MS);
  }

  /** Save now and wait for it; rethrows a failure of this or an earlier autosave. */
  async flush(state: SandboxState): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.save(state);
    const e = this.lastError;
    this.lastError = undefined;
    if (e) storeError(e);
  }

  private save(state: SandboxState): Promise<void> {
    const run = this.saving.then(async () => {
      try {
        const meta: SessionMeta = { env: state.session.env, cwd: state.session.cwd };
        await saveVfs(this.repo, state.vfs, state.snapshots.all(), meta);
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

  cancel(): void {
    clearTimeout(this.timer);
  }
}
