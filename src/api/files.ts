// sb.files: the sandbox filesystem from the host side. What a command writes is what
// read() sees right after, and the reverse.
import { proxy, transfer } from 'comlink';
import type { KernelCalls } from './kernel-calls';
import { SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import type { EntryInfo, ReadOptions, WatchEvent, WatchHandle, WriteData } from './types';
import { guestPath, nonNegativeInt } from './validate';

export class Files {
  constructor(private readonly kernel: () => KernelCalls) {}

  read(path: string): Promise<string>;
  read(path: string, options: { format: 'text' }): Promise<string>;
  read(path: string, options: { format: 'bytes' }): Promise<Uint8Array>;
  async read(path: string, options: ReadOptions = {}): Promise<string | Uint8Array> {
    const p = guestPath(path);
    const format = options.format ?? 'text';
    if (format !== 'text' && format !== 'bytes') throw new SandboxError('EINVAL', `unknown format ${String(format)}`);
    const bytes = await rethrow(() => this.kernel().readFile(p));
    return format === 'bytes' ? bytes : toText(bytes);
  }

  async write(path: string, data: WriteData): Promise<void> {
    const p = guestPath(path);
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new SandboxError('EINVAL', 'data must be a string or a Uint8Array', { path: p });
    }
    // Copy before transferring so the caller's buffer stays usable.
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await rethrow(() => this.kernel().writeFile(p, transfer(bytes, [bytes.buffer])));
  }

  async writeFiles(files: { path: string; data: WriteData }[]): Promise<void> {
    if (!Array.isArray(files)) throw new SandboxError('EINVAL', 'writeFiles takes an array of { path, data }');
    const prepared = files.map((f) => {
      const p = guestPath(f?.path);
      if (typeof f.data !== 'string' && !(f.data instanceof Uint8Array)) {
        throw new SandboxError('EINVAL', 'data must be a string or a Uint8Array', { path: p });
      }
      return { path: p, data: typeof f.data === 'string' ? toBytes(f.data) : f.data.slice() };
    });
    await rethrow(() =>
      this.kernel().writeFiles(
        transfer(
          prepared,
          prepared.map((f) => f.data.buffer as ArrayBuffer),
        ),
      ),
    );
  }

  async stat(path: string): Promise<EntryInfo> {
    const p = guestPath(path);
    return rethrow(() => this.kernel().stat(p));
  }

  async exists(path: string): Promise<boolean> {
    const p = guestPath(path);
    return rethrow(() => this.kernel().exists(p));
  }

  /** Entries below `path`, `depth` levels deep (default 1: the directory's own entries). */
  async list(path: string, options: { depth?: number } = {}): Promise<EntryInfo[]> {
    const p = guestPath(path);
    const depth = nonNegativeInt(options.depth ?? 1, 'depth');
    return rethrow(() => this.kernel().list(p, Math.max(1, depth)));
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const p = guestPath(path);
    await rethrow(() => this.kernel().mkdir(p, options.recursive === true));
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const p = guestPath(path);
    if (p === '/') throw new SandboxError('EINVAL', 'refusing to remove /', { path: p });
    await rethrow(() => this.kernel().remove(p, options.recursive === true));
  }

  async rename(from: string, to: string): Promise<void> {
    const a = guestPath(from, 'from');
    const b = guestPath(to, 'to');
    await rethrow(() => this.kernel().rename(a, b));
  }

  /**
   * Calls `onEvents` with batched changes at `path` (and its children; everything below with
   * `recursive`), including what guest programs write. `close()` ends it.
   */
  async watch(
    path: string,
    onEvents: (events: WatchEvent[]) => void,
    options: { recursive?: boolean } = {},
  ): Promise<WatchHandle> {
    const p = guestPath(path);
    if (typeof onEvents !== 'function') throw new SandboxError('EINVAL', 'watch needs a callback');
    const kernel = this.kernel();
    const id = await rethrow(() => kernel.watch(p, options.recursive === true, proxy(onEvents)));
    let open = true;
    return {
      close: async () => {
        if (!open) return;
        open = false;
        await kernel.unwatch(id).catch(() => undefined);
      },
    };
  }
}
