// Unit tests of the worker-side additions (paged listings, read-ahead) against a real server, and
// of the server's change hook: each "worker" here is a scope whose bridge calls the server directly.
import { describe, expect, it } from 'vitest';
import { Vfs } from '../../vfs';
import { VfsBackend } from '../vfs-backend';
import { MemoryBackend } from './memory';
import { readReply, REPLY_BUFFER_BYTES, REPLY_HEADER_BYTES } from './protocol';
import { HostFsServer } from './server';
import { installWorkerStatCache } from './worker-cache';
import { installWorkerReadAhead } from './worker-readahead';
import { installWorkerPagedReadDir } from './worker-readdir';

type Call = (mount: number, method: string, args: unknown[]) => unknown;

/** A worker scope over `s`; `sizes` records the JSON size of every reply, as the SDK would carry it. */
function worker(s: HostFsServer, ...wrappers: ((scope: object) => void)[]) {
  const trips: string[] = [];
  const sizes: number[] = [];
  const scope: { __wasmerHostFileSystem?: Call } = {
    __wasmerHostFileSystem: (mount, method, args) => {
      trips.push(method);
      const reply = s.reply(mount, method, args);
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      if (!(reply.value instanceof Uint8Array)) sizes.push(new TextEncoder().encode(JSON.stringify(reply)).length);
      return reply.value;
    },
  };
  for (const w of wrappers) w(scope);
  return { call: scope.__wasmerHostFileSystem!, trips, sizes };
}

describe('paged readDir', () => {
  it('lists 20,000 entries in pages that each fit the SDK reply buffer', () => {
    const fs = new MemoryBackend();
    fs.mkdir('/many');
    for (let i = 0; i < 20_000; i++) fs.writeFile(`/many/file-with-a-longer-name-${i}`, 'x');
    const s = new HostFsServer();
    s.mount(1, fs);
    const w = worker(s, installWorkerPagedReadDir);
    const list = w.call(1, 'readDir', ['many']) as { name: string; kind: string; size: number }[];
    expect(list).toHaveLength(20_000);
    expect(new Set(list.map((e) => e.name)).size).toBe(20_000);
    expect(list[123]).toEqual({ name: 'file-with-a-longer-name-123', kind: 'file', size: 1 });
    expect(w.trips.length).toBeGreaterThan(1);
    for (const n of w.sizes) expect(n).toBeLessThanOrEqual(REPLY_BUFFER_BYTES - REPLY_HEADER_BYTES);
    // The unpaged method still fails for it, as before.
    expect(s.reply(1, 'readDir', ['many'])).toBeDefined();
  });

  it('serves one snapshot across pages, and small listings in one call', () => {
    const fs = new MemoryBackend();
    for (let i = 0; i < 30_000; i++) fs.writeFile(`/d/f${i}`, '');
    const s = new HostFsServer();
    s.mount(1, fs);
    const first = s.call(1, 'readDirPage', ['d', 0, 0]) as { token: number; entries: unknown[]; next: number };
    expect(first.next).toBe(first.entries.length);
    fs.writeFile('/d/late', ''); // after the listing was taken: not in this sequence
    let page = first;
    let total = first.entries.length;
    while (page.next !== null) {
      page = s.call(1, 'readDirPage', ['d', first.token, page.next]) as typeof first;
      total += page.entries.length;
    }
    expect(total).toBe(30_000);
    expect(() => s.call(1, 'readDirPage', ['d', first.token, 5])).toThrow(); // finished: forgotten
    const w = worker(s, installWorkerPagedReadDir);
    expect(w.call(1, 'readDir', [''])).toEqual([{ name: 'd', kind: 'directory', size: 0 }]);
    expect(w.trips).toEqual(['readDirPage']);
  });

  it('falls back to readDir on a server without pages', () => {
    const scope: { __wasmerHostFileSystem?: Call } = {
      __wasmerHostFileSystem: (_m, method) => {
        if (method === 'readDirPage') throw Object.assign(new Error('no'), { code: 'ENOTSUP' });
        return [{ name: 'a', kind: 'file', size: 0 }];
      },
    };
    installWorkerPagedReadDir(scope);
    expect(scope.__wasmerHostFileSystem!(1, 'readDir', [''])).toEqual([{ name: 'a', kind: 'file', size: 0 }]);
  });
});

