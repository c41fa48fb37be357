// The pack layout of the store (root version 2): torn pack and root writes, reading and migrating
// version 1 stores (one key per object), compaction, and commits over a head never loaded.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import type { StorageBackend } from './backend';
import { fast128Hex, sha256Hex } from './hash';
import { MemoryBackend } from './memory';
import { ObjectCache, writeTree } from './objects';
import { PACK_PREFIX, parsePack } from './pack';
import { Repository, encodeRoot } from './repository';
import { dump, stateOf } from './store.test-helpers';

async function reopen(mem: StorageBackend) {
  const st = (await (await Repository.open(mem)).load())!;
  return { st, vfs: Vfs.fromRoot(st.root) };
}

/** Write `v` the way the version 1 store did: one 'obj/<sha256>' key per object, then a v1 root record. */
async function writeV1(mem: MemoryBackend, v: Vfs, seq: number, meta: unknown): Promise<void> {
  const tree = await writeTree(
    v.snapshot().root,
    new ObjectCache(),
    (h) => mem.data.has('obj/' + h),
    async (h, b) => mem.save('obj/' + h, b),
    { pageAddress: sha256Hex },
  );
  const rec = { format: 'sandpit-root' as const, version: 1 as const, seq, savedAt: 1, tree, snapshots: [], meta };
  await mem.save(`root.${seq % 2}`, await encodeRoot(rec));
}

function sample(): Vfs {
  const v = new Vfs();
  v.mkdir('/home/user', { recursive: true });
  for (let i = 0; i < 30; i++) v.writeFile(`/home/user/f${i}`, `file ${i} `.repeat(200 + i));
  v.writeFile(
    '/big',
    new Uint8Array(2 * PAGE_SIZE + 5).map((_, i) => (i * 7) & 0xff),
  );
  return v;
}

