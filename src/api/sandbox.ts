// The Sandbox: one kernel worker, its shell session and its filesystem.
import { proxy } from 'comlink';
import { Commands } from './commands';
import { SandboxError, rethrow } from './errors';
import { Files } from './files';
import { Pty } from './pty';
import { bindKernel, type KernelCalls } from './kernel-calls';
import { kernel, releaseIfIdle, type KernelHandle } from './kernel-client';
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
  #calls: KernelCalls;

  private constructor(
    readonly id: string,
    private readonly sid: string,
    kernel: KernelHandle,
  ) {
    this.#kernel = kernel;
    this.#calls = bindKernel(kernel.api, sid);
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
    const k = kernel();
    const onProgress = options.onProgress;
    try {
      const info = await rethrow(() => k.api.create(init, onProgress ? proxy(onProgress) : undefined));
      return new Sandbox(id, info.sid, k);
    } catch (err) {
      await releaseIfIdle(k).catch(() => undefined);
      throw err;
    }
  }

  /** Ends the sandbox's processes; the kernel worker stops with the page's last sandbox. Later calls fail with CLOSED. */
  async destroy(): Promise<void> {
    const k = this.#kernel;
    if (!k) return;
    this.#kernel = undefined;
    await rethrow(() => k.api.close(this.sid));
    await releaseIfIdle(k);
  }

  #api(): KernelCalls {
    if (!this.#kernel) throw new SandboxError('CLOSED', `sandbox ${this.id} has been destroyed`);
    return this.#calls;
  }
}
