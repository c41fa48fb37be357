// Content-addressed encoding of VFS trees for persistence: pages are raw objects, directories are
// small JSON objects naming their children by hash (a Merkle tree). Unchanged subtrees keep their
// hash, so a commit writes only what changed since the last one.

import type { DirNode, FileNode, Node, Page } from '../vfs/node';
import { PAGE_SIZE } from '../vfs/node';
import { pageBytes } from '../vfs/content';
import { StoreError } from './backend';
import { equal } from './dedup';
import { fast128Hex, sha256Hex } from './hash';

type FileEntry = [
  name: string,
  kind: 'f',
  mode: number,
  mtimeMs: number,
  ctimeMs: number,
  size: number,
  pages: (string | null)[],
];
type DirEntry = [name: string, kind: 'd', hash: string];
type LinkEntry = [name: string, kind: 'l', mode: number, mtimeMs: number, ctimeMs: number, target: string];
interface DirObject {
  t: 'dir';
  m: number;
  mt: number;
  ct: number;
  ro?: boolean;
  e: (FileEntry | DirEntry | LinkEntry)[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Remembers hashes of frozen nodes and pages across commits, and which objects a directory references. */
export class ObjectCache {
  readonly dirs = new WeakMap<DirNode, string>();
  readonly pages = new WeakMap<Page, { len: number; hash: string }>();
  /** dir hash → hashes of the objects it references (child dirs and pages): the graph GC walks. */
  readonly graph = new Map<string, string[]>();

  /** Every object reachable from the given directory hashes. */
  reachable(roots: Iterable<string>): Set<string> {
    const live = new Set<string>();
    const stack = [...roots];
    while (stack.length) {
      const h = stack.pop()!;
      if (live.has(h)) continue;
      live.add(h);
      const kids = this.graph.get(h);
      if (kids) for (const k of kids) if (!live.has(k)) stack.push(k);
    }
    return live;
  }
}

/** A fast128 address (32 hex digits) names a page only once its bytes are confirmed (below). */
export const isFastAddress = (hash: string): boolean => hash.length === 32;

export interface WriteTreeOptions {
  /** How a new page is addressed. Default fast128 (the store's); the version 1 store used SHA-256. */
  pageAddress?: (bytes: Uint8Array) => string | Promise<string>;
  /** The bytes stored under a fast128 address (held or being written), to compare before sharing them. */
  storedBytes?: (hash: string) => Uint8Array | undefined;
  /** Awaited (when it returns a promise) before each page: the store's back-pressure. */
  ready?: () => Promise<void> | undefined;
}

/** Same bytes: the same memory (the usual case: a page saved before), or equal byte for byte. */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  (a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length) || equal(a, b);

/**
 * Encode a frozen tree (one taken with vfs.snapshot(): nothing in it changes any more), calling
 * `put` for every object the store does not have yet (`has` says which it has). Returns the root hash.
 *
 * Pages are addressed by fast128 (SHA-256 through WebCrypto cost ~30 µs a page, half of a save).
 * fast128 is not collision-resistant (guest code could craft two pages with one address), so an
 * address the store already holds is shared only if its stored bytes are equal to this page's;
 * otherwise (a collision, or bytes it cannot compare) the page gets its SHA-256 address instead.
 * Equal addresses therefore always mean equal bytes, whatever the hash's quality.
 */
export async function writeTree(
  root: DirNode,
  cache: ObjectCache,
  has: (hash: string) => boolean,
  put: (hash: string, bytes: Uint8Array) => Promise<void> | void,
  options: WriteTreeOptions = {},
): Promise<string> {
  const address = options.pageAddress ?? ((b: Uint8Array) => fast128Hex(b));
  const stored = options.storedBytes ?? (() => undefined);
  const ready = options.ready ?? (() => undefined);
  // Synchronous unless something has to be awaited (back-pressure, a SHA-256, a slow put): an
  // await per page cost several microtask turns each, about a tenth of a 10,000-page commit's CPU.
  const pageHash = (file: FileNode, i: number): string | null | Promise<string | null> => {
    const page = file.pages[i];
    if (!page) return null;
    const wait = ready();
    return wait ? wait.then(() => pageHashNow(file, i, page)) : pageHashNow(file, i, page);
  };
  const pageHashNow = (file: FileNode, i: number, page: Page): string | Promise<string> => {
    // From here to put() nothing awaits except a SHA-256 fallback (whose address needs no check):
    // the check that an address holds these bytes and the put are one step.
    const len = Math.min(PAGE_SIZE, file.size - i * PAGE_SIZE);
    const cached = cache.pages.get(page);
    const bytes = pageBytes(file, i);
    const a = cached && cached.len === len ? cached.hash : address(bytes);
    if (typeof a !== 'string') return a.then((h) => checked(page, len, bytes, h));
    return checked(page, len, bytes, a);
  };
  const checked = (page: Page, len: number, bytes: Uint8Array, hash: string): string | Promise<string> => {
    if (has(hash) && isFastAddress(hash)) {
      const held = stored(hash);
      if (!held || !sameBytes(held, bytes)) return sha256Hex(bytes).then((h) => stored1(page, len, bytes, h));
    }
    return stored1(page, len, bytes, hash);
  };
  const stored1 = (page: Page, len: number, bytes: Uint8Array, hash: string): string | Promise<string> => {
    cache.pages.set(page, { len, hash });
    const done = has(hash) ? undefined : put(hash, bytes);
    return done ? done.then(() => hash) : hash;
  };
  const dirHash = async (dir: DirNode): Promise<string> => {
    const cached = cache.dirs.get(dir);
    if (cached && has(cached)) return cached;
    const obj: DirObject = { t: 'dir', m: dir.mode, mt: dir.mtimeMs, ct: dir.ctimeMs, e: [] };
    if (dir.mount?.readOnly) obj.ro = true;
    // Subdirectories are encoded concurrently (a directory's address is an asynchronous WebCrypto
    // digest: one at a time would leave it idle between calls); pages one after the other, so
    // the store's back-pressure (ready) holds each of them until there is room. Then everything
    // is listed in the directory's own order.
    type Kid = [FileEntry | DirEntry | LinkEntry, string[]];
    const subdirs = new Map<Node, Promise<string>>();
    for (const n of dir.entries.values()) if (n.kind === 'dir') subdirs.set(n, dirHash(n));
    const kids: Kid[] = [];
    for (const [name, n] of dir.entries) {
      if (n.kind === 'dir') {
        const h = await subdirs.get(n)!;
        kids.push([[name, 'd', h], [h]]);
      } else if (n.kind === 'file') {
        const hs: (string | null)[] = [];
        for (let i = 0; i < n.pages.length; i++) {
          const h = pageHash(n, i);
          hs.push(typeof h === 'object' && h !== null ? await h : h);
        }
        kids.push([[name, 'f', n.mode, n.mtimeMs, n.ctimeMs, n.size, hs], hs.filter((h): h is string => h !== null)]);
      } else kids.push([[name, 'l', n.mode, n.mtimeMs, n.ctimeMs, n.target], []]);
    }
    const refs: string[] = [];
    for (const [entry, r] of kids) {
      obj.e.push(entry);
      for (const h of r) refs.push(h);
    }
    const bytes = encoder.encode(JSON.stringify(obj));
    const hash = await sha256Hex(bytes);
    cache.dirs.set(dir, hash);
    cache.graph.set(hash, refs);
    if (!has(hash)) await put(hash, bytes);
    return hash;
  };
  return dirHash(root);
}

/** Shared state while loading several trees, so snapshots share pages and unchanged subtrees again. */
export class TreeReader {
  // Promises, not pages: identical pages of one file are fetched concurrently and must become one object.
  private readonly pageMemo = new Map<string, Promise<Page>>();
  private readonly dirMemo = new Map<string, DirNode>();
  private ino = 2;

  constructor(
    private readonly get: (hash: string) => Promise<Uint8Array>,
    private readonly cache: ObjectCache,
  ) {}

  /** Highest inode number handed out so far, plus one. */
  get nextIno(): number {
    return this.ino;
  }

  async read(rootHash: string): Promise<DirNode> {
    const root = await this.dir(rootHash, '/');
    // Every tree's root is inode 1 (the VFS relies on it); copy rather than renumber a shared node.
    return root.ino === 1 ? root : { ...root, ino: 1 };
  }

  private async dir(hash: string, path: string): Promise<DirNode> {
    // Share a subtree between trees only at the same path, so inode numbers stay unique within each tree.
    const memoKey = path + '\0' + hash;
    const memo = this.dirMemo.get(memoKey);
    if (memo) return memo;
    const obj = parseDir(await this.get(hash), hash);
    const node: DirNode = {
      kind: 'dir',
      ino: path === '/' ? 1 : this.ino++,
      mode: obj.m,
      mtimeMs: obj.mt,
      ctimeMs: obj.ct,
      gen: 0,
      entries: new Map(),
    };
    if (obj.ro) node.mount = { readOnly: true };
    const refs: string[] = [];
    for (const e of obj.e) {
      const childPath = path === '/' ? '/' + e[0] : path + '/' + e[0];
      let child: Node;
      if (e[1] === 'd') {
        refs.push(e[2]);
        child = await this.dir(e[2], childPath);
      } else if (e[1] === 'f') {
        const [, , mode, mt, ct, size, hs] = e;
        if (hs.length !== Math.ceil(size / PAGE_SIZE)) throw corrupt(hash);
        const pages = await Promise.all(
          hs.map((h, i) => (h === null ? null : this.page(h, Math.min(PAGE_SIZE, size - i * PAGE_SIZE)))),
        );
        for (const h of hs) if (h) refs.push(h);
        child = { kind: 'file', ino: this.ino++, mode, mtimeMs: mt, ctimeMs: ct, gen: 0, size, pages };
      } else {
        const [, , mode, mt, ct, target] = e;
        child = { kind: 'symlink', ino: this.ino++, mode, mtimeMs: mt, ctimeMs: ct, gen: 0, target };
      }
      node.entries.set(e[0], child);
    }
    this.cache.graph.set(hash, refs);
    this.cache.dirs.set(node, hash);
    this.dirMemo.set(memoKey, node);
    return node;
  }

  private async page(hash: string, len: number): Promise<Page> {
    let pending = this.pageMemo.get(hash);
    if (!pending) {
      pending = this.get(hash).then((data) => ({ data, gen: 0 }));
      this.pageMemo.set(hash, pending);
    }
    const p = await pending;
    if (p.data.length !== len) throw corrupt(hash);
    this.cache.pages.set(p, { len, hash });
    return p;
  }
}

function corrupt(hash: string): StoreError {
  return new StoreError('CORRUPT', `object ${hash} is malformed`);
}

const isInt = (x: unknown, max = Number.MAX_SAFE_INTEGER): x is number =>
  Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= max;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** A SHA-256 (64 hex digits) or a fast128 page address (32). */
const isHash = (x: unknown): x is string => typeof x === 'string' && /^(?:[0-9a-f]{32}){1,2}$/.test(x);
const isName = (x: unknown): x is string =>
  typeof x === 'string' && x !== '' && x !== '.' && x !== '..' && !x.includes('/') && !x.includes('\0');

/** Parse and validate a directory object; anything unexpected is CORRUPT. */
function parseDir(bytes: Uint8Array, hash: string): DirObject {
  let obj: unknown;
  try {
    obj = JSON.parse(decoder.decode(bytes));
  } catch {
    throw corrupt(hash);
  }
  const o = obj as DirObject;
  if (
    typeof o !== 'object' ||
    o === null ||
    o.t !== 'dir' ||
    !isInt(o.m, 0o7777) ||
    !isTime(o.mt) ||
    !isTime(o.ct) ||
    !Array.isArray(o.e)
  )
    throw corrupt(hash);
  const seen = new Set<string>();
  for (const e of o.e) {
    if (!Array.isArray(e) || !isName(e[0]) || seen.has(e[0])) throw corrupt(hash);
    seen.add(e[0]);
    if (e[1] === 'd') {
      if (e.length !== 3 || !isHash(e[2])) throw corrupt(hash);
    } else if (e[1] === 'f') {
      if (
        e.length !== 7 ||
        !isInt(e[2], 0o7777) ||
        !isTime(e[3]) ||
        !isTime(e[4]) ||
        !isInt(e[5]) ||
        !Array.isArray(e[6])
      )
        throw corrupt(hash);
      if (!e[6].every((h) => h === null || isHash(h))) throw corrupt(hash);
    } else if (e[1] === 'l') {
      if (
        e.length !== 6 ||
        !isInt(e[2], 0o7777) ||
        !isTime(e[3]) ||
        !isTime(e[4]) ||
        typeof e[5] !== 'string' ||
        e[5] === ''
      )
        throw corrupt(hash);
    } else throw corrupt(hash);
  }
  return o;
}
