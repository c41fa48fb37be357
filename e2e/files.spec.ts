// Streamed files end to end: Blob and ReadableStream writes, 'blob' and 'stream' reads, a 50 MB
// round trip compared by SHA-256, and a write that hits the quota leaving the old file intact.
import { test, expect, ready } from './fixtures';

test('50 MB stream write and read back, compared by hash; guests see the same bytes', async ({ page }) => {
  test.setTimeout(240_000);
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ fsLimitBytes: 200 << 20 });
    const total = 50 << 20;
    // A generated stream in uneven chunks (as a network response would be), hashed as it goes.
    let sent = 0;
    let x = 12345;
    const written: Uint8Array[] = [];
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= total) return c.close();
        const n = Math.min(total - sent, 300_000 + (sent % 7) * 1000);
        const chunk = new Uint8Array(n);
        for (let i = 0; i < n; i += 4) {
          x = (Math.imul(x, 1103515245) + 12345) | 0;
          chunk[i] = x >>> 24;
          chunk[i + 1] = x >>> 16;
        }
        written.push(chunk);
        sent += n;
        c.enqueue(chunk);
      },
    });
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((v) => v.toString(16).padStart(2, '0')).join('');
    const t0 = performance.now();
    await sb.files.write('/home/user/big.bin', source);
    const writeMs = performance.now() - t0;
    const expected = hex(await crypto.subtle.digest('SHA-256', await new Blob(written as BlobPart[]).arrayBuffer()));
    written.length = 0;

    const t1 = performance.now();
    const stream: ReadableStream<Uint8Array> = await sb.files.read('/home/user/big.bin', { format: 'stream' });
    const parts: Uint8Array[] = [];
    let chunks = 0;
    for await (const c of stream as any) {
      parts.push(c);
      chunks++;
    }
    const readMs = performance.now() - t1;
    const streamed = hex(await crypto.subtle.digest('SHA-256', await new Blob(parts as BlobPart[]).arrayBuffer()));
    parts.length = 0;
    const blob: Blob = await sb.files.read('/home/user/big.bin', { format: 'blob' });
    const viaBlob = hex(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
    const stat = await sb.files.stat('/home/user/big.bin');
    const guest = await sb.commands.run('wc -c < /home/user/big.bin; ls -a /home/user');
    await sb.destroy();
    return {
      expected,
      streamed,
      viaBlob,
      size: stat.size,
      blobSize: blob.size,
      chunks,
      writeMs,
      readMs,
      guest: guest.stdout,
    };
  });
  console.log(
    `50 MB: write ${out.writeMs.toFixed(0)} ms, stream read ${out.readMs.toFixed(0)} ms (${out.chunks} chunks)`,
  );
  expect(out.size).toBe(50 << 20);
  expect(out.blobSize).toBe(50 << 20);
  expect(out.streamed).toBe(out.expected);
  expect(out.viaBlob).toBe(out.expected);
  expect(out.chunks).toBeGreaterThan(1);
  expect(out.guest.split('\n')[0].trim()).toBe(String(50 << 20));
  expect(out.guest).not.toContain('sandpit-part');
});

