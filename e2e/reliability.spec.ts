// Reliability in headless Chromium: hostile programs are bounded and leave the same sandbox
// and another sandbox on the page working; corrupt blobs never import; crash safety of a
// persisted sandbox; multi-tab locking; load. Figures are printed as `[reliability] …` lines
// and recorded in docs/reliability.md. Counts are scaled for CI (RELIABILITY_FULL=1 for the
// full-size local run).
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { openV3, sealV3 } from '../src/worker/store/container-v3';
import { REC_END } from '../src/worker/store/payload-v2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FULL = !!process.env.RELIABILITY_FULL;

async function ready(page: Page, url = '/'): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => 'sandpit' in globalThis);
}

function report(name: string, value: unknown): void {
  console.log(`[reliability] ${name}: ${JSON.stringify(value)}`);
  test.info().annotations.push({ type: name, description: JSON.stringify(value) });
}

interface Hostile {
  command: string;
  run: Record<string, unknown>;
  setup?: string;
  create?: Record<string, unknown>;
}

/** Runs `command` in sandbox A, then checks A and a second sandbox B still run commands and keep files. */
async function hostile(page: Page, h: Hostile) {
  return page.evaluate(async (h: Hostile) => {
    const { Sandbox } = (globalThis as any).sandpit;
    const a = await Sandbox.create(h.create ?? {});
    const b = await Sandbox.create();
    await a.files.write('/home/user/keep.txt', 'kept-a');
    await b.files.write('/home/user/keep.txt', 'kept-b');
    if (h.setup) await a.commands.run(h.setup);
    const memoryBefore = (await a.metrics()).memoryBytes;
    const t0 = performance.now();
    let result: any;
    let error: any = null;
    try {
      result = await a.commands.run(h.command, h.run);
    } catch (e: any) {
      error = { code: e.code, message: String(e.message).slice(0, 200) };
    }
    const wallMs = Math.round(performance.now() - t0);
    const afterA = await a.commands.run('echo ok-a; cat keep.txt', { timeoutMs: 30_000 });
    const afterB = await b.commands.run('echo ok-b; cat keep.txt', { timeoutMs: 30_000 });
    const out = {
      error,
      wallMs,
      reason: result?.reason,
      exitCode: result?.exitCode,
      durationMs: result && Math.round(result.durationMs),
      truncated: result?.truncated,
      stdoutLen: result?.stdout.length,
      stderr: result?.stderr.slice(0, 300),
      afterA: afterA.stdout,
      afterB: afterB.stdout,
      metrics: await a.metrics(),
      memoryBefore,
    };
    await a.destroy();
    await b.destroy();
    return out;
  }, h);
}

function stillWorks(out: { afterA: string; afterB: string }): void {
  expect(out.afterA).toBe('ok-a\nkept-a');
  expect(out.afterB).toBe('ok-b\nkept-b');
}

