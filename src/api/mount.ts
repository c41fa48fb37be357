// sb.mount and the `mounts` option, API side: checks a tree or provider and shapes it for the
// kernel. Providers cross as a Comlink proxy, so the kernel calls them on this page.
import { proxy } from 'comlink';
import type { MountProvider, MountRequest, MountTree } from '../worker/protocol';
import { SandboxError } from './errors';

// The tree and provider shapes are the kernel protocol's (one definition for both sides).
export type { MountProvider, MountStat, MountTree } from '../worker/protocol';

export interface MountOptions {
  /** Guests get EROFS, sb.files gets SandboxError('EACCES'). Default false. */
  readOnly?: boolean;
}

function isProvider(x: object): x is MountProvider {
  const p = x as Partial<MountProvider>;
  return typeof p.readFile === 'function' && typeof p.readdir === 'function' && typeof p.stat === 'function';
}

function checkTree(tree: object, at: string): void {
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string' || v instanceof Uint8Array) continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) checkTree(v, `${at}/${k}`);
    else throw new SandboxError('EINVAL', `mount tree ${at}/${k} must be a string, Uint8Array or object`);
  }
}

/** What the kernel's mount() takes: the source (a tree, or a proxy) and how to treat it. */
export interface KernelMount {
  source: MountTree | MountProvider;
  provider?: MountRequest['provider'];
}

/** The kernel's view of a tree or provider; EINVAL for anything else. */
export function mountSource(source: unknown, path: string): KernelMount {
  if (typeof source !== 'object' || source === null || Array.isArray(source)) {
    throw new SandboxError('EINVAL', 'mount takes a tree object or a provider { readFile, readdir, stat }', { path });
  }
  if (!isProvider(source)) {
    checkTree(source, path);
    return { source: source as MountTree };
  }
  const p = source;
  // A plain object of bound functions, so the kernel's calls run with the provider as `this`.
  const calls = {
    readFile: (f: string) => p.readFile(f),
    readdir: (f: string) => p.readdir(f),
    stat: (f: string) => p.stat(f),
    writeFile: (f: string, d: Uint8Array) => p.writeFile?.(f, d),
  };
  return { source: proxy(calls), provider: { writable: typeof p.writeFile === 'function' } };
}
