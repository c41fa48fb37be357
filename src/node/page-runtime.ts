// The page half of the Node driver. `installPageRuntime` is serialised with
// Function.prototype.toString and run in the page by page.evaluate, so it must not refer to
// anything outside its own body (no imports, no helpers). It keeps the objects the API returns
// (sandboxes, process handles, watchers…) in a registry by id and calls their methods by path,
// so new API methods need no change here. Wire tags are documented in channel.ts.
/* eslint-disable @typescript-eslint/no-explicit-any */

export function installPageRuntime(): void {
  const g = globalThis as any;
  if (g.__sandpitDriver) return;
  const TAG = '__sandpit$';
  const api = g.sandpit;
  const handles = new Map<number, any>([[0, api]]);
  const signals = new Map<number, AbortController>();
  let nextId = 1;
  let callbackChain: Promise<unknown> = Promise.resolve();

  const toB64 = (u8: Uint8Array): string => {
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const fromB64 = (b64: string): Uint8Array => {
    const s = atob(b64);
    const u8 = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  };
  const isPlain = (o: object): boolean => {
    const p = Object.getPrototypeOf(o);
    return p === Object.prototype || p === null;
  };
  const kindOf = (o: any): string => {
    for (const [name, v] of Object.entries(api ?? {})) {
      if (typeof v === 'function' && (v as any).prototype && o instanceof (v as any)) return name;
    }
    return isPlain(o) ? 'Object' : (o?.constructor?.name ?? 'Object');
  };
  const hasFunctions = (o: object): boolean => Object.values(o).some((v) => typeof v === 'function');
  const isData = (v: any): boolean =>
    v === null ||
    typeof v !== 'object' ||
    v instanceof Uint8Array ||
    v instanceof Date ||
    (Array.isArray(v) && v.every(isData)) ||
    (isPlain(v) && !hasFunctions(v) && Object.values(v).every(isData));

  // What Node needs to mirror an object: its methods, data props and nested API objects.
  const describe = (o: any, depth: number, seen: Set<unknown>): any => {
    seen.add(o);
    const methods = new Set<string>();
    const props: Record<string, unknown> = {};
    const children: Record<string, unknown> = {};
    for (let p = o; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
      for (const key of Object.getOwnPropertyNames(p)) {
        if (key === 'constructor' || key.startsWith('_') || methods.has(key) || key in props || key in children)
          continue;
        const d = Object.getOwnPropertyDescriptor(p, key)!;
        if (d.get && p !== o) continue; // prototype getters may throw; snapshot only own data
        let v: any;
        try {
          v = o[key];
        } catch {
          continue;
        }
        if (typeof v === 'function') methods.add(key);
        else if (v instanceof Uint8Array) props[key] = { [TAG]: 'u8', b64: toB64(v) };
        else if (isData(v)) props[key] = v;
        else if (typeof v === 'object' && depth < 3 && !seen.has(v)) children[key] = describe(v, depth + 1, seen);
      }
    }
    return { kind: kindOf(o), methods: [...methods], props, children };
  };

  const register = (o: any): any => {
    const id = nextId++;
    handles.set(id, o);
    return { [TAG]: 'handle', id, ...describe(o, 0, new Set()) };
  };

  const encodeError = (e: any): any => ({
    [TAG]: 'error',
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(e),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.path === 'string' ? { path: e.path } : {}),
    ...(typeof e?.exitCode === 'number' ? { exitCode: e.exitCode, stdout: e.stdout, stderr: e.stderr } : {}),
    ...(typeof e?.reason === 'string' ? { reason: e.reason } : {}),
  });

  const encode = async (v: any): Promise<any> => {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return v;
    if (typeof v === 'function') return register(v);
    if (v instanceof Uint8Array) return { [TAG]: 'u8', b64: toB64(v) };
    if (v instanceof ArrayBuffer) return { [TAG]: 'u8', b64: toB64(new Uint8Array(v)) };
    if (v instanceof Blob) return { [TAG]: 'blob', type: v.type, b64: toB64(new Uint8Array(await v.arrayBuffer())) };
    if (v instanceof ReadableStream) {
      const b = new Uint8Array(await new Response(v).arrayBuffer());
      return { [TAG]: 'stream', b64: toB64(b) };
    }
    if (v instanceof Error) return encodeError(v);
    if (v instanceof Date) return v;
    if (Array.isArray(v)) return Promise.all(v.map(encode));
    if (isPlain(v) && !hasFunctions(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = await encode(x);
      return out;
    }
    return register(v);
  };

  const decode = (v: any): any => {
    if (v === null || typeof v !== 'object' || v instanceof Date) return v;
    if (Array.isArray(v)) return v.map(decode);
    switch (v[TAG]) {
      case undefined: {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = decode(x);
        return out;
      }
      case 'u8':
        return fromB64(v.b64);
      case 'blob':
        return new Blob([fromB64(v.b64) as BlobPart], { type: v.type });
      case 'stream': {
        const bytes = fromB64(v.b64);
        return new ReadableStream({
          start(c) {
            if (bytes.length) c.enqueue(bytes);
            c.close();
          },
        });
      }
      case 'ref':
        return handles.get(v.id);
      case 'signal': {
        let c = signals.get(v.id);
        if (!c) signals.set(v.id, (c = new AbortController()));
        if (v.aborted) c.abort();
        return c.signal;
      }
      case 'cb':
        return (...args: unknown[]) => {
          // Encoding is chained so chunks reach Node in the order they were emitted.
          const sent = callbackChain.then(() => Promise.all(args.map(encode)));
          callbackChain = sent.catch(() => undefined);
          return sent.then((a) => g.__sandpitCallback(v.id, a)).then(decode);
        };
      default:
        throw Object.assign(new Error(`unknown wire tag ${String(v[TAG])}`), { code: 'EINVAL' });
    }
  };

  const call = async (id: number, path: string[], args: unknown[]): Promise<unknown> => {
    try {
      let self = handles.get(id);
      if (self === undefined) throw Object.assign(new Error(`handle ${id} was released`), { code: 'CLOSED' });
      for (const k of path.slice(0, -1)) self = self?.[k];
      const name = path[path.length - 1]!;
      const fn = self?.[name];
      if (typeof fn !== 'function') {
        throw Object.assign(new Error(`${path.join('.')}() is not available in this build of sandpit`), {
          code: 'UNSUPPORTED',
        });
      }
      const value = await fn.apply(self, args.map(decode));
      return { ok: true, value: await encode(value) };
    } catch (e) {
      return { ok: false, error: encodeError(e) };
    }
  };

  g.__sandpitDriver = {
    call,
    abort(id: number, reason?: string) {
      let c = signals.get(id);
      if (!c) signals.set(id, (c = new AbortController()));
      c.abort(reason);
    },
    release(ids: number[]) {
      for (const id of ids) if (id !== 0) handles.delete(id);
    },
    handleCount: () => handles.size,
  };
}
