// The kernel worker's entry: exposes the WorkerApi over Comlink. One kernel per page hosts
// every sandbox; they share one engine runtime.
import { expose, transfer } from 'comlink';
import { Runtime } from './engine/runtime';
import { KernelError, installErrorTransfer } from './errors';
import type {
  DiffResult,
  EntryInfo,
  HostCallbacks,
  KernelInfo,
  KernelInit,
  LoadProgress,
  Metrics,
  MountProviderCalls,
  MountRequest,
  MountTreeData,
  PersistedInfo,
  ProcessInfo,
  RunReply,
  RunRequest,
  SandboxSource,
  SnapshotInfo,
  SpawnRequest,
  StreamSinks,
  VolumeInfo,
  WatchEventInfo,
  WorkerApi,
} from './protocol';
import { acquireWriterLock, listenForTakeovers, withDeadline } from './lock';
import { Persister } from './persister';
import { registryDelete, registryGet, registryList } from './registry';
import { SandboxState, vfsOptions, type InitialState } from './sandbox-state';
import { removeBackend } from './store';
import { FileService, fsCall } from './files';
import { MOUNTED_DIRS } from './engine/runtime';
import { Volumes } from './volumes';

/**
 * Reading a stored sandbox takes seconds (84 MB: 1.4-2.5 s measured on 2 busy cores); past this,
 * something else holds its store, and open fails LOCKED instead of waiting for ever.
 */
const STORE_OPEN_DEADLINE_MS = 60_000;

/** Top-level guest paths that hold the engine's own files: never a volume mount point. */
const RESERVED = ['/usr', '/bin', '/dev', '/proc', '/lib', '/sbin', '/run', '/.app', '/.private'];
import { deleteTemplate, listTemplates, loadTemplate, saveTemplate } from './templates';
import { blobBytes } from './store/blob-source';
import { exportState, importState } from './store/export';
import { closeMounts, hasProviderMounts, mountInto, refreshMounts } from './mounts';

installErrorTransfer();

/** Replies may be awaited by several callers, so transfer copies and keep the original. */
function replyTransfer(reply: RunReply): RunReply {
  const copy = { ...reply, stdout: reply.stdout.slice(), stderr: reply.stderr.slice() };
  return transfer(copy, [copy.stdout.buffer, copy.stderr.buffer] as ArrayBuffer[]);
}

