// The engine runtime: one @wasmer/sdk client per kernel worker, holding every binary in
// public/wasm as commands, serving every sandbox's VFS to its guests through host mounts.
// Sandboxes share the client (and its ~135 MB of workers and compiled modules).
import { KernelError } from '../errors';
import type { LoadProgress } from '../protocol';
import type { Vfs } from '../vfs';
import { loadBinaries, loadManifest, type BinaryEntry, type LoadedBinary } from './binaries';
import { runsEarly } from './early-run';
import { commandPins, extensionsOnTop, pinCommands, shadowedExtensions } from './extension-commands';
import { SpareWorkers, warmPool } from './warm-pool';
import { hookSandboxBuilder, installHostFs, type HostMountBuilder, type HostMountPlan } from './hostfs/install';
import { HostFsServer } from './hostfs/server';
import { useHostFsWorkerEntry } from './hostfs/worker-entry';
import type { HostCallSpec } from './hostcall/handler';
import { CallMounts } from './hostcall/mount';
import { CALL_DIR, hostCallMount, hostCallPackage, loadHostcallModule } from './hostcall/setup';
import { EngineSandbox, type BuiltSandbox, type EngineHost } from './sandbox';
import { loadSdk, sdkMemory, type Sdk } from './sdk';
import { ProcessTrees } from './process-trees';
import { installWorkerCensus, liveWorkers, setWorkerGreeting, terminateWorkers, workersMade } from './worker-census';
import { VfsBackend } from './vfs-backend';

type Wasmer = InstanceType<Sdk['Wasmer']>;
type Package = Awaited<ReturnType<Wasmer['packages']['create']>>;

/**
 * Guest paths served from our VFS. `/` and `/workspace` cannot be host mounts (the SDK
 * reserves them; /workspace is the storage mount) and `/usr`, `/bin` hold the SDK's command
 * entries and package files, so every other top-level directory a user touches is mounted.
 */
export const MOUNTED_DIRS = ['/home', '/tmp', '/etc', '/root', '/var', '/opt', '/mnt', '/srv'];

/**
 * Command names the SDK accepts. Applets such as `[` and `[[` are left out: bash has them as
 * builtins, and `test` is the same applet.
 */
const COMMAND_NAME = /^(?!\.\.?$)[A-Za-z0-9._+-]+$/;

/** Shells in order of preference; the first one a binary provides runs command strings. */
const SHELLS = ['bash', 'sh'];

/**
 * Binaries loaded before the sandbox is ready: the shell, the applets and the host-call stub.
 * The others (python, sqlite3, lua, jq, js: ~80 % of the bytes, and of the SDK's per-package
 * hashing) are loaded and installed right after, while the first command runs; a command that
 * may need them waits (early-run.ts). Measured in bench/README.md.
 */
function loadsFirst(b: BinaryEntry): boolean {
  return ['bash', 'busybox', 'hostcall'].includes(b.name) || b.commands.length === 0;
}