describe('Repository packs', () => {
  it('writes a commit of many objects as one pack, not one key per object', async () => {
    const mem = new MemoryBackend();
    const v = sample();
    const stats = await (await Repository.open(mem)).commit(stateOf(v));
    expect(stats.objectsWritten).toBeGreaterThan(30);
    expect(stats.packsWritten).toBe(1);
    expect((await mem.list()).sort()).toEqual(['pack/1.0', 'root.1']);
    expect(dump((await reopen(mem)).vfs)).toEqual(dump(v));
  });

  it('a torn pack write or a torn root write reopens to the last committed state', async () => {
    for (const tearKey of ['pack/', 'root.']) {
      const mem = new MemoryBackend();
      const a = sample();
      await (await Repository.open(mem)).commit(stateOf(a, 'A'));
      const b = a.fork();
      b.writeFile('/home/user/f1', 'changed');
      b.writeFile('/new', 'x'.repeat(3 * PAGE_SIZE));
      // The machine dies in the middle of that write: half of it reaches the disk.
      const torn: StorageBackend = {
        load: (k) => mem.load(k),
        list: (p) => mem.list(p),
        delete: (k) => mem.delete(k),
        save: async (k, bytes) => {
          if (!k.startsWith(tearKey)) return mem.save(k, bytes);
          await mem.save(k, bytes.subarray(0, bytes.length >> 1));
          throw new Error('killed');
        },
      };
      const repo = await Repository.open(torn);
      await repo.load();
      await expect(repo.commit(stateOf(b, 'B'))).rejects.toThrow('killed');
      const { st, vfs } = await reopen(mem);
      expect(st.meta).toBe('A');
      expect(dump(vfs)).toEqual(dump(a));
      // The next session commits over the leftovers and cleans them up.
      const next = await Repository.open(mem);
      await next.load();
      await next.commit(stateOf(b, 'B'));
      const again = await reopen(mem);
      expect(again.st.meta).toBe('B');
      expect(dump(again.vfs)).toEqual(dump(b));
      for (const k of await mem.list(PACK_PREFIX)) parsePack(mem.data.get(k)!, k); // no torn pack left
    }
  });

  it('reads a version 1 store and moves it into packs on the next commit', async () => {
    const mem = new MemoryBackend();
    const v = sample();
    await writeV1(mem, v, 1, 'old');
    const loose = await mem.list('obj/');
    expect(loose.length).toBeGreaterThan(30);
    const repo = await Repository.open(mem);
    const st = (await repo.load())!;
    expect(st.meta).toBe('old');
    const loaded = Vfs.fromRoot(st.root);
    expect(dump(loaded)).toEqual(dump(v));
    loaded.writeFile('/home/user/f2', 'edited');
    const stats = await repo.commit(stateOf(loaded, 'new'));
    // Every object now lives in a pack; the loose keys are gone.
    expect(stats.objectsWritten).toBe(loose.length); // the edited page and the dirs above it replace old ones
    expect(await mem.list('obj/')).toEqual([]);
    expect(stats.objectsDeleted).toBe(loose.length); // the loose keys swept
    const again = await reopen(mem);
    expect(again.st.meta).toBe('new');
    expect(dump(again.vfs)).toEqual(dump(loaded));
  });

  it('a crash at any step of the migration leaves the old or the new state, never neither', async () => {
    const base = new MemoryBackend();
    const v = sample();
    await writeV1(base, v, 4, 'old');
    const w = v.fork();
    w.writeFile('/home/user/f0', 'new content');
    for (let crashAt = 1; ; crashAt++) {
      const mem = new MemoryBackend();
      for (const [k, val] of base.data) mem.data.set(k, val);
      let ops = 0;
      const dying: StorageBackend = {
        load: (k) => mem.load(k),
        list: (p) => mem.list(p),
        save: async (k, b) => {
          if (++ops >= crashAt) {
            if (ops === crashAt) await mem.save(k, b.subarray(0, b.length >> 1));
            throw new Error('killed');
          }
          return mem.save(k, b);
        },
        delete: async (k) => {
          if (++ops >= crashAt) throw new Error('killed');
          return mem.delete(k);
        },
      };
      const repo = await Repository.open(dying);
      await repo.load();
      const crashed = await repo.commit(stateOf(w, 'new')).then(
        () => false,
        () => true,
      );
      const { st, vfs } = await reopen(mem);
      expect(dump(vfs)).toEqual(st.meta === 'old' ? dump(v) : dump(w));
      if (!crashed) break;
      expect(crashAt).toBeLessThan(200);
    }
  });

  it('compaction keeps the number and size of packs bounded over many small commits', async () => {
    const mem = new MemoryBackend();
    const v = sample();
    const repo = await Repository.open(mem);
    await repo.commit(stateOf(v));
    let moved = 0;
    for (let i = 0; i < 120; i++) {
      v.writeFile(`/home/user/f${i % 30}`, `edit ${i} `.repeat(300));
      const s = await repo.commit(stateOf(v, i));
      moved += s.objectsMoved;
    }
    expect(moved).toBeGreaterThan(0);
    const packs = await mem.list(PACK_PREFIX);
    expect(packs.length).toBeLessThanOrEqual(33);
    // Stored bytes stay within a small factor of the live data (dead objects get reclaimed).
    let stored = 0;
    for (const k of packs) stored += mem.data.get(k)!.length;
    const fresh = new MemoryBackend();
    await (await Repository.open(fresh)).commit(stateOf(v));
    expect(stored).toBeLessThan(3 * fresh.data.get('pack/1.0')!.length);
    const { st, vfs } = await reopen(mem);
    expect(st.meta).toBe(119);
    expect(dump(vfs)).toEqual(dump(v));
  });

  it('a commit over a head never loaded keeps its packs and writes only what changed', async () => {
    const mem = new MemoryBackend();
    const v = sample();
    await (await Repository.open(mem)).commit(stateOf(v));
    const w = v.fork();
    w.writeFile('/home/user/f5', 'five');
    const stats = await (await Repository.open(mem)).commit(stateOf(w));
    expect(stats.objectsWritten).toBe(4); // the page of f5, /home/user, /home and /
    expect(await mem.list(PACK_PREFIX)).toContain('pack/1.0');
    expect(dump((await reopen(mem)).vfs)).toEqual(dump(w));
  });

  it('refuses a pack with the wrong length or a damaged object as CORRUPT', async () => {
    const mem = new MemoryBackend();
    const v = sample();
    await (await Repository.open(mem)).commit(stateOf(v));
    const pack = mem.data.get('pack/1.0')!;
    mem.data.set('pack/1.0', pack.subarray(0, pack.length - 1));
    await expect((await Repository.open(mem)).load()).rejects.toMatchObject({ code: 'CORRUPT' });
    const damaged = pack.slice();
    damaged[damaged.length - 1]! ^= 0xff;
    mem.data.set('pack/1.0', damaged);
    await expect((await Repository.open(mem)).load()).rejects.toMatchObject({ code: 'CORRUPT' });
    mem.data.set('pack/1.0', pack);
    expect(dump((await reopen(mem)).vfs)).toEqual(dump(v));
    // Pages are addressed by fast128 (32 hex digits), directories by SHA-256 (64).
    const entries = parsePack(pack, '1.0');
    for (const e of entries) expect(e.hash).toBe(e.hash.length === 32 ? fast128Hex(e.bytes) : await sha256Hex(e.bytes));
    expect(entries.filter((e) => e.hash.length === 32).length).toBeGreaterThan(30);
    expect(entries.filter((e) => e.hash.length === 64).length).toBe(3); // '/', '/home', '/home/user'
  });
});
