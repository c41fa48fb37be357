// Public option and result types of the Sandbox API (shared/API.md is the contract).
import type { Extension } from './extensions';
import type { MountTree } from './mount';
import type { NetworkOption } from './network';
import type { RestartEvent } from './recovery';

export interface ProgressEvent {
  phase: 'manifest' | 'binaries' | 'engine' | 'ready';
  loadedBytes: number;
  totalBytes: number;
}

export interface SandboxOptions {
  /** Persistent identity. Default: a random id. */
  id?: string;
  /** Where state is kept. Default: 'memory'. */
  persistence?: 'memory' | 'opfs' | 'indexeddb' | 'auto';
  /** Working directory of commands. Default: '/home/user'. */
  cwd?: string;
  /** Extra environment for every command. Default: {} (HOME, USER, PATH are always set). */
  env?: Record<string, string>;
  /** Default per-command timeout in ms. Default: 30000. */
  timeoutMs?: number;
  /** Filesystem quota in bytes. Default: 256 MiB. */
  fsLimitBytes?: number;
  /** Limit on files, directories and symlinks (the default layout uses ~20). Default: 100,000. */
  fsLimitFiles?: number;
  /** URL (absolute or relative to the page) of the binaries and manifest.json. Default: '/wasm/'. */
  assetsUrl?: string;
  /** URL of @wasmer/sdk's browser entry (dist/index.js). Default: '/vendor/wasmer-sdk/dist/index.js'. */
  sdkUrl?: string;
  /**
   * Called while binaries load: bytes loaded so far of the total the sandbox waits for (the
   * shell, busybox and the host-call stub). Python, sqlite3, lua, jq and js load after
   * `ready`, when a command first needs them (that command waits for them).
   */
  onProgress?: (p: ProgressEvent) => void;
  /** Host functions guests run as commands (/usr/bin/<name>): pipes, redirects, args, stdin, cwd, env. Default: none. */
  extensions?: Extension[];
  /** Outbound HTTP(S) through this page's fetch for the listed hosts (curl, Python urllib). Default: false. */
  network?: NetworkOption;
  /**
   * Trees to mount: guest path (below /mnt, /home, /tmp, …) → `{ 'a.csv': 'x,y\n', 'sub/b.bin': bytes }`.
   * Default: none. For read-only or provider mounts use `sb.mount()`.
   */
  mounts?: Record<string, MountTree>;
  /** Directories prepended to PYTHONPATH for every command. Default: none. */
  pythonPath?: string[];
  /** Volumes to mount: guest path → volume name (see Volume.create). */
  volumes?: Record<string, string>;
  /** Start from a named template (Sandbox.buildTemplate) or an exported Blob. */
  template?: string | Blob;
  /**
   * Same commands, same output: fixed clock (epochMs), seeded randomness, sorted directory
   * listings, fixed hostname and pids. Default false.
   */
  deterministic?: boolean | { seed?: number; epochMs?: number };
  /**
   * Called when the page's kernel worker had stopped (crash, browser kill) and this persisted
   * sandbox was reopened on a new one from its last saved state. Default: none (a console
   * warning is printed either way). Memory-only sandboxes cannot be reopened: their calls fail
   * with CLOSED.
   */
  onRestart?: (event: RestartEvent) => void;
  /** Internal to Sandbox.open: fail with NOT_FOUND unless the id is persisted. */
  mustExist?: boolean;
}

export interface RunOptions {
  /** Working directory. Default: the session cwd. */
  cwd?: string;
  /** Extra environment, merged over the session env. */
  env?: Record<string, string>;
  /** Timeout in ms; on expiry the command ends with reason 'timeout', exit code 124. */
  timeoutMs?: number;
  /** Standard input. Default: empty. */
  stdin?: string | Uint8Array;
  /** Throw CommandExitError when the exit code is not 0. Default: false. */
  check?: boolean;
  /** Bytes kept per stream before output is dropped and `truncated` set. Default: 16 MiB. */
  maxOutputBytes?: number;
  /** Called with each chunk of stdout while the command runs (decoded as UTF-8). */
  onStdout?: (chunk: string) => void;
  /** Called with each chunk of stderr while the command runs (decoded as UTF-8). */
  onStderr?: (chunk: string) => void;
  /** Aborting kills the command; it then ends with reason 'killed'. */
  signal?: AbortSignal;
  /** Return a CommandHandle at once instead of waiting. Default: false. */
  background?: boolean;
}

export interface ProcessInfo {
  pid: number;
  command: string;
  startedAt: number;
}

export interface PtyOptions {
  /** Columns. Default 80. */
  cols?: number;
  /** Rows. Default 24. */
  rows?: number;
  /** Receives everything the terminal prints. */
  onData?: (bytes: Uint8Array) => void;
  /** Working directory. Default: the session cwd. */
  cwd?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** argv to run instead of an interactive login shell. */
  command?: string[];
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
  truncated: boolean;
  reason: 'exited' | 'timeout' | 'killed';
}

/** Blobs and streams are sent in chunks, so a file larger than memory comfortably allows works. */
export type WriteData = string | Uint8Array | Blob | ReadableStream<Uint8Array>;

export interface ReadOptions {
  /**
   * 'text' (default, UTF-8), 'bytes' (Uint8Array), 'blob' (Blob) or 'stream'
   * (ReadableStream<Uint8Array> of chunks read on demand).
   */
  format?: 'text' | 'bytes' | 'blob' | 'stream';
}

export type {
  EntryInfo,
  SnapshotInfo,
  DiffResult,
  PersistedInfo,
  WatchEventInfo as WatchEvent,
} from '../worker/protocol';

export interface WatchHandle {
  /** Stops the watch; no callback runs after it resolves. */
  close(): Promise<void>;
}

export type { Metrics, VolumeInfo } from '../worker/protocol';

export interface TemplateSpec {
  name: string;
  /** Another template to start from; 'base' or omitted: a fresh sandbox. */
  from?: string;
  /** Files to write, path → content. */
  files?: Record<string, string | Uint8Array>;
  /** Commands to run, in order; each must exit 0. */
  run?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Per-command timeout while building. Default 300000. */
  timeoutMs?: number;
}

export interface TemplateInfo {
  name: string;
  bytes: number;
}

export type { RestartEvent } from './recovery';
