// Everything the kernel keeps for one sandbox: its filesystem, its session defaults and its
// engine sandbox (guest processes).
import type { EngineSandbox } from './engine/sandbox';
import { FileService } from './files';
import type { KernelInit } from './protocol';
import { Session } from './session/session';
import { Vfs, buildDefaultLayout } from './vfs';

export class SandboxState {
  vfs: Vfs;
  readonly files: FileService;
  readonly session: Session;
  engine!: EngineSandbox;

  constructor(
    readonly sid: string,
    init: KernelInit,
  ) {
    this.vfs = new Vfs({ maxBytes: init.fsLimitBytes });
    buildDefaultLayout(this.vfs);
    this.files = new FileService(() => this.vfs);
    this.session = new Session(init);
  }
}
