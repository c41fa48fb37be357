// sb.commands: runs command strings through the sandbox's shell. Non-zero exits and
// timeouts are results, not throws, unless `check: true`.
import { proxy, transfer } from 'comlink';
import type { RunReply, RunRequest, StreamSinks } from '../worker/protocol';
import type { KernelCalls } from './kernel-calls';
import { CommandExitError, SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import type { CommandResult, ProcessInfo, RunOptions } from './types';
import { guestPath, nonNegativeInt, stringRecord } from './validate';

const DEFAULT_OUTPUT_BYTES = 16 << 20;

export function toResult(reply: RunReply): CommandResult {
  return {
    stdout: toText(reply.stdout),
    stderr: toText(reply.stderr),
    exitCode: reply.exitCode,
    durationMs: reply.durationMs,
    truncated: reply.truncated,
    reason: reply.reason,
  };
}

/** Streams decode per stream, so a multi-byte character split across chunks stays whole. */
function sinksFor(options: RunOptions): StreamSinks | undefined {
  const { onStdout, onStderr } = options;
  if (!onStdout && !onStderr) return undefined;
  const outDec = new TextDecoder();
  const errDec = new TextDecoder();
  return proxy({
    ...(onStdout ? { onStdout: (c: Uint8Array) => onStdout(outDec.decode(c, { stream: true })) } : {}),
    ...(onStderr ? { onStderr: (c: Uint8Array) => onStderr(errDec.decode(c, { stream: true })) } : {}),
  });
}

function request(options: RunOptions): RunRequest {
  const stdin = options.stdin === undefined ? undefined : toBytes(options.stdin);
  return {
    ...(options.cwd !== undefined ? { cwd: guestPath(options.cwd, 'cwd') } : {}),
    ...(options.env !== undefined ? { env: stringRecord(options.env, 'env') } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: nonNegativeInt(options.timeoutMs, 'timeoutMs') } : {}),
    ...(stdin ? { stdin: typeof options.stdin === 'string' ? stdin : stdin.slice() } : {}),
    outputBytes:
      options.maxOutputBytes === undefined
        ? DEFAULT_OUTPUT_BYTES
        : nonNegativeInt(options.maxOutputBytes, 'maxOutputBytes'),
  };
}

/** A background command: `run(cmd, { background: true })`. */
export class CommandHandle {
  constructor(
    readonly pid: number,
    private readonly kernel: () => KernelCalls,
    private readonly check: boolean,
  ) {}

  async sendStdin(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await rethrow(() => this.kernel().writeStdin(this.pid, transfer(bytes, [bytes.buffer as ArrayBuffer])));
  }

  async closeStdin(): Promise<void> {
    await rethrow(() => this.kernel().closeStdin(this.pid));
  }

  async kill(): Promise<void> {
    await rethrow(() => this.kernel().kill(this.pid)).catch((e: SandboxError) => {
      if (e.code !== 'NOT_FOUND') throw e; // already ended: killing is then a no-op
    });
  }

  async wait(): Promise<CommandResult> {
    const result = toResult(await rethrow(() => this.kernel().wait(this.pid)));
    if (this.check && result.exitCode !== 0) {
      throw new CommandExitError(result.exitCode, result.stdout, result.stderr, result.reason);
    }
    return result;
  }
}

export class Commands {
  constructor(private readonly kernel: () => KernelCalls) {}

  run(command: string, options: RunOptions & { background: true }): Promise<CommandHandle>;
  run(command: string, options?: RunOptions & { background?: false }): Promise<CommandResult>;
  async run(command: string, options: RunOptions = {}): Promise<CommandResult | CommandHandle> {
    if (typeof command !== 'string') throw new SandboxError('EINVAL', 'command must be a string');
    if (command.length > 1 << 20) throw new SandboxError('EINVAL', 'command is longer than 1 MiB');
    if (options.signal?.aborted) throw new SandboxError('KILLED', 'aborted before start');
    const req = request(options);
    const sinks = sinksFor(options);
    const kernel = this.kernel();
    const pid = await rethrow(() => kernel.spawn(command, { ...req, openStdin: options.background === true }, sinks));
    const handle = new CommandHandle(pid, this.kernel, options.check === true);
    const onAbort = () => void handle.kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.background) return handle;
    try {
      return await handle.wait();
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async list(): Promise<ProcessInfo[]> {
    return rethrow(() => this.kernel().listProcesses());
  }

  async kill(pid: number): Promise<void> {
    await rethrow(() => this.kernel().kill(nonNegativeInt(pid, 'pid')));
  }
}
