// The Sandbox: one kernel worker, its shell session and its filesystem.
import { proxy, transfer } from 'comlink';
import { Commands } from './commands';
import { runExtension, validateExtensions } from './extensions';
import { guestFetch, validateNetwork } from './network';
import { SandboxError, rethrow } from './errors';
import { Files } from './files';
import { Pty } from './pty';
import { bindKernel, type KernelBinding, type KernelCalls } from './kernel-calls';
import { reopen, type ReopenSpec } from './recovery';
import { attachRemote, lockFreesWithin, serveAttach, type AttachServer } from './attach';
import { kernel, releaseIfIdle, type KernelHandle } from './kernel-client';
import type { HostCallbacks, PersistedInfo, SandboxSource } from '../worker/protocol';
import { runCode, type RunCodeOptions } from './run-code';
import { mountSource, type MountOptions, type MountProvider, type MountTree } from './mount';
import type {
  CommandResult,
  DiffResult,
  Metrics,
  SandboxOptions,
  SnapshotInfo,
  TemplateInfo,
  TemplateSpec,
} from './types';
import { guestPath, nonNegativeInt, stringRecord } from './validate';

/**
 * How long destroy() lets attached tabs' calls already running here finish before it closes the
 * sandbox under them (a long `wait()` of theirs is cut after this, as before).
 */
const ATTACHED_DRAIN_MS = 3000;

/** How long `Sandbox.open` waits for a closing tab to let go of a sandbox it no longer serves. */
const LOCK_FREE_WAIT_MS = 10_000;

const ISOLATION_HELP =
  'This page is not cross-origin isolated, so WebAssembly threads (SharedArrayBuffer) are ' +
  'unavailable and commands cannot run. Serve the page with the headers ' +
  '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
  '(or "credentialless"); `npm start` and `npm run preview` already do.';

export interface Capabilities {
  crossOriginIsolated: boolean;
  sharedArrayBuffer: boolean;
  opfs: boolean;
  indexedDB: boolean;
  webLocks: boolean;
  compressionStream: boolean;
}

function deterministicInit(value: SandboxOptions['deterministic']): {
  deterministic?: { seed: number; epochMs: number };
} {
  if (value === undefined || value === false) return {};
  const v = value === true ? {} : value;
  if (typeof v !== 'object' || v === null)
    throw new SandboxError('EINVAL', 'deterministic must be a boolean or { seed, epochMs }');
  return {
    deterministic: {
      seed: nonNegativeInt(v.seed ?? 1, 'deterministic.seed'),
      epochMs: nonNegativeInt(v.epochMs ?? 0, 'deterministic.epochMs'),
    },
  };
}

function volumesInit(value: SandboxOptions['volumes']): { volumes?: Record<string, string> } {
  if (value === undefined) return {};
  const out: Record<string, string> = {};
  for (const [path, name] of Object.entries(stringRecord(value, 'volumes'))) out[guestPath(path, 'volume path')] = name;
  return { volumes: out };
}

/** `pythonPath` dirs go before any PYTHONPATH the caller set in `env`. */
function pythonPathEnv(dirs: unknown, env: Record<string, string>): Record<string, string> {
  if (dirs === undefined) return env;
  if (!Array.isArray(dirs)) throw new SandboxError('EINVAL', 'pythonPath must be an array of absolute paths');
  const paths = dirs.map((d) => guestPath(d, 'pythonPath entry'));
  if (env.PYTHONPATH) paths.push(env.PYTHONPATH);
  return paths.length ? { ...env, PYTHONPATH: paths.join(':') } : env;
}

function mountsInit(value: SandboxOptions['mounts']): [string, ReturnType<typeof mountSource>][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandboxError('EINVAL', 'mounts must be an object of guest path → tree');
  }
  return Object.entries(value).map(([path, tree]) => {
    const p = guestPath(path, 'mount path');
    const source = mountSource(tree, p);
    if (source.provider)
      throw new SandboxError('EINVAL', 'mounts takes trees; use sb.mount() for providers', { path: p });
    return [p, source];
  });
}

async function templateSource(template: string | Blob): Promise<SandboxSource> {
  if (template instanceof Blob) return { kind: 'import', blob: template };
  if (typeof template !== 'string') throw new SandboxError('EINVAL', 'template must be a name or an exported Blob');
  return { kind: 'template', name: template };
}

