// The kernel worker's entry: exposes the WorkerApi over Comlink.
import { expose, transfer } from 'comlink';
import { Engine } from './engine/engine';
import { KernelError, installErrorTransfer } from './errors';
import type {
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

installErrorTransfer();

/** Replies may be awaited by several callers, so transfer copies and keep the original. */
function replyTransfer(reply: RunReply): RunReply {
  const copy = { ...reply, stdout: reply.stdout.slice(), stderr: reply.stderr.slice() };
  return transfer(copy, [copy.stdout.buffer, copy.stderr.buffer] as ArrayBuffer[]);
}

class Kernel implements WorkerApi {
  #engine: Engine | undefined;
  #session: Session | undefined;

  async init(init: KernelInit, onProgress?: (p: LoadProgress) => void): Promise<KernelInfo> {
    if (this.#engine) throw new KernelError('EINVAL', 'kernel already initialised');
    this.#engine = await Engine.start(init, (p) => void onProgress?.(p));
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
    this.#ready();
    void path;
    void data;
    throw new KernelError('UNSUPPORTED', 'files are not wired yet');
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.#ready();
    throw new KernelError('UNSUPPORTED', `files are not wired yet: ${path}`);
  }

  async destroy(): Promise<void> {
    const engine = this.#engine;
    this.#engine = undefined;
    await engine?.close();
  }

  #ready(): { engine: Engine; session: Session } {
    if (!this.#engine || !this.#session) throw new KernelError('CLOSED', 'kernel is not running');
    return { engine: this.#engine, session: this.#session };
  }
}

expose(new Kernel());
