// Everything the kernel keeps for one sandbox: its filesystem, its session defaults and its
// engine sandbox (guest processes).
import type { EngineSandbox } from './engine/sandbox';
import { FileService } from './files';
import type { Persistable, Persister, SessionMeta } from './persister';
import type { KernelInit } from './protocol';
import { Session } from './session/session';
import { Snapshots, type StoredSnapshot } from './snapshots';
import { Vfs, buildDefaultLayout, type VfsOptions } from './vfs';

/**
 * The filesystem options a sandbox's init asks for. Every way a sandbox's VFS is made (fresh,
 * imported, reopened from storage) uses them, so a reopened sandbox keeps its quotas and its
 * deterministic clock and listing order.
 */
export function vfsOptions(init: KernelInit): VfsOptions {
  return {
    maxBytes: init.fsLimitBytes,
    ...(init.fsLimitFiles !== undefined ? { maxFiles: init.fsLimitFiles } : {}),
    ...(init.deterministic ? { sortedReaddir: true, now: () => init.deterministic!.epochMs } : {}),
  };
}

/** What a sandbox starts from when it is not fresh (an import or a fork). */
export interface InitialState {
  vfs: Vfs;
  snapshots: StoredSnapshot[];
  env: Record<string, string>;
  cwd: string;
}

export class SandboxState implements Persistable {
  vfs: Vfs;
  readonly files: FileService;
  readonly session: Session;
  readonly snapshots: Snapshots;
  engine!: EngineSandbox;
  /** Set for persisted sandboxes. */
  persister: Persister | undefined;
  commandsRun = 0;
  readonly durations: number[] = [];

  /** Records a finished command for metrics(). */
  finished(durationMs: number): void {
    this.commandsRun++;
    this.durations.push(durationMs);
    if (this.durations.length > 100) this.durations.shift();
  }

  /** Open files.watch subscriptions: id → disposer. */
  readonly watches = new Map<number, () => void>();
  /** Releases the cross-tab writer lock. */
  releaseLock: () => void = () => undefined;

  /** Something changed: persisted sandboxes save soon. */
  changed(): void {
    this.persister?.schedule(this);
  }

  constructor(
    readonly sid: string,
    readonly init: KernelInit,
    from?: InitialState,
  ) {
    if (from) {
      this.vfs = from.vfs;
    } else {
      this.vfs = new Vfs(vfsOptions(init));
      buildDefaultLayout(this.vfs);
    }
    this.files = new FileService((path) => this.route(path));
    this.session = new Session(from ? { ...init, env: { ...init.env, ...from.env }, cwd: from.cwd } : init);
    // Deterministic mode: our compat library (linked into every binary) reads these and gives a
    // fixed clock and a seeded random stream (wasm/compat/src/wrap_determ.c).
    if (init.deterministic) {
      Object.assign(this.session.env, {
        SANDPIT_EPOCH_MS: String(init.deterministic.epochMs),
        SANDPIT_SEED: String(init.deterministic.seed),
        HOSTNAME: 'sandpit',
      });
    }
    this.snapshots = new Snapshots(from?.snapshots);
  }

  /** Mounted volumes, longest path first. */
  volumeMounts: { path: string; name: string; vfs: Vfs }[] = [];

  /** The filesystem a path lives in (a volume or the sandbox's own) and the path inside it. */
  route(path: string): { vfs: Vfs; path: string } {
    for (const m of this.volumeMounts) {
      if (path === m.path) return { vfs: m.vfs, path: '/' };
      if (path.startsWith(m.path + '/')) return { vfs: m.vfs, path: path.slice(m.path.length) };
    }
    return { vfs: this.vfs, path };
  }

  persistedSnapshots(): StoredSnapshot[] {
    return this.snapshots.all();
  }

  persistedMeta(): SessionMeta {
    return { env: this.session.env, cwd: this.session.cwd };
  }

  /** A copy-on-write copy of this sandbox's files, snapshots and session. */
  fork(): InitialState {
    return {
      vfs: this.vfs.fork(),
      snapshots: this.snapshots.all(),
      env: { ...this.session.env },
      cwd: this.session.cwd,
    };
  }
}