function absoluteUrl(url: string): string {
  return new URL(url, globalThis.location?.href).href;
}

export class Sandbox {
  readonly commands: Commands;
  readonly files: Files;
  readonly pty: Pty;
  #kernel: KernelHandle | undefined;
  #calls: KernelCalls;
  /** Where the sandbox lives; moves to a new worker after the kernel worker stopped. */
  #binding: KernelBinding;
  /** How to reopen it there (see recovery.ts). */
  #reopen: ReopenSpec | undefined;
  #recovering: Promise<void> | undefined;
  /** Stops answering other tabs attached to this (owned, persisted) sandbox. */
  #unserve: AttachServer | undefined;
  /** Times this sandbox was reopened on a new kernel worker after the old one stopped. */
  restarts = 0;
  /** Host callbacks a fork keeps (extensions, network). */
  #host: Pick<SandboxOptions, 'extensions' | 'network'> = {};

  private constructor(
    readonly id: string,
    sid: string,
    kernel: KernelHandle,
  ) {
    this.#kernel = kernel;
    this.#binding = { handle: kernel, sid, recover: () => this.#recover() };
    this.#calls = bindKernel(this.#binding);
    const api = () => this.#api();
    this.commands = new Commands(api);
    this.files = new Files(api);
    this.pty = new Pty(api);
  }

  static capabilities(): Capabilities {
    const g = globalThis as typeof globalThis & { crossOriginIsolated?: boolean };
    return {
      crossOriginIsolated: g.crossOriginIsolated === true,
      sharedArrayBuffer: typeof SharedArrayBuffer === 'function',
      opfs: typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function',
      indexedDB: typeof indexedDB !== 'undefined',
      webLocks: typeof navigator !== 'undefined' && 'locks' in navigator,
      compressionStream: typeof CompressionStream === 'function',
    };
  }

  static async create(options: SandboxOptions = {}): Promise<Sandbox> {
    return Sandbox.#start(options);
  }

  /**
   * Reopens a persisted sandbox (after a reload too); NOT_FOUND if there is none. If another
   * tab has it open, attaches to it there (`attached`: calls run in that tab) — unless
   * `takeover: true`, which asks that tab to save and close its copy, then opens it here.
   * LOCKED if this page has it open already.
   */
  static async open(
    id: string,
    options: Omit<SandboxOptions, 'id' | 'persistence'> & { takeover?: boolean } = {},
  ): Promise<Sandbox> {
    return Sandbox.#start({ ...options, id, mustExist: true });
  }

  /** Persisted sandboxes of this origin. */
  static async list(): Promise<PersistedInfo[]> {
    Sandbox.#requireIsolation();
    const k = kernel();
    try {
      return await rethrow(() => k.api.listPersisted());
    } finally {
      await releaseIfIdle(k).catch(() => undefined);
    }
  }

  /** Removes a persisted sandbox's stored state; LOCKED while it is open somewhere. */
  static async delete(id: string): Promise<void> {
    Sandbox.#requireIsolation();
    if (typeof id !== 'string') throw new SandboxError('EINVAL', 'id must be a string');
    const k = kernel();
    try {
      await rethrow(() => k.api.deletePersisted(id));
    } finally {
      await releaseIfIdle(k).catch(() => undefined);
    }
  }

