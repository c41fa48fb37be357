// Where guests believe a file ends: how the server tells an append from a positional write.
//
// @wasmer/sdk 0.16 sends `>> existing` without O_APPEND (only a creating open carries it). WASIX
// writes an O_APPEND descriptor at the size in its own inode (`st_size`), which it takes from our
// `stat` when it looks the file up and then advances by the writes of its process tree; it keeps
// one host handle per file, replaced by each new open and shared by every descriptor of the tree.
// So an appender's write arrives on any handle, at the end of the file as its tree last knew it:
// stale as soon as another tree appended (between its `stat` and its `open` included), or another
// process of the same tree raced it. Each such offset is a size a worker was told before opening,
// the size at an open, or the end of an append we took: a write at one of those "views" is an
// append and goes at the file's real end; any other write is positional (dd conv=notrunc, sqlite
// pages, seek-and-write) and stays where it is.
//
// Views are live while the file has handles open (a tree's descriptors write through them); with
// the last one all but each worker's latest append end go, so a later process's positional write
// (sqlite's next command) meets no old end but the one its file still has.
// A worker's own views at or below its furthest append are not appends for itself (sqlite
// rewriting a page it appended is positional), except where its latest append ended (the next
// iovec of the same write, or a new descriptor of its tree continuing), though other workers of
// its tree may still write at them. A worker that wrote elsewhere is seeking: its writes stay
// positional until it opens the file again.

/** Told sizes a worker's open takes (WASIX may have looked the file up a few times). */
const TOLD_PER_CALLER = 4;
/**
 * Told sizes kept, of all files: a ring, newest over oldest. Every `stat` of a file tells a size
 * (`ls -l` of a big tree too), but only a file opened for writing soon after needs it: so a told
 * size costs a slot in typed arrays, not a file's views (which it would have evicted).
 */
const TOLD = 4096;
/** Live views kept per worker (its newest). */
const LIVE_PER_CALLER = 8;
/** Workers remembered per file (the least recent go first). */
const PER_FILE = 64;
/** Files remembered (the least recently touched go first). */
const FILES = 1024;
/** The key of calls made on the kernel thread, which have no worker. */
const KERNEL = -1;
/** A told slot an open has taken (no worker has this key). */
const USED = -2;
/** A worker whose last write to the file was positional. */
const SEEKING = 'seeking';

interface Live {
  /** Ends this worker was told or appended up to, newest last. */
  views: number[];
  /** The offset of its latest append (-1: none yet). */
  floor: number;
  /** Where its latest append ended (-1: none yet): its next write there continues it. */
  last: number;
}

interface FileViews {
  /** Where descriptors may believe the end is, per worker; or SEEKING. */
  live: Map<number, Live | typeof SEEKING>;
  /** Server handles open on the file, of any mode (a tree writes through whichever is newest). */
  handles: number;
}

export class EndViews {
  /** File key → its views. Maps keep insertion order: least recently used first. */
  readonly #files = new Map<string, FileViews>();
  /** The told ring: slot → file key, worker (USED once an open took it), size, order, older slot of the key. */
  readonly #toldKey: (string | undefined)[] = new Array<string | undefined>(TOLD);
  readonly #toldWho = new Int32Array(TOLD);
  readonly #toldSize = new Float64Array(TOLD);
  readonly #toldSeq = new Float64Array(TOLD);
  readonly #toldPrev = new Int32Array(TOLD);
  /** File key → its newest slot. */
  readonly #toldNewest = new Map<string, number>();
  #toldNext = 0;
  #toldCount = 0;