test.describe('hostile programs are bounded and the page goes on', () => {
  test('infinite loop: killed at the timeout', async ({ page }) => {
    await ready(page);
    const lat: number[] = [];
    for (const timeoutMs of [500, 1000, 2000]) {
      const out = await hostile(page, { command: 'while :; do :; done', run: { timeoutMs } });
      expect(out.reason).toBe('timeout');
      expect(out.exitCode).toBe(124);
      stillWorks(out);
      lat.push(out.durationMs - timeoutMs);
    }
    report('kill latency over timeout, infinite loop (ms)', lat);
    for (const l of lat) expect(l).toBeLessThanOrEqual(200);
  });

  test('fork bomb: bounded by the timeout', async ({ page }) => {
    // The bomb's shell returns at once; its orphans go on forking. Its process tree is capped
    // (fork → EAGAIN past 32) and killed at its deadline (docs/processes.md); A and B go on.
    await ready(page);
    const out = await hostile(page, { command: ':(){ :|:& };:', run: { timeoutMs: 3000 } });
    report('fork bomb', { reason: out.reason, exitCode: out.exitCode, durationMs: out.durationMs, error: out.error });
    expect(out.error).toBeNull();
    expect(out.durationMs).toBeLessThan(3000 + 2000);
    stillWorks(out);
  });

  // Was a bug: after a bomb or two, the next command of a new sandbox (and of another one)
  // came back at once, empty, exit 0 or 1. Each bomb's ended processes left their wasm
  // memories reserved in idle SDK workers (nothing collected them), the page ran out of address
  // space for memories, an SDK worker failed to allocate one, and that ended the SDK's whole
  // pool ("Scheduler is dead"). Memories held are now counted and collected under pressure
  // (guest-limits.ts, docs/processes.md).
  test('fork bomb: three in a row on one page, each ended, nothing accumulates', async ({ page }) => {
    // The engine is never restarted, and no SDK worker fails to allocate a memory.
    const engineTrouble: string[] = [];
    const watch = (text: string) => {
      if (/restarting the wasm engine|could not allocate memory|Scheduler is dead/.test(text)) engineTrouble.push(text);
    };
    page.on('console', (m) => watch(m.text()));
    page.on('worker', (w) => w.on('console', (m) => watch(m.text())));
    await ready(page);
    for (let i = 0; i < 3; i++) stillWorks(await hostile(page, { command: ':(){ :|:& };:', run: { timeoutMs: 3000 } }));
    expect(engineTrouble).toEqual([]);
  });

  test('memory growth: bash string doubling ends at the wasm limit', async ({ page }) => {
    await ready(page);
    const out = await hostile(page, { command: 's=x; while :; do s=$s$s; done', run: { timeoutMs: 30_000 } });
    report('bash memory growth', {
      reason: out.reason,
      exitCode: out.exitCode,
      durationMs: out.durationMs,
      stderr: out.stderr,
      memoryBytes: out.metrics.memoryBytes,
    });
    expect(out.error).toBeNull();
    stillWorks(out);
  });

  test('memory growth: python list of 1 MB strings ends at the wasm limit', async ({ page }) => {
    // Was a bug (exit 0, empty stderr): python's memory growth now ends in MemoryError.
    await ready(page);
    const out = await hostile(page, {
      command: `python3 -c "a=[]\nwhile True: a.append(' '*10**6)"`,
      run: { timeoutMs: 30_000 },
    });
    report('python memory growth', {
      reason: out.reason,
      exitCode: out.exitCode,
      durationMs: out.durationMs,
      stderr: out.stderr?.slice(-200),
    });
    expect(out.error).toBeNull();
    expect(out.exitCode).not.toBe(0);
    stillWorks(out);
  });

  test('a flood of output is truncated at maxOutputBytes', async ({ page }) => {
    // 1 GB asked for; pipes here carry ~2.5 MB/s from `yes` (it writes 2 bytes at a time) and
    // ~12 MB/s from /dev/zero, so the timeout, not the size, ends it: the output cap keeps what
    // the page holds bounded, and the engine's memory is recorded (docs/reliability.md).
    test.setTimeout(FULL ? 300_000 : 120_000);
    await ready(page);
    const timeoutMs = FULL ? 60_000 : 10_000;
    const flood: Record<string, unknown>[] = [];
    for (const command of ['yes | head -c 1000000000', 'head -c 1000000000 /dev/zero']) {
      const out = await hostile(page, { command, run: { timeoutMs, maxOutputBytes: 1 << 20 } });
      const growthMB = +((out.metrics.memoryBytes - out.memoryBefore) / 1e6).toFixed(1);
      flood.push({ command, reason: out.reason, durationMs: out.durationMs, kept: out.stdoutLen, growthMB });
      expect(out.truncated).toBe(true);
      expect(out.stdoutLen).toBeLessThanOrEqual(1 << 20);
      expect(['timeout', 'exited']).toContain(out.reason);
      // Not flat: the engine's memory grows for as long as the flood lasts, fastest through a
      // pipe (4-14 MB/s measured for `yes | head`, 16-36 MB/s in CI runs since process trees;
      // see docs/reliability.md). A leak of the output itself (1 GB) would pass these bounds
      // many times over.
      expect(growthMB).toBeLessThan(FULL ? 1536 : 512);
      stillWorks(out);
    }
    report(`1 GB of output, timeout ${timeoutMs} ms`, flood);
    // Kill latency under a flood (issue #5: stopped within 200 ms of its timeout): three runs,
    // the median held to the target, each bounded (one slow run on a loaded machine is noise).
    const lat: number[] = [];
    for (let i = 0; i < 3; i++) {
      const zero = await hostile(page, { command: 'cat /dev/zero', run: { timeoutMs: 2000, maxOutputBytes: 1 << 16 } });
      expect(zero.reason).toBe('timeout');
      expect(zero.truncated).toBe(true);
      expect(zero.stdoutLen).toBeLessThanOrEqual(1 << 16);
      expect(zero.durationMs).toBeLessThanOrEqual(2000 + 3000);
      stillWorks(zero);
      lat.push(zero.durationMs - 2000);
    }
    report('kill latency over timeout, cat /dev/zero (ms)', lat);
    expect(lat.sort((a, b) => a - b)[1]).toBeLessThanOrEqual(200);
  });

  test('deep recursion: bash and python fail cleanly', async ({ page }) => {
    // Was a bug (UNSUPPORTED, JS stack overflow): bash now stops at FUNCNEST=100, python at its limit.
    await ready(page);
    const bash = await hostile(page, { command: 'f(){ f; }; f', run: { timeoutMs: 30_000 } });
    report('bash deep recursion', {
      error: bash.error,
      reason: bash.reason,
      exitCode: bash.exitCode,
      durationMs: bash.durationMs,
      stderr: bash.stderr,
    });
    expect(bash.error).toBeNull();
    expect(bash.exitCode).not.toBe(0);
    stillWorks(bash);
    const py = await hostile(page, {
      command: `python3 -c "import sys
sys.setrecursionlimit(10**6)
def f(n): return f(n+1)
f(0)"`,
      run: { timeoutMs: 30_000 },
    });
    report('python deep recursion (limit 10^6)', {
      error: py.error,
      reason: py.reason,
      exitCode: py.exitCode,
      durationMs: py.durationMs,
      stderr: py.stderr?.slice(-200),
    });
    expect(py.error).toBeNull();
    expect(py.exitCode).not.toBe(0);
    stillWorks(py);
  });

  test('many files, then the byte quota: ENOSPC', async ({ page }) => {
    await ready(page);
    const n = FULL ? 100_000 : 20_000;
    const out = await hostile(page, {
      command: `mkdir many && python3 -c "[open(f'many/f{i}', 'w').close() for i in range(${n})]" && ls many | wc -l`,
      run: { timeoutMs: 110_000 },
    });
    report(`${n} files by python`, {
      durationMs: out.durationMs,
      exitCode: out.exitCode,
      fileCount: out.metrics.fileCount,
      stderr: out.stderr,
    });
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toBe('');
    stillWorks(out);
    const quota = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const sb = await Sandbox.create({ fsLimitBytes: 1 << 20 });
      const r = await sb.commands.run('head -c 2000000 /dev/zero > big; echo "exit=$?"');
      let code = null;
      try {
        await sb.files.write('/home/user/big2', new Uint8Array(2 << 20));
      } catch (e: any) {
        code = e.code;
      }
      await sb.files.write('/home/user/small', 'fits');
      const small = await sb.files.read('/home/user/small');
      const m = await sb.metrics();
      await sb.destroy();
      return { r: r.stdout + r.stderr, code, small, fsBytes: m.fsBytes };
    });
    report('byte quota 1 MiB', quota);
    expect(quota.code).toBe('ENOSPC');
    expect(quota.r).toMatch(/exit=1/);
    expect(quota.small).toBe('fits');
    expect(quota.fsBytes).toBeLessThanOrEqual(1 << 20);
  });

  test('files until the file-count limit: the guest gets an error, the files API ENOSPC', async ({ page }) => {
    // A guest that tries to make a million files stops at the file-count limit (fsLimitFiles:
    // the default 100,000 with RELIABILITY_FULL=1, ~3 minutes here; 5,000 in CI).
    test.setTimeout(FULL ? 600_000 : 120_000);
    await ready(page);
    const limit = FULL ? 100_000 : 5_000;
    const out = await page.evaluate(async (limit) => {
      const { Sandbox } = (globalThis as any).sandpit;
      const a = await Sandbox.create({ fsLimitFiles: limit });
      const b = await Sandbox.create();
      await b.files.write('/home/user/keep.txt', 'kept-b');
      const r = await a.commands.run(
        `mkdir many && python3 -c "
import os, time
t = time.time(); n = 0
try:
    while n < 1000000:
        open(f'many/f{n}', 'w').close(); n += 1
except OSError as e:
    print(n, e.errno, os.strerror(e.errno), round(time.time() - t, 1))
"`,
        { timeoutMs: 500_000 },
      );
      let api = 'no error';
      try {
        await a.files.write('/home/user/one-more', 'x');
      } catch (e: any) {
        api = e.code;
      }
      // Existing files can still be written and removed; removing one makes room for one.
      await a.files.write('/home/user/many/f0', 'still writable');
      await a.files.remove('/home/user/many/f1');
      await a.files.write('/home/user/one-more', 'fits now');
      const m = await a.metrics();
      const afterA = (await a.commands.run('cat many/f0; echo; cat one-more', { timeoutMs: 60_000 })).stdout;
      const afterB = (await b.commands.run('echo ok-b; cat keep.txt', { timeoutMs: 60_000 })).stdout;
      await a.destroy();
      await b.destroy();
      return {
        guest: r.stdout.trim(),
        stderr: r.stderr.slice(0, 300),
        durationMs: Math.round(r.durationMs),
        api,
        fileCount: m.fileCount,
        afterA,
        afterB,
      };
    }, limit);
    report(`files until the file-count limit (${limit})`, out);
    const [made, errno] = out.guest.split(' ').map(Number);
    // The default layout and `many` itself count too.
    expect(made).toBeGreaterThan(limit - 100);
    expect(made).toBeLessThan(limit);
    // WASI errno 51: ENOSPC (compat asks the kernel why a create failed; the SDK alone says EIO).
    expect(errno).toBe(51);
    expect(out.api).toBe('ENOSPC');
    expect(out.afterA).toBe('still writable\nfits now');
    expect(out.afterB).toBe('ok-b\nkept-b');
  });

  test('symlink loop: the files API fails with a code, the guest with ELOOP', async ({ page }) => {
    // A guest's `ln -s` goes to the kernel VFS (compat's symlink wrapper, docs/hostfs-protocol.md),
    // so the files API sees the same loop the guest does.
    await ready(page);
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const r = await sb.commands.run('ln -s a b && ln -s b a && cat a; echo "exit=$?"');
      const codes: Record<string, unknown> = {};
      for (const [name, f] of Object.entries({
        read: () => sb.files.read('/home/user/a'),
        write: () => sb.files.write('/home/user/a', 'x'),
        list: () => sb.files.list('/home/user/a/x'),
        mkdir: () => sb.files.mkdir('/home/user/a/sub'),
      })) {
        try {
          await (f as () => Promise<unknown>)();
          codes[name] = 'no error';
        } catch (e: any) {
          codes[name] = e.code;
        }
      }
      const stat = await sb.files.stat('/home/user/a');
      const after = await sb.commands.run('echo ok');
      await sb.destroy();
      return { guest: r.stdout + r.stderr, codes, stat: stat.type, after: after.stdout };
    });
    report('symlink loop', out);
    expect(out.guest).toMatch(/exit=1/);
    for (const c of Object.values(out.codes)) expect(['EINVAL', 'ELOOP']).toContain(c);
    expect(out.stat).toBe('symlink');
    expect(out.after).toBe('ok\n');
  });

  test('reading /dev/urandom forever: killed at the timeout', async ({ page }) => {
    await ready(page);
    const out = await hostile(page, { command: 'cat /dev/urandom > /dev/null', run: { timeoutMs: 1000 } });
    report('kill latency over timeout, cat /dev/urandom (ms)', out.durationMs - 1000);
    expect(out.reason).toBe('timeout');
    expect(out.durationMs - 1000).toBeLessThanOrEqual(200);
    stillWorks(out);
  });
});

