// End to end in Node: real @wasmer/sdk 0.16.0, a real WASI program (demo/fsx.wasm; busybox when
// public/wasm has it), and our server answering every file call under /workspace, /home, /tmp and
// /usr from one MemoryBackend. What one command writes, the next one reads.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wasmer } from '@wasmer/sdk/node';
import { installHostFs, type HostMountPlan } from './install';
import { MemoryBackend } from './memory';
import { hostFsWasmer, wasmDir } from './node-sdk.test-helpers';
import { HostFsServer } from './server';

const here = dirname(new URL(import.meta.url).pathname);
const busyboxPath = join(wasmDir, 'busybox.wasm');
const sqlitePath = join(wasmDir, 'sqlite3.wasm');
const luaPath = join(wasmDir, 'lua.wasm');
const bashPath = join(wasmDir, 'bash.wasm');

const PLAN: HostMountPlan = {
  storage: 1,
  mounts: [
    { path: '/home', mountId: 2 },
    { path: '/tmp', mountId: 3 },
    { path: '/usr', mountId: 4 },
  ],
};

describe.each([false, true])('guests see our filesystem (Node, real SDK, stat cache %s)', (statCache) => {
  const fs = new MemoryBackend();
  const server = new HostFsServer();
  let uninstall: () => void;
  let wasmer: Wasmer;
  let sandbox: Awaited<ReturnType<Wasmer['sandboxes']['create']>>;

  beforeAll(async () => {
    fs.writeFile('/workspace/seed.txt', 'seeded by the host\n');
    fs.writeFile('/home/user/.profile', 'export EDITOR=vi\n');
    fs.mkdir('/tmp');
    fs.mkdir('/usr');
    server.mount(1, fs, '/workspace');
    server.mount(2, fs, '/home');
    server.mount(3, fs, '/tmp');
    server.mount(4, fs, '/usr');
    uninstall = installHostFs(server);
    wasmer = await hostFsWasmer(PLAN, { statCache });
    const modules: Record<string, Uint8Array> = { fsx: readFileSync(join(here, 'demo/fsx.wasm')) };
    const commands: Record<string, { module: string }> = { fsx: { module: 'fsx' } };
    if (existsSync(busyboxPath)) {
      modules.busybox = readFileSync(busyboxPath);
      for (const c of ['tee', 'cat', 'ls', 'mkdir', 'cp', 'rm', 'mv', 'dd']) commands[c] = { module: 'busybox' };
    }
    for (const [name, path] of [
      ['sqlite3', sqlitePath],
      ['lua', luaPath],
      ['bash', bashPath],
    ]) {
      if (!existsSync(path)) continue;
      modules[name] = readFileSync(path);
      commands[name] = { module: name };
    }
    const pkg = await wasmer.packages.create({ modules, commands });
    sandbox = await wasmer.sandboxes.create({ packages: [pkg] });
  }, 60_000);

  afterAll(async () => {
    await wasmer?.close();
    uninstall?.();
  });

  const fsx = async (...args: string[]) => {
    const out = await sandbox.command('fsx', args).run({ check: false, timeoutMs: 30_000 });
    return { code: out.exitCode, out: out.stdout.text(), err: out.stderr.text() };
  };

  it('reads what the host put there', async () => {
    expect(await fsx('cat', '/workspace/seed.txt', '/home/user/.profile')).toMatchObject({
      code: 0,
      out: 'seeded by the host\nexport EDITOR=vi\n',
    });
  });

  it('keeps what one command writes for the next command, in every mount', async () => {
    for (const dir of ['/workspace', '/home/user', '/tmp', '/usr']) {
      expect(await fsx('write', `${dir}/note.txt`, `written in ${dir}\n`)).toMatchObject({ code: 0 });
    }
    for (const dir of ['/workspace', '/home/user', '/tmp', '/usr']) {
      expect(await fsx('cat', `${dir}/note.txt`)).toMatchObject({ code: 0, out: `written in ${dir}\n` });
      expect(fs.readText(`${dir}/note.txt`)).toBe(`written in ${dir}\n`);
    }
  });

  it('lists, renames, appends, truncates and removes through the backend', async () => {
    expect((await fsx('mkdir', '/home/user/proj')).code).toBe(0);
    expect((await fsx('write', '/home/user/proj/a.txt', 'abc')).code).toBe(0);
    expect((await fsx('append', '/home/user/proj/a.txt', 'def')).code).toBe(0);
    expect((await fsx('mv', '/home/user/proj/a.txt', '/home/user/proj/b.txt')).code).toBe(0);
    expect((await fsx('truncate', '/home/user/proj/b.txt', '4')).code).toBe(0);
    expect((await fsx('names', '/home/user/proj')).out.split('\n').sort()).toEqual(['', '.', '..', 'b.txt']);
    expect(fs.readText('/home/user/proj/b.txt')).toBe('abcd');
    expect((await fsx('rm', '/home/user/proj/b.txt')).code).toBe(0);
    // A bare rmdir of a directory the process never looked up fails in SDK 0.16 (no RPC);
    // after a lookup it works (docs/hostfs-protocol.md).
    expect((await fsx('stat-rmdir', '/home/user/proj')).code).toBe(0);
    expect(fs.readdir('/home/user').map((e) => e.name)).toEqual(['.profile', 'note.txt']);
  });

  it('loses no line when several processes append to one file at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => fsx('append', '/tmp/shared.log', `line ${i}\n`)),
    );
    expect(results).toEqual(Array(8).fill({ code: 0, out: '', err: '' }));
    const lines = fs.readText('/tmp/shared.log').split('\n').filter(Boolean).sort();
    expect(lines).toEqual(Array.from({ length: 8 }, (_, i) => `line ${i}`));
  });

  /**
   * Make another appender add `line` to `path` (through the server, as a second guest would) just
   * before the guest's next opening of it: after the SDK's own `stat`, the one whose size it counts
   * its write offsets from. That is the window two real appenders race in, made certain.
   */
  const appendBeforeNextOpen = (path: string, line: string) => {
    const open = fs.open;
    fs.open = (p, flags) => {
      if (p === path) {
        fs.open = open; // once, and not for the open below
        const h = server.call(3, 'open', [path.slice('/tmp/'.length), true, true, true, false, false, false]);
        server.call(3, 'write', [h, fs.stat(path).size, new TextEncoder().encode(line)]);
        server.call(3, 'close', [h]);
      }
      return open.call(fs, p, flags);
    };
    return () => (fs.open = open);
  };

  it('loses no line when another appender writes between the SDK stat and its open', async () => {
    fs.writeFile('/tmp/race.log', 'first\n');
    const undo = appendBeforeNextOpen('/tmp/race.log', 'other\n');
    try {
      expect(await fsx('append', '/tmp/race.log', 'guest\n')).toEqual({ code: 0, out: '', err: '' });
    } finally {
      undo();
    }
    expect(fs.readText('/tmp/race.log')).toBe('first\nother\nguest\n');
  });

  it.runIf(existsSync(bashPath))('loses no line when forked subshells append to one file at once', async () => {
    // One process tree: WASIX shares one host handle per file among its processes and writes an
    // O_APPEND descriptor at the tree's own idea of the size, stale whenever a sibling raced it
    // (end-views.ts). Before the server judged appends by those views, 9-17 of 300 lines were
    // lost. Every line must arrive whole in bytes; their text may interleave at the newline
    // (`A1B1\n\n`): bash writes a line as two iovecs, and the SDK sends one write per iovec.
    const n = 100;
    const loop = (t: string) => `(for ((i=1;i<=${n};i++)); do echo ${t}$i >> /tmp/forks.log; done)`;
    const out = await sandbox
      .command('bash', ['-c', `${loop('A')} & ${loop('B')} & ${loop('C')} & wait`])
      .run({ check: false, timeoutMs: 120_000 });
    expect(out.exitCode).toBe(0);
    const text = fs.readText('/tmp/forks.log');
    const want = ['A', 'B', 'C'].flatMap((t) => Array.from({ length: n }, (_, i) => `${t}${i + 1}`));
    expect((text.match(/[ABC]\d+/g) ?? []).sort()).toEqual(want.sort());
    expect(text.length).toBe(want.join('\n').length + 1); // nothing overwritten
    expect(text.split('\n').length).toBe(want.length + 1);
  });

  it.runIf(existsSync(busyboxPath))('keeps a seek-and-write (dd conv=notrunc) in place, raced or not', async () => {
    const dd = (stdin: string) =>
      sandbox
        .command('dd', ['of=/tmp/pos.bin', 'bs=1', 'seek=2', 'conv=notrunc'])
        .run({ check: false, timeoutMs: 30_000, stdin });
    fs.writeFile('/tmp/pos.bin', 'abcdef\n');
    expect((await dd('XY')).exitCode).toBe(0);
    expect(fs.readText('/tmp/pos.bin')).toBe('abXYef\n');
    // The same write with an append in the window: still in place, the append kept.
    const undo = appendBeforeNextOpen('/tmp/pos.bin', 'more\n');
    try {
      expect((await dd('Z')).exitCode).toBe(0);
    } finally {
      undo();
    }
    expect(fs.readText('/tmp/pos.bin')).toBe('abZYef\nmore\n');
  });

  it('streams a large file in and out', async () => {
    expect((await fsx('big', '/tmp/big.bin', String(3 * 1024 * 1024 + 5))).code).toBe(0);
    expect(fs.stat('/tmp/big.bin').size).toBe(3 * 1024 * 1024 + 5);
    expect((await fsx('sum', '/tmp/big.bin')).out).toMatch(/^3145733 [0-9a-f]{16}\n$/);
  });

  it('shares /workspace with sandbox.fs', async () => {
    await sandbox.fs.writeFile('/workspace/api.txt', 'from sandbox.fs\n');
    expect(fs.readText('/workspace/api.txt')).toBe('from sandbox.fs\n');
    expect((await fsx('cat', '/workspace/api.txt')).out).toBe('from sandbox.fs\n');
  });

  it(`sends every lookup to the server ${statCache ? 'once' : 'each time'}`, async () => {
    const before = server.counts.stat ?? 0;
    expect((await fsx('statloop', '/home/user/.profile', '200')).code).toBe(0);
    const stats = (server.counts.stat ?? 0) - before;
    // The kernel thread itself still stats the storage and /usr roots at each command start.
    if (statCache) expect(stats).toBeLessThan(50);
    else expect(stats).toBeGreaterThanOrEqual(200);
  });

  it('never answers from a stale cache', async () => {
    const size = async () => (await fsx('stat', '/home/user/co.txt')).out.match(/size=(\d+)/)?.[1];
    expect(await size()).toBeUndefined(); // ENOENT, which a worker may now cache
    expect((await fsx('write', '/home/user/co.txt', 'abc')).code).toBe(0);
    expect(await size()).toBe('3');
    expect((await fsx('append', '/home/user/co.txt', 'de')).code).toBe(0);
    expect(await size()).toBe('5');
    // A change made beside the server (the kernel's own API) is announced with invalidate().
    fs.writeFile('/home/user/co.txt', 'abcdefgh');
    server.invalidate();
    expect(await size()).toBe('8');
    expect((await fsx('rm', '/home/user/co.txt')).code).toBe(0);
    expect(await size()).toBeUndefined();
  });

  it.runIf(existsSync(busyboxPath))('works for busybox applets too', async () => {
    const bb = async (cmd: string, args: string[], stdin?: string) => {
      const out = await sandbox
        .command(cmd, args)
        .run({ check: false, timeoutMs: 30_000, ...(stdin ? { stdin } : {}) });
      return { code: out.exitCode, out: out.stdout.text(), err: out.stderr.text() };
    };
    expect((await bb('tee', ['/home/user/bb.txt'], 'hello from busybox\n')).code).toBe(0);
    expect(fs.readText('/home/user/bb.txt')).toBe('hello from busybox\n');
    expect((await bb('mkdir', ['-p', '/home/user/p/q'])).code).toBe(0);
    expect((await bb('cp', ['/home/user/bb.txt', '/home/user/p/q/c.txt'])).code).toBe(0);
    expect(await bb('cat', ['/home/user/p/q/c.txt'])).toMatchObject({ code: 0, out: 'hello from busybox\n' });
    expect((await bb('ls', ['/home/user/p/q'])).out).toBe('c.txt\n');
    expect((await bb('mv', ['/home/user/p/q/c.txt', '/tmp/c.txt'])).code).toBe(0); // across mounts
    expect(fs.readText('/tmp/c.txt')).toBe('hello from busybox\n');
    expect((await bb('rm', ['-r', '/home/user/p'])).code).toBe(0);
    expect(() => fs.stat('/home/user/p')).toThrow();
  });

  it.runIf(existsSync(sqlitePath))('keeps a sqlite3 database (journal, syncs, truncates) across commands', async () => {
    const sql = (db: string, q: string) => sandbox.command('sqlite3', [db, q]).run({ check: false, timeoutMs: 30_000 });
    expect((await sql('/home/user/app.db', 'create table t(x); insert into t values (21);')).exitCode).toBe(0);
    const out = await sql('/home/user/app.db', 'select x * 2 from t;');
    expect(out.stdout.text()).toBe('42\n');
    expect(fs.stat('/home/user/app.db').size).toBeGreaterThan(0);
  });

  it.runIf(existsSync(luaPath))('lets lua write a file that the next command reads', async () => {
    const lua = (code: string) => sandbox.command('lua', ['-e', code]).run({ check: false, timeoutMs: 30_000 });
    expect((await lua('local f = assert(io.open("/tmp/l.txt", "w")); f:write("from lua"); f:close()')).exitCode).toBe(
      0,
    );
    expect((await lua('io.write(io.open("/tmp/l.txt"):read("a"))')).stdout.text()).toBe('from lua');
  });
});