  /** `stat` told `caller` the file ends at `size` (or is not there: 0). */
  told(key: string, caller: number | undefined, size: number): void {
    const w = who(caller);
    const newest = this.#toldNewest.get(key);
    // WASIX looks a file up 2–3 times per call: a repeat adds nothing.
    if (newest !== undefined && this.#toldWho[newest] === w && this.#toldSize[newest] === size) return;
    const s = this.#toldNext;
    this.#toldNext = (s + 1) % TOLD;
    const old = this.#toldKey[s];
    if (old !== undefined && this.#toldNewest.get(old) === s) this.#toldNewest.delete(old);
    this.#toldKey[s] = key;
    this.#toldWho[s] = w;
    this.#toldSize[s] = size;
    this.#toldSeq[s] = ++this.#toldCount;
    this.#toldPrev[s] = newest ?? -1;
    this.#toldNewest.set(key, s);
  }

  /** The sizes `w` was told about `key` and no open took yet (oldest first); takes them. */
  #takeTold(key: string, w: number): number[] {
    const out: number[] = [];
    let s = this.#toldNewest.get(key) ?? -1;
    let seq = Infinity;
    // A slot still belongs to the chain if it holds the key and is older than the one before
    // (the ring may have reused it since).
    while (s >= 0 && this.#toldKey[s] === key && this.#toldSeq[s]! < seq) {
      if (this.#toldWho[s] === w) {
        if (out.length < TOLD_PER_CALLER) out.unshift(this.#toldSize[s]!);
        this.#toldWho[s] = USED;
      }
      seq = this.#toldSeq[s]!;
      s = this.#toldPrev[s]!;
    }
    return out;
  }

  /** `caller` opened a handle on the file, `size` long now; it may write at any size it was told. */
  opened(key: string, caller: number | undefined, size: number, writable: boolean): void {
    const f = this.#touch(key, true)!;
    f.handles++;
    if (!writable) return;
    const w = who(caller);
    const views = [...this.#takeTold(key, w), size];
    // A new descriptor may append, whatever the worker did before; its tree's older views stay
    // (siblings may still write at them).
    const live = this.#live(f, w);
    for (const v of views) add(live.views, v, LIVE_PER_CALLER);
  }

  /** A handle on the file was closed (once per handle). */
  closed(key: string): void {
    const f = this.#files.get(key);
    if (!f || --f.handles > 0) return;
    f.handles = 0;
    // A process tree keeps its idea of the size after its handle is gone (the next `>>` of a
    // sibling writes there), so each worker's last append end stays; nothing else does.
    for (const [w, live] of f.live) {
      if (live === SEEKING || live.last < 0) f.live.delete(w);
      else live.views = [live.last];
    }
  }

  /** Is a write by `caller` at `offset` an append: does some descriptor believe the end is there? */
  isAppend(key: string, caller: number | undefined, offset: number): boolean {
    const f = this.#touch(key, false);
    const w = who(caller);
    if (!f || f.live.get(w) === SEEKING) return false;
    for (const [c, live] of f.live) {
      if (live === SEEKING || !live.views.includes(offset)) continue;
      if (c !== w || offset > live.floor || offset === live.last) return true;
    }
    return false;
  }

  /** `caller` appended at `offset` up to `end`: where its tree writes next. */
  wrote(key: string, caller: number | undefined, offset: number, end: number): void {
    const live = this.#live(this.#touch(key, true)!, who(caller));
    live.floor = Math.max(live.floor, offset);
    live.last = end;
    add(live.views, end, LIVE_PER_CALLER);
  }

  /** `caller` wrote where no descriptor believes the end is: it seeks, positional until it opens again. */
  seeked(key: string, caller: number | undefined): void {
    this.#touch(key, true)!.live.set(who(caller), SEEKING);
  }

  /** Files with views (tests: the memory stays bounded). */
  get files(): number {
    return this.#files.size;
  }

  /** `w`'s live views of `f`, made most recent (a seeking worker starts afresh). */
  #live(f: FileViews, w: number): Live {
    const had = f.live.get(w);
    const live = had === undefined || had === SEEKING ? { views: [], floor: -1, last: -1 } : had;
    f.live.delete(w);
    f.live.set(w, live);
    if (f.live.size > PER_FILE) f.live.delete(f.live.keys().next().value!);
    return live;
  }

  #touch(key: string, create: boolean): FileViews | undefined {
    let f = this.#files.get(key);
    if (f) {
      this.#files.delete(key);
      this.#files.set(key, f);
    } else if (create) {
      this.#files.set(key, (f = { live: new Map(), handles: 0 }));
      if (this.#files.size > FILES) this.#files.delete(this.#files.keys().next().value!);
    }
    return f;
  }
}

function who(caller: number | undefined): number {
  return caller ?? KERNEL;
}

/** Add `value` to `list` as its newest (at most `max` values). */
function add(list: number[], value: number, max: number): void {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  list.push(value);
  if (list.length > max) list.shift();
}