test.describe('blob import fuzzing', () => {
  test('truncated, bit-flipped, oversized and foreign blobs are CORRUPT and no sandbox appears', async ({ page }) => {
    await ready(page);
    const rounds = FULL ? 300 : 60;
    const good = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const sb = await Sandbox.create();
      await sb.commands.run('mkdir -p d && seq 1 5000 > d/n.txt && echo hi > a');
      await sb.snapshot({ name: 's' });
      const bytes = new Uint8Array(await (await sb.exportState()).arrayBuffer());
      await sb.destroy();
      return Array.from(bytes);
    });
    // Damage behind valid checksums (built here, with the format's own sealing): every record
    // and the trailer check out, so only the decoding after them can catch it.
    const { records, rawLen } = openV3(new Uint8Array(good), 1 << 30);
    const endOf = (n: number) => ({ type: REC_END, body: [new Uint8Array(new Uint32Array([n]).buffer)] });
    const resealed = (recs: { type: number; body: Uint8Array }[], raw = rawLen) =>
      Array.from(sealV3([...recs.map((r) => ({ type: r.type, body: [r.body] })), endOf(recs.length)], raw));
    let seed = 777;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const reframed = Array.from({ length: Math.ceil(rounds / 5) }, () => {
      const recs = records.map((r) => ({ type: r.type, body: r.body.slice() }));
      const r = recs[rnd(recs.length)]!;
      // Random bytes, not a bit flip: behind a valid checksum a flipped digit of an mtime is
      // a valid file that says something else (catching that is the checksums' job).
      crypto.getRandomValues(r.body.subarray(0, Math.min(r.body.length, 65536)));
      return resealed(recs);
    });
    // Oversized: valid checksums on a file that declares 2 GiB of decoded payload.
    const oversized = resealed(records, 2 ** 31);
    const out = await page.evaluate(
      async ({ rounds, good: goodArr, reframed, oversized }) => {
        const { Sandbox } = (globalThis as any).sandpit;
        const good = new Uint8Array(goodArr);
        let seed = 12345;
        const rnd = (n: number) => {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          return seed % n;
        };
        const cases: { kind: string; bytes: Uint8Array }[] = [];
        for (let i = 0; i < rounds; i++) {
          const kind = ['truncate', 'flip', 'append', 'foreign', 'reframed'][i % 5]!;
          let bytes: Uint8Array;
          if (kind === 'truncate') bytes = good.slice(0, rnd(good.length));
          else if (kind === 'flip') {
            bytes = good.slice();
            const pos = rnd(bytes.length);
            bytes[pos] = bytes[pos]! ^ (1 << rnd(8));
          } else if (kind === 'append') {
            bytes = new Uint8Array(good.length + 1 + rnd(100));
            bytes.set(good);
          } else if (kind === 'foreign') {
            const n = rnd(4);
            bytes =
              n === 0
                ? crypto.getRandomValues(new Uint8Array(1 + rnd(4096)))
                : n === 1
                  ? new TextEncoder().encode('{"format":"sandpit-state","version":1}')
                  : n === 2
                    ? new Uint8Array([0x50, 0x4b, 3, 4, ...new Uint8Array(100)])
                    : new Uint8Array(0);
          } else bytes = new Uint8Array(reframed[Math.floor(i / 5) % reframed.length]!);
          cases.push({ kind, bytes });
        }
        cases.push({ kind: 'oversized', bytes: new Uint8Array(oversized) });
        // Oversized for real: 64 MiB of zeros behind a valid magic.
        const huge = new Uint8Array(64 << 20);
        huge.set(good.subarray(0, 32));
        cases.push({ kind: 'huge', bytes: huge });
        const before = JSON.stringify(await Sandbox.list());
        const results: Record<string, Record<string, number>> = {};
        const t0 = performance.now();
        for (const c of cases) {
          let code = 'imported';
          try {
            const s = await Sandbox.importState(new Blob([c.bytes.slice()]), { id: `fuzz-${Math.random()}` });
            await s.destroy({ purge: true });
          } catch (e: any) {
            code = e.code ?? `no code: ${e}`;
          }
          results[c.kind] ??= {};
          results[c.kind]![code] = (results[c.kind]![code] ?? 0) + 1;
        }
        const ms = performance.now() - t0;
        const after = JSON.stringify(await Sandbox.list());
        // The good blob still imports.
        const ok = await Sandbox.importState(new Blob([good]));
        const check = (await ok.commands.run('wc -l < d/n.txt; tail -1 d/n.txt; cat a')).stdout;
        await ok.destroy();
        return { results, listUnchanged: before === after, check, n: cases.length, ms: Math.round(ms) };
      },
      { rounds, good, reframed, oversized },
    );
    report('blob fuzzing', out);
    for (const [kind, codes] of Object.entries(out.results)) {
      expect(Object.keys(codes), kind).toEqual(['CORRUPT']);
    }
    expect(out.listUnchanged).toBe(true);
    expect(out.check).toBe('5000\n5000\nhi\n');
  });
});

