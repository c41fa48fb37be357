// Wires a HostFsServer into the thread that owns the @wasmer/sdk client (the kernel worker), and
// tells sandbox builders which guest paths are ours. See docs/hostfs-protocol.md.
import { isHostFsRequest, type HostFsRequest } from './protocol';
import type { HostFsServer } from './server';

type RpcHandler = (message: unknown) => boolean;
type SyncCall = (mount: number, method: string, args: unknown[]) => unknown;

interface HostFsGlobals {
  /** Offered every message an SDK worker posts to this thread; true = consumed. */
  __wasmerHandleFileSystemRpc?: RpcHandler;
  /** Called synchronously by the SDK on this very thread (storage, sandbox.fs, command start). */
  __wasmerHostFileSystem?: SyncCall;
}

/**
 * Answer host-filesystem calls on this thread: the RPCs SDK workers post here and the
 * synchronous calls the SDK makes on this thread itself. Returns a disposer that restores the
 * previous globals. Requests for mounts the server does not know still get an answer (ENOENT).
 */
export function installHostFs(server: HostFsServer, scope: object = globalThis): () => void {
  const g = scope as HostFsGlobals;
  const previousRpc = g.__wasmerHandleFileSystemRpc;
  const previousCall = g.__wasmerHostFileSystem;
  g.__wasmerHandleFileSystemRpc = (message: unknown): boolean => {
    if (!isHostFsRequest(message)) return previousRpc?.(message) ?? false;
    server.handle(message as HostFsRequest);
    return true;
  };
  g.__wasmerHostFileSystem = (mount: number, method: string, args: unknown[]): unknown => {
    const reply = server.reply(mount, method, args);
    if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
    return reply.value;
  };
  return () => {
    g.__wasmerHandleFileSystemRpc = previousRpc;
    g.__wasmerHostFileSystem = previousCall;
  };
}

/** The two SandboxBuilderCore methods of @wasmer/sdk 0.16.0 (pkg/wasmer_sdk_js.d.ts). */
export interface HostMountBuilder {
  storageHost(mountId: number): void;
  mountHost(path: string, mountId: number, readOnly: boolean): void;
}

/** Which host mounts a new sandbox gets. */
export interface HostMountPlan {
  /** Mount id served as /workspace (and by sandbox.fs). Default: none (SDK memory). */
  storage?: number;
  /** Other guest paths; never "/" or "/workspace" (the SDK rejects them), avoid "/bin". */
  mounts?: { path: string; mountId: number; readOnly?: boolean }[];
}

export function applyPlan(builder: HostMountBuilder, plan: HostMountPlan): void {
  if (plan.storage !== undefined) builder.storageHost(plan.storage);
  for (const m of plan.mounts ?? []) builder.mountHost(m.path, m.mountId, m.readOnly ?? false);
}

/**
 * Make every sandbox the SDK client builds get the mounts `plan()` returns at that moment.
 * `core` is what `Wasmer.initializeCore` resolved to (hook it from a subclass overriding that
 * static method). `Wasmer.sandboxes.create` calls `core.sandbox()` after loading packages, so
 * create sandboxes one at a time when plans differ.
 */
export function hookSandboxBuilder(core: { sandbox(): HostMountBuilder }, plan: () => HostMountPlan | undefined): void {
  const original = core.sandbox.bind(core);
  core.sandbox = () => {
    const builder = original();
    const p = plan();
    if (p) applyPlan(builder, p);
    return builder;
  };
}
