// sb.commands: runs command strings through the sandbox's shell. Non-zero exits and
// timeouts are results, not throws, unless `check: true`.
import type { Remote } from 'comlink';
import { transfer } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import { CommandExitError, SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import type { CommandResult, RunOptions } from './types';
import { guestPath, nonNegativeInt, stringRecord } from './validate';

const DEFAULT_OUTPUT_BYTES = 16 << 20;

export class Commands {
  constructor(private readonly kernel: () => Remote<WorkerApi>) {}

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    if (typeof command !== 'string') throw new SandboxError('EINVAL', 'command must be a string');
    if (command.length > 1 << 20) throw new SandboxError('EINVAL', 'command is longer than 1 MiB');
    const stdin = options.stdin === undefined ? undefined : toBytes(options.stdin);
    const req = {
      ...(options.cwd !== undefined ? { cwd: guestPath(options.cwd, 'cwd') } : {}),
      ...(options.env !== undefined ? { env: stringRecord(options.env, 'env') } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: nonNegativeInt(options.timeoutMs, 'timeoutMs') } : {}),
      ...(stdin ? { stdin } : {}),
      outputBytes:
        options.maxOutputBytes === undefined
          ? DEFAULT_OUTPUT_BYTES
          : nonNegativeInt(options.maxOutputBytes, 'maxOutputBytes'),
    };
    const reply = await rethrow(() => this.kernel().run(command, stdin ? transfer(req, [stdin.buffer]) : req));
    const result: CommandResult = {
      stdout: toText(reply.stdout),
      stderr: toText(reply.stderr),
      exitCode: reply.exitCode,
      durationMs: reply.durationMs,
      truncated: reply.truncated,
      reason: reply.reason,
    };
    if (options.check && result.exitCode !== 0) {
      throw new CommandExitError(result.exitCode, result.stdout, result.stderr, result.reason);
    }
    return result;
  }
}