test.describe('crash safety', () => {
  test('closing the page while an opfs sandbox writes never leaves a torn tree', async ({ context }) => {
    const rounds = FULL ? 50 : 10;
    // ~10 s a round on this machine (the 50-round run: 8.3-9.2 min), ~12 s under load.
    test.setTimeout(rounds * 20_000);
    const id = `crash-${Date.now()}`;
    const seen: string[] = [];
    let seed = 99;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const CRASH_LOG = !!process.env.CRASH_LOG;
    for (let round = 0; round < rounds; round++) {
      const page = await context.newPage();
      if (CRASH_LOG) page.on('console', (m) => m.text().startsWith('[crash]') && console.log(`r${round} ${m.text()}`));
      const t0 = Date.now();
      // The API page: the playground's own sandbox would only add load.
      await ready(page, '/?api');
      if (CRASH_LOG) console.log(`r${round} ready ${Date.now() - t0} ms`);
      // Reopen: the tree must be some committed state: every file listed in the manifest has
      // the hash written beside it, in the same command.
      const state = await page.evaluate(async (id) => {
        const { Sandbox } = (globalThis as any).sandpit;
        const t = performance.now();
        const log = (what: string) => console.log(`[crash] ${what} ${Math.round(performance.now() - t)} ms`);
        const listed = (await Sandbox.list()).some((s: any) => s.id === id);
        log('listed');
        const sb = listed ? await Sandbox.open(id) : await Sandbox.create({ id, persistence: 'opfs' });
        log(`opened attached=${sb.attached}`);
        const check = await sb.commands.run(
          // (Named one by one: bash's glob `r*/manifest` does not expand here.)
          'cd /home/user; n=0; for i in $(seq 0 60); do m=r$i/manifest; [ -f "$m" ] || continue; n=$((n+1)); sha256sum -c "$m" >/dev/null 2>&1 || echo "TORN $m"; done; echo "GOOD $n"',
          { timeoutMs: 60_000 },
        );
        (globalThis as any).sb = sb;
        return { listed, check: check.stdout.trim() };
      }, id);
      seen.push(state.check.replace(/\n/g, ' '));
      expect(state.check, `round ${round}`).not.toMatch(/TORN/);
      // Start writing a large file (several MB) plus its hash list in one command, and close
      // the page at a random moment during it.
      const mb = 2 + rnd(6);
      const writing = page
        .evaluate(
          async ([round, mb]) => {
            const sb = (globalThis as any).sb;
            await sb.commands.run(
              // Each round writes its own folder; the manifest (hashes of the files written in
              // this same command) appears last, by rename. Any manifest found must verify.
              `cd /home/user; mkdir r${round}; head -c ${mb}000000 /dev/urandom > r${round}/big.bin; echo ${round} > r${round}/gen; sha256sum r${round}/big.bin r${round}/gen > r${round}/m.tmp; mv r${round}/m.tmp r${round}/manifest`,
              { timeoutMs: 60_000 },
            );
            await sb.destroy();
          },
          [round, mb],
        )
        .catch(() => {});
      // Odd rounds let the write finish and the sandbox close cleanly; even rounds cut it short.
      if (round % 2) await writing;
      else await page.waitForTimeout(50 + rnd(1500));
      await page.close();
    }
    const page = await context.newPage();
    await ready(page, '/?api');
    await page.evaluate(async (id) => {
      const { Sandbox } = (globalThis as any).sandpit;
      await Sandbox.delete(id);
    }, id);
    report(`crash rounds (${rounds})`, seen);
    // The finished writes were committed: later rounds found a complete state.
    expect(Number(seen.at(-1)!.split(' ')[1])).toBeGreaterThan(0);
  });
});

