// exportState/importState: a whole sandbox (files with metadata, snapshots, env, cwd) as one
// versioned, checksummed, compressed blob. Import validates everything before building anything.
// Format: docs/export-format.md. Export writes version 4; import reads versions 1 to 4.

import { pageBytes } from '../vfs/content';
import { countTree, PAGE_SIZE, type DirNode, type FileNode, type Node, type Page } from '../vfs/node';
import { VfsError } from '../vfs/errors';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_FILES, Vfs, type VfsOptions, type VfsSnapshot } from '../vfs/vfs';
import { corrupt, FORMAT_V3, FORMAT_V4, open, peekVersion, sealV2 } from './container';
import { openV3, sealV3 } from './container-v3';
import { decodeRecords, decodeV2, encodeRecords, encodeV2 } from './payload-v2';
import { PageDedup } from './dedup';
import { parseRecords, REC_BLOB, REC_META, REC_TREE } from './records';

export interface ExportSnapshot {
  id: string;
  name?: string;
  createdAt: number;
  snapshot: VfsSnapshot;
}

export interface ExportOptions {
  env?: Record<string, string>;
  cwd?: string;
  snapshots?: ExportSnapshot[];
  /** Format version to write: 4 (the default), or 2 or 3 (tests of the older readers). */
  formatVersion?: 2 | 3 | 4;
}

export interface ImportOptions {
  /** Largest uncompressed payload accepted; bigger is CORRUPT. Default 1 GiB. */
  maxBytes?: number;
  /** Options for the Vfs that is built (quota, clock...). */
  vfs?: VfsOptions;
}

export interface ImportedState {
  vfs: Vfs;
  snapshots: ExportSnapshot[];
  env: Record<string, string>;
  cwd: string;
  createdAt: number;
}

/**
 * Entry tuples, in pre-order (a directory before its contents). Blob index -1 is a hole.
 * Version 4's 's' (same): the node at this path, with everything under it, is the base tree's.
 */
type TreeEntry =
  | [path: string, kind: 'd', mode: number, mtimeMs: number, ctimeMs: number, readOnlyMount?: 1]
  | [path: string, kind: 'f', mode: number, mtimeMs: number, ctimeMs: number, size: number, blobs: number[]]
  | [path: string, kind: 'l', mode: number, mtimeMs: number, ctimeMs: number, target: string]
  | [path: string, kind: 's'];

interface TreeRecord {
  role: 'live' | 'snapshot';
  id?: string;
  name?: string;
  createdAt?: number;
  /** Version 4: index of an earlier tree whose nodes this tree's 's' entries share. */
  base?: number;
  entries: TreeEntry[];
}

interface MetaRecord {
  format: 'sandpit-state';
  version: 1 | 2 | 3 | 4;
  createdAt: number;
  env: Record<string, string>;
  cwd: string;
  blobs: number;
  trees: number;
}

export const DEFAULT_IMPORT_LIMIT = 1 << 30;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export async function exportState(vfs: Vfs, options: ExportOptions = {}): Promise<Uint8Array> {
  const { payload, version } = collect(vfs, options);
  if (version === 2) {
    const { parts, rawLen } = await encodeV2(payload);
    return sealV2(parts, rawLen);
  }
  const { records, rawLen } = await encodeRecords(payload, true);
  return sealV3(records, rawLen, version);
}