  static #requireIsolation(): void {
    if (!Sandbox.capabilities().crossOriginIsolated) throw new SandboxError('NOT_ISOLATED', ISOLATION_HELP);
  }

  /** A new sandbox from a blob made by exportState(); a corrupt or foreign blob fails with CORRUPT. */
  static async importState(blob: Blob | Uint8Array, options: SandboxOptions = {}): Promise<Sandbox> {
    if (!(blob instanceof Blob) && !(blob instanceof Uint8Array)) {
      throw new SandboxError('EINVAL', 'importState takes a Blob or a Uint8Array');
    }
    // A Blob goes to the kernel as it is (a handle, not its bytes): the kernel reads it there,
    // and the page's thread does not copy 100 MB out of the blob store first.
    return Sandbox.#start(
      options,
      blob instanceof Blob ? { kind: 'import', blob } : { kind: 'import', bytes: blob.slice() },
    );
  }

  /**
   * Builds a named template: a sandbox started `from` another template (or fresh), given
   * `files`, `env` and `cwd`, after `run` commands (each must exit 0), stored for
   * `create({ template: name })`.
   */
  static async buildTemplate(spec: TemplateSpec): Promise<TemplateInfo> {
    if (typeof spec?.name !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(spec.name)) {
      throw new SandboxError('EINVAL', 'template name must be 1-128 characters of letters, digits, ".", "_" or "-"');
    }
    const base = spec.from === undefined || spec.from === 'base' ? {} : { template: spec.from };
    const sb = await Sandbox.create({
      ...base,
      ...(spec.env ? { env: spec.env } : {}),
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
    });
    try {
      const files = Object.entries(spec.files ?? {}).map(([path, data]) => ({ path, data }));
      if (files.length) await sb.files.writeFiles(files);
      for (const command of spec.run ?? [])
        await sb.commands.run(command, { check: true, timeoutMs: spec.timeoutMs ?? 300_000 });
      const blob = await sb.exportState();
      const bytes = new Uint8Array(await blob.arrayBuffer());
      await rethrow(() => sb.#kernel!.api.saveTemplate(spec.name, transfer(bytes, [bytes.buffer])));
      return { name: spec.name, bytes: blob.size };
    } finally {
      await sb.destroy();
    }
  }

  /** Names of the templates stored in this origin. */
  static async listTemplates(): Promise<string[]> {
    return Sandbox.#withKernel((k) => k.api.listTemplates());
  }

  static async deleteTemplate(name: string): Promise<void> {
    await Sandbox.#withKernel((k) => k.api.deleteTemplate(String(name)));
  }

  static async #withKernel<T>(fn: (k: KernelHandle) => Promise<T>): Promise<T> {
    Sandbox.#requireIsolation();
    const k = kernel();
    try {
      return await rethrow(() => fn(k));
    } finally {
      await releaseIfIdle(k).catch(() => undefined);
    }
  }

  static async #start(options: SandboxOptions, source?: SandboxSource, retried = false): Promise<Sandbox> {
    Sandbox.#requireIsolation();
    if (typeof options !== 'object' || options === null) throw new SandboxError('EINVAL', 'options must be an object');
    const id = options.id ?? crypto.randomUUID();
    if (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,128}$/.test(id)) {
      throw new SandboxError('EINVAL', 'id must be 1-128 characters of letters, digits, ".", "_" or "-"');
    }
    const persistence = options.persistence ?? 'memory';
    if (!['memory', 'opfs', 'indexeddb', 'auto'].includes(persistence)) {
      throw new SandboxError('EINVAL', `unknown persistence ${String(persistence)}`);
    }
    const init = {
      id,
      persistence,
      ...(source === undefined && options.mustExist ? { mustExist: true } : {}),
      ...((options as { takeover?: boolean }).takeover ? { takeover: true } : {}),
      assetsUrl: absoluteUrl(options.assetsUrl ?? '/wasm/'),
      sdkUrl: absoluteUrl(options.sdkUrl ?? '/vendor/wasmer-sdk/dist/index.js'),
      cwd: guestPath(options.cwd ?? '/home/user', 'cwd'),
      env: pythonPathEnv(options.pythonPath, stringRecord(options.env, 'env')),
      timeoutMs: nonNegativeInt(options.timeoutMs ?? 30_000, 'timeoutMs'),
      fsLimitBytes: nonNegativeInt(options.fsLimitBytes ?? 256 << 20, 'fsLimitBytes'),
      fsLimitFiles: nonNegativeInt(options.fsLimitFiles ?? 100_000, 'fsLimitFiles'),
      ...deterministicInit(options.deterministic),
      ...volumesInit(options.volumes),
    };
    const mounts = mountsInit(options.mounts);
    if (source === undefined && options.template !== undefined) source = await templateSource(options.template);
    // Guests call back into this page for extensions and network requests.
    const extensions = validateExtensions(options.extensions);
    const allow = validateNetwork(options.network);
    const host: HostCallbacks = {};
    if (extensions.size) host.extension = (call) => runExtension(extensions, call);
    if (allow) host.fetch = (req) => guestFetch(allow, req);
    Object.assign(init, {
      ...(extensions.size ? { extensions: [...extensions.keys()] } : {}),
      ...(extensions.size
        ? { noStdin: [...extensions.values()].filter((e) => e.stdin === false).map((e) => e.name) }
        : {}),
      ...(allow ? { network: true } : {}),
    });
    const k = kernel();
    const onProgress = options.onProgress;
    const hostProxy = extensions.size || allow ? proxy(host) : undefined;
    try {
      const info = await rethrow(() =>
        k.api.create(
          init,
          onProgress ? proxy(onProgress) : undefined,
          source?.kind === 'import' && 'bytes' in source
            ? transfer(source, [source.bytes.buffer as ArrayBuffer])
            : source,
          hostProxy,
        ),
      );
      const sb = new Sandbox(id, info.sid, k);
      sb.#reopen = { init, host: hostProxy, onRestart: options.onRestart };
      sb.#serve();
      sb.#host = { extensions: options.extensions, network: options.network };
      try {
        for (const [path, m] of mounts) await rethrow(() => k.api.mount(info.sid, path, m.source, { readOnly: false }));
      } catch (err) {
        await sb.destroy().catch(() => undefined);
        throw err;
      }
      return sb;
    } catch (err) {
      await releaseIfIdle(k).catch(() => undefined);
      // Open elsewhere: attach to the owning tab (API.md, Multi-tab) unless taking it over.
      if ((err as SandboxError).code === 'LOCKED' && init.mustExist && !init.takeover) {
        const remote = await attachRemote(id);
        if (remote) {
          const sb = new Sandbox(id, 'attached', remote);
          sb.#reopen = { init, host: hostProxy, onRestart: options.onRestart };
          return sb;
        }
        // The holder answers nobody: a tab that is closing. Once its lock goes, open it here.
        if (!retried && (await lockFreesWithin(id, LOCK_FREE_WAIT_MS))) return Sandbox.#start(options, source, true);
      }
      throw err;
    }
  }

  /** True while this tab's calls go to another tab that owns the sandbox. */
  get attached(): boolean {
    return this.#binding.sid === 'attached';
  }

  /** Persisted sandboxes owned here answer the calls of tabs attached to them. */
  #serve(): void {
    this.#unserve?.stop();
    this.#unserve =
      this.#reopen && (this.#reopen.init.persistence !== 'memory' || this.#reopen.init.mustExist)
        ? serveAttach(this.id, () => (this.#kernel ? this.#calls : undefined))
        : undefined;
  }

  /** An independent sandbox sharing this one's files copy-on-write (cheap whatever their size). */
  async fork(options: Pick<SandboxOptions, 'id'> = {}): Promise<Sandbox> {
    this.#api();
    if (!this.#binding.handle.alive) await this.#recover();
    return Sandbox.#start({ ...this.#host, ...options }, { kind: 'fork', sid: this.#binding.sid });
  }

  /**
   * Mounts a tree (`{ 'a.csv': 'x,y\n', 'sub/b.bin': bytes }`, copied in) or a live provider
   * (`{ readFile, readdir, stat, writeFile? }`, host functions called again before every command
   * and files.* read) at `path`, below /mnt, /home, /tmp, … (EINVAL elsewhere). A mount at the
   * same path is replaced. `readOnly`: guests get EROFS, sb.files gets SandboxError('EACCES').
   */
  async mount(path: string, source: MountTree | MountProvider, options: MountOptions = {}): Promise<void> {
    const p = guestPath(path, 'mount path');
    const m = mountSource(source, p);
    const request = { readOnly: options.readOnly === true, ...(m.provider ? { provider: m.provider } : {}) };
    await rethrow(() => this.#api().mount(p, m.source, request));
  }

  /** Runs a snippet of code: 'python' | 'bash' | 'javascript' | 'lua' | 'sql'. */
  runCode(code: string, options: RunCodeOptions = {}): Promise<CommandResult> {
    return runCode(this.commands, this.files, code, options);
  }

  /** Session default environment for later commands (merged over the current one). */
  async setEnv(env: Record<string, string>): Promise<void> {
    const e = stringRecord(env, 'env');
    await rethrow(() => this.#api().setEnv(e));
  }

  /** Session default working directory for later commands. */
  async setCwd(cwd: string): Promise<void> {
    const p = guestPath(cwd, 'cwd');
    await rethrow(() => this.#api().setCwd(p));
  }

  /** A copy-on-write snapshot of the files (O(1) whatever the tree's size). */
  async snapshot(options: { name?: string } = {}): Promise<SnapshotInfo> {
    if (options.name !== undefined && typeof options.name !== 'string')
      throw new SandboxError('EINVAL', 'name must be a string');
    return rethrow(() => this.#api().snapshot(options.name));
  }

  async restore(id: string): Promise<void> {
    await rethrow(() => this.#api().restore(String(id)));
  }

  async listSnapshots(): Promise<SnapshotInfo[]> {
    return rethrow(() => this.#api().listSnapshots());
  }

  async deleteSnapshot(id: string): Promise<void> {
    await rethrow(() => this.#api().deleteSnapshot(String(id)));
  }

  /** Paths added, modified and removed since the snapshot. */
  async diff(id: string): Promise<DiffResult> {
    return rethrow(() => this.#api().diff(String(id)));
  }

  /** Files, metadata, snapshots, env and cwd as one versioned, checksummed, compressed Blob. */
  async exportState(): Promise<Blob> {
    const bytes = await rethrow(() => this.#api().exportState());
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/x-sandpit' });
  }

  /** Filesystem use, commands run and their durations, kernel memory. */
  async metrics(): Promise<Metrics> {
    return rethrow(() => this.#api().metrics());
  }

  /** Commits a persisted sandbox's state now (autosave also runs after commands and writes). */
  async save(): Promise<void> {
    await rethrow(() => this.#api().save());
  }

  /**
   * Ends the sandbox's processes and saves it; the kernel worker stops with the page's last
   * sandbox. Persisted data stays unless `purge: true`. Later calls fail with CLOSED.
   */
  async destroy(options: { purge?: boolean } = {}): Promise<void> {
    if (!this.#kernel) return;
    this.#kernel = undefined;
    const { handle, sid } = this.#binding;
    // Attached tabs' new calls are turned away from now on (they reopen the sandbox once this
    // tab lets go); the ones already running here end first, up to a bound.
    await this.#unserve?.drain(ATTACHED_DRAIN_MS);
    // A stopped worker took its copy with it: nothing to close there. Attached tabs' calls
    // still running end with the processes; then they are told to reopen it (stop).
    try {
      if (handle.alive) await rethrow(() => handle.whileAlive(handle.api.close(sid)));
    } finally {
      this.#unserve?.stop();
    }
    const k = handle.alive ? handle : kernel();
    if (options.purge) await rethrow(() => k.api.deletePersisted(this.id)).catch(() => undefined);
    await releaseIfIdle(k);
  }

  /** The kernel worker stopped: reopen this sandbox on a new one, once for concurrent calls. */
  #recover(): Promise<void> {
    this.#recovering ??= (async () => {
      if (!this.#kernel) throw new SandboxError('CLOSED', `sandbox ${this.id} has been destroyed`);
      if (!this.#reopen) throw new SandboxError('CLOSED', `sandbox ${this.id}: the kernel worker stopped`);
      try {
        const { handle, sid } = await reopen(this.#reopen, this.restarts).catch(async (err: SandboxError) => {
          // Owned by another tab now: attach to it.
          const remote = err.code === 'LOCKED' ? await attachRemote(this.id) : undefined;
          if (!remote) throw err;
          return { handle: remote, sid: 'attached' };
        });
        this.restarts++;
        Object.assign(this.#binding, { handle, sid });
        this.#kernel = handle;
        if (sid !== 'attached') this.#serve();
      } catch (err) {
        // Memory-only (or gone from the store): closed for good, every later call says why.
        if ((err as SandboxError).code === 'CLOSED' || (err as SandboxError).code === 'NOT_FOUND') {
          const why = (err as Error).message;
          this.#binding.recover = () => Promise.reject(new SandboxError('CLOSED', why));
        }
        throw err;
      }
    })().finally(() => (this.#recovering = undefined));
    return this.#recovering;
  }

  #api(): KernelCalls {
    if (!this.#kernel) throw new SandboxError('CLOSED', `sandbox ${this.id} has been destroyed`);
    return this.#calls;
  }
}