test.describe('storage pressure', () => {
  for (const persistence of ['opfs', 'indexeddb'] as const) {
    test(`quota exhausted while persisting (${persistence}): QUOTA, the last committed state intact`, async ({
      playwright,
    }) => {
      // A profile on disk: in the usual (off-the-record) test contexts Chromium keeps IndexedDB
      // in memory and does not hold it to the quota (measured: 8.7 MB stored under 1.2 MB).
      const use = test.info().project.use;
      const dir = await mkdtemp(join(tmpdir(), 'sandpit-quota-'));
      const context = await playwright.chromium.launchPersistentContext(dir, {
        ...use.launchOptions,
        baseURL: use.baseURL,
      });
      const page = await context.newPage();
      // The API page only: the playground's own sandbox would keep the kernel worker, and so
      // its IndexedDB connections, alive across the closes below.
      await ready(page, '/?api');
      const id = `quota-${persistence}-${Date.now()}`;
      const before = await page.evaluate(
        async ([id, persistence]) => {
          const sb = await (globalThis as any).sandpit.Sandbox.create({ id, persistence });
          await sb.files.write('/home/user/old.txt', 'old');
          await sb.commands.run('seq 1 20000 > seq.txt');
          await sb.destroy();
          return (await navigator.storage.estimate()).usage ?? 0;
        },
        [id, persistence],
      );
      // A real small quota for this origin: what is used now plus 1 MB.
      const cdp = await page.context().newCDPSession(page);
      const origin = new URL(page.url()).origin;
      const quotaSize = before + 1_000_000;
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize });
      // Chromium's IndexedDB keeps the quota it read while the origin's databases are in use
      // and for a moment after (measured: writes 0-1 s after the override were not held to
      // it, writes 6 s after were). The sandbox was closed above (and with it the kernel
      // worker), so its databases are idle.
      await page.waitForTimeout(6000);
      const full = await page.evaluate(async (id) => {
        const attempt = async (f: () => Promise<unknown>) => {
          try {
            await f();
            return 'ok';
          } catch (e: any) {
            return e.code ?? `no code: ${e}`;
          }
        };
        const sb = await (globalThis as any).sandpit.Sandbox.open(id);
        // Incompressible bytes, well past the quota, plus a change to a file already committed.
        const big = new Uint8Array(8 << 20);
        for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
        await sb.files.write('/home/user/big.bin', big);
        await sb.files.write('/home/user/old.txt', 'new');
        const save = await attempt(() => sb.save());
        // The sandbox goes on working in memory.
        const after = (await sb.commands.run('cat old.txt; wc -c < big.bin')).stdout;
        const destroy = await attempt(() => sb.destroy());
        return { save, after, destroy, usage: (await navigator.storage.estimate()).usage };
      }, id);
      // Reopen (the quota still small): the last committed state, not a part of the failed one.
      const { reopened, closeAfterReopen } = await page.evaluate(async (id) => {
        const sb = await (globalThis as any).sandpit.Sandbox.open(id);
        const r = await sb.commands.run('cat old.txt; wc -l < seq.txt; ls');
        // Closing saves; what the failed commits left behind may still fill the quota.
        const closed = await sb.destroy().then(
          () => 'ok',
          (e: any) => e.code,
        );
        return { reopened: r.stdout, closeAfterReopen: closed };
      }, id);
      // With the quota back, saving works again.
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });
      const recovered = await page.evaluate(async (id) => {
        const { Sandbox } = (globalThis as any).sandpit;
        const sb = await Sandbox.open(id);
        await sb.files.write('/home/user/old.txt', 'newer');
        await sb.destroy();
        const again = await Sandbox.open(id);
        const text = await again.files.read('/home/user/old.txt');
        await again.destroy({ purge: true });
        return text;
      }, id);
      await context.close();
      await rm(dir, { recursive: true, force: true });
      report(`quota ${persistence}`, { quotaSize, ...full, reopened, closeAfterReopen, recovered });
      expect(full.save).toBe('QUOTA');
      expect(full.after).toBe(`new${8 << 20}\n`);
      expect(reopened).toBe('old20000\nold.txt\nseq.txt\n');
      expect(['ok', 'QUOTA']).toContain(closeAfterReopen);
      expect(recovered).toBe('newer');
    });
  }
});

