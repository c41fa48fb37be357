// The engine adapter: one @wasmer/sdk sandbox holding every binary in public/wasm as
// commands, and command strings run through the sandbox's shell.
import { KernelError } from '../errors';
import type { KernelInit, LoadProgress, SpawnRequest, StreamSinks } from '../protocol';
import { loadBinaries, loadManifest, type LoadedBinary } from './binaries';
import type { Vfs } from '../vfs';
import { hookSandboxBuilder, installHostFs, type HostMountBuilder, type HostMountPlan } from './hostfs/install';
import { HostFsServer } from './hostfs/server';
import { ProcessTable, type GuestProcess } from './processes';
import { VfsBackend } from './vfs-backend';
import { loadSdk, type Sdk } from './sdk';

export type ResolvedSpawn = SpawnRequest & { cwd: string; env: Record<string, string>; timeoutMs: number };

const DEFAULT_OUTPUT = 16 << 20;

type WasmerSandbox = Awaited<ReturnType<InstanceType<Sdk['Wasmer']>['sandboxes']['create']>>;
type Wasmer = InstanceType<Sdk['Wasmer']>;

/**
 * Guest paths served from our VFS. `/` and `/workspace` cannot be host mounts (the SDK
 * reserves them; /workspace is the storage mount) and `/usr`, `/bin` hold the SDK's command
 * entries and package files, so every other top-level directory a user touches is mounted.
 */
export const MOUNTED_DIRS = ['/home', '/tmp', '/etc', '/root', '/var', '/opt', '/mnt', '/srv', '/data'];

/** A Wasmer client whose sandboxes see our VFS (docs/hostfs-protocol.md). */
function vfsWasmer(sdk: Sdk, plan: HostMountPlan) {
  return class VfsWasmer extends sdk.Wasmer {
    protected static override async initializeCore(options: ConstructorParameters<Sdk['Wasmer']>[0] & object) {
      const core = await super.initializeCore(options);
      hookSandboxBuilder(core as unknown as { sandbox(): HostMountBuilder }, () => plan);
      return core;
    }
  };
}

/** Shells in order of preference; the first one a binary provides runs command strings. */
const SHELLS = ['bash', 'sh'];

export interface EngineFiles {
  /** Files placed in the guest filesystem when the engine starts. */
  [guestPath: string]: Uint8Array;
}

export class Engine {
  readonly processes = new ProcessTable();

  private constructor(
    private readonly wasmer: Wasmer,
    private readonly sandbox: WasmerSandbox,
    readonly commands: string[],
    readonly shell: string,
    readonly baseEnv: Record<string, string>,
  ) {}

  static async start(init: KernelInit, vfs: () => Vfs, onProgress: (p: LoadProgress) => void): Promise<Engine> {
    onProgress({ phase: 'manifest', loadedBytes: 0, totalBytes: 0 });
    const [sdk, manifest] = await Promise.all([loadSdk(init.sdkUrl), loadManifest(init.assetsUrl)]);
    const binaries = await loadBinaries(init.assetsUrl, manifest, onProgress);
    const total = manifest.binaries.reduce((n, b) => n + b.size, 0);
    onProgress({ phase: 'engine', loadedBytes: total, totalBytes: total });
    const server = new HostFsServer();
    const backend = new VfsBackend(vfs);
    let id = 1;
    const plan: HostMountPlan = { storage: id, mounts: [] };
    if (!vfs().exists('/workspace')) vfs().mkdir('/workspace', { recursive: true });
    server.mount(id++, backend, '/workspace');
    for (const dir of MOUNTED_DIRS) {
      if (!vfs().exists(dir)) vfs().mkdir(dir, { recursive: true });
      server.mount(id, backend, dir);
      plan.mounts!.push({ path: dir, mountId: id++ });
    }
    installHostFs(server);
    const Wasmer = vfsWasmer(sdk, plan);
    const wasmer = new Wasmer({ cache: 'memory' });
    await wasmer.ready();
    const { pkg, commands } = await createPackage(wasmer, binaries);
    const shell = SHELLS.find((s) => commands.includes(s));
    if (!shell) throw new KernelError('NOT_FOUND', 'no shell binary (bash or sh) in manifest.json');
    const env = {
      HOME: '/home/user',
      USER: 'user',
      LOGNAME: 'user',
      PATH: '/usr/local/bin:/usr/bin:/bin',
      SHELL: `/bin/${shell}`,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      ...Object.assign({}, ...binaries.map((b) => b.entry.env ?? {})),
    } as Record<string, string>;
    const sandbox = await wasmer.sandboxes.create({ packages: [pkg], shell, env });
    onProgress({ phase: 'ready', loadedBytes: total, totalBytes: total });
    return new Engine(wasmer, sandbox, commands, shell, env);
  }

  /** Starts `shell -c command` (or `argv`) as a guest process in the table. */
  async spawn(command: string, req: ResolvedSpawn, sinks?: StreamSinks): Promise<GuestProcess> {
    const [name, ...args] = req.argv ?? [this.shell, '-c', command];
    if (!name) throw new KernelError('EINVAL', 'empty argv');
    const env = { ...this.baseEnv, ...req.env, PWD: req.cwd };
    const proc = await this.sandbox.command(name, args, { cwd: req.cwd, env }).spawn({
      ...(req.timeoutMs > 0 ? { timeoutMs: req.timeoutMs } : {}),
      ...(req.terminal ? { terminal: { columns: req.terminal.cols, rows: req.terminal.rows } } : {}),
      stdin: req.openStdin || req.stdin ? 'pipe' : 'closed',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const p = this.processes.add(command || (req.argv ?? []).join(' '), proc, req.outputBytes ?? DEFAULT_OUTPUT, sinks);
    if (req.stdin) {
      await p.writeStdin(req.stdin);
      if (!req.openStdin) await p.closeStdin();
    }
    return p;
  }

  async close(): Promise<void> {
    await this.processes.killAll();
    await this.sandbox.close().catch(() => undefined);
    await this.wasmer.close().catch(() => undefined);
  }
}

async function createPackage(wasmer: Wasmer, binaries: LoadedBinary[]) {
  const modules: Record<string, Uint8Array> = {};
  const commandDefs: Record<string, { module: string }> = {};
  const files: Record<string, Uint8Array> = {};
  for (const b of binaries) {
    modules[b.entry.name] = b.module;
    // Earlier binaries win a name clash (e.g. bash's `sh` over busybox's), by manifest order.
    for (const c of b.entry.commands) commandDefs[c] ??= { module: b.entry.name };
    for (const a of b.assets) files[a.guestPath] = a.bytes;
  }
  const pkg = await wasmer.packages.create({ modules, commands: commandDefs, files });
  return { pkg, commands: Object.keys(commandDefs).sort() };
}