test('Blob writes, blob reads, errors and quota', async ({ page }) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create({ fsLimitBytes: 8 << 20 });
    const small = new Blob(['hello ', 'blob']);
    await sb.files.write('/tmp/s.txt', small);
    const text = await sb.files.read('/tmp/s.txt');
    const big = new Blob([new Uint8Array(3 << 20).fill(7)]);
    await sb.files.write('/home/user/deep/dir/b.bin', big);
    const back: Blob = await sb.files.read('/home/user/deep/dir/b.bin', { format: 'blob' });
    const backBytes = new Uint8Array(await back.arrayBuffer());
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: any) => e.code,
      );
    const missing = await code(sb.files.read('/nope', { format: 'stream' }));
    const dir = await code(sb.files.read('/home/user', { format: 'blob' }));
    // Over the quota: the old file stays as it was, and no part file is left behind.
    const tooBig = new Blob([new Uint8Array(7 << 20).fill(1)]);
    const enospc = await code(sb.files.write('/home/user/deep/dir/b.bin', tooBig));
    const after = await sb.files.read('/home/user/deep/dir/b.bin', { format: 'bytes' });
    const listing = (await sb.files.list('/home/user/deep/dir')).map((e: any) => e.name);
    // A stream that fails half way leaves nothing behind either.
    const failing = new ReadableStream({
      start(c) {
        c.enqueue(new Uint8Array(2 << 20));
        c.error(new Error('source broke'));
      },
    });
    const broke = await sb.files.write('/tmp/partial.bin', failing).then(
      () => 'ok',
      (e: any) => e.message,
    );
    const partial = await sb.files.exists('/tmp/partial.bin');
    const tmp = await sb.commands.run('ls -a /tmp');
    const bad = await code(
      sb.files.write('/tmp/x', new ReadableStream({ start: (c) => (c.enqueue('str' as any), c.close()) })),
    );
    await sb.destroy();
    return {
      text,
      size: back.size,
      allSevens: backBytes.every((v) => v === 7),
      missing,
      dir,
      enospc,
      afterSize: after.length,
      afterSevens: after.every((v: number) => v === 7),
      listing,
      broke,
      partial,
      tmp: tmp.stdout,
      bad,
    };
  });
  expect(out.text).toBe('hello blob');
  expect(out.size).toBe(3 << 20);
  expect(out.allSevens).toBe(true);
  expect(out.missing).toBe('ENOENT');
  expect(out.dir).toBe('EISDIR');
  expect(out.enospc).toBe('ENOSPC');
  expect(out.afterSize).toBe(3 << 20);
  expect(out.afterSevens).toBe(true);
  expect(out.listing).toEqual(['b.bin']);
  expect(out.broke).toContain('source broke');
  expect(out.partial).toBe(false);
  expect(out.tmp).not.toContain('sandpit-part');
  expect(out.bad).toBe('EINVAL');
});

test('fsLimitFiles: the file-count limit is exact for guests and the files API, and kept on reopen', async ({
  page,
}) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const id = `files-limit-${Date.now()}`;
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: any) => e.code,
      );
    const sb = await Sandbox.create({ id, persistence: 'indexeddb', fsLimitFiles: 60 });
    const start = (await sb.metrics()).fileCount;
    // The guest makes files until the limit refuses one.
    const guest = await sb.commands.run('i=0; while echo x > /tmp/f$i; do i=$((i+1)); done; echo "made=$i"');
    const full = await sb.metrics();
    const api = await code(sb.files.write('/tmp/one-more', 'x'));
    const dir = await code(sb.files.mkdir('/tmp/d'));
    // Removing one file makes room for exactly one.
    await sb.files.remove('/tmp/f0');
    const again = await code(sb.files.write('/tmp/one-more', 'x'));
    const over = await code(sb.files.write('/tmp/two-more', 'x'));
    await sb.destroy();
    const reopened = await Sandbox.open(id, { fsLimitFiles: 60 });
    const kept = await code(reopened.files.write('/tmp/three-more', 'x'));
    const m = await reopened.metrics();
    await reopened.destroy();
    await Sandbox.delete(id);
    return { start, guest: guest.stdout + guest.stderr, full, api, dir, again, over, kept, reopened: m };
  });
  expect(out.guest).toMatch(new RegExp(`^made=${60 - out.start}\\n.*No space left on device`, 's'));
  expect(out.full.fileCount).toBe(60);
  expect(out.full.fsLimitFiles).toBe(60);
  expect(out.api).toBe('ENOSPC');
  expect(out.dir).toBe('ENOSPC');
  expect(out.again).toBe('ok');
  expect(out.over).toBe('ENOSPC');
  expect(out.kept).toBe('ENOSPC');
  expect(out.reopened.fileCount).toBe(60);
  expect(out.reopened.fsLimitFiles).toBe(60);
});
