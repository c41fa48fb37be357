// The call mount (/run/sandpit): a host-filesystem mount whose files are host calls, not data.
// A guest writes a request frame to "<id>" and closes it; that starts the host's asynchronous
// work; reading "<id>.out" blocks the guest (the SDK worker waits on its reply buffer) until the
// work has finished. Worker RPCs may be answered later (docs/hostfs-protocol.md, "Message
// flow"); the kernel thread's synchronous calls get immediate answers (no call file is ever
// touched from there). Static files (the Python module) are served read-only under "lib/".
import { isHostFsRequest, writeReply, type HostFsReply, type HostFsRequest } from '../hostfs/protocol';
import { encodeResult, FrameError, parseRequest, type CallRequest, type CallResult } from './frame';

/** Runs one host call; the mount turns a rejection into exit code 126 and a message. */
export type CallHandler = (request: CallRequest) => Promise<CallResult>;

/** A pending reply read is answered with an error after this long; the stub asks again (the SDK gives up at 30 s). */
export const WAIT_SLICE_MS = 20_000;
/** A finished reply nobody has read for this long is dropped (its guest is gone). */
const UNREAD_REPLY_MS = 10 * 60_000;
/** One reply read never returns more than this (the SDK's own cap). */
const MAX_READ = 64 * 1024;
/** Request frames above this size are refused (the body is a command's stdin, held in memory). */
const MAX_REQUEST = 256 << 20;

interface Call {
  chunks: Uint8Array;
  length: number;
  started: boolean;
  result?: Uint8Array;
  waiters: (() => void)[];
}

interface Handle {
  id: string;
  role: 'req' | 'out' | 'lib';
}

type Answer = { value: unknown } | { later: Promise<unknown> };

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

export class CallMount {
  readonly #calls = new Map<string, Call>();
  readonly #handles = new Map<number, Handle>();
  #nextHandle = 1;
  /** Calls answered, for tests. */
  completed = 0;

  constructor(
    private readonly handler: CallHandler,
    private readonly lib: Record<string, Uint8Array> = {},
    /** How long one reply read may wait before the guest is told to ask again. */
    private readonly waitSliceMs = WAIT_SLICE_MS,
    /** Commands whose stub must not read stdin: listed as files under "nostdin/". */
    private readonly noStdin: ReadonlySet<string> = new Set(),
  ) {}

