// End to end in Node: the real @wasmer/sdk, wasm/hostcall's stub registered as extension
// commands and as curl, the call mount answering asynchronously, and (when public/wasm has them)
// bash pipes and redirects and busybox around it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wasmer } from '@wasmer/sdk/node';
import { installHostFs, type HostMountPlan } from '../hostfs/install';
import { MemoryBackend } from '../hostfs/memory';
import { hostFsWasmer, wasmDir } from '../hostfs/node-sdk.test-helpers';
import { HostFsServer } from '../hostfs/server';
import { curl } from './curl';
import { envRecord, type CallRequest, type CallResult } from './frame';
import type { HttpRequestInfo } from '../../protocol';
import { CallMount, CallMounts } from './mount';

const has = (f: string) => existsSync(join(wasmDir, f));

const PLAN: HostMountPlan = {
  storage: 1,
  mounts: [
    { path: '/home', mountId: 2 },
    { path: '/tmp', mountId: 3 },
    { path: '/run/sandpit', mountId: 9 },
  ],
};

const enc = new TextEncoder();
const dec = new TextDecoder();
const seen: CallRequest[] = [];
const files = new MemoryBackend();
const fetched: HttpRequestInfo[] = [];

/** A stand-in for the page's allow-listed fetch: allows 127.0.0.1:4173 only. */
async function fakeFetch(req: HttpRequestInfo) {
  fetched.push(req);
  const url = new URL(req.url);
  if (url.host !== '127.0.0.1:4173') return { denied: url.host, reason: `host ${url.host} is not allowed` };
  const status = url.pathname === '/missing' ? 404 : 200;
  const body = enc.encode(
    url.pathname === '/echo' ? dec.decode(req.body ?? new Uint8Array()) : `{"path":"${url.pathname}"}`,
  );
  return {
    status,
    statusText: status === 200 ? 'OK' : 'Not Found',
    url: req.url,
    redirected: false,
    headers: [['content-type', 'application/json']] as [string, string][],
    body,
  };
}

async function handler(req: CallRequest): Promise<CallResult> {
  seen.push(req);
  if (req.header.kind !== 'exec') return { exitCode: 2, stdout: new Uint8Array(), stderr: new Uint8Array() };
  const { name, argv, cwd, env } = req.header;
  await new Promise((r) => setTimeout(r, 50)); // really asynchronous
  if (name === 'curl') {
    return curl({
      args: argv.slice(1),
      stdin: req.body,
      cwd,
      fetch: fakeFetch,
      // @file data must come from the guest (attachments), never from a host-side read.
      files: {
        read: () => {
          throw new Error('host-side read');
        },
      },
      ...(req.attachments ? { attachments: req.attachments } : {}),
    });
  }
  if (name === 'upper')
    return { exitCode: 0, stdout: enc.encode(dec.decode(req.body).toUpperCase()), stderr: new Uint8Array() };
  if (name === 'info') {
    const text = JSON.stringify({ args: argv.slice(1), cwd, foo: envRecord(env).FOO }) + '\n';
    return { exitCode: 3, stdout: enc.encode(text), stderr: enc.encode('to stderr\n') };
  }
  if (name === 'big') {
    const n = Number(argv[1]);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = 97 + (i % 26);
    return { exitCode: 0, stdout: out, stderr: new Uint8Array() };
  }
  if (name === 'slow') {
    await new Promise((r) => setTimeout(r, 1500));
    return { exitCode: 0, stdout: enc.encode('late\n'), stderr: new Uint8Array() };
  }
  if (name === 'hang') return new Promise(() => undefined);
  if (name === 'count' || name === 'quiet')
    return { exitCode: 0, stdout: enc.encode(`${req.body.length}\n`), stderr: new Uint8Array() };
  throw new Error(`no extension ${name}`);
}

