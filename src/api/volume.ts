// Volumes: named filesystems persisted in this origin's storage, mounted into sandboxes with
// `Sandbox.create({ volumes: { '/data': 'shared-vol' } })` and shared by them.
import { transfer } from 'comlink';
import type { EntryInfo, VolumeInfo } from '../worker/protocol';
import { SandboxError, rethrow } from './errors';
import { toBytes, toText } from './encoding';
import { kernel, releaseIfIdle, type KernelHandle } from './kernel-client';
import { guestPath, nonNegativeInt } from './validate';

const NAME = /^[A-Za-z0-9._-]{1,128}$/;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new SandboxError('EINVAL', 'volume name must be 1-128 characters of letters, digits, ".", "_" or "-"');
  }
  return name;
}

async function withKernel<T>(fn: (k: KernelHandle) => Promise<T>): Promise<T> {
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    throw new SandboxError('NOT_ISOLATED', 'volumes need a cross-origin isolated page (COOP/COEP headers)');
  }
  const k = kernel();
  try {
    return await rethrow(() => fn(k));
  } finally {
    await releaseIfIdle(k).catch(() => undefined);
  }
}

export class Volume {
  private constructor(
    readonly name: string,
    readonly createdAt: number,
  ) {}

  /** Creates the volume, or opens it if it already exists. */
  static async create(name: string): Promise<Volume> {
    const n = checkName(name);
    const info = await withKernel((k) => k.api.volumeCreate(n));
    return new Volume(info.name, info.createdAt);
  }

  /** Opens an existing volume; NOT_FOUND if there is none. */
  static async open(name: string): Promise<Volume> {
    const n = checkName(name);
    const info = await withKernel((k) => k.api.volumeInfo(n));
    return new Volume(info.name, info.createdAt);
  }

  static async list(): Promise<VolumeInfo[]> {
    return withKernel((k) => k.api.volumeList());
  }

  /** Removes a volume and its files; LOCKED while a sandbox has it mounted. */
  static async delete(name: string): Promise<void> {
    const n = checkName(name);
    await withKernel((k) => k.api.volumeDelete(n));
  }

  read(path: string): Promise<string>;
  read(path: string, options: { format: 'bytes' }): Promise<Uint8Array>;
  async read(path: string, options: { format?: 'text' | 'bytes' } = {}): Promise<string | Uint8Array> {
    const p = guestPath(path);
    const bytes = await withKernel((k) => k.api.volumeRead(this.name, p));
    return options.format === 'bytes' ? bytes : toText(bytes);
  }

  async write(path: string, data: string | Uint8Array): Promise<void> {
    const p = guestPath(path);
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new SandboxError('EINVAL', 'data must be a string or a Uint8Array', { path: p });
    }
    const bytes = typeof data === 'string' ? toBytes(data) : data.slice();
    await withKernel((k) => k.api.volumeWrite(this.name, p, transfer(bytes, [bytes.buffer as ArrayBuffer])));
  }

  async list(path = '/', options: { depth?: number } = {}): Promise<EntryInfo[]> {
    const p = guestPath(path);
    const depth = Math.max(1, nonNegativeInt(options.depth ?? 1, 'depth'));
    return withKernel((k) => k.api.volumeEntries(this.name, p, depth));
  }

  async remove(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const p = guestPath(path);
    await withKernel((k) => k.api.volumeRemove(this.name, p, options.recursive === true));
  }
}