class Kernel implements WorkerApi {
  constructor() {
    // A takeover request from another tab: save, close and so release the lock.
    listenForTakeovers((id) => void this.#closeById(id));
  }

  #runtime: Promise<Runtime> | undefined;
  readonly #sandboxes = new Map<string, SandboxState>();
  /** Persisted sandboxes opened exactly as stored and listed: nothing to save yet. */
  readonly #loadedAsIs = new WeakSet<SandboxState>();
  #nextSid = 1;
  #nextWatch = 1;
  readonly #volumes = new Volumes();

  async create(
    init: KernelInit,
    onProgress?: (p: LoadProgress) => void,
    source?: SandboxSource,
    host?: HostCallbacks,
  ): Promise<KernelInfo> {
    const report = (p: LoadProgress) => void onProgress?.(p);
    if (!this.#runtime) {
      this.#runtime = Runtime.start(init, report);
      this.#runtime.catch(() => (this.#runtime = undefined));
    }
    const runtime = await this.#runtime;
    const state = await this.#open(init, source);
    try {
      await this.#mountVolumes(state, init.volumes ?? {});
      state.engine = await runtime.createSandbox(
        () => state.vfs,
        {
          extensions: init.extensions ?? [],
          noStdin: init.noStdin ?? [],
          network: init.network === true,
          ...(host ? { host } : {}),
        },
        state.volumeMounts,
      );
    } catch (err) {
      await this.#releaseVolumes(state);
      state.releaseLock();
      throw err;
    }
    this.#sandboxes.set(state.sid, state);
    // A new persisted sandbox (or an import/fork into one) exists in the store from now on. A
    // reopen of a listed one writes nothing: it must work on a full disk too (e2e "storage
    // pressure"), and its first change is saved by autosave as usual.
    if (state.persister && !this.#loadedAsIs.has(state)) await state.persister.flush(state);
    report({ phase: 'ready', loadedBytes: 0, totalBytes: 0 });
    return {
      sid: state.sid,
      commands: runtime.commands,
      shell: runtime.shell,
      cwd: state.session.cwd,
      env: { ...state.session.env },
    };
  }

  /** The sandbox's state: persisted (under its writer lock), imported, forked or fresh. */
  async #open(init: KernelInit, source?: SandboxSource): Promise<SandboxState> {
    const sid = `s${this.#nextSid++}`;
    const persisted = init.persistence !== 'memory' || init.mustExist;
    if (!persisted) return new SandboxState(sid, init, await this.#initialState(init, source));
    const release = await acquireWriterLock(init.id, {
      ...(init.takeover ? { takeover: true } : {}),
      onLost: () => void this.#closeById(init.id),
    });
    try {
      const { known, persister, loaded } = await withDeadline(
        (async () => {
          const known = await registryGet(init.id);
          if (init.mustExist && !known) throw new KernelError('NOT_FOUND', `no persisted sandbox ${init.id}`);
          const kind = known?.persistence ?? (init.persistence === 'memory' ? 'auto' : init.persistence);
          return { known, ...(await Persister.open(init.id, kind, true, vfsOptions(init))) };
        })(),
        STORE_OPEN_DEADLINE_MS,
        () =>
          new KernelError(
            'LOCKED',
            `the stored state of sandbox ${init.id} could not be read within ${STORE_OPEN_DEADLINE_MS / 1000} s: another tab, or one that is closing, may still hold it; try again`,
          ),
      );
      if (init.mustExist && !loaded) throw new KernelError('NOT_FOUND', `no persisted sandbox ${init.id}`);
      const from = source ? await this.#initialState(init, source) : loaded;
      const state = new SandboxState(sid, init, from);
      state.persister = persister;
      state.releaseLock = release;
      if (known && loaded && !source) this.#loadedAsIs.add(state);
      return state;
    } catch (err) {
      release();
      throw err;
    }
  }

  async #initialState(init: KernelInit, source?: SandboxSource): Promise<InitialState | undefined> {
    if (!source) return undefined;
    if (source.kind === 'fork') return this.#get(source.sid).fork();
    const bytes = async (): Promise<Uint8Array> =>
      source.kind === 'template' ? loadTemplate(source.name) : 'blob' in source ? blobBytes(source.blob) : source.bytes;
    try {
      return await importState(await bytes(), { vfs: vfsOptions(init) });
    } catch (err) {
      if ((err as { code?: string }).code === 'CORRUPT') throw new KernelError('CORRUPT', (err as Error).message);
      throw err;
    }
  }

  async close(sid: string): Promise<void> {
    const state = this.#sandboxes.get(sid);
    if (!state) return;
    this.#sandboxes.delete(sid);
    for (const dispose of state.watches.values()) dispose();
    state.files.closeStreams();
    closeMounts(state);
    try {
      await state.engine.close();
      await state.persister?.flush(state);
    } finally {
      state.persister?.cancel();
      state.releaseLock();
      await this.#releaseVolumes(state);
    }
  }

  async #mountVolumes(state: SandboxState, volumes: Record<string, string>): Promise<void> {
    for (const [path, name] of Object.entries(volumes)) {
      const top = '/' + path.split('/')[1];
      if (path === '/' || RESERVED.includes(top) || MOUNTED_DIRS.includes(path) || path === '/workspace') {
        throw new KernelError('EINVAL', `cannot mount a volume at ${path}`, path);
      }
      const vol = await this.#volumes.acquire(name);
      state.volumeMounts.push({ path, name, vfs: vol.vfs });
      // The mount point shows up in listings of the sandbox's own tree.
      if (!state.vfs.exists(path)) state.vfs.mkdir(path, { recursive: true });
    }
    state.volumeMounts.sort((a, b) => b.path.length - a.path.length);
  }

