// One adapter per benchmarked system, all with the same small interface, so that every row
// runs the same work on each: create() → { sh(cmd), argv(args), py(code), write, read, mkdir,
// writeMany, destroy }. A method a system lacks is absent; the row is then reported as n/a.
/* global WebAssembly, TextEncoder, TextDecoder, performance, location, URLSearchParams */

const enc = new TextEncoder();
const dec = new TextDecoder();

async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A named point of a cold start (bench/profile.mjs reads them as its phase breakdown). */
const mark = (name) => performance.mark(name);

const join = (dir, p) => (p.startsWith('/') ? p : `${dir}/${p}`);
const shq = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** sandpit: the built app's public API (globalThis.sandpit). */
async function sandpit() {
  for (let i = 0; !globalThis.sandpit; i++) {
    if (i > 2000) throw new Error('globalThis.sandpit never appeared');
    await new Promise((r) => setTimeout(r, 5));
  }
  const { Sandbox } = globalThis.sandpit;
  const wrap = (sb) => {
    const dir = '/home/user';
    return {
      raw: sb,
      dir,
      async sh(cmd) {
        const r = await sb.commands.run(cmd, { timeoutMs: 600_000 });
        return { code: r.exitCode, out: r.stdout, err: r.stderr };
      },
      async py(code) {
        if (!code.includes('\n')) return this.sh(`python3 -c ${shq(code)}`);
        await this.write('_bench.py', code);
        return this.sh('python3 _bench.py');
      },
      write: (p, data) => sb.files.write(join(dir, p), data),
      read: (p) => sb.files.read(join(dir, p), { format: 'bytes' }),
      mkdir: (p) => sb.files.mkdir(join(dir, p), { recursive: true }),
      writeMany: (list) => sb.files.writeFiles(list.map(({ path, data }) => ({ path: join(dir, path), data }))),
      destroy: () => sb.destroy({ purge: true }),
    };
  };
  return {
    name: 'sandpit',
    Sandbox,
    wrap,
    create: async (opts = {}) => {
      mark('api-found');
      const seen = new Set();
      const onProgress = (p) => {
        if (!seen.has(p.phase)) mark(`phase-${p.phase}`);
        seen.add(p.phase);
      };
      const sb = await Sandbox.create({ fsLimitBytes: 1 << 30, timeoutMs: 600_000, onProgress, ...opts });
      mark('sandbox-created');
      return wrap(sb);
    },
  };
}