  /** Answer one SDK method; `later` when the reply must wait for host work. */
  call(method: string, args: readonly unknown[]): Answer {
    switch (method) {
      case 'stat':
        return { value: this.#stat(str(args[0])) };
      case 'readDir':
        return { value: this.#readDir(str(args[0])) };
      case 'open':
        return { value: this.#open(str(args[0]), Boolean(args[3])) };
      case 'write': {
        const h = this.#handle(args[0]);
        const call = this.#calls.get(h.id);
        if (h.role !== 'req' || !call || call.started) throw new CodedError('EBADF', 'not writable');
        return { value: this.#write(call, uint(args[1]), bytesOf(args[2])) };
      }
      case 'read': {
        const h = this.#handle(args[0]);
        const offset = uint(args[1]);
        const length = Math.min(uint(args[2]), MAX_READ);
        if (h.role === 'lib') return { value: this.lib[h.id]!.slice(offset, offset + length) };
        const call = this.#calls.get(h.id);
        if (!call || h.role !== 'out') throw new CodedError('EBADF', 'not readable');
        if (call.result) return { value: call.result.slice(offset, offset + length) };
        return { later: this.#whenDone(call).then(() => call.result!.slice(offset, offset + length)) };
      }
      case 'flush':
      case 'sync':
        return { value: null };
      case 'close': {
        const handle = typeof args[0] === 'number' ? args[0] : -1;
        const h = this.#handles.get(handle);
        this.#handles.delete(handle);
        if (h?.role === 'req') this.#start(h.id);
        if (h?.role === 'out') this.#calls.delete(h.id);
        return { value: null };
      }
      case 'remove': {
        const { id } = callName(str(args[0]));
        this.#calls.delete(id);
        return { value: null };
      }
      case 'setLen':
        return { value: null };
      case 'mkdir':
      case 'rename':
        throw new CodedError('EACCES', 'the call mount holds host calls only');
      default:
        throw new CodedError('ENOTSUP', `unknown method ${method}`);
    }
  }

  /** Drop every pending call (sandbox closed); blocked guests get EIO. */
  close(): void {
    for (const call of this.#calls.values()) {
      call.result ??= encodeResult(failure('sandbox closed'));
      call.waiters.splice(0).forEach((w) => w());
    }
    this.#calls.clear();
    this.#handles.clear();
  }

  #stat(path: string): { kind: string; size: number } {
    if (path === '' || path === 'lib' || path === 'nostdin') return { kind: 'directory', size: 0 };
    if (path.startsWith('nostdin/')) {
      if (this.noStdin.has(path.slice(8))) return { kind: 'file', size: 0 };
      throw new CodedError('ENOENT', path);
    }
    if (path.startsWith('lib/')) {
      const f = this.lib[path.slice(4)];
      if (f) return { kind: 'file', size: f.length };
      throw new CodedError('ENOENT', path);
    }
    const { id, out } = callName(path);
    const call = this.#calls.get(id);
    if (!call) throw new CodedError('ENOENT', path);
    return { kind: 'file', size: out ? (call.result?.length ?? 0) : call.length };
  }

  #readDir(path: string): { name: string; kind: string; size: number }[] {
    if (path === 'lib') return Object.entries(this.lib).map(([name, b]) => ({ name, kind: 'file', size: b.length }));
    if (path === '') return [{ name: 'lib', kind: 'directory', size: 0 }];
    throw new CodedError('ENOTDIR', path);
  }

  #open(path: string, create: boolean): number {
    let h: Handle;
    if (path.startsWith('lib/')) {
      if (!this.lib[path.slice(4)]) throw new CodedError('ENOENT', path);
      h = { id: path.slice(4), role: 'lib' };
    } else {
      const { id, out } = callName(path);
      if (!out && create && !this.#calls.has(id)) {
        this.#calls.set(id, { chunks: new Uint8Array(4096), length: 0, started: false, waiters: [] });
      }
      if (!this.#calls.has(id)) throw new CodedError('ENOENT', path);
      h = { id, role: out ? 'out' : 'req' };
    }
    const handle = this.#nextHandle++;
    if (this.#nextHandle > 0xffff_fff0) this.#nextHandle = 1;
    this.#handles.set(handle, h);
    return handle;
  }

  #write(call: Call, offset: number, data: Uint8Array): number {
    const end = offset + data.length;
    if (end > MAX_REQUEST) throw new CodedError('EFBIG', 'host call request too large');
    if (end > call.chunks.length) {
      const grown = new Uint8Array(Math.max(end, call.chunks.length * 2));
      grown.set(call.chunks.subarray(0, call.length));
      call.chunks = grown;
    }
    call.chunks.set(data, offset);
    call.length = Math.max(call.length, end);
    return data.length;
  }

  #start(id: string): void {
    const call = this.#calls.get(id);
    if (!call || call.started) return;
    call.started = true;
    const bytes = call.chunks.subarray(0, call.length);
    call.chunks = new Uint8Array();
    const finish = (r: CallResult) => {
      call.result = encodeResult(r);
      this.completed++;
      call.waiters.splice(0).forEach((w) => w());
      // A guest killed while it waited never reads or closes its reply: forget it eventually.
      setTimeout(() => {
        if (this.#calls.get(id) === call) this.#calls.delete(id);
      }, UNREAD_REPLY_MS);
    };
    let request: CallRequest;
    try {
      request = parseRequest(bytes);
    } catch (e) {
      finish(failure(e instanceof FrameError ? e.message : 'bad host-call request'));
      return;
    }
    Promise.resolve()
      .then(() => this.handler(request))
      .then(finish, (e: unknown) => finish(failure(e instanceof Error ? e.message : String(e))));
  }

  #whenDone(call: Call): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = call.waiters.indexOf(done);
        if (i >= 0) call.waiters.splice(i, 1);
        reject(new CodedError('EAGAIN', 'host call still running'));
      }, this.waitSliceMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      call.waiters.push(done);
    });
  }

  #handle(v: unknown): Handle {
    const h = typeof v === 'number' ? this.#handles.get(v) : undefined;
    if (!h) throw new CodedError('EBADF', `bad handle ${String(v)}`);
    return h;
  }
}