test.describe('kernel worker death', () => {
  test('after the worker is killed, a persisted sandbox reopens with its files; a memory one is CLOSED', async ({
    page,
  }) => {
    await ready(page);
    const out = await page.evaluate(async () => {
      const { Sandbox } = (globalThis as any).sandpit;
      const id = `death-${Date.now()}`;
      const events: unknown[] = [];
      const p = await Sandbox.create({ id, persistence: 'opfs', onRestart: (e: unknown) => events.push(e) });
      const m = await Sandbox.create();
      await p.commands.run('echo hello > a.txt; mkdir -p d; seq 3 > d/n');
      await p.save();
      await m.files.write('/home/user/x', 'mem');
      // In flight when the worker dies: rejected with CLOSED, not left hanging.
      const inflight = p.commands.run('sleep 5').then(
        () => 'resolved',
        (e: any) => e.code,
      );
      await new Promise((r) => setTimeout(r, 300));
      const killed = (globalThis as any).__sandpitKillKernel();
      const during = await inflight;
      const read = await p.files.read('/home/user/a.txt');
      const cmd = (await p.commands.run('wc -l < d/n; echo more >> a.txt; cat a.txt')).stdout;
      let mem: unknown = 'no error';
      try {
        await m.files.read('/home/user/x');
      } catch (e: any) {
        mem = { code: e.code, message: e.message };
      }
      const restarts = p.restarts;
      await p.destroy({ purge: true });
      await m.destroy();
      return { killed, during, read, cmd, mem, events, restarts };
    });
    report('kernel worker killed', out);
    expect(out.killed).toBe(true);
    expect(out.during).toBe('CLOSED');
    expect(out.read).toBe('hello\n');
    expect(out.cmd).toBe('3\nhello\nmore\n');
    expect(out.restarts).toBe(1);
    expect(out.events).toEqual([{ id: expect.stringMatching(/^death-/), reason: 'kernel-stopped', restarts: 1 }]);
    expect((out.mem as { code: string }).code).toBe('CLOSED');
    expect((out.mem as { message: string }).message).toMatch(/memory-only/);
  });
});