describe('read-ahead', () => {
  function setup() {
    const vfs = new Vfs();
    const data = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 7) & 0xff);
    vfs.writeFile('/big', data);
    const s = new HostFsServer();
    s.mount(1, new VfsBackend(() => vfs));
    return { vfs, data, s };
  }

  it('serves sequential 4 KiB reads from a growing window, byte for byte', () => {
    const { data, s } = setup();
    const w = worker(s, installWorkerReadAhead);
    const h = w.call(1, 'open', ['big', true, false, false, false, false, false]) as number;
    const out = new Uint8Array(data.length);
    let at = 0;
    for (;;) {
      const got = w.call(1, 'read', [h, at, 4096]) as Uint8Array;
      if (got.length === 0) break;
      out.set(got, at);
      at += got.length;
    }
    expect(at).toBe(data.length);
    expect(Buffer.compare(out, data)).toBe(0); // toEqual on a megabyte is slow
    // 245 guest reads; the server saw a handful (64, 128, then 256 KiB windows, then EOF).
    expect(w.trips.filter((t) => t === 'read').length).toBeLessThan(10);
  });

  it('does not read ahead for random access', () => {
    const { data, s } = setup();
    const w = worker(s, installWorkerReadAhead);
    const h = w.call(1, 'open', ['big', true, false, false, false, false, false]) as number;
    for (const off of [500_000, 8192, 900_000, 4096]) {
      expect(w.call(1, 'read', [h, off, 4096])).toEqual(data.subarray(off, off + 4096));
    }
    expect(s.counts.read).toBe(4);
  });

  it('never serves bytes older than a write, from any side', () => {
    const { vfs, s } = setup();
    const w = worker(s, installWorkerReadAhead);
    const h = w.call(1, 'open', ['big', true, true, false, false, false, false]) as number;
    w.call(1, 'read', [h, 0, 4096]); // window of 64 KiB now held
    // A write through the server (this or another worker)…
    s.call(1, 'write', [h, 4096, new Uint8Array([1, 2, 3])]);
    expect((w.call(1, 'read', [h, 4096, 4096]) as Uint8Array).subarray(0, 3)).toEqual(new Uint8Array([1, 2, 3]));
    // …and a change beside it (the kernel's file API), announced by the Vfs itself.
    vfs.write('/big', 8192, new Uint8Array([9, 9]));
    expect((w.call(1, 'read', [h, 8192, 4096]) as Uint8Array).subarray(0, 2)).toEqual(new Uint8Array([9, 9]));
  });
});

describe('Vfs.onChange', () => {
  it('hears every change synchronously, once per restore, until unsubscribed', () => {
    const vfs = new Vfs();
    let n = 0;
    const off = vfs.onChange(() => n++);
    vfs.writeFile('/a', 'x');
    vfs.mkdir('/d');
    vfs.chmod('/a', 0o755);
    vfs.utimes('/a', 0, 1000);
    vfs.symlink('/a', '/l');
    expect(n).toBe(5);
    const snap = vfs.snapshot();
    for (let i = 0; i < 50; i++) vfs.writeFile(`/d/f${i}`, 'y');
    n = 0;
    vfs.restore(snap);
    expect(n).toBe(1);
    off();
    vfs.writeFile('/b', 'z');
    expect(n).toBe(1);
  });
});

describe('reads straight into the reply buffer', () => {
  it('answers the same bytes as the generic path, zeroing holes and stale buffer bytes', () => {
    const vfs = new Vfs();
    vfs.writeFile(
      '/f',
      Uint8Array.from({ length: 70_000 }, (_, i) => (i % 251) + 1),
    );
    vfs.truncate('/f', 200_000); // a hole after 70,000
    const fast = new HostFsServer();
    const slow = new HostFsServer({ onCall: () => undefined }); // onCall: generic path
    const answers: Uint8Array[][] = [[], []];
    [fast, slow].forEach((s, k) => {
      s.mount(1, new VfsBackend(() => vfs));
      const h = s.call(1, 'open', ['f', true, false, false, false, false, false]) as number;
      const response = new SharedArrayBuffer(REPLY_BUFFER_BYTES);
      new Uint8Array(response).fill(0xee); // an older reply's bytes
      for (const [off, len] of [
        [0, 4096],
        [65_000, 10_000],
        [60_000, 262_144],
        [199_990, 4096],
        [300_000, 10],
      ]) {
        new Int32Array(response, 0, 1)[0] = 0;
        s.handle({
          type: 'wasmer-filesystem-rpc',
          mount: 1,
          method: 'read',
          args: [h, off, len],
          response,
          binary: true,
        });
        answers[k]!.push((readReply(response) as { value: Uint8Array }).value);
      }
    });
    expect(answers[0]!.map((a) => a.length)).toEqual([4096, 10_000, 140_000, 10, 0]);
    for (let i = 0; i < answers[0]!.length; i++) expect(Buffer.compare(answers[0]![i]!, answers[1]![i]!)).toBe(0);
    expect(answers[0]![2]![139_999]).toBe(0);
    expect(fast.counts.read).toBe(5);
  });
});

describe('worker caches and other handlers', () => {
  it('keep nothing for mounts the server does not answer (host-call mounts)', () => {
    const fs = new MemoryBackend();
    fs.writeFile('/a', 'abc');
    const s = new HostFsServer();
    s.mount(1, fs);
    let trips = 0;
    const scope: { __wasmerHostFileSystem?: Call } = {
      __wasmerHostFileSystem: (mount, method, args) => {
        trips++;
        if (mount === 7) return { kind: 'file', size: trips }; // another handler's mount
        const reply = s.reply(mount, method, args);
        if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
        return reply.value;
      },
    };
    installWorkerStatCache(scope);
    const call = scope.__wasmerHostFileSystem!;
    const first = (call(7, 'stat', ['x']) as { size: number }).size;
    expect((call(7, 'stat', ['x']) as { size: number }).size).toBeGreaterThan(first); // asked again
    call(1, 'stat', ['a']);
    const before = trips;
    call(1, 'stat', ['a']);
    expect(trips).toBe(before); // ours: cached
  });
});
