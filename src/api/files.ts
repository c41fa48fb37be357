// sb.files: the sandbox filesystem from the host side. What a command writes is what
// read() sees right after, and the reverse.
import { proxy, transfer } from 'comlink';
import type { KernelCalls } from './kernel-calls';
import { SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import type { EntryInfo, ReadOptions, WatchEvent, WatchHandle, WriteData } from './types';
import { guestPath, nonNegativeInt } from './validate';

/**
 * Bytes per worker call when streaming. Large enough that the per-call cost (a message each
 * way) is small next to copying, small enough that one chunk in flight costs little memory.
 */
export const STREAM_CHUNK = 1 << 20;

/** Small blobs are cheaper as one call. */
const SMALL_BLOB = STREAM_CHUNK;

type SmallData = string | Uint8Array;

function isSmall(data: unknown): data is SmallData {
  return typeof data === 'string' || data instanceof Uint8Array;
}

function isStream(data: unknown): data is ReadableStream<Uint8Array> {
  return typeof ReadableStream === 'function' && data instanceof ReadableStream;
}

function badData(path: string): SandboxError {
  return new SandboxError('EINVAL', 'data must be a string, Uint8Array, Blob or ReadableStream', { path });
}

export class Files {
  constructor(private readonly kernel: () => KernelCalls) {}

  read(path: string): Promise<string>;
  read(path: string, options: { format: 'text' }): Promise<string>;
  read(path: string, options: { format: 'bytes' }): Promise<Uint8Array>;
  read(path: string, options: { format: 'blob' }): Promise<Blob>;
  read(path: string, options: { format: 'stream' }): Promise<ReadableStream<Uint8Array>>;
  read(path: string, options: ReadOptions): Promise<string | Uint8Array | Blob | ReadableStream<Uint8Array>>;
  async read(
    path: string,
    options: ReadOptions = {},
  ): Promise<string | Uint8Array | Blob | ReadableStream<Uint8Array>> {
    const p = guestPath(path);
    const format = options.format ?? 'text';
    if (format === 'stream') return this.#readStream(p);
    if (format === 'blob') return this.#readBlob(p);
    if (format !== 'text' && format !== 'bytes') throw new SandboxError('EINVAL', `unknown format ${String(format)}`);
    const bytes = await rethrow(() => this.kernel().readFile(p));
    return format === 'bytes' ? bytes : toText(bytes);
  }

  /** Chunks become the Blob's parts: no single buffer of the whole file on this side either. */
  async #readBlob(p: string): Promise<Blob> {
    const kernel = this.kernel();
    const { id } = await rethrow(() => kernel.readOpen(p));
    const parts: Uint8Array<ArrayBuffer>[] = [];
    try {
      for (;;) {
        const chunk = await rethrow(() => kernel.readChunk(id, STREAM_CHUNK));
        if (chunk.length === 0) break;
        parts.push(chunk as Uint8Array<ArrayBuffer>);
      }
    } finally {
      await kernel.readClose(id).catch(() => undefined);
    }
    return new Blob(parts);
  }

  /** Opens first, so a missing file rejects read() itself; chunks are fetched as the reader pulls. */
  async #readStream(p: string): Promise<ReadableStream<Uint8Array>> {
    const kernel = this.kernel();
    const { id } = await rethrow(() => kernel.readOpen(p));
    let open = true;
    const close = async () => {
      if (!open) return;
      open = false;
      await kernel.readClose(id).catch(() => undefined);
    };
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          try {
            const chunk = await rethrow(() => kernel.readChunk(id, STREAM_CHUNK));
            if (chunk.length === 0) {
              await close();
              controller.close();
            } else controller.enqueue(chunk);
          } catch (err) {
            await close();
            controller.error(err);
          }
        },
        cancel: close,
      },
      { highWaterMark: 1 },
    );
  }

  async write(path: string, data: WriteData): Promise<void> {
    const p = guestPath(path);
    if (data instanceof Blob && data.size > SMALL_BLOB) return this.#writeStream(p, data.stream());
    if (data instanceof Blob) data = new Uint8Array(await data.arrayBuffer());
    if (isStream(data)) return this.#writeStream(p, data);
    if (!isSmall(data)) throw badData(p);
    // Copy before transferring so the caller's buffer stays usable.
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await rethrow(() => this.kernel().writeFile(p, transfer(bytes, [bytes.buffer])));
  }

  /**
   * Copies the stream's chunks into STREAM_CHUNK-sized buffers (one copy) and transfers each to
   * the kernel, which appends it to a part file; one chunk is in flight while the next fills.
   * The file appears (atomically replacing the old one) only when the stream ends cleanly.
   */
  async #writeStream(p: string, stream: ReadableStream<Uint8Array>): Promise<void> {
    const kernel = this.kernel();
    const reader = stream.getReader();
    const id = await rethrow(() => kernel.writeOpen(p));
    let inFlight: Promise<void> = Promise.resolve();
    const send = async (chunk: Uint8Array<ArrayBuffer>) => {
      await inFlight;
      inFlight = rethrow(() => kernel.writeChunk(id, transfer(chunk, [chunk.buffer])));
      // Surface a failure (ENOSPC) on the next await without an unhandled rejection now.
      inFlight.catch(() => undefined);
    };
    try {
      let buf = new Uint8Array(STREAM_CHUNK);
      let fill = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!(value instanceof Uint8Array)) throw badData(p);
        let at = 0;
        while (at < value.length) {
          const n = Math.min(value.length - at, buf.length - fill);
          buf.set(value.subarray(at, at + n), fill);
          fill += n;
          at += n;
          if (fill === buf.length) {
            await send(buf);
            buf = new Uint8Array(STREAM_CHUNK);
            fill = 0;
          }
        }
      }
      if (fill > 0) await send(buf.slice(0, fill));
      await inFlight;
      await rethrow(() => kernel.writeCommit(id));
    } catch (err) {
      await kernel.writeAbort(id).catch(() => undefined);
      await reader.cancel(err).catch(() => undefined);
      throw err;
    } finally {
      reader.releaseLock();
    }
  }

  async writeFiles(files: { path: string; data: WriteData }[]): Promise<void> {
    if (!Array.isArray(files)) throw new SandboxError('EINVAL', 'writeFiles takes an array of { path, data }');
    // Blobs and streams go one by one through the streamed path.
    if (files.some((f) => !isSmall(f?.data))) {
      for (const f of files) await this.write(f?.path, f.data);
      return;
    }
    const prepared = files.map((f) => {
      const p = guestPath(f?.path);
      const data = f.data as SmallData;
      return { path: p, data: typeof data === 'string' ? toBytes(data) : data.slice() };
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
