// The kernel worker's entry: exposes the WorkerApi over Comlink.
import { expose, transfer } from 'comlink';
import { Engine } from './engine/engine';
import { KernelError, installErrorTransfer } from './errors';
import type {
  EntryInfo,
  KernelInfo,
  KernelInit,
  LoadProgress,
  ProcessInfo,
  RunReply,
  RunRequest,
  SpawnRequest,
  StreamSinks,
  WorkerApi,
} from './protocol';
import { Session } from './session/session';
import { FileService } from './files';
import { Vfs, buildDefaultLayout } from './vfs';

installErrorTransfer();

/** Replies may be awaited by several callers, so transfer copies and keep the original. */
function replyTransfer(reply: RunReply): RunReply {
  const copy = { ...reply, stdout: reply.stdout.slice(), stderr: reply.stderr.slice() };
  return transfer(copy, [copy.stdout.buffer, copy.stderr.buffer] as ArrayBuffer[]);
}

class Kernel implements WorkerApi {
  #engine: Engine | undefined;
  #session: Session | undefined;
  #vfs: Vfs | undefined;
  #files: FileService | undefined;

  async init(init: KernelInit, onProgress?: (p: LoadProgress) => void): Promise<KernelInfo> {
    if (this.#engine) throw new KernelError('EINVAL', 'kernel already initialised');
    const vfs = new Vfs({ maxBytes: init.fsLimitBytes });
    buildDefaultLayout(vfs);
    this.#vfs = vfs;
    this.#files = new FileService(() => this.#vfs!);
    this.#engine = await Engine.start(
      init,
      () => this.#vfs!,
      (p) => void onProgress?.(p),
    );
    this.#session = new Session(init);
    return { commands: this.#engine.commands, shell: this.#engine.shell };
  }

  async run(command: string, req: RunRequest, sinks?: StreamSinks): Promise<RunReply> {
    const { engine, session } = this.#ready();
    const p = await engine.spawn(command, session.resolve(req), sinks);
    return replyTransfer(await p.done);
  }

  async spawn(command: string, req: SpawnRequest, sinks?: StreamSinks): Promise<number> {
    const { engine, session } = this.#ready();
    // Background processes and terminals (open stdin) run until they end or are killed:
    // the session's default timeout applies only to foreground commands.
    const resolved = session.resolve(req.openStdin ? { timeoutMs: 0, ...req } : req);
    return (await engine.spawn(command, resolved, sinks)).pid;
  }

  async wait(pid: number): Promise<RunReply> {
    return replyTransfer(await this.#ready().engine.processes.get(pid).done);
  }

  async writeStdin(pid: number, data: Uint8Array): Promise<void> {
    await this.#ready().engine.processes.running(pid).writeStdin(data);
  }

  async closeStdin(pid: number): Promise<void> {
    await this.#ready().engine.processes.running(pid).closeStdin();
  }

  async kill(pid: number): Promise<void> {
    await this.#ready().engine.processes.running(pid).kill();
  }

  async resize(pid: number, cols: number, rows: number): Promise<void> {
    this.#ready().engine.processes.running(pid).resize(cols, rows);
  }

  async listProcesses(): Promise<ProcessInfo[]> {
    return this.#ready().engine.processes.list();
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.#ready().files.write(path, data);
  }

  async writeFiles(files: { path: string; data: Uint8Array }[]): Promise<void> {
    const svc = this.#ready().files;
    for (const f of files) svc.write(f.path, f.data);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const bytes = this.#ready().files.read(path);
    return transfer(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async stat(path: string): Promise<EntryInfo> {
    return this.#ready().files.stat(path);
  }

  async exists(path: string): Promise<boolean> {
    return this.#ready().files.exists(path);
  }

  async list(path: string, depth: number): Promise<EntryInfo[]> {
    return this.#ready().files.list(path, depth);
  }

  async mkdir(path: string, recursive: boolean): Promise<void> {
    this.#ready().files.mkdir(path, recursive);
  }

  async remove(path: string, recursive: boolean): Promise<void> {
    this.#ready().files.remove(path, recursive);
  }

  async rename(from: string, to: string): Promise<void> {
    this.#ready().files.rename(from, to);
  }

  async destroy(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    await engine?.close();
  }

  #ready(): { engine: Engine; session: Session; files: FileService } {
    if (!this.#engine || !this.#session || !this.#files) throw new KernelError('CLOSED', 'kernel is not running');
    return { engine: this.#engine, session: this.#session, files: this.#files };
  }
}

expose(new Kernel());
