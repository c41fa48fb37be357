// Throughput of guest file I/O through the bridge, in Node with the real SDK, over the kernel Vfs.
// A measurement, not a check: runs only with HOSTFS_BENCH=1 (figures in docs/hostfs-protocol.md).
//   HOSTFS_BENCH=1 npx vitest run src/worker/engine/hostfs/throughput.test.ts
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wasmer } from '@wasmer/sdk/node';
import { Vfs } from '../../vfs';
import { VfsBackend } from '../vfs-backend';
import { installHostFs } from './install';
import { hostFsWasmer, wasmDir } from './node-sdk.test-helpers';
import { HostFsServer } from './server';

const MB = 1024 * 1024;
const CAT_MB = Number(process.env.HOSTFS_BENCH_MB ?? 20);
const ENTRY = process.env.HOSTFS_BENCH_ENTRY ?? 'cpr';

describe.runIf(process.env.HOSTFS_BENCH)('guest file throughput (Node, real SDK, Vfs)', () => {
  const vfs = new Vfs({ maxBytes: 1 << 30 });
  const sizes = new Map<number, number>();
  const server = new HostFsServer({
    onCall: (c) => {
      if (c.method === 'read') sizes.set(c.args[2] as number, (sizes.get(c.args[2] as number) ?? 0) + 1);
    },
  });
  let wasmer: Wasmer;
  let sandbox: Awaited<ReturnType<Wasmer['sandboxes']['create']>>;
  let uninstall: () => void;

  beforeAll(async () => {
    vfs.mkdir('/workspace');
    vfs.mkdir('/home/user', { recursive: true });
    const backend = new VfsBackend(() => vfs);
    server.mount(1, backend, '/workspace');
    server.mount(2, backend, '/home');
    uninstall = installHostFs(server);
    // HOSTFS_BENCH_ENTRY: which worker additions, c (stat cache) r (read-ahead) p (paged readDir).
    wasmer = await hostFsWasmer(
      { storage: 1, mounts: [{ path: '/home', mountId: 2 }] },
      { statCache: ENTRY.includes('c'), readAhead: ENTRY.includes('r'), pagedReadDir: ENTRY.includes('p') },
    );
    const modules = { bash: readFileSync(join(wasmDir, 'bash.wasm')), bb: readFileSync(join(wasmDir, 'busybox.wasm')) };
    const commands = Object.fromEntries([
      ['bash', { module: 'bash' }],
      ...['cat', 'wc', 'ls', 'dd', 'cp', 'true'].map((c) => [c, { module: 'bb' }]),
    ]);
    const pkg = await wasmer.packages.create({ modules, commands });
    sandbox = await wasmer.sandboxes.create({ packages: [pkg], shell: 'bash' });
  }, 120_000);

  afterAll(async () => {
    await wasmer?.close();
    uninstall?.();
  });

  // Direct commands: bash spawning children hangs now and then in Node under load (not in Chromium).
  const run = async (cmd: string, ...args: string[]) => {
    const t0 = performance.now();
    const out = await sandbox.command(cmd, args).run({ check: false, timeoutMs: 300_000 });
    return { ms: performance.now() - t0, code: out.exitCode, out: out.stdout.text(), err: out.stderr.text() };
  };

  it(`dd bs=4096 of a ${CAT_MB} MB file to /dev/null`, async () => {
    const data = new Uint8Array(CAT_MB * MB);
    for (let i = 0; i < data.length; i += 4096) data[i] = i & 0xff;
    vfs.writeFile('/home/user/big.bin', data);
    await run('true');
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      sizes.clear();
      const before = server.counts.read ?? 0;
      const r = await run('dd', 'if=/home/user/big.bin', 'of=/dev/null', 'bs=4096');
      expect(r.code).toBe(0);
      runs.push(r.ms);
      console.log(
        `cat ${CAT_MB} MB [${ENTRY}]: ${r.ms.toFixed(0)} ms, ${(server.counts.read ?? 0) - before} read RPCs`,
        [...sizes],
      );
    }
    const wc = await run('wc', '-c', '/home/user/big.bin');
    expect(wc.out.trim()).toBe(`${CAT_MB * MB} /home/user/big.bin`);
    console.log(`median cat ${CAT_MB} MB [${ENTRY}]: ${runs.sort((a, b) => a - b)[1]!.toFixed(0)} ms`);
  }, 600_000);

  it('copies a directory of 1,000 small files in one command', async () => {
    vfs.mkdir('/home/user/many');
    for (let i = 0; i < 1000; i++) vfs.writeFile(`/home/user/many/f${i}`, 'x'.repeat(100));
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const calls = Object.values(server.counts).reduce((a, b) => a + b, 0);
      const r = await run('cp', '-r', '/home/user/many', `/home/user/copy${i}`);
      expect(vfs.readdir(`/home/user/copy${i}`).length).toBe(1000);
      runs.push(r.ms);
      const after = Object.values(server.counts).reduce((a, b) => a + b, 0);
      console.log(`cp -r of 1000 small files [${ENTRY}]: ${r.ms.toFixed(0)} ms, ${after - calls} RPCs`);
    }
    console.log(`median small [${ENTRY}]: ${runs.sort((a, b) => a - b)[1]!.toFixed(0)} ms`);
  }, 600_000);
});

describe.runIf(process.env.HOSTFS_BENCH)('server read path (no SDK): copy vs readInto', () => {
  it('answers reads straight into the reply buffer', () => {
    const vfs = new Vfs({ maxBytes: 1 << 30 });
    vfs.writeFile('/big', new Uint8Array(64 * MB));
    const sab = new SharedArrayBuffer(512 * 1024);
    const ctl = new Int32Array(sab, 0, 2);
    const req = (args: unknown[]) => {
      ctl[0] = 0;
      return { type: 'wasmer-filesystem-rpc' as const, mount: 1, method: 'read', args, response: sab, binary: true };
    };
    // A server with onCall takes the generic path (backend read → copy into the buffer).
    const servers = { copy: new HostFsServer({ onCall: () => undefined }), into: new HostFsServer() };
    const handles: Record<string, number> = {};
    for (const [k, s] of Object.entries(servers)) {
      s.mount(1, new VfsBackend(() => vfs));
      handles[k] = s.call(1, 'open', ['big', true, false, false, false, false, false]) as number;
    }
    for (const [len, n] of [
      [4096, 5000],
      [262144, 100],
    ] as const) {
      const best: Record<string, number> = { copy: 1e9, into: 1e9 };
      for (let k = 0; k < 7; k++) {
        for (const [name, s] of Object.entries(servers)) {
          const t = performance.now();
          for (let i = 0; i < n; i++) s.handle(req([handles[name], (i * len) % (60 * MB), len]));
          best[name] = Math.min(best[name]!, ((performance.now() - t) * 1000) / n);
        }
      }
      console.log(`read ${len}: copy ${best.copy!.toFixed(1)} µs, readInto ${best.into!.toFixed(1)} µs (best of 7)`);
    }
  });
});
