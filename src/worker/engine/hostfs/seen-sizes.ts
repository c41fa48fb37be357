// Which SDK worker is calling, and the file sizes each one was last told by `stat`. @wasmer/sdk
// 0.16 counts the write offsets of an open file from the size its own `stat` returned just
// before the `open`; the server needs that size (not the size at open, which another appender
// may already have changed) to tell `>> existing` from a positional writer (server.ts).

/** Marks our tag at the end of a reply buffer (anything else there: not tagged yet, or overwritten). */
const TAG_MAGIC = 0x5d7a_66e1;
const TAG_BYTES = 8;
/**
 * Only buffers the size the SDK allocates are tagged: our replies never reach their last 8 bytes
 * (reads stop at 256 KiB, listings are paged), except an oversized one, which only costs a new tag.
 */
const MIN_TAGGED_BYTES = 64 * 1024;
/** Sizes kept, over all workers (a few per worker are in use at any time; the oldest go first). */
const MAX_SIZES = 1024;

/**
 * A number per SDK worker, kept in its reply buffer. Each worker reuses one buffer for all its
 * calls (dist/host-filesystem.js), but every message brings a new SharedArrayBuffer object over
 * the same memory, so the buffer's identity is what it holds: a tag in its last bytes, which
 * neither the worker nor a normal reply ever touches.
 */
export class CallerTags {
  #next = 1;

  /** The tag of the worker that posted `buffer`; undefined for a buffer too small to tag. */
  of(buffer: SharedArrayBuffer): number | undefined {
    const length = buffer.byteLength;
    if (length < MIN_TAGGED_BYTES || length % 4 !== 0) return undefined;
    // The worker is blocked until we reply: nobody else reads or writes these bytes meanwhile.
    const tag = new Int32Array(buffer, length - TAG_BYTES, 2);
    if (tag[0] !== TAG_MAGIC) {
      tag[1] = this.#next;
      this.#next = this.#next >= 0x7fff_ffff ? 1 : this.#next + 1;
      tag[0] = TAG_MAGIC;
    }
    return tag[1];
  }
}

/** The size of each file as `stat` last answered it to each worker (least recently told dropped first). */
export class SeenSizes {
  readonly #sizes = new Map<string, number>();

  remember(caller: number, mount: number, path: string, size: number): void {
    const key = keyOf(caller, mount, path);
    this.#sizes.delete(key); // re-inserted last: the most recent
    this.#sizes.set(key, size);
    if (this.#sizes.size > MAX_SIZES) this.#sizes.delete(this.#sizes.keys().next().value!);
  }

  /**
   * The size `caller` last saw, forgotten now: an open that may create the file always makes the
   * worker's stat cache ask us again before its next open (the server bumps the generation).
   */
  take(caller: number, mount: number, path: string): number | undefined {
    const key = keyOf(caller, mount, path);
    const size = this.#sizes.get(key);
    this.#sizes.delete(key);
    return size;
  }

  get size(): number {
    return this.#sizes.size;
  }
}

function keyOf(caller: number, mount: number, path: string): string {
  return `${caller}\0${mount}\0${path}`;
}