/** The trees, META and page blobs of a state (synchronous: the live tree cannot change under it). */
function collect(vfs: Vfs, options: ExportOptions) {
  // Freeze the live tree (the rest of the export awaits compression).
  const live = vfs.snapshot();
  const blobs: Uint8Array[] = [];
  // A page shared by files and snapshots is stored once (by identity), and so is content
  // that is equal byte for byte (copies of one file).
  // A page is almost always used at one length; other lengths (a page shared by a file and a
  // shorter copy of it) go to a list. Keys: the page object.
  const byPage = new Map<Page, { len: number; idx: number; more?: { len: number; idx: number }[] }>();
  const byContent = new PageDedup();
  const blobOf = (file: FileNode, i: number): number => {
    const page = file.pages[i];
    if (!page) return -1;
    const len = Math.min(PAGE_SIZE, file.size - i * PAGE_SIZE);
    const first = byPage.get(page);
    if (first) {
      if (first.len === len) return first.idx;
      const hit = first.more?.find((b) => b.len === len);
      if (hit) return hit.idx;
    }
    const bytes = pageBytes(file, i);
    let idx = byContent.findOrAdd(bytes, blobs, blobs.length);
    if (idx < 0) {
      idx = blobs.length;
      blobs.push(bytes);
    }
    if (!first) byPage.set(page, { len, idx });
    else (first.more ??= []).push({ len, idx });
    return idx;
  };
  // `base` is the live tree's root when the format has 's' entries: a node that is the very
  // object the live tree has at the same path is unchanged since the snapshot (copy-on-write
  // never changes a node in place once a snapshot holds it), so it is written as one 's' entry
  // and the walk does not go below it. A snapshot of a 100 MB tree then costs one entry per
  // changed path, not another listing of every file.
  const treeOf = (root: DirNode, head: Omit<TreeRecord, 'entries'>, base?: DirNode): Uint8Array => {
    const entries: TreeEntry[] = [];
    let shared = false;
    const walk = (n: Node, path: string, b: Node | undefined): void => {
      if (n === b) {
        entries.push([path, 's']);
        shared = true;
      } else if (n.kind === 'dir') {
        entries.push(
          n.mount?.readOnly ? [path, 'd', n.mode, n.mtimeMs, n.ctimeMs, 1] : [path, 'd', n.mode, n.mtimeMs, n.ctimeMs],
        );
        const bd = b?.kind === 'dir' ? b.entries : undefined;
        for (const [name, c] of n.entries) walk(c, path === '/' ? '/' + name : path + '/' + name, bd?.get(name));
      } else if (n.kind === 'file') {
        entries.push([path, 'f', n.mode, n.mtimeMs, n.ctimeMs, n.size, n.pages.map((_, i) => blobOf(n, i))]);
      } else {
        entries.push([path, 'l', n.mode, n.mtimeMs, n.ctimeMs, n.target]);
      }
    };
    walk(root, '/', base);
    return encoder.encode(JSON.stringify(shared ? { ...head, base: 0, entries } : { ...head, entries }));
  };
  const version = options.formatVersion ?? FORMAT_V4;
  const snaps = options.snapshots ?? [];
  const trees = [treeOf(live.root, { role: 'live' })];
  for (const s of snaps)
    trees.push(
      treeOf(
        s.snapshot.root,
        {
          role: 'snapshot',
          id: s.id,
          createdAt: s.createdAt,
          ...(s.name !== undefined ? { name: s.name } : {}),
        },
        version >= FORMAT_V4 ? live.root : undefined,
      ),
    );
  const meta: MetaRecord = {
    format: 'sandpit-state',
    version,
    createdAt: Date.now(),
    env: options.env ?? {},
    cwd: options.cwd ?? '/',
    blobs: blobs.length,
    trees: trees.length,
  };
  return { payload: { meta: encoder.encode(JSON.stringify(meta)), blobs, trees }, version: meta.version };
}

/** The parts every version decodes to: META's body, blob bodies in index order, tree bodies. */
interface Decoded {
  meta: Uint8Array;
  blobs: Uint8Array[];
  trees: Uint8Array[];
  /** Record count of a v1 payload (META + BLOBs + TREEs); v2 counts by record type. */
  records?: number;
}

function decodeV1(raw: Uint8Array): Decoded {
  const records = parseRecords(raw);
  const first = records[0];
  if (!first || first.type !== REC_META) throw corrupt('META record missing');
  const rest = records.slice(1);
  const nBlobs = rest.findIndex((r) => r.type !== REC_BLOB);
  const blobs = (nBlobs < 0 ? rest : rest.slice(0, nBlobs)).map((r) => r.body);
  const trees = nBlobs < 0 ? [] : rest.slice(nBlobs);
  for (const t of trees) if (t.type !== REC_TREE) throw corrupt('bad TREE record');
  return { meta: first.body, blobs, trees: trees.map((t) => t.body), records: records.length };
}

