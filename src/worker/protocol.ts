// The kernel worker's protocol: the one interface both sides of the Comlink boundary compile
// against. Only plain data, Uint8Array (transferred) and proxied callbacks cross it; text is
// decoded on the API side.
import type { MountProvider, MountTree } from './vfs/mount-types';

export type { MountProvider, MountStat, MountTree } from './vfs/mount-types';

/** Error codes shared by the kernel and the public API (see shared/API.md). */
export type ErrorCode =
  | 'ENOENT'
  | 'EEXIST'
  | 'ENOTDIR'
  | 'EISDIR'
  | 'ENOTEMPTY'
  | 'ENOSPC'
  | 'EINVAL'
  | 'EACCES'
  | 'TIMEOUT'
  | 'KILLED'
  | 'NOT_FOUND'
  | 'CLOSED'
  | 'LOCKED'
  | 'NOT_ISOLATED'
  | 'QUOTA'
  | 'CORRUPT'
  | 'UNSUPPORTED'
  /** Too many levels of symbolic links. */
  | 'ELOOP'
  /** A command run with `check: true` exited non-zero. */
  | 'EXIT';

/** How an error looks after crossing the worker boundary (Comlink copies own props). */
export interface WireError {
  name: string;
  message: string;
  code: ErrorCode;
  path?: string;
}

export interface LoadProgress {
  phase: 'manifest' | 'binaries' | 'engine' | 'ready';
  loadedBytes: number;
  totalBytes: number;
}

export interface KernelInit {
  /** The sandbox's persistent identity. */
  id: string;
  /** Where its state is kept; 'memory' keeps nothing beyond the worker. */
  persistence: 'memory' | 'opfs' | 'indexeddb' | 'auto';
  /** Sandbox.open: fail with NOT_FOUND unless a persisted state exists. */
  mustExist?: boolean;
  /** Sandbox.open(id, { takeover: true }): ask the tab that has it to save and let go. */
  takeover?: boolean;
  /** Absolute URL of public/wasm (manifest.json and the binaries). */
  assetsUrl: string;
  /** Absolute URL of the @wasmer/sdk browser entry (dist/index.js), loaded unbundled. */
  sdkUrl: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  fsLimitBytes: number;
  /** Limit on files, directories and symlinks. Default: the VFS's (100,000). */
  fsLimitFiles?: number;
  /** Volumes to mount: guest path → volume name. */
  volumes?: Record<string, string>;
  /** Fixed clock, seeded randomness, sorted directory listings, fixed hostname and pids. */
  deterministic?: { seed: number; epochMs: number };
  /** Extension command names; each runs `HostCallbacks.extension` (see src/api/extensions.ts). */
  extensions?: string[];
  /** Extensions whose commands do not read stdin. */
  noStdin?: string[];
  /** Outbound HTTP through `HostCallbacks.fetch` (which checks the allow list). Default off. */
  network?: boolean;
}

/** A guest ran an extension command. */
export interface ExtensionCall {
  name: string;
  args: string[];
  stdin: Uint8Array;
  cwd: string;
  env: Record<string, string>;
}

export interface ExtensionReply {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
}

/** One HTTP request from a guest (curl, Python's urllib). */
export interface HttpRequestInfo {
  method: string;
  url: string;
  headers: [string, string][];
  body?: Uint8Array;
  redirect: 'follow' | 'manual';
}

export interface HttpResponseInfo {
  /** 0 for a redirect the browser did not follow (redirect: 'manual'). */
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  headers: [string, string][];
  body: Uint8Array;
}

/** A response, or a refusal naming the host and how to allow it. */
export type HttpFetchReply = HttpResponseInfo | { denied: string; reason: string };

/** Host code guests call (a Comlink proxy from the page; see src/worker/engine/hostcall). */
export interface HostCallbacks {
  extension?(call: ExtensionCall): Promise<ExtensionReply>;
  fetch?(req: HttpRequestInfo): Promise<HttpFetchReply>;
}

export interface KernelInfo {
  /** The sandbox's id within the kernel. */
  sid: string;
  /** Session defaults after an import or fork. */
  cwd: string;
  env: Record<string, string>;
  commands: string[];
  shell: string;
}