/** The raw @wasmer/sdk 0.16.0 with the same binaries, as one package (as sandpit builds it). */
async function wasmer() {
  const sdk = await import('/vendor/wasmer-sdk/dist/index.js');
  mark('sdk-imported');
  const manifest = await (await fetch('/wasm/manifest.json')).json();
  mark('phase-manifest');
  let shared;
  // Experiments of bench/profile.mjs (never used by the benchmark rows): `?modules=a,b` puts only
  // those binaries in the package, `?sdkcache=name` uses the SDK's persistent browser cache.
  const params = new URLSearchParams(location.search);
  const only = params.get('modules')?.split(',');
  const cacheName = params.get('sdkcache');
  const boot = async () => {
    const w = new sdk.Wasmer({ cache: cacheName ? { namespace: cacheName } : 'memory' });
    await w.ready();
    mark('sdk-ready');
    const modules = {};
    const commands = {};
    const files = {};
    let env = { HOME: '/workspace', PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' };
    const loaded = await Promise.all(
      manifest.binaries
        .filter((b) => !only || only.includes(b.name))
        .map(async (b) => ({
          b,
          module: await fetchBytes(`/wasm/${b.file}`),
          assets: await Promise.all(
            (b.assets ?? []).map(async (a) => [a.guestPath, await fetchBytes(`/wasm/${a.file}`)]),
          ),
        })),
    );
    for (const { b, module, assets } of loaded) {
      if (!b.commands.length) continue;
      modules[b.name] = module;
      for (const c of b.commands) commands[c] ??= { module: b.name };
      for (const [p, bytes] of assets) files[p] = bytes;
      env = { ...env, ...(b.env ?? {}) };
    }
    mark('binaries-fetched');
    const pkg = await w.packages.create({ modules, commands, files });
    mark('package-created');
    return { w, pkg, env };
  };
  return {
    name: 'wasmer-sdk',
    async create() {
      shared ??= boot();
      const { pkg, env } = await shared;
      const w = (await shared).w;
      const sb = await w.sandboxes.create({ packages: [pkg], shell: 'bash', env });
      mark('sandbox-created');
      const dir = '/workspace';
      const fsPath = (p) => join(dir, p);
      return {
        raw: sb,
        dir,
        // spawn() with piped output, drained while waiting: the calls sandpit's kernel makes
        // (engine/sandbox.ts, processes.ts), so that the ratio prices sandpit's own layers.
        async sh(cmd) {
          const p = await sb
            .command('bash', ['-c', cmd], { cwd: dir, env })
            .spawn({ stdin: 'closed', stdout: 'pipe', stderr: 'pipe', timeoutMs: 600_000 });
          const [r, out, err] = await Promise.all([p.wait(), collect(p.stdout), collect(p.stderr)]);
          return { code: r.exitCode, out: dec.decode(out), err: dec.decode(err) };
        },
        async py(code) {
          if (!code.includes('\n')) return this.sh(`python3 -c ${shq(code)}`);
          await this.write('_bench.py', code);
          return this.sh('python3 _bench.py');
        },
        write: (p, data) => sb.fs.writeFile(fsPath(p), typeof data === 'string' ? enc.encode(data) : data),
        read: (p) => sb.fs.readFile(fsPath(p)),
        mkdir: (p) => sb.fs.mkdir(fsPath(p), { recursive: true }),
        destroy: async () => sb.close?.(),
      };
    },
  };
}

/** @lifo-sh/core: a shell and commands written in JavaScript. */
async function lifo() {
  const { Sandbox } = await import('/peers/lifo/index.js');
  return {
    name: 'lifo',
    async create() {
      const sb = await Sandbox.create();
      const dir = '/tmp/bench';
      await sb.fs.mkdir(dir, { recursive: true });
      return {
        raw: sb,
        dir,
        async sh(cmd) {
          const r = await sb.commands.run(cmd, { cwd: dir, timeout: 600_000 });
          return { code: r.exitCode, out: r.stdout, err: r.stderr };
        },
        write: (p, data) => sb.fs.writeFile(join(dir, p), data),
        read: (p) => sb.fs.readFile(join(dir, p), null),
        mkdir: (p) => sb.fs.mkdir(join(dir, p), { recursive: true }),
        writeMany: (list) => sb.fs.writeFiles(list.map(({ path, data }) => ({ path: join(dir, path), content: data }))),
        destroy: async () => sb.destroy?.(),
      };
    },
  };
}

/** Pyodide: CPython in the page, served from the npm package. Python rows and its MEMFS. */
async function pyodide() {
  const { loadPyodide } = await import('/peers/pyodide/pyodide.mjs');
  return {
    name: 'pyodide',
    async create() {
      const py = await loadPyodide({ indexURL: '/peers/pyodide/' });
      const dir = '/home/pyodide';
      const out = [];
      py.setStdout({ batched: (s) => out.push(s) });
      return {
        raw: py,
        dir,
        async py(code) {
          out.length = 0;
          try {
            await py.runPythonAsync(code);
            return { code: 0, out: out.join('\n'), err: '' };
          } catch (e) {
            return { code: 1, out: '', err: String(e) };
          }
        },
        write: async (p, data) => py.FS.writeFile(join(dir, p), data),
        read: async (p) => py.FS.readFile(join(dir, p)),
        mkdir: async (p) => py.FS.mkdirTree(join(dir, p)),
        destroy: async () => undefined,
      };
    },
  };
}

/**
 * @bjorn3/browser_wasi_shim running public/wasm/busybox.wasm one applet at a time. It has no
 * WASIX (no fork/exec/pipe), so no shell: only rows that are a single argv can run. The WASIX
 * imports busybox declares are stubbed (ENOSYS, getcwd "/", chdir ok).
 */
async function wasiShim() {
  const shim = await import('/peers/wasi-shim/index.js');
  const module = await WebAssembly.compile(await fetchBytes('/wasm/busybox.wasm'));
  const memImport = memoryLimits(await fetchBytes('/wasm/busybox.wasm'));
  const ENOSYS = 52;
  return {
    name: 'wasi-shim',
    async create() {
      const root = new Map();
      const dirOf = (path) => {
        const parts = path.split('/').filter(Boolean);
        let m = root;
        for (const part of parts.slice(0, -1)) {
          let d = m.get(part);
          if (!d) m.set(part, (d = new shim.Directory(new Map())));
          m = d.contents;
        }
        return { m, name: parts.at(-1) };
      };
      return {
        raw: root,
        dir: '/',
        async argv(args, { stdin } = {}) {
          let outBytes = 0;
          const out = [];
          const err = [];
          const memory = new WebAssembly.Memory(memImport);
          const fds = [
            new shim.OpenFile(new shim.File(stdin ? enc.encode(stdin) : new Uint8Array())),
            new shim.ConsoleStdout((b) => {
              outBytes += b.length;
              if (outBytes < 1 << 16) out.push(b.slice());
            }),
            new shim.ConsoleStdout((b) => err.push(b.slice())),
            new shim.PreopenDirectory('/', root),
          ];
          const wasi = new shim.WASI(args, ['PATH=/bin', 'HOME=/'], fds);
          const wasix = {};
          for (const imp of WebAssembly.Module.imports(module)) {
            if (imp.module !== 'wasix_32v1') continue;
            wasix[imp.name] = () => ENOSYS;
          }
          wasix.getcwd = (buf, lenPtr) => {
            const v = new DataView(memory.buffer);
            new Uint8Array(memory.buffer).set([47, 0], buf);
            v.setUint32(lenPtr, 1, true);
            return 0;
          };
          wasix.chdir = () => 0;
          wasix.callback_signal = () => 0;
          wasix.proc_id = (ptr) => {
            new DataView(memory.buffer).setUint32(ptr, 1, true);
            return 0;
          };
          const inst = await WebAssembly.instantiate(module, {
            env: { memory },
            wasi_snapshot_preview1: wasi.wasiImport,
            wasix_32v1: wasix,
          });
          const code = wasi.start({ exports: { memory, _start: inst.exports._start } });
          const text = (parts) => dec.decode(concat(parts));
          return { code, out: text(out), err: text(err), outBytes };
        },
        write: async (p, data) => {
          const { m, name } = dirOf(p);
          m.set(name, new shim.File(typeof data === 'string' ? enc.encode(data) : data));
        },
        read: async (p) => dirOf(p).m.get(dirOf(p).name).data,
        mkdir: async (p) => void dirOf(`${p}/x`),
        destroy: async () => root.clear(),
      };
    },
  };
}

/** Every chunk of an SDK output stream, concatenated. */
async function collect(stream) {
  const parts = [];
  if (stream) for await (const chunk of stream) parts.push(chunk);
  return concat(parts);
}

function concat(parts) {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The imported memory's limits from the module's import section (busybox imports a shared one). */
function memoryLimits(b) {
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  while (p < b.length) {
    const id = b[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 2; k++) {
          const len = leb();
          p += len;
        }
        const kind = b[p++];
        if (kind === 0) leb();
        else if (kind === 1) {
          p++;
          const f = leb();
          leb();
          if (f & 1) leb();
        } else if (kind === 2) {
          const f = leb();
          const initial = leb();
          const maximum = f & 1 ? leb() : 65536;
          return { initial, maximum, shared: !!(f & 2) };
        } else if (kind === 3) p += 2;
      }
    }
    p = end;
  }
  return { initial: 32, maximum: 65536, shared: false };
}

export const adapters = { sandpit, 'wasmer-sdk': wasmer, lifo, pyodide, 'wasi-shim': wasiShim };
