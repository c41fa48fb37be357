// The kernel worker's entry: exposes the WorkerApi over Comlink.
import { expose, transfer } from 'comlink';
import { Engine } from './engine/engine';
import { KernelError, installErrorTransfer } from './errors';
import type { KernelInfo, KernelInit, LoadProgress, RunReply, RunRequest, WorkerApi } from './protocol';
import { Session } from './session/session';

installErrorTransfer();

class Kernel implements WorkerApi {
  #engine: Engine | undefined;
  #session: Session | undefined;

  async init(init: KernelInit, onProgress?: (p: LoadProgress) => void): Promise<KernelInfo> {
    if (this.#engine) throw new KernelError('EINVAL', 'kernel already initialised');
    this.#engine = await Engine.start(init, (p) => void onProgress?.(p));
    this.#session = new Session(init);
    return { commands: this.#engine.commands, shell: this.#engine.shell };
  }

  async run(command: string, req: RunRequest): Promise<RunReply> {
    const { engine, session } = this.#ready();
    const reply = await engine.run(command, session.resolve(req));
    return transfer(reply, [reply.stdout.buffer, reply.stderr.buffer] as ArrayBuffer[]);
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