export async function importState(bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportedState> {
  const limit = options.maxBytes ?? DEFAULT_IMPORT_LIMIT;
  const framed = peekVersion(bytes);
  const opened: { version: number; decoded: Decoded } =
    framed >= FORMAT_V3
      ? await (async () => {
          const { records, rawLen } = openV3(bytes, limit);
          return { version: framed, decoded: await decodeRecords(records, rawLen, true) };
        })()
      : await (async () => {
          const o = await open(bytes, limit);
          return {
            version: o.version,
            decoded: o.version === 1 ? decodeV1(o.payload) : await decodeV2(o.payload, o.rawLen),
          };
        })();
  const decoded = opened.decoded;
  // ---- validate everything ----
  const meta = parseJson(decoded.meta) as MetaRecord;
  if (
    typeof meta !== 'object' ||
    meta === null ||
    meta.format !== 'sandpit-state' ||
    meta.version !== opened.version ||
    !isTime(meta.createdAt) ||
    !isStringRecord(meta.env) ||
    typeof meta.cwd !== 'string' ||
    !meta.cwd.startsWith('/') ||
    !isCount(meta.blobs) ||
    !isCount(meta.trees) ||
    meta.trees < 1 ||
    (decoded.records !== undefined && decoded.records !== 1 + meta.blobs + meta.trees) ||
    decoded.blobs.length !== meta.blobs ||
    decoded.trees.length !== meta.trees
  ) {
    throw corrupt('bad META record');
  }
  const blobs = decoded.blobs;
  for (const b of blobs) if (b.length > PAGE_SIZE) throw corrupt('bad BLOB record');
  const blobLens = blobs.map((b) => b.length);
  const listed: Set<string>[] = [];
  const trees: TreeRecord[] = decoded.trees.map((body) =>
    validateTree(parseJson(body), blobLens, opened.version >= FORMAT_V4 ? listed : undefined),
  );
  if (trees[0]!.role !== 'live' || trees.slice(1).some((t) => t.role !== 'snapshot')) throw corrupt('tree roles');
  const ids = new Set(trees.slice(1).map((t) => t.id));
  if (ids.size !== trees.length - 1) throw corrupt('duplicate snapshot ids');
  // A valid state that does not fit the target quota is refused whole, like any write that does not fit.
  let liveBytes = 0;
  for (const e of trees[0]!.entries) if (e[1] === 'f') liveBytes += e[5];
  if (
    liveBytes > (options.vfs?.maxBytes ?? DEFAULT_MAX_BYTES) ||
    trees[0]!.entries.length - 1 > (options.vfs?.maxFiles ?? DEFAULT_MAX_FILES)
  ) {
    throw new VfsError('ENOSPC', 'import', '/');
  }

  // ---- build (nothing above this line allocated a node) ----
  const pages: (Page | undefined)[] = [];
  // Blob bodies are views of buffers made for this import (gunzipped, inflated or copied per
  // segment), so pages can use them as they are: gen 0 pages are copied before any write.
  const pageAt = (i: number): Page => (pages[i] ??= { data: blobs[i]!, gen: 0 });
  let ino = 2;
  // Nodes by path, kept only for trees that a later tree names as its base.
  const bases = new Set(trees.map((t) => t.base));
  const byPath: Map<string, Node>[] = [];
  const build = (t: TreeRecord, index: number): DirNode => {
    const dirs = new Map<string, DirNode>();
    const mine = bases.has(index) ? (byPath[index] = new Map()) : undefined;
    let root: DirNode | undefined;
    for (const e of t.entries) {
      const path = e[0];
      let node: Node;
      if (e[1] === 's') {
        // The base's node itself (checked to be listed there): shared, as before the export.
        node = byPath[t.base!]!.get(path)!;
      } else if (e[1] === 'd') {
        const [, , mode, mt, ct] = e;
        const d: DirNode = {
          kind: 'dir',
          ino: path === '/' ? 1 : ino++,
          mode,
          mtimeMs: mt,
          ctimeMs: ct,
          gen: 0,
          entries: new Map(),
        };
        if (e[5] === 1) d.mount = { readOnly: true };
        dirs.set(path, d);
        node = d;
      } else if (e[1] === 'f') {
        const [, , mode, mt, ct] = e;
        node = {
          kind: 'file',
          ino: ino++,
          mode,
          mtimeMs: mt,
          ctimeMs: ct,
          gen: 0,
          size: e[5],
          pages: e[6].map((b) => (b < 0 ? null : pageAt(b))),
        };
      } else {
        const [, , mode, mt, ct] = e;
        node = { kind: 'symlink', ino: ino++, mode, mtimeMs: mt, ctimeMs: ct, gen: 0, target: e[5] };
      }
      mine?.set(path, node);
      if (path === '/') root = node as DirNode;
      else {
        const cut = path.lastIndexOf('/');
        dirs.get(cut === 0 ? '/' : path.slice(0, cut))!.entries.set(path.slice(cut + 1), node);
      }
    }
    return root!;
  };
  const roots = trees.map(build);
  const nextIno = ino;
  const snap = (root: DirNode): VfsSnapshot => {
    const { files, bytes } = countTree(root);
    return { root, usedBytes: bytes, fileCount: files - 1, nextIno };
  };
  return {
    vfs: Vfs.fromSnapshot(snap(roots[0]!), options.vfs),
    snapshots: trees.slice(1).map((t, i) => ({
      id: t.id!,
      createdAt: t.createdAt!,
      snapshot: snap(roots[i + 1]!),
      ...(t.name !== undefined ? { name: t.name } : {}),
    })),
    env: meta.env,
    cwd: meta.cwd,
    createdAt: meta.createdAt,
  };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(body));
  } catch {
    throw corrupt('record is not JSON');
  }
}

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isMode = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0o7777;
const isName = (x: string): boolean => x !== '' && x !== '.' && x !== '..' && !x.includes('\0');