  async #releaseVolumes(state: SandboxState): Promise<void> {
    const names = state.volumeMounts.map((m) => m.name);
    state.volumeMounts = [];
    for (const n of names) await this.#volumes.release(n).catch(() => undefined);
  }

  async volumeCreate(name: string): Promise<VolumeInfo> {
    return this.#volumes.create(name);
  }

  async volumeInfo(name: string): Promise<VolumeInfo> {
    return this.#volumes.info(name);
  }

  async volumeList(): Promise<VolumeInfo[]> {
    return this.#volumes.list();
  }

  async volumeDelete(name: string): Promise<void> {
    await this.#volumes.delete(name);
  }

  /** Runs `fn` on a volume's files (loading it if no sandbox has it mounted). */
  async #onVolume<T>(name: string, fn: (files: FileService) => T): Promise<T> {
    const vol = await this.#volumes.acquire(name);
    try {
      return fn(new FileService((path) => ({ vfs: vol.vfs, path })));
    } finally {
      await this.#volumes.release(name);
    }
  }

  async volumeRead(name: string, path: string): Promise<Uint8Array> {
    const bytes = await this.#onVolume(name, (f) => f.read(path));
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async volumeWrite(name: string, path: string, data: Uint8Array): Promise<void> {
    await this.#onVolume(name, (f) => f.write(path, data));
  }

  async volumeEntries(name: string, path: string, depth: number): Promise<EntryInfo[]> {
    return this.#onVolume(name, (f) => f.list(path, depth));
  }

  async volumeRemove(name: string, path: string, recursive: boolean): Promise<void> {
    await this.#onVolume(name, (f) => f.remove(path, recursive));
  }

  async saveTemplate(name: string, bytes: Uint8Array): Promise<void> {
    await importState(bytes); // refuse to store what could never be loaded
    await saveTemplate(name, bytes);
  }

  async listTemplates(): Promise<string[]> {
    return listTemplates();
  }

  async deleteTemplate(name: string): Promise<void> {
    await loadTemplate(name);
    await deleteTemplate(name);
  }

  async metrics(sid: string): Promise<Metrics> {
    const s = this.#get(sid);
    const u = s.vfs.usage();
    const mem = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    return {
      fsBytes: u.bytes,
      fsLimitBytes: u.maxBytes,
      fileCount: u.files,
      fsLimitFiles: u.maxFiles,
      commandsRun: s.commandsRun,
      commandDurationsMs: [...s.durations],
      runningProcesses: s.engine.processes.list().length,
      memoryBytes: (mem?.usedJSHeapSize ?? 0) + s.engine.memoryBytes(),
    };
  }

  /** Another tab took this sandbox over: save what we have and close our copy. */
  async #closeById(id: string): Promise<void> {
    for (const [sid, state] of this.#sandboxes) if (state.init.id === id) await this.close(sid).catch(() => undefined);
  }

  async listPersisted(): Promise<PersistedInfo[]> {
    return registryList();
  }

  async deletePersisted(id: string): Promise<void> {
    const known = await registryGet(id);
    if (!known) throw new KernelError('NOT_FOUND', `no persisted sandbox ${id}`);
    const release = await acquireWriterLock(id);
    try {
      await removeBackend(known.persistence, id);
      await registryDelete(id);
    } finally {
      release();
    }
  }

  async watch(
    sid: string,
    path: string,
    recursive: boolean,
    onEvents: (events: WatchEventInfo[]) => void,
  ): Promise<number> {
    const s = this.#get(sid);
    fsCall(path, () => s.vfs.lstat(path));
    const id = this.#nextWatch++;
    s.watches.set(
      id,
      s.vfs.watch(path, recursive, (events) => void onEvents(events)),
    );
    return id;
  }

  async unwatch(sid: string, watchId: number): Promise<void> {
    const s = this.#get(sid);
    s.watches.get(watchId)?.();
    s.watches.delete(watchId);
  }

  async save(sid: string): Promise<void> {
    const s = this.#get(sid);
    await s.persister?.flush(s);
  }

  async count(): Promise<number> {
    return this.#sandboxes.size;
  }

  /** Provider mounts are read again first, so guests and files.* see the provider's current answer. */
  async #fresh(sid: string): Promise<SandboxState> {
    const s = this.#get(sid);
    if (hasProviderMounts(s)) await refreshMounts(s);
    return s;
  }

  async mount(
    sid: string,
    path: string,
    source: MountTreeData | MountProviderCalls,
    request: MountRequest,
  ): Promise<void> {
    const s = this.#get(sid);
    await mountInto(s, path, source, request);
    s.changed();
  }

  async run(sid: string, command: string, req: RunRequest, sinks?: StreamSinks): Promise<RunReply> {
    const s = await this.#fresh(sid);
    const resolved = s.session.resolve(req);
    requireDir(s, resolved.cwd);
    const p = await s.engine.spawn(command, resolved, sinks);
    const reply = await p.done.finally(() => s.changed());
    s.finished(reply.durationMs);
    return replyTransfer(reply);
  }

  async spawn(sid: string, command: string, req: SpawnRequest, sinks?: StreamSinks): Promise<number> {
    const s = await this.#fresh(sid);
    // Background processes and terminals (open stdin) run until they end or are killed:
    // the session's default timeout applies only to foreground commands.
    const resolved = s.session.resolve(req.openStdin ? { timeoutMs: 0, ...req } : req);
    requireDir(s, resolved.cwd);
    const p = await s.engine.spawn(command, resolved, sinks);
    void p.done
      .then((r) => s.finished(r.durationMs))
      .finally(() => s.changed())
      .catch(() => undefined);
    return p.pid;
  }

  async wait(sid: string, pid: number): Promise<RunReply> {
    return replyTransfer(await this.#get(sid).engine.processes.get(pid).done);
  }

  async writeStdin(sid: string, pid: number, data: Uint8Array): Promise<void> {
    await this.#get(sid).engine.processes.running(pid).writeStdin(data);
  }

  async closeStdin(sid: string, pid: number): Promise<void> {
    await this.#get(sid).engine.processes.running(pid).closeStdin();
  }

  async kill(sid: string, pid: number): Promise<void> {
    await this.#get(sid).engine.processes.running(pid).kill();
  }

  async resize(sid: string, pid: number, cols: number, rows: number): Promise<void> {
    this.#get(sid).engine.processes.running(pid).resize(cols, rows);
  }

  async listProcesses(sid: string): Promise<ProcessInfo[]> {
    return this.#get(sid).engine.processes.list();
  }

  async writeFile(sid: string, path: string, data: Uint8Array): Promise<void> {
    const s = this.#get(sid);
    s.files.write(path, data);
    s.changed();
  }

  async writeFiles(sid: string, files: { path: string; data: Uint8Array }[]): Promise<void> {
    const s = this.#get(sid);
    for (const f of files) s.files.write(f.path, f.data);
    s.changed();
  }

  async readFile(sid: string, path: string): Promise<Uint8Array> {
    const bytes = (await this.#fresh(sid)).files.read(path);
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async writeOpen(sid: string, path: string): Promise<number> {
    return this.#get(sid).files.beginWrite(path);
  }

  async writeChunk(sid: string, id: number, data: Uint8Array): Promise<void> {
    this.#get(sid).files.writeChunk(id, data);
  }

  async writeCommit(sid: string, id: number): Promise<void> {
    const s = this.#get(sid);
    s.files.commitWrite(id);
    s.changed();
  }

  async writeAbort(sid: string, id: number): Promise<void> {
    this.#sandboxes.get(sid)?.files.abortWrite(id);
  }

  async readOpen(sid: string, path: string): Promise<{ id: number; size: number }> {
    return (await this.#fresh(sid)).files.beginRead(path);
  }

  async readChunk(sid: string, id: number, max: number): Promise<Uint8Array> {
    const bytes = this.#get(sid).files.readChunk(id, max);
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async readClose(sid: string, id: number): Promise<void> {
    this.#sandboxes.get(sid)?.files.endRead(id);
  }

  async stat(sid: string, path: string): Promise<EntryInfo> {
    return (await this.#fresh(sid)).files.stat(path);
  }

  async exists(sid: string, path: string): Promise<boolean> {
    return (await this.#fresh(sid)).files.exists(path);
  }

  async list(sid: string, path: string, depth: number): Promise<EntryInfo[]> {
    return (await this.#fresh(sid)).files.list(path, depth);
  }

  async mkdir(sid: string, path: string, recursive: boolean): Promise<void> {
    const s = this.#get(sid);
    s.files.mkdir(path, recursive);
    s.changed();
  }

  async remove(sid: string, path: string, recursive: boolean): Promise<void> {
    const s = this.#get(sid);
    s.files.remove(path, recursive);
    s.changed();
  }

  async rename(sid: string, from: string, to: string): Promise<void> {
    const s = this.#get(sid);
    s.files.rename(from, to);
    s.changed();
  }

  async setEnv(sid: string, env: Record<string, string>): Promise<void> {
    const s = this.#get(sid);
    Object.assign(s.session.env, env);
    s.changed();
  }

  async setCwd(sid: string, cwd: string): Promise<void> {
    const s = this.#get(sid);
    requireDir(s, cwd);
    s.session.cwd = cwd;
    s.changed();
  }

  async snapshot(sid: string, name?: string): Promise<SnapshotInfo> {
    const s = this.#get(sid);
    const info = s.snapshots.take(s.vfs, name);
    s.changed();
    return info;
  }

  async restore(sid: string, id: string): Promise<void> {
    const s = this.#get(sid);
    s.snapshots.restore(s.vfs, id);
    s.changed();
  }

  async listSnapshots(sid: string): Promise<SnapshotInfo[]> {
    return this.#get(sid).snapshots.list();
  }

  async deleteSnapshot(sid: string, id: string): Promise<void> {
    const s = this.#get(sid);
    s.snapshots.delete(id);
    s.changed();
  }

  async diff(sid: string, id: string): Promise<DiffResult> {
    const s = this.#get(sid);
    return s.snapshots.diff(s.vfs, id);
  }

  async exportState(sid: string): Promise<Uint8Array> {
    const s = this.#get(sid);
    const bytes = await exportState(s.vfs, {
      env: s.session.env,
      cwd: s.session.cwd,
      snapshots: s.snapshots.all(),
    });
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  #get(sid: string): SandboxState {
    const s = this.#sandboxes.get(sid);
    if (!s) throw new KernelError('CLOSED', `sandbox ${sid} is closed`);
    return s;
  }
}

expose(new Kernel());

/** A cwd must be a directory: ENOTDIR here, not the engine's raw "fd not a directory" text. */
function requireDir(s: SandboxState, cwd: string): void {
  if (s.files.stat(cwd).type !== 'dir') throw new KernelError('ENOTDIR', `not a directory: ${cwd}`, cwd);
}
