// Inside each SDK worker: what the read-ahead and the stat cache both need to know about our
// server. Which mounts it answers (only those it invalidates: other handlers, the host-call
// mounts, change their files without telling us), and its generation counter, which it bumps
// before replying to any call that can change a file and whenever the VFS changes by another way.
// workerEntrySource puts this function once in the worker's source and hands its result to both
// layers, so it runs there as source text: keep it self-contained.

export interface ServedMounts {
  /** Whether our server answers `mount`; asked once per mount (mount ids are never reused). */
  served(mount: number): boolean;
  /**
   * The server's generation counter, registered on the first call: lazily, so that the worker is
   * already inside a blocking file call (never at worker start, when the kernel may be waiting
   * on the worker). Null for a server without generations: keep nothing then.
   */
  generation(): Int32Array | null;
}

/** The served-mount probe and the generation counter, over `scope`'s bridge as it is now. */
export function servedMounts(scope: object): ServedMounts {
  type Call = (mount: number, method: string, args: unknown[]) => unknown;
  const call = (scope as { __wasmerHostFileSystem?: Call }).__wasmerHostFileSystem;
  const CONTROL_MOUNT = 0xffff_ffff;
  const known = new Map<number, boolean>();
  let counter: Int32Array | null | undefined; // undefined: not yet asked
  return {
    served(mount) {
      let yes = known.get(mount);
      if (yes === undefined) {
        try {
          yes = call?.(CONTROL_MOUNT, 'servesMount', [mount]) === true;
        } catch {
          yes = false;
        }
        known.set(mount, yes);
      }
      return yes;
    },
    generation() {
      if (counter === undefined) {
        try {
          const c = new Int32Array(new SharedArrayBuffer(4));
          call!(CONTROL_MOUNT, 'registerGeneration', [c.buffer]);
          counter = c;
        } catch {
          counter = null;
        }
      }
      return counter;
    },
  };
}