describe('host calls from guests (Node, real SDK)', () => {
  const fs = files;
  const server = new HostFsServer();
  const calls = new CallMounts();
  const uninstall: (() => void)[] = [];
  let wasmer: Wasmer;
  let sandbox: Awaited<ReturnType<Wasmer['sandboxes']['create']>>;

  beforeAll(async () => {
    fs.mkdir('/workspace');
    fs.mkdir('/home');
    fs.mkdir('/home/user');
    fs.mkdir('/tmp');
    server.mount(1, fs, '/workspace');
    server.mount(2, fs, '/home');
    server.mount(3, fs, '/tmp');
    uninstall.push(installHostFs(server));
    uninstall.push(calls.install());
    // A short wait slice: replies that take longer make the stub ask again (the slow test).
    calls.add(9, new CallMount(handler, { 'hello.txt': enc.encode('from lib\n') }, 300, new Set(['quiet'])));
    wasmer = await hostFsWasmer(PLAN, { statCache: true });
    const modules: Record<string, Uint8Array> = {};
    const commands: Record<string, { module: string }> = {};
    if (has('busybox.wasm')) {
      modules.busybox = readFileSync(join(wasmDir, 'busybox.wasm'));
      for (const c of ['cat', 'echo', 'wc', 'head', 'ls']) commands[c] = { module: 'busybox' };
    }
    if (has('bash.wasm')) {
      modules.bash = readFileSync(join(wasmDir, 'bash.wasm'));
      commands.bash = { module: 'bash' };
      commands.sh = { module: 'bash' };
    }
    const base = await wasmer.packages.create({ modules, commands });
    // The stub as its own package, as the runtime adds it per sandbox.
    const ext = await wasmer.packages.create({
      modules: { hostcall: readFileSync(join(wasmDir, 'hostcall.wasm')) },
      commands: Object.fromEntries(
        ['upper', 'info', 'big', 'count', 'nope', 'curl', 'slow', 'quiet', 'hang'].map((n) => [
          n,
          { module: 'hostcall' },
        ]),
      ),
    });
    sandbox = await wasmer.sandboxes.create({ packages: [base, ext], ...(has('bash.wasm') ? { shell: 'bash' } : {}) });
  }, 120_000);

  afterAll(async () => {
    await wasmer?.close();
    uninstall.reverse().forEach((u) => u());
  });

  const run = async (
    cmd: string,
    args: string[],
    opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {},
  ) => {
    const out = await sandbox
      .command(cmd, args, { cwd: opts.cwd ?? '/home/user', env: opts.env ?? {} })
      .run({ check: false, timeoutMs: 30_000, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) });
    return { code: out.exitCode, out: out.stdout.text(), err: out.stderr.text() };
  };

  it('runs an extension with stdin and returns its stdout', async () => {
    expect(await run('upper', [], { stdin: 'hello host\n' })).toEqual({ code: 0, out: 'HELLO HOST\n', err: '' });
  });

  it('passes args, cwd, env and returns stderr and the exit code', async () => {
    const r = await run('info', ['a b', '--x=1'], { cwd: '/tmp', env: { FOO: 'bar' }, stdin: '' });
    expect(r).toEqual({ code: 3, out: '{"args":["a b","--x=1"],"cwd":"/tmp","foo":"bar"}\n', err: 'to stderr\n' });
  });

  it('streams large replies and requests', async () => {
    const r = await run('big', ['300000'], { stdin: '' });
    expect(r.code).toBe(0);
    expect(r.out.length).toBe(300000);
    expect(r.out.slice(0, 28)).toBe('abcdefghijklmnopqrstuvwxyzab');
    const c = await run('count', [], { stdin: 'x'.repeat(200_000) });
    expect(c).toEqual({ code: 0, out: '200000\n', err: '' });
  });

  it('runs curl through the host fetch: output, -w, -f, -o, --data-binary @file, denial', async () => {
    expect(await run('curl', ['-s', 'http://127.0.0.1:4173/wasm/manifest.json'])).toEqual({
      code: 0,
      out: '{"path":"/wasm/manifest.json"}',
      err: '',
    });
    expect(
      await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1:4173/missing']),
    ).toMatchObject({ code: 0, out: '404' });
    expect(await run('curl', ['-sSf', 'http://127.0.0.1:4173/missing'])).toMatchObject({
      code: 22,
      err: 'curl: (22) The requested URL returned error: 404\n',
    });
    expect(await run('curl', ['-so', 'got.json', 'http://127.0.0.1:4173/x'])).toMatchObject({ code: 0, out: '' });
    expect(files.readText('/home/user/got.json')).toBe('{"path":"/x"}');
    // The stub writes -o files itself, through the guest's view (here /tmp, another mount).
    expect(
      await run('curl', ['-s', '-o', '/tmp/y.json', '-w', '%{http_code}', 'http://127.0.0.1:4173/y']),
    ).toMatchObject({ code: 0, out: '200' });
    expect(files.readText('/tmp/y.json')).toBe('{"path":"/y"}');
    expect(await run('curl', ['-sS', '-o', '/nope/dir/z', 'http://127.0.0.1:4173/z'])).toMatchObject({ code: 23 });
    files.writeFile('/home/user/body.bin', 'line1\nline2\n');
    expect(
      await run('curl', ['-s', '--data-binary', '@body.bin', '-X', 'PUT', 'http://127.0.0.1:4173/echo']),
    ).toMatchObject({ code: 0, out: 'line1\nline2\n' });
    expect(fetched.at(-1)).toMatchObject({ method: 'PUT', redirect: 'manual' });
    expect(await run('curl', ['-sd@body.bin', 'http://127.0.0.1:4173/echo'])).toMatchObject({
      code: 0,
      out: 'line1line2',
    });
    expect(await run('curl', ['-sS', '--data=@missing.bin', 'http://127.0.0.1:4173/echo'])).toMatchObject({ code: 26 });
    expect(await run('curl', ['-s', '-d', '@-', 'http://127.0.0.1:4173/echo'], { stdin: 'a=1\n' })).toMatchObject({
      code: 0,
      out: 'a=1',
    });
    const denied = await run('curl', ['-sS', 'https://example.com/'], { stdin: '' });
    expect(denied).toEqual({
      code: 7,
      out: '',
      err: 'curl: (7) Could not connect to example.com: host example.com is not allowed\n',
    });
  });

  it('leaves stdin unread for commands listed under nostdin/', async () => {
    expect(await run('quiet', [], { stdin: 'abc' })).toEqual({ code: 0, out: '0\n', err: '' });
  });

  it('a timeout ends a guest blocked on a host call that never answers', async () => {
    const t0 = performance.now();
    const out = await sandbox.command('hang', []).run({ check: false, timeoutMs: 1000 });
    const ms = performance.now() - t0;
    console.log(`hang: exit ${out.exitCode} after ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000);
    expect(await run('upper', [], { stdin: 'still fine' })).toEqual({ code: 0, out: 'STILL FINE', err: '' });
  });

  it('waits across several wait slices for a slow host call', async () => {
    expect(await run('slow', [], { stdin: '' })).toEqual({ code: 0, out: 'late\n', err: '' });
  });

  it('reports a failing extension as exit 126', async () => {
    expect(await run('nope', [], { stdin: '' })).toMatchObject({ code: 126, err: 'sandpit: no extension nope\n' });
  });

  it('serves the lib directory read-only', async () => {
    if (!has('busybox.wasm')) return;
    expect(await run('cat', ['/run/sandpit/lib/hello.txt'])).toMatchObject({ code: 0, out: 'from lib\n' });
  });

  it.runIf(has('bash.wasm'))(
    'takes part in pipes and redirects',
    async () => {
      expect(await run('bash', ['-c', 'echo hi | upper'])).toMatchObject({ code: 0, out: 'HI\n' });
      // (This bash build exits 71 on `echo > f; next`, so the file is written by its own command.)
      expect(await run('bash', ['-c', 'echo some text > f'])).toMatchObject({ code: 0 });
      expect(await run('bash', ['-c', 'upper < f > g; cat g; echo hi | upper | wc -c'])).toMatchObject({
        code: 0,
        out: 'SOME TEXT\n3\n',
      });
      expect(await run('bash', ['-c', 'info x; echo "exit=$?"'], { env: { FOO: 'z' } })).toMatchObject({
        out: '{"args":["x"],"cwd":"/home/user","foo":"z"}\nexit=3\n',
      });
    },
    60_000,
  );
});
