// The kernel worker's entry: exposes the WorkerApi over Comlink. One kernel per page hosts
// every sandbox; they share one engine runtime.
import { expose, transfer } from 'comlink';
import { Runtime } from './engine/runtime';
import { KernelError, installErrorTransfer } from './errors';
import type {
  DiffResult,
  EntryInfo,
  KernelInfo,
  KernelInit,
  LoadProgress,
  ProcessInfo,
  RunReply,
  RunRequest,
  SandboxSource,
  SnapshotInfo,
  SpawnRequest,
  StreamSinks,
  WorkerApi,
} from './protocol';
import { SandboxState, type InitialState } from './sandbox-state';
import { exportState, importState } from './store/export';

installErrorTransfer();

/** Replies may be awaited by several callers, so transfer copies and keep the original. */
function replyTransfer(reply: RunReply): RunReply {
  const copy = { ...reply, stdout: reply.stdout.slice(), stderr: reply.stderr.slice() };
  return transfer(copy, [copy.stdout.buffer, copy.stderr.buffer] as ArrayBuffer[]);
}

class Kernel implements WorkerApi {
  #runtime: Promise<Runtime> | undefined;
  readonly #sandboxes = new Map<string, SandboxState>();
  #nextSid = 1;

  async create(init: KernelInit, onProgress?: (p: LoadProgress) => void, source?: SandboxSource): Promise<KernelInfo> {
    const report = (p: LoadProgress) => void onProgress?.(p);
    if (!this.#runtime) {
      this.#runtime = Runtime.start(init, report);
      this.#runtime.catch(() => (this.#runtime = undefined));
    }
    const runtime = await this.#runtime;
    const from = await this.#initialState(init, source);
    const state = new SandboxState(`s${this.#nextSid++}`, init, from);
    state.engine = await runtime.createSandbox(() => state.vfs);
    this.#sandboxes.set(state.sid, state);
    report({ phase: 'ready', loadedBytes: 0, totalBytes: 0 });
    return {
      sid: state.sid,
      commands: runtime.commands,
      shell: runtime.shell,
      cwd: state.session.cwd,
      env: { ...state.session.env },
    };
  }

  async #initialState(init: KernelInit, source?: SandboxSource): Promise<InitialState | undefined> {
    if (!source) return undefined;
    if (source.kind === 'fork') return this.#get(source.sid).fork();
    try {
      const imported = await importState(source.bytes, { vfs: { maxBytes: init.fsLimitBytes } });
      return imported;
    } catch (err) {
      if ((err as { code?: string }).code === 'CORRUPT') throw new KernelError('CORRUPT', (err as Error).message);
      throw err;
    }
  }

  async close(sid: string): Promise<void> {
    const state = this.#sandboxes.get(sid);
    if (!state) return;
    this.#sandboxes.delete(sid);
    await state.engine.close();
  }

  async count(): Promise<number> {
    return this.#sandboxes.size;
  }

  async run(sid: string, command: string, req: RunRequest, sinks?: StreamSinks): Promise<RunReply> {
    const s = this.#get(sid);
    const p = await s.engine.spawn(command, s.session.resolve(req), sinks);
    return replyTransfer(await p.done);
  }

  async spawn(sid: string, command: string, req: SpawnRequest, sinks?: StreamSinks): Promise<number> {
    const s = this.#get(sid);
    // Background processes and terminals (open stdin) run until they end or are killed:
    // the session's default timeout applies only to foreground commands.
    const resolved = s.session.resolve(req.openStdin ? { timeoutMs: 0, ...req } : req);
    return (await s.engine.spawn(command, resolved, sinks)).pid;
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
    this.#get(sid).files.write(path, data);
  }

  async writeFiles(sid: string, files: { path: string; data: Uint8Array }[]): Promise<void> {
    const svc = this.#get(sid).files;
    for (const f of files) svc.write(f.path, f.data);
  }

  async readFile(sid: string, path: string): Promise<Uint8Array> {
    const bytes = this.#get(sid).files.read(path);
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async stat(sid: string, path: string): Promise<EntryInfo> {
    return this.#get(sid).files.stat(path);
  }

  async exists(sid: string, path: string): Promise<boolean> {
    return this.#get(sid).files.exists(path);
  }

  async list(sid: string, path: string, depth: number): Promise<EntryInfo[]> {
    return this.#get(sid).files.list(path, depth);
  }

  async mkdir(sid: string, path: string, recursive: boolean): Promise<void> {
    this.#get(sid).files.mkdir(path, recursive);
  }

  async remove(sid: string, path: string, recursive: boolean): Promise<void> {
    this.#get(sid).files.remove(path, recursive);
  }

  async rename(sid: string, from: string, to: string): Promise<void> {
    this.#get(sid).files.rename(from, to);
  }

  async setEnv(sid: string, env: Record<string, string>): Promise<void> {
    Object.assign(this.#get(sid).session.env, env);
  }

  async setCwd(sid: string, cwd: string): Promise<void> {
    const s = this.#get(sid);
    if (s.files.stat(cwd).type !== 'dir') throw new KernelError('ENOTDIR', `not a directory: ${cwd}`, cwd);
    s.session.cwd = cwd;
  }

  async snapshot(sid: string, name?: string): Promise<SnapshotInfo> {
    const s = this.#get(sid);
    return s.snapshots.take(s.vfs, name);
  }

  async restore(sid: string, id: string): Promise<void> {
    const s = this.#get(sid);
    s.snapshots.restore(s.vfs, id);
  }

  async listSnapshots(sid: string): Promise<SnapshotInfo[]> {
    return this.#get(sid).snapshots.list();
  }

  async deleteSnapshot(sid: string, id: string): Promise<void> {
    this.#get(sid).snapshots.delete(id);
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
