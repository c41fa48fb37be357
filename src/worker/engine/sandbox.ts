// One SDK sandbox: its guest processes and how a command string becomes one.
import { KernelError } from '../errors';
import type { SpawnRequest, StreamSinks } from '../protocol';
import { ProcessTable, type GuestProcess } from './processes';
import type { Sdk } from './sdk';

type WasmerSandbox = Awaited<ReturnType<InstanceType<Sdk['Wasmer']>['sandboxes']['create']>>;

export type ResolvedSpawn = SpawnRequest & { cwd: string; env: Record<string, string>; timeoutMs: number };

const DEFAULT_OUTPUT = 16 << 20;

export class EngineSandbox {
  readonly processes = new ProcessTable();

  constructor(
    private readonly sandbox: WasmerSandbox,
    readonly shell: string,
    readonly baseEnv: Record<string, string>,
    private readonly unmount: () => void,
  ) {}

  /** Starts `shell -c command` (or `argv`) as a guest process in the table. */
  async spawn(command: string, req: ResolvedSpawn, sinks?: StreamSinks): Promise<GuestProcess> {
    const [name, ...args] = req.argv ?? [this.shell, '-c', command];
    if (!name) throw new KernelError('EINVAL', 'empty argv');
    // The SDK reports every stdio as a terminal, so without a real one say "no colours"
    // (jq and others honour NO_COLOR); a caller's own env wins.
    const env = { ...this.baseEnv, ...(req.terminal ? {} : { NO_COLOR: '1' }), ...req.env, PWD: req.cwd };
    const proc = await this.sandbox.command(name, args, { cwd: req.cwd, env }).spawn({
      ...(req.terminal ? { terminal: { columns: req.terminal.cols, rows: req.terminal.rows } } : {}),
      stdin: req.openStdin || req.stdin ? 'pipe' : 'closed',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const label = command || (req.argv ?? []).join(' ');
    const p = this.processes.add(label, proc, req.outputBytes ?? DEFAULT_OUTPUT, sinks, req.timeoutMs);
    if (req.stdin) {
      await p.writeStdin(req.stdin);
      if (!req.openStdin) await p.closeStdin();
    }
    return p;
  }

  async close(): Promise<void> {
    await this.processes.killAll();
    await this.sandbox.close().catch(() => undefined);
    this.unmount();
  }
}