test.describe('multi-tab', () => {
  test('two pages open one persisted sandbox while writing: one writer, no corruption', async ({ context }) => {
    const id = `tabs-${Date.now()}`;
    const p1 = await context.newPage();
    await ready(p1);
    await p1.evaluate(async (id) => {
      const sb = await (globalThis as any).sandpit.Sandbox.create({ id, persistence: 'opfs' });
      (globalThis as any).sb = sb;
      await sb.files.write('/home/user/n.txt', '0');
    }, id);
    const p2 = await context.newPage();
    await ready(p2);
    // Page 1 writes in a loop while page 2 opens the same id.
    const writing = p1.evaluate(async () => {
      const sb = (globalThis as any).sb;
      for (let i = 1; i <= 30; i++) await sb.commands.run(`echo ${i} > n.txt; echo line${i} >> log.txt`);
      await sb.destroy();
      return 'done';
    });
    const second = await p2.evaluate(async (id) => {
      try {
        const sb = await (globalThis as any).sandpit.Sandbox.open(id);
        const r = await sb.commands.run('echo from-tab-2 >> log.txt; cat n.txt');
        (globalThis as any).sb = sb;
        return { opened: true, out: r.stdout };
      } catch (e: any) {
        return { opened: false, code: e.code };
      }
    }, id);
    expect(await writing).toBe('done');
    report('second tab', second);
    // Page 2 attaches to page 1 (its commands run there); it cannot get a writer of its own.
    if (!second.opened) expect(second.code).toBe('LOCKED');
    await p2.evaluate(async () => (globalThis as any).sb?.destroy());
    await p1.close();
    await p2.close();
    const p3 = await context.newPage();
    await ready(p3);
    const after = await p3.evaluate(async (id) => {
      const { Sandbox } = (globalThis as any).sandpit;
      const sb = await Sandbox.open(id);
      const r = await sb.commands.run('cat n.txt; grep -c "^line" log.txt; grep -c "^from-tab-2" log.txt');
      await sb.destroy();
      await Sandbox.delete(id);
      return r.stdout;
    }, id);
    // Every append survives, the attached tab's among them (both ran in page 1's kernel at once).
    expect(after).toBe(`30\n30\n${second.opened ? 1 : 0}\n`);
  });
});

