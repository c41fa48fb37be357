// OpfsBackend against a small in-memory stand-in for the OPFS handles (the real thing is tested in
// Chromium by e2e): key mapping, sync access handles (exclusive, as in browsers), listing, commits.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Vfs } from '../vfs/vfs';
import { OpfsBackend } from './opfs';
import { FLUSHER_SOURCE } from './opfs-flusher';
import { loadVfs, saveVfs } from './persist';
import { Repository } from './repository';

class FakeFile {
  data = new Uint8Array(0);
  /** What a power loss would leave: the data as of the last flush. */
  durable = new Uint8Array(0);
  locked = false;
}

/** Called after every write and flush (the power-loss test takes a disk image at each). */
let onDiskEvent = (): void => undefined;

/** Bytes the fake disk still takes; past it a write stores what fits and returns 2^32 - 8, as Chromium 156 does. */
let room = Infinity;

class FakeDir {
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Map<string, FakeDir>();
  async getDirectoryHandle(name: string, o?: { create?: boolean }) {
    let d = this.dirs.get(name);
    if (!d && o?.create) this.dirs.set(name, (d = new FakeDir()));
    if (!d) throw Object.assign(new Error('nf'), { name: 'NotFoundError' });
    return d;
  }
  async getFileHandle(name: string, o?: { create?: boolean }) {
    expect(name).not.toContain('/');
    let f = this.files.get(name);
    if (!f && o?.create) this.files.set(name, (f = new FakeFile()));
    if (!f) throw Object.assign(new Error('nf'), { name: 'NotFoundError' });
    const file = f;
    return {
      async createSyncAccessHandle() {
        if (file.locked) throw Object.assign(new Error('locked'), { name: 'NoModificationAllowedError' });
        file.locked = true;
        return {
          getSize: () => file.data.length,
          read: (buf: Uint8Array, { at = 0 } = {}) => {
            const n = Math.min(buf.length, file.data.length - at);
            buf.set(file.data.subarray(at, at + n));
            return n;
          },
          write: (whole: Uint8Array, { at = 0 } = {}) => {
            const buf = whole.subarray(0, Math.min(whole.length, room));
            room -= buf.length;
            if (at + buf.length > file.data.length) {
              const d = new Uint8Array(at + buf.length);
              d.set(file.data);
              file.data = d;
            }
            file.data.set(buf, at);
            onDiskEvent();
            return buf.length < whole.length ? 2 ** 32 - 8 : buf.length;
          },
          truncate: (n: number) => {
            file.data = file.data.slice(0, n);
          },
          flush: () => {
            file.durable = file.data.slice();
            onDiskEvent();
          },
          close: () => {
            file.locked = false;
          },
        };
      },
    };
  }
  async removeEntry(name: string, o?: { recursive?: boolean }) {
    if (this.files.delete(name)) return;
    const d = this.dirs.get(name);
    if (!d) throw Object.assign(new Error('nf'), { name: 'NotFoundError' });
    if (!o?.recursive && (d.files.size || d.dirs.size)) throw new Error('not empty');
    this.dirs.delete(name);
  }
  async *keys() {
    yield* this.files.keys();
    yield* this.dirs.keys();
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  room = Infinity;
  onDiskEvent = () => undefined;
});

/** The files of `dir` (recursively) as a power loss would leave them: flushed bytes only. */
function powerLossImage(dir: FakeDir): FakeDir {
  const out = new FakeDir();
  for (const [name, f] of dir.files) {
    const g = new FakeFile();
    g.data = f.durable.slice();
    g.durable = g.data;
    out.files.set(name, g);
  }
  for (const [name, d] of dir.dirs) out.dirs.set(name, powerLossImage(d));
  return out;
}

/**
 * Commits over a power-loss model: after each write and flush, the disk as a power loss would
 * leave it must reopen to the first or the second committed state, and after the commit to the
 * second. Packs are flushed before the root record that names them is written.
 */
async function powerLossAtEveryStep(): Promise<void> {
  const root = new FakeDir();
  vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
  const v = new Vfs();
  v.writeFile('/a', 'first');
  await saveVfs(await Repository.open(await OpfsBackend.open('p')), v);
  const big = new Uint8Array(140_000);
  for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
  v.writeFile('/big', big);
  v.writeFile('/a', 'second');
  const images: FakeDir[] = [];
  onDiskEvent = () => void images.push(powerLossImage(root));
  await saveVfs(await Repository.open(await OpfsBackend.open('p')), v);
  onDiskEvent = () => undefined;
  expect(images.length).toBeGreaterThan(1);
  const seen = new Set<string>();
  for (const image of [...images, powerLossImage(root)]) {
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => image } });
    const back = (await loadVfs(await Repository.open(await OpfsBackend.open('p'))))!;
    const a = back.vfs.readText('/a');
    seen.add(a);
    if (a === 'first') expect(back.vfs.exists('/big')).toBe(false);
    else expect(back.vfs.readFile('/big')).toEqual(big);
  }
  expect([...seen].sort()).toEqual(['first', 'second']);
  vi.stubGlobal('navigator', { storage: { getDirectory: async () => powerLossImage(root) } });
  const last = (await loadVfs(await Repository.open(await OpfsBackend.open('p'))))!;
  expect(last.vfs.readText('/a')).toBe('second');
}

