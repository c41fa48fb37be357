// The persistent store's pack files in real Chromium OPFS: a tree of thousands of distinct files
// is stored in a handful of OPFS files (not one per object), reopens byte for byte, and small
// later commits keep the number of packs bounded. Timings are reported, never asserted.
import { test, expect, ready } from './fixtures';

/** The page helpers both tests use, defined once (before any page script) rather than in each evaluate body. */
interface TreeHelpers {
  /** `count` files of random bytes, `base + (i % mod) * step` long, under /home/user/t/d(i % dirs)/. */
  randomTree(
    count: number,
    base: number,
    step: number,
    mod: number,
    dirs: number,
  ): { path: string; data: Uint8Array }[];
  /** SHA-256 of the bytes, as hex. */
  sha256(d: Uint8Array): Promise<string>;
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    const helpers: TreeHelpers = {
      randomTree: (count, base, step, mod, dirs) =>
        Array.from({ length: count }, (_, i) => {
          const data = new Uint8Array(base + (i % mod) * step);
          for (let at = 0; at < data.length; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536));
          return { path: `/home/user/t/d${i % dirs}/f${i}.bin`, data };
        }),
      sha256: async (d) =>
        Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', d as Uint8Array<ArrayBuffer>)), (b) =>
          b.toString(16).padStart(2, '0'),
        ).join(''),
    };
    (globalThis as unknown as { storeSpeed: TreeHelpers }).storeSpeed = helpers;
  });
});

test('a tree of 3,000 distinct files persists in a few OPFS pack files and reopens intact', async ({ page }) => {
  test.setTimeout(180_000);
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const { randomTree, sha256: sum } = (globalThis as unknown as { storeSpeed: TreeHelpers }).storeSpeed;
    const id = `store-speed-${Date.now()}`;
    const files = randomTree(3000, 4096, 1000, 7, 30);
    const sb = await Sandbox.create({ id, persistence: 'opfs', fsLimitBytes: 1 << 30 });
    await sb.files.writeFiles(files);
    let t = performance.now();
    await sb.save();
    const saveMs = performance.now() - t;
    // Small commits, as autosave makes after commands: each adds a pack, compaction merges them.
    for (let i = 0; i < 40; i++) {
      await sb.files.write(`/home/user/t/d0/f0.bin`, new TextEncoder().encode(`edit ${i}`));
      await sb.save();
    }
    await sb.destroy();
    // (keys() is missing from this TypeScript's DOM typings.)
    const dir = (await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('sandpit')
    ).getDirectoryHandle(id)) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
    const names: string[] = [];
    for await (const n of dir.keys()) names.push(n);
    t = performance.now();
    const again = await Sandbox.open(id);
    const openMs = performance.now() - t;
    const bad: string[] = [];
    for (const f of files.slice(1)) {
      if (!(f.path.endsWith('7.bin') || f.path.endsWith('0.bin'))) continue; // a sample of ~600
      const back = await again.files.read(f.path, { format: 'bytes' });
      if ((await sum(back)) !== (await sum(f.data))) bad.push(f.path);
    }
    const edited = await again.files.read('/home/user/t/d0/f0.bin');
    const count = (await again.commands.run('find /home/user/t -type f | wc -l')).stdout.trim();
    await again.destroy({ purge: true });
    return { names, bad, edited, count, saveMs, openMs };
  });
  console.log(
    `[store-speed] save of 3,000 files ${out.saveMs.toFixed(0)} ms, open ${out.openMs.toFixed(0)} ms; files: ${out.names.join(' ')}`,
  );
  expect(out.bad).toEqual([]);
  expect(out.edited).toBe('edit 39');
  expect(out.count).toBe('3000');
  expect(out.names.filter((n) => n.startsWith('obj~'))).toEqual([]);
  expect(out.names.filter((n) => n.startsWith('root.')).sort()).toEqual(['root.0', 'root.1']);
  // One or two packs for the tree, plus at most the bounded set of small packs (MAX_PACKS = 32).
  const packs = out.names.filter((n) => n.startsWith('pack~'));
  expect(packs.length).toBeGreaterThan(0);
  expect(packs.length).toBeLessThanOrEqual(33);
});

test('an export of 2,000 distinct files is version 4, imports byte for byte, and its packs are format 2', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const { Sandbox } = (globalThis as any).sandpit;
    const { randomTree, sha256: sum } = (globalThis as unknown as { storeSpeed: TreeHelpers }).storeSpeed;
    const id = `store-speed-v3-${Date.now()}`;
    const files = randomTree(2000, 10240, 3, 5, 20); // some lengths not a multiple of 4
    const sb = await Sandbox.create({ id, persistence: 'opfs', fsLimitBytes: 1 << 30 });
    await sb.files.writeFiles(files);
    await sb.save();
    let t = performance.now();
    const blob: Blob = await sb.exportState();
    const exportMs = performance.now() - t;
    const head = new Uint8Array(await blob.slice(0, 16).arrayBuffer());
    t = performance.now();
    const copy = await Sandbox.importState(blob);
    const importMs = performance.now() - t;
    const bad: string[] = [];
    for (const f of files.filter((_, i) => i % 37 === 0)) {
      const back = await copy.files.read(f.path, { format: 'bytes' });
      if ((await sum(back)) !== (await sum(f.data))) bad.push(f.path);
    }
    await copy.destroy({ purge: true });
    await sb.destroy();
    const dir = (await (
      await (await navigator.storage.getDirectory()).getDirectoryHandle('sandpit')
    ).getDirectoryHandle(id)) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
    const magics: string[] = [];
    for await (const n of dir.keys()) {
      if (!n.startsWith('pack~')) continue;
      const f = await (await dir.getFileHandle(n)).getFile();
      magics.push(Array.from(new Uint8Array(await f.slice(0, 8).arrayBuffer())).join(','));
    }
    const again = await Sandbox.open(id);
    const reopened = (await again.commands.run('find /home/user/t -type f | wc -l')).stdout.trim();
    await again.destroy({ purge: true });
    return { version: head[8], bad, magics: [...new Set(magics)], reopened, exportMs, importMs, size: blob.size };
  });
  console.log(
    `[store-speed] export of 2,000 files ${out.exportMs.toFixed(0)} ms (${(out.size / 1e6).toFixed(1)} MB), import ${out.importMs.toFixed(0)} ms`,
  );
  expect(out.version).toBe(4);
  expect(out.bad).toEqual([]);
  expect(out.magics).toEqual(['83,80,80,65,67,75,0,2']); // "SPPACK\0\2"
  expect(out.reopened).toBe('2000');
});