/** Which binary each command name runs: earlier binaries win a clash (bash's `sh` over busybox's). */
function commandOwners(entries: BinaryEntry[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const b of entries)
    for (const c of b.commands) if (COMMAND_NAME.test(c) && !owners.has(c)) owners.set(c, b.name);
  return owners;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SDK workers started since the client's start beyond which a process storm is assumed (normal use: ~13). */
const STORM_WORKERS = 40;
const STORM_CHECK_MS = 500;
/** Workers one process tree may start before its end is watched for orphans, and for how long. */
const SUSPECT_WORKERS = 3;
const SETTLE_MS = 500;
/** When the late binaries' package is created if no command asked for it before (see #latePackage). */
const LATE_IDLE_MS = 2000;

export interface RuntimeUrls {
  assetsUrl: string;
  sdkUrl: string;
}

/** A Wasmer client whose next sandbox gets the mounts `plan()` returns (docs/hostfs-protocol.md). */
function vfsWasmer(sdk: Sdk, sdkUrl: string, plan: () => HostMountPlan | undefined, trees: ProcessTrees) {
  return class VfsWasmer extends sdk.Wasmer {
    protected static override async initializeCore(options: ConstructorParameters<Sdk['Wasmer']>[0] & object) {
      const core = await super.initializeCore(options);
      // SDK workers started from now on run our entry (paged listings, read-ahead, stat cache,
      // process trees) and get the trees' control block first (process-trees.ts).
      await useHostFsWorkerEntry(sdkUrl);
      setWorkerGreeting(trees.greeting());
      hookSandboxBuilder(core as unknown as { sandbox(): HostMountBuilder }, plan);
      return core;
    }
  };
}

export class Runtime {
  private readonly server = new HostFsServer();
  private nextMountId = 1;
  private nextPlan: HostMountPlan | undefined;
  /** Sandbox creation is serialised: the builder hook reads `nextPlan` when the SDK builds. */
  private creating: Promise<unknown> = Promise.resolve();
  private readonly uninstall: () => void;
  /** Host-call mounts (/run/sandpit), answered asynchronously; see hostcall/mount.ts. */
  private readonly calls = new CallMounts();
  /** The hostcall stub (extensions, curl); absent if public/wasm lacks it. */
  private hostcall: Uint8Array | undefined;

  /** Live engine sandboxes, rebuilt when the client restarts. */
  private readonly engines = new Set<EngineSandbox>();
  /** How often the client was restarted after its scheduler died. */
  restarts = 0;

  private constructor(
    private readonly Client: new (options: { cache: 'memory' }) => Wasmer,
    private wasmer: Wasmer,
    private pkg: Package,
    private readonly binaries: LoadedBinary[],
    /** Loads the binaries left out at start-up (see loadsFirst), once. */
    private readonly lateBinaries: () => Promise<LoadedBinary[]>,
    private readonly owners: Map<string, string>,
    readonly commands: string[],
    readonly shell: string,
    readonly baseEnv: Record<string, string>,
    readonly trees: ProcessTrees,
  ) {
    const uninstallFs = installHostFs(this.server);
    const uninstallCalls = this.calls.install();
    const unwatch = this.#watchStorms();
    this.uninstall = () => {
      unwatch();
      uninstallCalls();
      uninstallFs();
    };
  }

  static async start(urls: RuntimeUrls, onProgress: (p: LoadProgress) => void): Promise<Runtime> {
    installWorkerCensus();
    onProgress({ phase: 'manifest', loadedBytes: 0, totalBytes: 0 });
    const [sdk, manifest] = await Promise.all([loadSdk(urls.sdkUrl), loadManifest(urls.assetsUrl)]);
    const first = manifest.binaries.filter(loadsFirst);
    const late = manifest.binaries.filter((b) => !loadsFirst(b));
    const total = first.reduce((n, b) => n + b.size, 0);
    // The builder hook needs the runtime, which needs the client: a late-bound reference.
    const self: { runtime?: Runtime } = {};
    const trees = new ProcessTrees();
    const Wasmer = vfsWasmer(sdk, urls.sdkUrl, () => self.runtime?.nextPlan, trees);
    // The client starts, and its first pool worker with it (warm-pool.ts), while the binaries load.
    const wasmer = new Wasmer({ cache: 'memory' });
    const clientReady = wasmer.ready();
    const warming = clientReady.then(() => warmPool(wasmer));
    warming.catch(() => undefined);
    // Orphans' forks go on into idle workers; spares grow the pool for them (warm-pool.ts).
    const spares = new SpareWorkers(trees.greeting());
    void warming.then((runner) => spares.use(runner));
    let binaries: LoadedBinary[];
    try {
      // Progress counts what the sandbox waits for: the binaries it starts with.
      binaries = await loadBinaries(urls.assetsUrl, first, onProgress);
      onProgress({ phase: 'engine', loadedBytes: total, totalBytes: total });
      await clientReady;
    } catch (err) {
      await wasmer.close().catch(() => undefined);
      throw err;
    }
    let lateLoad: Promise<LoadedBinary[]> | undefined;
    const lateBinaries = () => (lateLoad ??= loadBinaries(urls.assetsUrl, late, () => undefined));
    const owners = commandOwners(manifest.binaries);
    const pkg = await createPackage(wasmer, binaries, owners);
    const commands = [...owners.keys()].sort();
    const shell = SHELLS.find((s) => owners.has(s) && binaries.some((b) => b.entry.name === owners.get(s)));
    if (!shell) {
      await wasmer.close();
      throw new KernelError('NOT_FOUND', 'no shell binary (bash or sh) in manifest.json');
    }
    const env = {
      HOME: '/home/user',
      USER: 'user',
      LOGNAME: 'user',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      SHELL: `/bin/${shell}`,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      // Deep shell recursion exhausts the JS engine's stack (a crash, not a bash error)
      // somewhere past 125 levels; bash's own limit turns it into a normal error first.
      FUNCNEST: '100',
      ...Object.assign({}, ...manifest.binaries.map((b) => b.env ?? {})),
    } as Record<string, string>;
    self.runtime = new Runtime(Wasmer, wasmer, pkg, binaries, lateBinaries, owners, commands, shell, env, trees);
    self.runtime.#late = late.length ? self.runtime.#latePackage() : undefined;
    const runtime = self.runtime;
    runtime.#spares = spares;
    setTimeout(() => runtime.#wantLate(), LATE_IDLE_MS);
    self.runtime.#lateCommands = [...owners].filter(([, b]) => late.some((e) => e.name === b)).map(([c]) => c);
    self.runtime.#firstCommands = new Set(
      [...owners].filter(([, b]) => first.some((e) => e.name === b)).map(([c]) => c),
    );
    self.runtime.hostcall = await loadHostcallModule(urls.assetsUrl, binaries);
    self.runtime.#memory = await sdkMemory(urls.sdkUrl);
    // The first command would wait for that worker anyway.
    await warming;
    onProgress({ phase: 'ready', loadedBytes: total, totalBytes: total });
    return self.runtime;
  }

  /** The package of the late binaries on the current client (undefined: there are none). */
  #late: Promise<Package> | undefined;
  /** Command names the late binaries provide. */
  #lateCommands: string[] = [];
  /** Command names the first binaries provide. */
  #firstCommands = new Set<string>();

  /** The late package once created (for builds from then on). */
  #lateDone: Package | undefined;

  /**
   * Creating the late package hashes ~15 MB in the SDK's wasm on this thread for 0.2-1 s, which
   * is also the thread answering the guests' file calls: done while the first command runs, it
   * delayed that command by as much (and so, less, did loading those binaries). So loading
   * and creating start when a command needs them, when a command ends, or LATE_IDLE_MS after
   * the start, whichever comes first.
   */
  #wantLate: () => void = () => undefined;

  #latePackage(): Promise<Package> {
    const client = this.wasmer;
    this.#lateDone = undefined;
    const wanted = new Promise<void>((resolve) => (this.#wantLate = resolve));
    const pkg = wanted.then(async () => createPackage(client, await this.lateBinaries(), this.owners));
    pkg.then(
      (p) => {
        if (this.wasmer === client) this.#lateDone = p;
      },
      () => undefined,
    );
    return pkg;
  }

  /**
   * The SDK sandbox has every binary installed, or gets the late ones once they are loaded, and
   * then the extensions named like late commands again (extension-commands.ts).
   */
  #completion(
    sandbox: BuiltSandbox['sandbox'],
    late: Package | undefined,
    extensions: string[],
  ): Promise<void> | undefined {
    if (!this.#late || late) return undefined;
    const shadowed = shadowedExtensions(extensions, this.#lateCommands);
    const stub = this.hostcall;
    const done = this.#late.then(async (pkg) => {
      await sandbox.installPackage(pkg);
      if (stub && shadowed.length)
        await sandbox.installPackage(await sandbox.wasmer.packages.create(extensionsOnTop(stub, shadowed)));
    });
    done.catch(() => undefined);
    return done;
  }

  /** Whether a command can start before the late binaries are in its SDK sandbox. */
  #runsEarly(q: Parameters<typeof runsEarly>[0]): boolean {
    const early = runsEarly(q, this.#lateCommands, this.#firstCommands);
    // The command will wait for the late binaries: create them now.
    if (!early) this.#wantLate();
    return early;
  }

  /** A new engine sandbox whose guests see `vfs` under /workspace and MOUNTED_DIRS. */
  async createSandbox(
    vfs: () => Vfs,
    calls: HostCallSpec = { extensions: [], network: false },
    volumes: { path: string; vfs: Vfs }[] = [],
  ): Promise<EngineSandbox> {
    const build = () => this.#build(vfs, calls, volumes);
    const host: EngineHost = {
      build,
      beforeSpawn: () => this.#restarting ?? this.#settling,
      runsEarly: (q) => this.#runsEarly(q),
      memoryBytes: () => this.memoryBytes(),
      started: () => workersMade(),
      ended: (madeAtStart) => this.#afterProcess(madeAtStart),
      // A closed client means a restart overtook the call: wait for it, do not start another.
      engineDied: (err) =>
        /client is shut down/i.test(String((err as Error)?.message ?? err))
          ? (this.#restarting ?? Promise.resolve())
          : this.restart(err),
      forget: () => this.engines.delete(engine),
      trees: this.trees,
    };
    const engine: EngineSandbox = new EngineSandbox(host, await build(), this.shell, this.baseEnv);
    this.engines.add(engine);
    return engine;
  }

  /** An SDK sandbox over `vfs` with the current client (serialised: see `creating`). */
  async #build(vfs: () => Vfs, calls: HostCallSpec, volumes: { path: string; vfs: Vfs }[]): Promise<BuiltSandbox> {
    // Never on a client being replaced; a build the restart overtook is done again on the new one.
    await this.#restarting;
    const client = this.wasmer;
    try {
      return await this.#buildOnce(vfs, calls, volumes);
    } catch (err) {
      if (this.wasmer === client && !this.#restarting) throw err;
      await this.#restarting;
      return this.#buildOnce(vfs, calls, volumes);
    }
  }

  #buildOnce(vfs: () => Vfs, calls: HostCallSpec, volumes: { path: string; vfs: Vfs }[]): Promise<BuiltSandbox> {
    const next = this.creating.then(async () => {
      const backend = new VfsBackend(vfs);
      const unmounts: (() => void)[] = [];
      const plan: HostMountPlan = { mounts: [] };
      for (const dir of ['/workspace', ...MOUNTED_DIRS]) {
        if (!vfs().exists(dir)) vfs().mkdir(dir, { recursive: true });
        const id = this.nextMountId++;
        unmounts.push(this.server.mount(id, backend, dir));
        if (dir === '/workspace') plan.storage = id;
        else plan.mounts!.push({ path: dir, mountId: id });
      }
      // Volumes are filesystems of their own, shared live by the sandboxes that mount them.
      for (const v of volumes) {
        const id = this.nextMountId++;
        unmounts.push(this.server.mount(id, new VfsBackend(() => v.vfs), '/'));
        plan.mounts!.push({ path: v.path, mountId: id });
      }
      // Host calls: the stub under `curl` and the extension names, and the call mount.
      const packages = [this.pkg];
      // The late binaries, if loaded by now; else installed once they are (#completion).
      const late = this.#lateDone;
      if (late) packages.push(late);
      const env = this.baseEnv;
      let called: Package | undefined;
      if (this.hostcall) {
        called = await this.wasmer.packages.create(hostCallPackage(this.hostcall, calls));
        packages.push(called);
        const id = this.nextMountId++;
        const files = { read: (path: string) => vfs().readFile(path) };
        unmounts.push(this.calls.add(id, hostCallMount(calls, files)));
        plan.mounts!.push({ path: CALL_DIR, mountId: id });
      }
      this.nextPlan = plan;
      const unmount = () => unmounts.forEach((u) => u());
      try {
        const sandbox = await this.wasmer.sandboxes.create({ packages, shell: this.shell, env });
        if (called) {
          const o = { extensions: calls.extensions, binaryCommands: this.commands, shell: this.shell };
          pinCommands(sandbox, commandPins({ ...o, binaries: this.pkg, calls: called }));
        }
        const complete = this.#completion(sandbox, late, called ? calls.extensions : []);
        return { sandbox, unmount, ...(complete ? { complete } : {}) };
      } catch (err) {
        unmount();
        throw err;
      } finally {
        this.nextPlan = undefined;
      }
    });
    this.creating = next.catch(() => undefined);
    return next;
  }

  /**
   * The SDK's scheduler died (a fork bomb can exhaust its worker pool): start a new client
   * with the same binaries and rebuild every sandbox on it. Files live in our VFS, so they
   * survive; processes of the dead engine end with reason 'killed'. Concurrent reports of the
   * same death share one restart.
   */
  restart(cause?: unknown): Promise<void> {
    this.#restarting ??= (async () => {
      console.warn('sandpit: restarting the wasm engine:', cause instanceof Error ? cause.message : cause);
      // The old pool's workers run the dead engine or the storm: end them all ourselves
      // (close() alone neither ends orphans nor answers once the scheduler is dead).
      const dead = this.wasmer;
      this.#spares?.use(undefined);
      terminateWorkers(liveWorkers());
      const closed = Promise.race([dead.close(), sleep(2000)]).catch(() => undefined);
      // The old scheduler replaces workers it loses; until it has stopped (its close() may
      // never answer), whatever it starts is ended too, before the new client starts any.
      let quietSince = performance.now();
      let seen = workersMade();
      const until = performance.now() + 3000;
      while (performance.now() < until) {
        await Promise.race([closed, sleep(100)]);
        terminateWorkers(liveWorkers());
        if (workersMade() !== seen) {
          seen = workersMade();
          quietSince = performance.now();
        } else if (performance.now() - quietSince >= 400) break;
      }
      const ready = (async () => {
        this.wasmer = new this.Client({ cache: 'memory' });
        await this.wasmer.ready();
        this.pkg = await createPackage(this.wasmer, this.binaries, this.owners);
        this.#spares?.use(await warmPool(this.wasmer));
        if (this.#late) {
          this.#late = this.#latePackage();
          this.#wantLate();
        }
      })();
      for (const e of this.engines) e.restarted(ready);
      await ready;
      this.trees.reset();
      this.#workersAtStart = workersMade();
      this.restarts++;
    })().finally(() => (this.#restarting = undefined));
    return this.#restarting;
  }

  #restarting: Promise<void> | undefined;

  /** Grows the SDK's pool for orphans' forks waiting for an idle worker (warm-pool.ts). */
  #spares: SpareWorkers | undefined;

  /**
   * Orphans of a command that ended (a fork bomb's children) keep starting guests, each an SDK
   * worker and a wasm memory (address space for ~125 per page), until nothing else can start.
   * The SDK cannot kill them, so a storm of new workers restarts the client, which ends them.
   */
  #watchStorms(): () => void {
    const timer = setInterval(() => {
      // Workers our process trees account for are bounded by their caps (process-trees.ts):
      // only workers started while no tree has a live process count towards a storm.
      if (this.trees.pageLive() > 0) this.#workersAtStart = workersMade();
      else if (!this.#restarting && workersMade() - this.#workersAtStart > STORM_WORKERS) {
        void this.restart(`more than ${STORM_WORKERS} engine workers started: a process storm (fork bomb?)`);
      }
    }, STORM_CHECK_MS);
    return () => clearInterval(timer);
  }

  #workersAtStart = workersMade();

  #memory: WebAssembly.Memory | undefined;

  /**
   * Bytes of wasm memory the engine holds that this thread can see: the SDK's shared memory
   * (guests' own memories live in the SDK's workers and are not visible here).
   */
  memoryBytes(): number {
    return this.#memory?.buffer.byteLength ?? 0;
  }

  /**
   * A process that started many workers may have left orphans that go on starting more (a
   * fork bomb returns at once, its children do not). Before the next spawn, watch briefly: if
   * workers are still being made, restart now, while nothing else has started yet.
   */
  #afterProcess(madeAtStart: number): number {
    this.#wantLate();
    const made = workersMade() - madeAtStart;
    if (this.#settling || made < SUSPECT_WORKERS) return made;
    this.#settling = (async () => {
      const before = workersMade();
      await sleep(SETTLE_MS);
      if (workersMade() > before && this.trees.pageLive() === 0 && !this.#restarting) {
        await this.restart('a command left orphaned processes that keep spawning (fork bomb?)');
      }
    })()
      .catch(() => undefined)
      .finally(() => (this.#settling = undefined));
    return made;
  }

  #settling: Promise<void> | undefined;

  async close(): Promise<void> {
    this.#spares?.stop();
    this.uninstall();
    await this.wasmer.close().catch(() => undefined);
  }
}

/** One package of `binaries` with the commands `owners` gives them. */
async function createPackage(wasmer: Wasmer, binaries: LoadedBinary[], owners: Map<string, string>): Promise<Package> {
  const modules: Record<string, Uint8Array> = {};
  const commandDefs: Record<string, { module: string }> = {};
  const files: Record<string, Uint8Array> = {};
  for (const b of binaries) {
    modules[b.entry.name] = b.module;
    for (const a of b.assets) files[a.guestPath] = a.bytes;
  }
  for (const [c, module] of owners) if (modules[module]) commandDefs[c] = { module };
  return wasmer.packages.create({ modules, commands: commandDefs, files });
}
