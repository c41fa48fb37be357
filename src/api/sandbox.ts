// The Sandbox: one kernel worker, its shell session and its filesystem.
import type { Remote } from 'comlink';
import { proxy } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import { Commands } from './commands';
import { SandboxError, rethrow } from './errors';
import { Files } from './files';
import { Pty } from './pty';
import { startKernel, type KernelHandle } from './kernel-client';
import type { SandboxOptions } from './types';
import { guestPath, nonNegativeInt, stringRecord } from './validate';

const ISOLATION_HELP =
  'This page is not cross-origin isolated, so WebAssembly threads (SharedArrayBuffer) are ' +
  'unavailable and commands cannot run. Serve the page with the headers ' +
  '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
  '(or "credentialless"); `npm start` and `npm run preview` already do.';

export interface Capabilities {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  opfs: boolean;
  indexedDB: boolean;
  webLocks: boolean;
  compressionStream: boolean;
}

function absoluteUrl(url: string): string {
  return new URL(url, globalThis.location?.href).href;
}

export class Sandbox {
  readonly commands: Commands;
  readonly files: Files;
  readonly pty: Pty;
  #kernel: KernelHandle | undefined;

  private constructor(
    readonly id: string,
    kernel: KernelHandle,
  ) {
    this.#kernel = kernel;
    const api = () => this.#api();
    this.commands = new Commands(api);
    this.files = new Files(api);
    this.pty = new Pty(api);
  }

  static capabilities(): Capabilities {
    const g = globalThis as typeof globalThis & { crossOriginIsolated?: boolean };
    return {
      crossOriginIsolated: g.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
      opfs: typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function',
      indexedDB: typeof indexedDB !== 'undefined',
      webLocks: typeof navigator !== 'undefined' && 'locks' in navigator,
      compressionStream: typeof CompressionStream === 'function',
    };
  }

  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    if (!Sandbox.capabilities().crossOriginIsolated) throw new SandboxError('NOT_ISOLATED', ISOLATION_HELP);
    const id = options.id ?? crypto.randomUUID();
    const init = {
      assetsUrl: absoluteUrl(options.assetsUrl ?? '/wasm/'),
      sdkUrl: absoluteUrl(options.sdkUrl ?? '/vendor/wasmer-sdk/dist/index.js'),
      cwd: guestPath(options.cwd ?? '/home/user', 'cwd'),
      env: stringRecord(options.env, 'env'),
      timeoutMs: nonNegativeInt(options.timeoutMs ?? 30_000, 'timeoutMs'),
      fsLimitBytes: nonNegativeInt(options.fsLimitBytes ?? 256 << 20, 'fsLimitBytes'),
    };
    const kernel = startKernel();
    try {
      const onProgress = options.onProgress;
      await rethrow(() => kernel.api.init(init, onProgress ? proxy(onProgress) : undefined));
    } catch (err) {
      kernel.terminate();
      throw err;
    }
    return new Sandbox(id, kernel);
  }

  /** Stops the kernel worker. Later calls fail with CLOSED. */
  async destroy(): Promise<void> {
    const kernel = this.#kernel;
    if (!kernel) return;
    this.#kernel = undefined;
    try {
      await kernel.api.destroy();
    } finally {
      kernel.terminate();
    }
  }

  #api(): Remote<WorkerApi> {
    if (!this.#kernel) throw new SandboxError('CLOSED', `sandbox ${this.id} has been destroyed`);
    return this.#kernel.api;
  }
}