export interface RunRequest {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  stdin?: Uint8Array;
  /** Bytes kept per stream; beyond it output is dropped and `truncated` set. */
  outputBytes?: number;
}

export interface RunReply {
  stdout: Uint8Array;
  stderr: Uint8Array;
  exitCode: number;
  durationMs: number;
  truncated: boolean;
  reason: 'exited' | 'timeout' | 'killed';
}

export interface SpawnRequest extends RunRequest {
  /** Attach a terminal (PTY semantics: line discipline, Ctrl-C, job control). */
  terminal?: { cols: number; rows: number };
  /** Keep stdin open for writeStdin (background handles, PTYs). Default false. */
  openStdin?: boolean;
  /** argv to run directly instead of `shell -c command`. */
  argv?: string[];
}

/** Proxied callbacks: chunks arrive while the process runs. */
export interface StreamSinks {
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
}

export interface ProcessInfo {
  pid: number;
  command: string;
  startedAt: number;
}

export interface EntryInfo {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink';
  size: number;
  /** Permission bits (0o7777). */
  mode: number;
  mtimeMs: number;
  /** Symlink target, for symlinks. */
  target?: string;
}

export interface PersistedInfo {
  id: string;
  persistence: 'memory' | 'opfs' | 'indexeddb';
  createdAt: number;
  updatedAt: number;
  bytes: number;
}

export interface WatchEventInfo {
  type: 'create' | 'modify' | 'remove' | 'rename';
  path: string;
  /** For 'rename': the old path. */
  from?: string;
}

export interface VolumeInfo {
  name: string;
  createdAt: number;
}

export interface SnapshotInfo {
  id: string;
  name?: string;
  createdAt: number;
  /** Bytes of file content the snapshot holds (shared with the live tree until changed). */
  bytes: number;
}

export interface DiffResult {
  added: string[];
  modified: string[];
  removed: string[];
}

/** A tree mounted by sb.mount (the name kernel.ts uses). */
export type MountTreeData = MountTree;

/** A live mount's host functions, as a Comlink proxy: it must be a top-level argument to cross. */
export type MountProviderCalls = MountProvider;

export interface MountRequest {
  readOnly: boolean;
  /** Set when the source is a provider; `writable`: it has writeFile (a proxy seems to have every method). */
  provider?: { writable: boolean };
}

/**
 * Where a new sandbox's state comes from. Default: a fresh default layout. An import comes as
 * bytes or as a Blob, which the kernel reads itself (blob-source.ts).
 */
export type SandboxSource =
  | { kind: 'import'; bytes: Uint8Array }
  | { kind: 'import'; blob: Blob }
  | { kind: 'fork'; sid: string }
  | { kind: 'template'; name: string };

export interface Metrics {
  /** Bytes of file content in the sandbox's filesystem, and its quota. */
  fsBytes: number;
  fsLimitBytes: number;
  /** Files, directories and symlinks, and their limit. */
  fileCount: number;
  fsLimitFiles: number;
  commandsRun: number;
  /** Wall time of each finished command, newest last (at most 100). */
  commandDurationsMs: number[];
  runningProcesses: number;
  /** The engine's shared wasm memory plus the kernel worker's JS heap where the browser reports
   * it. Guests' own memories live in SDK workers the kernel cannot see and are not included. */
  memoryBytes: number;
}

/**
 * Every method is async; a failure rejects with a WireError-shaped Error. One kernel worker
 * hosts every sandbox of a page (they share the engine); `sid` names the sandbox.
 */
