// The engine adapter: one @wasmer/sdk sandbox holding every binary in public/wasm as
// commands, and command strings run through the sandbox's shell.
import { KernelError } from '../errors';
import type { KernelInit, LoadProgress, RunReply, RunRequest } from '../protocol';
import { loadBinaries, loadManifest, type LoadedBinary } from './binaries';
import { loadSdk, type Sdk } from './sdk';

type WasmerSandbox = Awaited<ReturnType<InstanceType<Sdk['Wasmer']>['sandboxes']['create']>>;
type Wasmer = InstanceType<Sdk['Wasmer']>;

/** Shells in order of preference; the first one a binary provides runs command strings. */
const SHELLS = ['bash', 'sh'];

export interface EngineFiles {
  /** Files placed in the guest filesystem when the engine starts. */
  [guestPath: string]: Uint8Array;
}

export class Engine {
  private constructor(
    private readonly wasmer: Wasmer,
    private readonly sandbox: WasmerSandbox,
    readonly commands: string[],
    readonly shell: string,
    readonly baseEnv: Record<string, string>,
  ) {}

  static async start(init: KernelInit, onProgress: (p: LoadProgress) => void): Promise<Engine> {
    onProgress({ phase: 'manifest', loadedBytes: 0, totalBytes: 0 });
    const [sdk, manifest] = await Promise.all([loadSdk(init.sdkUrl), loadManifest(init.assetsUrl)]);
    const binaries = await loadBinaries(init.assetsUrl, manifest, onProgress);
    const total = manifest.binaries.reduce((n, b) => n + b.size, 0);
    onProgress({ phase: 'engine', loadedBytes: total, totalBytes: total });
    const wasmer = new sdk.Wasmer({ cache: 'memory' });
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

  async run(
    command: string,
    req: RunRequest & { cwd: string; env: Record<string, string>; timeoutMs: number },
  ): Promise<RunReply> {
    const started = performance.now();
    const cmd = this.sandbox.command(this.shell, ['-c', command], {
      cwd: req.cwd,
      env: { ...this.baseEnv, ...req.env, PWD: req.cwd },
    });
    const out = await cmd.run({
      check: false,
      ...(req.timeoutMs > 0 ? { timeoutMs: req.timeoutMs } : {}),
      ...(req.stdin ? { stdin: req.stdin } : {}),
      ...(req.outputBytes !== undefined ? { outputBytes: req.outputBytes } : {}),
    });
    const reason = out.reason === 'timeout' ? 'timeout' : out.reason === 'terminated' ? 'killed' : 'exited';
    return {
      stdout: out.stdout.bytes,
      stderr: out.stderr.bytes,
      exitCode: reason === 'timeout' ? 124 : out.exitCode,
      durationMs: performance.now() - started,
      truncated: out.stdout.truncated || out.stderr.truncated,
      reason,
    };
  }

  async close(): Promise<void> {
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