test.describe('load', () => {
  test('a shell loop of 1,000 external commands runs to the end', async ({ page }) => {
    // Each guest process is a wasm memory (an address-space reservation of ~8 GiB, ~125 per
    // page); this was where "out of memory" showed up.
    test.setTimeout(600_000);
    await ready(page);
    const out = await page.evaluate(async () => {
      const sb = await (globalThis as any).sandpit.Sandbox.create();
      const r = await sb.commands.run('for i in $(seq 1000); do /usr/bin/true; done; echo ok', { timeoutMs: 500_000 });
      const after = await sb.commands.run('echo after');
      await sb.destroy();
      return {
        stdout: r.stdout,
        stderr: r.stderr.slice(0, 300),
        reason: r.reason,
        durationMs: Math.round(r.durationMs),
        after: after.stdout,
      };
    });
    report('1,000 /usr/bin/true in a bash loop', out);
    expect(out.stdout).toBe('ok\n');
    expect(out.after).toBe('after\n');
  });

  test('1,000 commands and 10,000 file operations in a row: memory stays bounded', async ({ page }) => {
    test.setTimeout(900_000);
    await ready(page);
    const commands = 1000;
    const fileOps = 10_000;
    const out = await page.evaluate(
      async ([commands, fileOps]) => {
        const heap = () => (performance as any).memory?.usedJSHeapSize ?? 0;
        const sb = await (globalThis as any).sandpit.Sandbox.create();
        // Warm up: the engine's pool and caches grow to their working size first.
        for (let i = 0; i < 50; i++) await sb.commands.run('true');
        const m0 = (await sb.metrics()).memoryBytes;
        const h0 = heap();
        const engineMB: number[] = [];
        let t0 = performance.now();
        for (let i = 0; i < commands; i++) {
          const r = await sb.commands.run(`echo ${i}`);
          if (r.stdout !== `${i}\n`) throw new Error(`command ${i}: ${r.stdout}`);
          if (i % 250 === 249) engineMB.push(+((await sb.metrics()).memoryBytes / 1e6).toFixed(1));
        }
        const cmdMs = performance.now() - t0;
        const m1 = (await sb.metrics()).memoryBytes;
        t0 = performance.now();
        for (let i = 0; i < fileOps; i++) {
          const p = `/home/user/load/f${Math.floor(i / 4) % 100}.txt`;
          if (i % 4 === 0) await sb.files.write(p, `v${i}`);
          else if (i % 4 === 1) await sb.files.read(p);
          else if (i % 4 === 2) await sb.files.stat(p);
          else await sb.files.list('/home/user/load');
        }
        const fileMs = performance.now() - t0;
        const m2 = (await sb.metrics()).memoryBytes;
        const h2 = heap();
        await sb.destroy();
        return {
          commands,
          fileOps,
          perCommandMs: +(cmdMs / commands).toFixed(2),
          perFileOpMs: +(fileMs / fileOps).toFixed(3),
          engineMemoryMB: [m0, m1, m2].map((b) => +(b / 1e6).toFixed(1)),
          engineMemoryEvery250CommandsMB: engineMB,
          pageHeapMB: [h0, h2].map((b) => +(b / 1e6).toFixed(1)),
        };
      },
      [commands, fileOps],
    );
    report('load', out);
    // Generous bounds: a leak per command or per file operation would pass them many times over.
    const [m0, m1, m2] = out.engineMemoryMB;
    expect(m0).toBeGreaterThan(0);
    expect(m1 - m0).toBeLessThan(128);
    expect(m2 - m0).toBeLessThan(128);
    expect(out.pageHeapMB[1]! - out.pageHeapMB[0]!).toBeLessThan(64);
  });
});
