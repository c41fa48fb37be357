// Which SDK worker is calling. The server tells appends from positional writes by the end of
// file each worker was told or wrote up to (end-views.ts), so it needs to know who asks.

/** Marks our tag at the end of a reply buffer (anything else there: not tagged yet, or overwritten). */
const TAG_MAGIC = 0x5d7a_66e1;
const TAG_BYTES = 8;
/**
 * Only buffers the size the SDK allocates are tagged: our replies never reach their last 8 bytes
 * (reads stop at 256 KiB, listings are paged), except an oversized one, which only costs a new tag.
 */
const MIN_TAGGED_BYTES = 64 * 1024;

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