function failure(message: string): CallResult {
  return { exitCode: 126, stdout: new Uint8Array(), stderr: encoder.encode(`sandpit: ${message}\n`) };
}

function callName(path: string): { id: string; out: boolean } {
  if (!/^[A-Za-z0-9_-]{1,64}(\.out)?$/.test(path)) throw new CodedError('ENOENT', path);
  return path.endsWith('.out') ? { id: path.slice(0, -4), out: true } : { id: path, out: false };
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new CodedError('EINVAL', 'path must be a string');
  return v;
}

function uint(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CodedError('EINVAL', 'bad number');
  return v;
}

function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v as number[]);
  throw new CodedError('EINVAL', 'write data must be bytes');
}

function wire(e: unknown): HostFsReply {
  const code = (e as { code?: unknown })?.code;
  return {
    error: { code: typeof code === 'string' ? code : 'EIO', message: e instanceof Error ? e.message : String(e) },
  };
}

type RpcHandler = (message: unknown) => boolean;
type SyncCall = (mount: number, method: string, args: unknown[]) => unknown;
interface Globals {
  __wasmerHandleFileSystemRpc?: RpcHandler;
  __wasmerHostFileSystem?: SyncCall;
}

/**
 * Routes the SDK's host-filesystem calls for call-mount ids to their CallMount, and every other
 * call to the handlers installed before (installHostFs). Install it after installHostFs.
 */
export class CallMounts {
  readonly #mounts = new Map<number, CallMount>();

  add(id: number, mount: CallMount): () => void {
    this.#mounts.set(id, mount);
    return () => {
      mount.close();
      this.#mounts.delete(id);
    };
  }

  has(id: number): boolean {
    return this.#mounts.has(id);
  }

  /** Answers a worker RPC now or when the host work is done. */
  handle(request: HostFsRequest): void {
    const mount = this.#mounts.get(request.mount);
    let answer: Answer;
    try {
      if (!mount) throw new CodedError('ENOENT', 'call mount closed');
      answer = mount.call(request.method, request.args);
    } catch (e) {
      writeReply(request, wire(e));
      return;
    }
    if ('value' in answer) writeReply(request, { value: answer.value });
    else
      answer.later.then(
        (value) => writeReply(request, { value }),
        (e: unknown) => writeReply(request, wire(e)),
      );
  }

  install(scope: object = globalThis): () => void {
    const g = scope as Globals;
    const previousRpc = g.__wasmerHandleFileSystemRpc;
    const previousCall = g.__wasmerHostFileSystem;
    g.__wasmerHandleFileSystemRpc = (message: unknown): boolean => {
      if (isHostFsRequest(message) && this.#mounts.has(message.mount)) {
        this.handle(message);
        return true;
      }
      return previousRpc?.(message) ?? false;
    };
    g.__wasmerHostFileSystem = (mount: number, method: string, args: unknown[]): unknown => {
      const m = this.#mounts.get(mount);
      if (!m) return previousCall?.(mount, method, args);
      // The kernel thread cannot wait: anything that would is refused.
      const answer = m.call(method, args);
      if ('later' in answer) {
        answer.later.catch(() => undefined);
        throw Object.assign(new Error('host call pending'), { code: 'EAGAIN' });
      }
      return answer.value;
    };
    return () => {
      g.__wasmerHandleFileSystemRpc = previousRpc;
      g.__wasmerHostFileSystem = previousCall;
    };
  }
}