function isStringRecord(x: unknown): x is Record<string, string> {
  return (
    typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string')
  );
}

/**
 * Check one tree: shapes, paths (absolute, normal, parent seen first as a dir, no duplicates), blob
 * references. `listed` (version 4 and later) holds the paths listed by each earlier tree, and this
 * tree's are added: an 's' entry must name a path its base tree lists, and nothing may be listed
 * under it (its whole subtree is the base's).
 */
function validateTree(x: unknown, blobLens: number[], listed?: Set<string>[]): TreeRecord {
  const t = x as TreeRecord;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.entries) || (t.role !== 'live' && t.role !== 'snapshot'))
    throw corrupt('bad tree');
  if (
    t.role === 'snapshot' &&
    (typeof t.id !== 'string' || !isTime(t.createdAt) || (t.name !== undefined && typeof t.name !== 'string'))
  )
    throw corrupt('bad snapshot header');
  const base =
    t.base === undefined
      ? undefined
      : listed && Number.isInteger(t.base) && t.base >= 0 && t.base < listed.length
        ? listed[t.base]
        : null;
  if (base === null) throw corrupt('bad tree base');
  const dirs = new Set<string>();
  const seen = new Set<string>();
  t.entries.forEach((e, i) => {
    if (Array.isArray(e) && e[1] === 's') {
      if (!base || e.length !== 2 || typeof e[0] !== 'string' || !base.has(e[0]))
        throw corrupt(`bad shared entry ${i}`);
    } else if (!Array.isArray(e) || typeof e[0] !== 'string' || !isMode(e[2]) || !isTime(e[3]) || !isTime(e[4]))
      throw corrupt(`bad entry ${i}`);
    const path = e[0];
    if (i === 0) {
      if (path !== '/' || (e[1] !== 'd' && e[1] !== 's')) throw corrupt('tree must start with the root directory');
    } else {
      const cut = path.lastIndexOf('/');
      const parent = cut === 0 ? '/' : path.slice(0, cut);
      if (!path.startsWith('/') || !isName(path.slice(cut + 1)) || !dirs.has(parent) || seen.has(path))
        throw corrupt(`bad path ${JSON.stringify(path)}`);
    }
    seen.add(path);
    if (e[1] === 's') {
      // Checked above; not a directory of this tree, so nothing can be listed below it.
    } else if (e[1] === 'd') {
      if (e.length > 6 || (e.length === 6 && e[5] !== 1)) throw corrupt(`bad dir entry ${path}`);
      dirs.add(path);
    } else if (e[1] === 'f') {
      const [, , , , , size, refs] = e;
      if (e.length !== 7 || !isCount(size) || !Array.isArray(refs) || refs.length !== Math.ceil(size / PAGE_SIZE))
        throw corrupt(`bad file entry ${path}`);
      refs.forEach((b, p) => {
        if (b === -1) return;
        // A blob holds exactly the bytes of that page: PAGE_SIZE, or the remainder for the last page.
        if (
          !Number.isInteger(b) ||
          b < 0 ||
          b >= blobLens.length ||
          blobLens[b] !== Math.min(PAGE_SIZE, size - p * PAGE_SIZE)
        )
          throw corrupt(`bad blob reference in ${path}`);
      });
    } else if (e[1] === 'l') {
      if (e.length !== 6 || typeof e[5] !== 'string' || e[5] === '') throw corrupt(`bad symlink entry ${path}`);
    } else throw corrupt(`bad entry kind in ${path}`);
  });
  listed?.push(seen);
  return t;
}
