// sb.files: the sandbox filesystem from the host side. What a command writes is what
// read() sees right after, and the reverse.
import type { Remote } from 'comlink';
import { transfer } from 'comlink';
import type { WorkerApi } from '../worker/protocol';
import { SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import type { ReadOptions, WriteData } from './types';
import { guestPath } from './validate';

export class Files {
  constructor(private readonly kernel: () => Remote<WorkerApi>) {}

  read(path: string): Promise<string>;
  read(path: string, options: { format: 'text' }): Promise<string>;
  read(path: string, options: { format: 'bytes' }): Promise<Uint8Array>;
  async read(path: string, options: ReadOptions = {}): Promise<string | Uint8Array> {
    const p = guestPath(path);
    const format = options.format ?? 'text';
    if (format !== 'text' && format !== 'bytes') throw new SandboxError('EINVAL', `unknown format ${String(format)}`);
    const bytes = await rethrow(() => this.kernel().readFile(p));
    return format === 'bytes' ? bytes : toText(bytes);
  }

  async write(path: string, data: WriteData): Promise<void> {
    const p = guestPath(path);
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new SandboxError('EINVAL', 'data must be a string or a Uint8Array', { path: p });
    }
    // Copy before transferring so the caller's buffer stays usable.
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await rethrow(() => this.kernel().writeFile(p, transfer(bytes, [bytes.buffer])));
  }
}
