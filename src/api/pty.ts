// sb.pty: an interactive shell on a terminal (line editing, history, Ctrl-C to the
// foreground job). Bytes in, bytes out; xterm.js or a real TTY sits on the other side.
import { proxy, transfer } from 'comlink';
import type { KernelCalls } from './kernel-calls';
import { rethrow } from './errors';
import { toBytes } from './encoding';
import { toResult } from './commands';
import type { CommandResult, PtyOptions } from './types';
import { guestPath, nonNegativeInt, stringRecord } from './validate';

export class PtyHandle {
  constructor(
    readonly pid: number,
    private readonly kernel: () => KernelCalls,
  ) {}

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await rethrow(() => this.kernel().writeStdin(this.pid, transfer(bytes, [bytes.buffer as ArrayBuffer])));
  }

  async resize(cols: number, rows: number): Promise<void> {
    await rethrow(() => this.kernel().resize(this.pid, nonNegativeInt(cols, 'cols'), nonNegativeInt(rows, 'rows')));
  }

  async kill(): Promise<void> {
    await rethrow(() => this.kernel().kill(this.pid));
  }

  async wait(): Promise<CommandResult> {
    return toResult(await rethrow(() => this.kernel().wait(this.pid)));
  }
}

export class Pty {
  constructor(private readonly kernel: () => KernelCalls) {}

  async create(options: PtyOptions = {}): Promise<PtyHandle> {
    const cols = nonNegativeInt(options.cols ?? 80, 'cols');
    const rows = nonNegativeInt(options.rows ?? 24, 'rows');
    const onData = options.onData;
    const pid = await rethrow(() =>
      this.kernel().spawn(
        '',
        {
          // A login shell reads /etc/profile (prompt, PATH, checkwinsize).
          argv: options.command ?? ['bash', '--login', '-i'],
          terminal: { cols, rows },
          openStdin: true,
          outputBytes: 0,
          ...(options.cwd !== undefined ? { cwd: guestPath(options.cwd, 'cwd') } : {}),
          ...(options.env !== undefined ? { env: stringRecord(options.env, 'env') } : {}),
        },
        onData ? proxy({ onStdout: (c: Uint8Array) => onData(c), onStderr: (c: Uint8Array) => onData(c) }) : undefined,
      ),
    );
    return new PtyHandle(pid, this.kernel);
  }
}