export interface WorkerApi {
  /** Creates a sandbox (loading the engine on first use) and returns its id. */
  create(
    init: KernelInit,
    onProgress?: (p: LoadProgress) => void,
    source?: SandboxSource,
    host?: HostCallbacks,
  ): Promise<KernelInfo>;
  /** Ends a sandbox's processes and frees it. */
  close(sid: string): Promise<void>;
  /** How many sandboxes are open (the API stops the worker when none are left). */
  count(): Promise<number>;
  saveTemplate(name: string, bytes: Uint8Array): Promise<void>;
  listTemplates(): Promise<string[]>;
  deleteTemplate(name: string): Promise<void>;
  volumeCreate(name: string): Promise<VolumeInfo>;
  volumeInfo(name: string): Promise<VolumeInfo>;
  volumeList(): Promise<VolumeInfo[]>;
  volumeDelete(name: string): Promise<void>;
  volumeRead(name: string, path: string): Promise<Uint8Array>;
  volumeWrite(name: string, path: string, data: Uint8Array): Promise<void>;
  volumeEntries(name: string, path: string, depth: number): Promise<EntryInfo[]>;
  volumeRemove(name: string, path: string, recursive: boolean): Promise<void>;
  /** Persisted sandboxes of this origin. */
  listPersisted(): Promise<PersistedInfo[]>;
  /** Removes a persisted sandbox's stored state (LOCKED while it is open). */
  deletePersisted(id: string): Promise<void>;

  run(sid: string, command: string, req: RunRequest, sinks?: StreamSinks): Promise<RunReply>;
  spawn(sid: string, command: string, req: SpawnRequest, sinks?: StreamSinks): Promise<number>;
  wait(sid: string, pid: number): Promise<RunReply>;
  writeStdin(sid: string, pid: number, data: Uint8Array): Promise<void>;
  closeStdin(sid: string, pid: number): Promise<void>;
  kill(sid: string, pid: number): Promise<void>;
  resize(sid: string, pid: number, cols: number, rows: number): Promise<void>;
  listProcesses(sid: string): Promise<ProcessInfo[]>;

  writeFile(sid: string, path: string, data: Uint8Array): Promise<void>;
  writeFiles(sid: string, files: { path: string; data: Uint8Array }[]): Promise<void>;
  readFile(sid: string, path: string): Promise<Uint8Array>;
  /** Grafts a tree or a live provider at `path` (below /mnt, /home, /tmp, …); replaces a mount there. */
  mount(sid: string, path: string, source: MountTreeData | MountProviderCalls, request: MountRequest): Promise<void>;
  /** Streamed write: open (creates parents), append chunks, then commit (atomic rename) or abort. */
  writeOpen(sid: string, path: string): Promise<number>;
  writeChunk(sid: string, id: number, data: Uint8Array): Promise<void>;
  writeCommit(sid: string, id: number): Promise<void>;
  writeAbort(sid: string, id: number): Promise<void>;
  /** Streamed read: open, take chunks of at most `max` bytes until an empty one, close. */
  readOpen(sid: string, path: string): Promise<{ id: number; size: number }>;
  readChunk(sid: string, id: number, max: number): Promise<Uint8Array>;
  readClose(sid: string, id: number): Promise<void>;
  stat(sid: string, path: string): Promise<EntryInfo>;
  exists(sid: string, path: string): Promise<boolean>;
  list(sid: string, path: string, depth: number): Promise<EntryInfo[]>;
  mkdir(sid: string, path: string, recursive: boolean): Promise<void>;
  remove(sid: string, path: string, recursive: boolean): Promise<void>;
  rename(sid: string, from: string, to: string): Promise<void>;

  setEnv(sid: string, env: Record<string, string>): Promise<void>;
  setCwd(sid: string, cwd: string): Promise<void>;
  snapshot(sid: string, name?: string): Promise<SnapshotInfo>;
  restore(sid: string, id: string): Promise<void>;
  listSnapshots(sid: string): Promise<SnapshotInfo[]>;
  deleteSnapshot(sid: string, id: string): Promise<void>;
  diff(sid: string, id: string): Promise<DiffResult>;
  exportState(sid: string): Promise<Uint8Array>;
  /** Calls `onEvents` with batched changes at or below `path` (guest writes too); returns a watch id. */
  watch(sid: string, path: string, recursive: boolean, onEvents: (events: WatchEventInfo[]) => void): Promise<number>;
  unwatch(sid: string, watchId: number): Promise<void>;
  metrics(sid: string): Promise<Metrics>;
  /** Commits the sandbox's state now (persisted sandboxes); resolves when it is durable. */
  save(sid: string): Promise<void>;
}