describe('OpfsBackend', () => {
  it('stores, lists and deletes keys, and carries a commit round trip', async () => {
    const root = new FakeDir();
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
    expect(OpfsBackend.available()).toBe(true);
    const b = await OpfsBackend.open('my/box');
    await b.save('obj/abc', new Uint8Array([1, 2, 3]));
    await b.save('obj/abc', new Uint8Array([4]));
    expect(await b.load('obj/abc')).toEqual(new Uint8Array([4]));
    expect(await b.load('missing')).toBeUndefined();
    expect(await b.list('obj/')).toEqual(['obj/abc']);
    await b.delete('obj/abc');
    await b.delete('obj/abc');
    expect(await b.list()).toEqual([]);

    const v = new Vfs();
    v.writeFile('/same', new Uint8Array(3 * 65536)); // three identical pages: one object, written once
    v.writeFile('/t', 'text');
    await saveVfs(await Repository.open(b), v);
    const back = (await loadVfs(await Repository.open(await OpfsBackend.open('my/box'))))!;
    expect(back.vfs.readText('/t')).toBe('text');
    expect(back.vfs.stat('/same').size).toBe(3 * 65536);
    expect(await OpfsBackend.names()).toEqual(['my/box']);
    await OpfsBackend.remove('my/box');
    expect(root.dirs.get('sandpit')!.dirs.size).toBe(0);
  });

  it('a pack cut short by a full disk is QUOTA, and the last committed state still loads', async () => {
    const root = new FakeDir();
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
    const b = await OpfsBackend.open('full');
    const v = new Vfs();
    v.writeFile('/a', 'first');
    await saveVfs(await Repository.open(b), v);
    const big = new Uint8Array(200_000);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    v.writeFile('/big', big);
    room = 100_000;
    await expect(saveVfs(await Repository.open(b), v)).rejects.toMatchObject({ code: 'QUOTA' });
    room = Infinity;
    const back = (await loadVfs(await Repository.open(await OpfsBackend.open('full'))))!;
    expect(back.vfs.readText('/a')).toBe('first');
    expect(back.vfs.exists('/big')).toBe(false);
  });

  it('a power loss at any write or flush of a commit reopens to the previous or the new state', async () => {
    await powerLossAtEveryStep();
  });

  // Last in this file: the flusher thread, once started, stays for the module's lifetime.
  it('the same, with packs flushed on the flusher thread', async () => {
    let flushes = 0;
    /** Runs the flusher thread's own program (FLUSHER_SOURCE) on the stubbed OPFS, in this thread. */
    class FakeFlusher {
      onmessage: ((e: { data: unknown }) => void) | null = null;
      onerror: unknown = null;
      readonly program: (e: { data: unknown }) => Promise<void>;
      constructor() {
        const reply = (data: { error?: unknown }) => {
          if (!data.error) flushes++;
          this.onmessage?.({ data });
        };
        this.program = new Function('navigator', 'postMessage', `let onmessage;\n${FLUSHER_SOURCE}\nreturn onmessage;`)(
          { storage: { getDirectory: () => navigator.storage.getDirectory() } },
          reply,
        );
      }
      postMessage(data: unknown) {
        void this.program({ data });
      }
      terminate() {}
    }
    vi.stubGlobal('Worker', FakeFlusher);
    await powerLossAtEveryStep();
    expect(flushes).toBeGreaterThan(0);
    // A sandbox removed and made again: its packs (same names as before) are flushed in the new directory.
    const root = new FakeDir();
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
    const v = new Vfs();
    v.writeFile('/x', 'one');
    await saveVfs(await Repository.open(await OpfsBackend.open('again')), v);
    await OpfsBackend.remove('again');
    const before = flushes;
    v.writeFile('/x', 'two');
    onDiskEvent = () => undefined;
    await saveVfs(await Repository.open(await OpfsBackend.open('again')), v);
    expect(flushes).toBeGreaterThan(before);
    // Only what was flushed: the new directory's packs must have reached the disk.
    vi.stubGlobal('navigator', { storage: { getDirectory: async () => powerLossImage(root) } });
    const back = (await loadVfs(await Repository.open(await OpfsBackend.open('again'))))!;
    expect(back.vfs.readText('/x')).toBe('two');
  });
});
