// sb.mount and the `mounts` option on the kernel side: trees are grafted into the sandbox's VFS
// (guests see them through the /mnt, /home, … host mounts like any other file); providers are
// host objects (Comlink proxies) that stay live: their tree is read again before every command
// and every files.* read, so a guest always sees what the provider answers at that moment.
// Guest reads cannot call the provider directly: they are synchronous calls into the VFS, which
// cannot wait for the page.
import { KernelError } from './errors';
import { fsCall } from './files';
import type { MountProvider, MountRequest, MountTree } from './protocol';
import { MOUNTED_DIRS } from './engine/runtime';
import { buildTree, resolveProvider, type Vfs } from './vfs';

interface ProviderMount {
  vfs: Vfs;
  /** Path inside `vfs` (differs from the guest path under a volume). */
  at: string;
  provider: MountProvider;
  readOnly: boolean;
  /** Write-backs in flight; a refresh waits for them so it reads what the guest wrote. */
  pending: Set<Promise<unknown>>;
  stopWatch: () => void;
  /** The first write-back failure, reported by the next refresh. */
  error?: unknown;
}

export interface MountHost {
  route(path: string): { vfs: Vfs; path: string };
}

const providers = new WeakMap<MountHost, ProviderMount[]>();

/** Guest paths a mount may use: inside one of the served top-level directories, not one itself. */
function checkPath(path: string): void {
  const top = '/' + path.split('/')[1];
  const served = MOUNTED_DIRS.includes(top) || top === '/workspace';
  if (!served || path === top) {
    throw new KernelError('EINVAL', `mount points must be below ${[...MOUNTED_DIRS, '/workspace'].join(', ')}`, path);
  }
}

/** Grafts `source` at `path`, replacing an earlier mount there (a reopened sandbox's `mounts`). */
export async function mountInto(
  host: MountHost,
  path: string,
  source: MountTree | MountProvider,
  request: MountRequest,
): Promise<void> {
  const readOnly = request.readOnly;
  checkPath(path);
  const { vfs, path: at } = host.route(path);
  const list = providers.get(host) ?? [];
  providers.set(host, list);
  const old = list.findIndex((m) => m.vfs === vfs && m.at === at);
  if (old >= 0) list.splice(old, 1)[0]!.stopWatch();
  if (!request.provider) {
    const tree = fsCall(path, () => buildTree(source as MountTree));
    graft(vfs, at, path, tree, readOnly);
    return;
  }
  const provider = source as MountProvider;
  // A provider without writeFile has nowhere to keep a guest's changes: read-only.
  const ro = readOnly || !request.provider.writable;
  graft(vfs, at, path, await read(provider, path), ro);
  const m: ProviderMount = { vfs, at, provider, readOnly: ro, pending: new Set(), stopWatch: () => undefined };
  if (!ro) m.stopWatch = writeBack(m);
  list.push(m);
}

/** Reads every provider mount of `host` again (call before commands and files reads). */
export async function refreshMounts(host: MountHost): Promise<void> {
  const list = providers.get(host);
  if (!list?.length) return;
  for (const m of list) {
    m.vfs.flushEvents(); // deliver the last guest writes to writeBack
    await Promise.allSettled([...m.pending]);
    const failed = m.error;
    m.error = undefined;
    if (failed !== undefined) {
      throw new KernelError(
        'EACCES',
        `mount provider writeFile failed: ${String((failed as Error)?.message ?? failed)}`,
        m.at,
      );
    }
    graft(m.vfs, m.at, m.at, await read(m.provider, m.at), m.readOnly);
  }
}

/** Stops write-backs (the sandbox is closing). */
export function closeMounts(host: MountHost): void {
  for (const m of providers.get(host) ?? []) m.stopWatch();
  providers.delete(host);
}

export function hasProviderMounts(host: MountHost): boolean {
  return (providers.get(host)?.length ?? 0) > 0;
}

async function read(provider: MountProvider, path: string) {
  try {
    return await resolveProvider(provider);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EINVAL' || code === 'ENOTDIR')
      throw new KernelError(code, `mount provider: ${(err as Error).message}`, path);
    throw new KernelError('EINVAL', `mount provider failed: ${String((err as Error)?.message ?? err)}`, path);
  }
}

function graft(vfs: Vfs, at: string, path: string, tree: Parameters<Vfs['mountTree']>[1], readOnly: boolean): void {
  fsCall(path, () => {
    try {
      vfs.unmount(at);
    } catch {
      // Not mounted yet: mountTree wants the path absent or an empty directory.
    }
    vfs.mountTree(at, tree, { readOnly });
  });
}

/** Files a guest (or sb.files) creates or changes under the mount go to provider.writeFile. */
function writeBack(m: ProviderMount): () => void {
  const prefix = m.at === '/' ? '' : m.at;
  return m.vfs.watch(m.at, true, (events) => {
    for (const e of events) {
      if (e.type === 'remove' || !e.path.startsWith(prefix + '/')) continue;
      let data: Uint8Array;
      try {
        if (m.vfs.lstat(e.path).type !== 'file') continue;
        data = m.vfs.readFile(e.path);
      } catch {
        continue; // gone again before the batch was delivered
      }
      const p = Promise.resolve()
        .then(() => m.provider.writeFile!(e.path.slice(prefix.length), data))
        .catch((err: unknown) => (m.error ??= err))
        .finally(() => m.pending.delete(p));
      m.pending.add(p);
    }
  });
}
