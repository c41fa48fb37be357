// Unit tests of the host-filesystem server: reply encoding (also against the SDK's own worker-side
// decoder, in a real worker thread), call semantics over the memory backend, and the globals.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Vfs } from '../../vfs';
import { VfsBackend } from '../vfs-backend';
import { installHostFs } from './install';
import { parseMetaName } from './meta';
import { MemoryBackend } from './memory';
import {
  HOST_FS_MESSAGE,
  readReply,
  REPLY_BUFFER_BYTES,
  writeReply,
  isHostFsRequest,
  type HostFsReply,
  type HostFsRequest,
} from './protocol';
import { CallerTags } from './caller-tags';
import { EndViews } from './end-views';
import { CONTROL_MOUNT, HostFsServer } from './server';
import { installWorkerStatCache, workerEntrySource } from './worker-cache';

const request = (binary = true) => ({ response: new SharedArrayBuffer(REPLY_BUFFER_BYTES), binary });
const control = (buffer: SharedArrayBuffer) => [...new Int32Array(buffer, 0, 2)];

describe('reply encoding', () => {
  it('sends bytes raw when the worker accepts binary', () => {
    const r = request();
    writeReply(r, { value: new Uint8Array([0, 128, 255]) });
    expect(control(r.response)).toEqual([2, 3]);
    expect(readReply(r.response)).toEqual({ value: new Uint8Array([0, 128, 255]) });
  });

  it('sends bytes as a JSON number array to a JSON-only worker', () => {
    const r = request(false);
    writeReply(r, { value: new Uint8Array([1, 2]) });
    expect(control(r.response)[0]).toBe(1);
    expect(readReply(r.response)).toEqual({ value: [1, 2] });
  });

  it('sends values and errors as JSON', () => {
    const r = request();
    writeReply(r, { value: [{ name: 'a', kind: 'file', size: 1 }] });
    expect(readReply(r.response)).toEqual({ value: [{ name: 'a', kind: 'file', size: 1 }] });
    const e = request();
    writeReply(e, { error: { code: 'ENOENT', message: 'gone' } });
    expect(control(e.response)[0]).toBe(1);
    expect(readReply(e.response)).toEqual({ error: { code: 'ENOENT', message: 'gone' } });
  });

  it('turns an oversized reply into EIO and still wakes the worker', () => {
    const r = request();
    writeReply(r, { value: new Uint8Array(REPLY_BUFFER_BYTES) });
    expect(readReply(r.response)).toMatchObject({ error: { code: 'EIO' } });
  });

  it('is pending until written', () => {
    expect(readReply(new SharedArrayBuffer(64))).toBeUndefined();
  });
});

function server(): { server: HostFsServer; fs: MemoryBackend } {
  const fs = new MemoryBackend();
  fs.writeFile('/workspace/hello.txt', 'hello\n');
  fs.writeFile('/home/user/.profile', 'export A=1\n');
  const s = new HostFsServer();
  s.mount(1, fs, '/workspace');
  s.mount(2, fs, '/home');
  return { server: s, fs };
}

const err = (r: HostFsReply) => ('error' in r ? r.error.code : 'ok');

describe('server calls', () => {
  it('maps mount-relative paths onto each mount root', () => {
    const { server: s } = server();
    expect(s.call(1, 'stat', [''])).toEqual({ kind: 'directory', size: 0 });
    expect(s.call(1, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 6 });
    expect(s.call(2, 'readDir', [''])).toEqual([{ name: 'user', kind: 'directory', size: 0 }]);
    expect(s.call(2, 'stat', ['user/.profile'])).toEqual({ kind: 'file', size: 11 });
    expect(err(s.reply(1, 'stat', ['../home']))).toBe('EINVAL');
    expect(err(s.reply(9, 'stat', ['']))).toBe('ENOENT');
  });

  it('opens, writes, reads, truncates and closes like the SDK does', () => {
    const { server: s, fs } = server();
    // The SDK's open args: path, read, write, create, createNew, truncate, append.
    const h = s.call(1, 'open', ['new.txt', true, true, true, true, true, false]) as number;
    expect(s.call(1, 'write', [h, 0, new TextEncoder().encode('abcdef')])).toBe(6);
    expect(s.call(1, 'write', [h, 6, [103, 104]])).toBe(2); // legacy number arrays too
    expect(s.call(1, 'read', [h, 2, 3])).toEqual(new TextEncoder().encode('cde'));
    expect(s.call(1, 'read', [h, 8, 10])).toEqual(new Uint8Array(0));
    s.call(1, 'setLen', [h, 4]);
    s.call(1, 'flush', [h]);
    expect(s.openFiles).toBe(1);
    s.call(1, 'close', [h]);
    s.call(1, 'close', [h]); // idempotent: WASIX closes again on drop
    expect(s.openFiles).toBe(0);
    expect(fs.readText('/workspace/new.txt')).toBe('abcd');
    expect(err(s.reply(1, 'read', [h, 0, 1]))).toBe('EBADF');
    expect(err(s.reply(1, 'open', ['new.txt', true, true, true, true, false, false]))).toBe('EEXIST');
    expect(err(s.reply(1, 'open', ['nope.txt', true, false, false, false, false, false]))).toBe('ENOENT');
    expect(err(s.reply(1, 'open', ['', true, false, false, false, false, false]))).toBe('EISDIR');
  });

  it('lands appends at the end of the file even when two appenders overlap', () => {
    const { server: s, fs } = server();
    const enc = new TextEncoder();
    // `>> existing` reaches us as a read-write-create open (the SDK drops O_APPEND) and writes at
    // the length the SDK saw at open (6), counted on by its own writes.
    // Two workers (callers 1 and 2), as handle() would tell them apart.
    const a = s.call(1, 'open', ['hello.txt', true, true, true, false, false, false], 1) as number;
    const b = s.call(1, 'open', ['hello.txt', true, true, true, false, false, false], 2) as number;
    expect(s.call(1, 'write', [a, 6, enc.encode('one\n')], 1)).toBe(4);
    expect(s.call(1, 'write', [b, 6, enc.encode('two\n')], 2)).toBe(4);
    expect(s.call(1, 'write', [a, 10, enc.encode('three\n')], 1)).toBe(6);
    // A creating append (the one case the SDK says O_APPEND) that another creator won: it
    // arrives as createNew and must not fail with EEXIST.
    const c = s.call(1, 'open', ['hello.txt', true, true, true, true, false, true]) as number;
    expect(s.call(1, 'write', [c, 0, enc.encode('four\n')])).toBe(5);
    // A write elsewhere (a seek) makes the handle positional: in-place edits stay in place.
    const d = s.call(1, 'open', ['hello.txt', true, true, true, false, false, false]) as number;
    s.call(1, 'write', [d, 0, enc.encode('H')]);
    s.call(1, 'write', [d, 1, enc.encode('E')]);
    for (const h of [a, b, c, d]) s.call(1, 'close', [h]);
    expect(fs.readText('/workspace/hello.txt')).toBe('HEllo\none\ntwo\nthree\nfour\n');
    // A real O_EXCL create of an existing file still fails.
    expect(err(s.reply(1, 'open', ['hello.txt', true, true, true, true, true, false]))).toBe('EEXIST');
  });

  it('counts an append from the size its worker last saw, even if the file grew before the open', () => {
    const calls: string[] = [];
    const { fs } = server();
    const s = new HostFsServer({ onCall: (i) => calls.push(`${i.method}@${String(i.caller)}`) });
    s.mount(1, fs, '/workspace');
    const enc = new TextEncoder();
    // Two SDK workers, each blocking on the one reply buffer it reuses for all its calls; every
    // message brings a new SharedArrayBuffer object over that memory (structured clone).
    const workers = [new SharedArrayBuffer(REPLY_BUFFER_BYTES), new SharedArrayBuffer(REPLY_BUFFER_BYTES)];
    const ask = (w: number, method: string, args: unknown[]) => {
      const req: HostFsRequest = { type: HOST_FS_MESSAGE, mount: 1, method, args, response: workers[w]!, binary: true };
      s.handle(structuredClone(req, { transfer: [] }));
      const reply = readReply(workers[w]!)!;
      if ('error' in reply) throw new Error(reply.error.code);
      return reply.value;
    };
    const open = [true, true, true, false, false, false]; // `>> existing`, as the SDK sends it
    // Worker 0 stats (6 bytes) and is about to open; worker 1 appends a line in between.
    expect(ask(0, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 6 });
    expect(ask(1, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 6 });
    const b = ask(1, 'open', ['hello.txt', ...open]);
    ask(1, 'write', [b, 6, enc.encode('one\n')]);
    ask(1, 'close', [b]);
    const a = ask(0, 'open', ['hello.txt', ...open]);
    ask(0, 'write', [a, 6, enc.encode('two\n')]); // worker 0 still counts from 6
    ask(0, 'write', [a, 10, enc.encode('three\n')]);
    ask(0, 'close', [a]);
    expect(fs.readText('/workspace/hello.txt')).toBe('hello\none\ntwo\nthree\n');
    // A positional writer in the same window stays positional: its first write is elsewhere.
    expect(ask(0, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 20 });
    const c = ask(1, 'open', ['hello.txt', ...open]);
    ask(1, 'write', [c, 20, enc.encode('four\n')]);
    const d = ask(0, 'open', ['hello.txt', ...open]);
    ask(0, 'write', [d, 0, enc.encode('H')]);
    ask(0, 'write', [d, 20, enc.encode('F')]); // and stays so, even at the length it saw
    for (const h of [c, d]) ask(1, 'close', [h]);
    expect(fs.readText('/workspace/hello.txt')).toBe('Hello\none\ntwo\nthree\nFour\n');
    // Each worker is told apart (and kernel-thread calls have no caller).
    s.reply(1, 'stat', ['hello.txt']);
    expect(calls.filter((c) => c.startsWith('stat') || c.startsWith('open'))).toEqual([
      'stat@1',
      'stat@2',
      'open@2',
      'open@1',
      'stat@1',
      'open@2',
      'open@1',
      'stat@undefined',
    ]);
  });

  it('tells callers apart by their reply buffer and keeps a bounded memory of sizes', () => {
    const tags = new CallerTags();
    const a = new SharedArrayBuffer(REPLY_BUFFER_BYTES);
    const b = new SharedArrayBuffer(REPLY_BUFFER_BYTES);
    const [ta, tb] = [tags.of(a), tags.of(b)];
    expect(ta).not.toBe(tb);
    expect(tags.of(structuredClone(a))).toBe(ta); // a new object over the same memory
    expect(tags.of(new SharedArrayBuffer(256))).toBeUndefined(); // too small to keep a tag
    // An oversized reply that ran over the tag only makes the worker a new caller.
    new Uint8Array(a).fill(0x7b);
    expect(tags.of(a)).not.toBe(ta);
    const ends = new EndViews();
    ends.told('f', 1, 5); // worker 1's stat: the file ends at 5
    expect(ends.isAppend('f', 1, 5)).toBe(false); // live only once it opens
    ends.opened('f', 2, 5, true);
    ends.wrote('f', 2, 5, 9); // worker 2 appended 4 bytes: it writes at 9 next
    ends.opened('f', 1, 9, true);
    expect(ends.isAppend('f', 1, 5)).toBe(true); // what worker 1 was told before its open
    expect(ends.isAppend('f', 1, 9)).toBe(true);
    expect(ends.isAppend('f', 1, 7)).toBe(false);
    expect(ends.isAppend('f', 2, 5)).toBe(true); // worker 1 believes in 5 still
    ends.wrote('f', 1, 9, 12);
    expect(ends.isAppend('f', 1, 12)).toBe(true);
    // A worker's tree only grows past what it appended: a write of its own there is a rewrite
    // (sqlite pages), while a sibling of its tree may still be on its way to that end.
    ends.opened('h', 3, 0, true);
    ends.wrote('h', 3, 0, 4096);
    ends.wrote('h', 3, 4096, 8192);
    expect(ends.isAppend('h', 3, 0)).toBe(false);
    expect(ends.isAppend('h', 3, 4096)).toBe(false);
    expect(ends.isAppend('h', 4, 4096)).toBe(true);
    expect(ends.isAppend('h', 3, 8192)).toBe(true);
    ends.seeked('f', 1); // worker 1 wrote elsewhere: its writes stay positional…
    expect(ends.isAppend('f', 1, 9)).toBe(false);
    expect(ends.isAppend('f', 2, 9)).toBe(true); // (worker 2 still believes in 9)
    ends.opened('f', 1, 12, true); // …until it opens the file again
    expect(ends.isAppend('f', 1, 12)).toBe(true);
    expect(ends.isAppend('f', undefined, 12)).toBe(true); // the kernel thread is a caller too
    // The last handle closed: only each worker's last append end stays (a tree of processes
    // keeps its idea of the size past its handles), so worker 2's 9 is still an append.
    for (const _ of [1, 2, 3]) ends.closed('f');
    expect(ends.isAppend('f', 1, 9)).toBe(true);
    expect(ends.isAppend('f', 1, 5)).toBe(false);
    expect(ends.isAppend('f', 1, 12)).toBe(false);
    // A stat costs no file views (ls -l of a big tree): told sizes wait in a bounded ring, and
    // the files with views (f, h) are not pushed out by them.
    for (let i = 0; i < 5000; i++) ends.told(`g${i}`, 1, i);
    expect(ends.files).toBe(2);
    expect(ends.isAppend('f', 2, 9)).toBe(true);
    for (let i = 0; i < 1500; i++) ends.opened(`o${i}`, 1, 0, false);
    expect(ends.files).toBe(1024);
    // A told size still reaches the open that follows, after thousands of other stats between.
    ends.told('late', 5, 40);
    ends.told('late', 6, 70); // another worker's stat of the same file
    for (let i = 0; i < 3000; i++) ends.told(`x${i}`, 5, i);
    ends.opened('late', 5, 100, true);
    expect(ends.isAppend('late', 5, 40)).toBe(true);
    expect(ends.isAppend('late', 5, 70)).toBe(false); // worker 6's, not taken by worker 5's open
    ends.opened('late', 6, 100, true);
    expect(ends.isAppend('late', 6, 70)).toBe(true);
    ends.opened('late', 5, 100, true); // a told size is taken once
    ends.seeked('late', 6);
    ends.closed('late');
    ends.closed('late');
    ends.closed('late');
    expect(ends.isAppend('late', 5, 40)).toBe(false);
  });

  it('keeps an open file readable after it is renamed or removed', () => {
    const { server: s } = server();
    const h = s.call(1, 'open', ['hello.txt', true, true, false, false, false, false]) as number;
    s.call(1, 'rename', ['hello.txt', 'moved.txt']);
    s.call(1, 'remove', ['moved.txt']);
    expect(new TextDecoder().decode(s.call(1, 'read', [h, 0, 100]) as Uint8Array)).toBe('hello\n');
  });

  it('removes files and empty directories with one method', () => {
    const { server: s } = server();
    s.call(1, 'mkdir', ['d']);
    expect(err(s.reply(1, 'mkdir', ['d']))).toBe('EEXIST');
    expect(err(s.reply(1, 'mkdir', ['x/y']))).toBe('ENOENT');
    s.call(1, 'rename', ['hello.txt', 'd/hello.txt']);
    expect(err(s.reply(1, 'remove', ['d']))).toBe('ENOTEMPTY');
    s.call(1, 'remove', ['d/hello.txt']);
    s.call(1, 'remove', ['d']);
    expect(s.call(1, 'readDir', [''])).toEqual([]);
    expect(err(s.reply(1, 'remove', ['d']))).toBe('ENOENT');
  });

  it('answers unknown methods with ENOTSUP and counts calls', () => {
    const seen: string[] = [];
    const s = new HostFsServer({ onCall: (i) => seen.push(`${i.method}:${err(i.reply)}`) });
    s.mount(1, new MemoryBackend());
    expect(err(s.reply(1, 'chmod', ['', 0o755]))).toBe('ENOTSUP');
    s.reply(1, 'sync', []);
    expect(seen).toEqual(['chmod:ENOTSUP', 'sync:ok']);
    expect(s.counts).toEqual({ chmod: 1, sync: 1 });
  });
});

describe('installHostFs', () => {
  it('answers posted requests and synchronous calls, and restores the globals', () => {
    const { server: s } = server();
    const scope: Record<string, unknown> = {};
    const dispose = installHostFs(s, scope);
    const rpc = scope.__wasmerHandleFileSystemRpc as (m: unknown) => boolean;
    const call = scope.__wasmerHostFileSystem as (m: number, method: string, a: unknown[]) => unknown;
    expect(rpc({ type: 'something-else' })).toBe(false);
    const req = {
      type: HOST_FS_MESSAGE,
      mount: 1,
      method: 'stat',
      args: ['hello.txt'],
      response: new SharedArrayBuffer(256),
      binary: true,
    };
    expect(isHostFsRequest(req)).toBe(true);
    expect(rpc(req)).toBe(true);
    expect(readReply(req.response)).toEqual({ value: { kind: 'file', size: 6 } });
    expect(call(1, 'readDir', [''])).toEqual([{ name: 'hello.txt', kind: 'file', size: 6 }]);
    expect(() => call(1, 'stat', ['missing'])).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    dispose();
    expect(scope.__wasmerHandleFileSystemRpc).toBeUndefined();
  });
});

// The SDK's own worker side of the bridge, unchanged, talking to our server across threads.
const sdkDist = dirname(createRequire(import.meta.url).resolve('@wasmer/sdk/node'));
const bridgeUrl = pathToFileURL(join(sdkDist, 'host-filesystem.js')).href;

describe('against the SDK worker bridge', () => {
  it('round-trips stat, open, write, read, readDir and errors through a blocked worker', async () => {
    const { server: s, fs } = server();
    const code = `
      import { parentPort } from 'node:worker_threads';
      import { installHostFileSystemWorkerBridge } from ${JSON.stringify(bridgeUrl)};
      globalThis.postMessage = (m) => parentPort.postMessage(m);
      installHostFileSystemWorkerBridge();
      const call = globalThis.__wasmerHostFileSystem;
      const out = {};
      out.stat = call(1, 'stat', ['hello.txt']);
      const h = call(1, 'open', ['big.bin', true, true, true, false, true, false]);
      const chunk = new Uint8Array(65536).map((_, i) => i * 7);
      out.written = call(1, 'write', [h, 0, chunk]) + call(1, 'write', [h, 65536, chunk]);
      const back = call(1, 'read', [h, 65530, 65536]);
      out.read = [back.length, back[0], back[6], back instanceof Uint8Array];
      out.eof = call(1, 'read', [h, 131072, 4096]).length;
      call(1, 'close', [h]);
      out.dir = call(1, 'readDir', ['']).map((e) => e.name + ':' + e.kind + ':' + e.size);
      try { call(1, 'stat', ['missing']); } catch (e) { out.error = e.code; }
      parentPort.postMessage({ done: out });
    `;
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`));
    try {
      const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: unknown) => {
          if (isHostFsRequest(m)) s.handle(m);
          else resolve((m as { done: Record<string, unknown> }).done);
        });
      });
      expect(out.stat).toEqual({ kind: 'file', size: 6 });
      expect(out.written).toBe(131072);
      expect(out.read).toEqual([65536, (65530 * 7) & 255, 0, true]);
      expect(out.eof).toBe(0);
      expect(out.dir).toEqual(['hello.txt:file:6', 'big.bin:file:131072']);
      expect(out.error).toBe('ENOENT');
      expect(fs.readFile('/workspace/big.bin').length).toBe(131072);
    } finally {
      await worker.terminate();
    }
  });
});

/** A worker scope with the stat cache whose bridge calls the server directly, counting round trips. */
function cached(s: HostFsServer) {
  let trips = 0;
  const scope: { __wasmerHostFileSystem?: (m: number, method: string, a: unknown[]) => unknown } = {
    __wasmerHostFileSystem: (mount, method, args) => {
      trips++;
      const reply = s.reply(mount, method, args);
      if ('error' in reply) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      return reply.value;
    },
  };
  installWorkerStatCache(scope);
  return { call: scope.__wasmerHostFileSystem!, trips: () => trips };
}

describe('worker stat cache', () => {
  it('answers repeated lookups locally and forgets them when anything changes', () => {
    const { server: s, fs } = server();
    const w = cached(s);
    expect(w.call(1, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 6 });
    const after = w.trips(); // includes the one-time registration
    expect(w.call(1, 'stat', ['hello.txt'])).toEqual({ kind: 'file', size: 6 });
    expect(w.call(1, 'readDir', [''])).toHaveLength(1);
    expect(w.call(1, 'readDir', [''])).toHaveLength(1);
    expect(w.trips()).toBe(after + 1);
    expect(() => w.call(1, 'stat', ['new.txt'])).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => w.call(1, 'stat', ['new.txt'])).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(w.trips()).toBe(after + 2);
    // A change through the server (any worker) bumps the generation.
    const h = s.call(1, 'open', ['new.txt', true, true, true, false, false, false]) as number;
    s.call(1, 'write', [h, 0, new Uint8Array(3)]);
    expect(w.call(1, 'stat', ['new.txt'])).toEqual({ kind: 'file', size: 3 });
    // A read-only open does not.
    const trips = w.trips();
    s.call(1, 'open', ['hello.txt', true, true, false, false, false, false]);
    w.call(1, 'stat', ['new.txt']);
    expect(w.trips()).toBe(trips);
    // A change beside the server is announced with invalidate().
    fs.writeFile('/workspace/new.txt', 'longer');
    expect(w.call(1, 'stat', ['new.txt'])).toEqual({ kind: 'file', size: 3 }); // stale until announced
    s.invalidate();
    expect(w.call(1, 'stat', ['new.txt'])).toEqual({ kind: 'file', size: 6 });
  });

  it('does not cache against a server without generations', () => {
    let trips = 0;
    const scope = {
      __wasmerHostFileSystem: (mount: number, method: string) => {
        trips++;
        if (mount === 0xffff_ffff) throw Object.assign(new Error('no'), { code: 'ENOENT' });
        return method === 'stat' ? { kind: 'file', size: 1 } : [];
      },
    };
    installWorkerStatCache(scope);
    scope.__wasmerHostFileSystem(1, 'stat');
    scope.__wasmerHostFileSystem(1, 'stat');
    expect(trips).toBe(3);
  });

  it('builds a worker entry that imports the SDK worker first', () => {
    const src = workerEntrySource({ sdkWorkerUrl: 'https://x/dist/browser-worker.js' });
    expect(src.split('\n')[0]).toBe('import "https://x/dist/browser-worker.js";');
    expect(src).toContain('registerGeneration');
    expect(
      workerEntrySource({
        sdkWorkerUrl: 'w.js',
        bridgeUrl: 'b.js',
        statCache: false,
        readAhead: false,
        pagedReadDir: false,
      }),
    ).toBe(
      'import { installHostFileSystemWorkerBridge } from "b.js";\nimport "w.js";\ninstallHostFileSystemWorkerBridge();\n',
    );
  });
});

describe('meta names (guest metadata over stat sizes)', () => {
  const setup = () => {
    const vfs = new Vfs({ now: () => 1_700_000_000_500 });
    vfs.mkdir('/home/user', { recursive: true });
    vfs.writeFile('/home/user/f', 'abc');
    const server = new HostFsServer();
    server.mount(2, new VfsBackend(() => vfs), '/home');
    const size = (path: string) => (server.call(2, 'stat', [path]) as { size: number }).size;
    return { vfs, server, size };
  };
  const unpack = (n: number) => ({ type: n % 8, low: Math.floor(n / 8) % 4096, seconds: Math.floor(n / 32768) });

  it('parses the entry a meta name is about', () => {
    expect(parseMetaName('/home/.~sandpit~/l~user%2Ff')).toEqual({ op: 'l', args: [], path: '/home/user/f' });
    expect(parseMetaName('/h/.~sandpit~/m644,9~a~b%25')).toEqual({ op: 'm', args: ['644', '9'], path: '/h/a~b%' });
    expect(parseMetaName('/h/.~sandpit~/s~')).toEqual({ op: 's', args: [], path: '/h' });
    expect(parseMetaName('/h/.~sandpit~')).toBe('dir');
    expect(parseMetaName('/home/user/f')).toBeNull();
    expect(parseMetaName('/home/.~sandpit~x/l~f')).toBeNull();
    // Lookups carry a nonce (meta.c); it names nothing.
    expect(parseMetaName('/home/.~sandpit~/l18f3a9c0~user%2Ff')).toEqual({
      op: 'l',
      args: ['18f3a9c0'],
      path: '/home/user/f',
    });
  });

  it('answers a lookup with a nonce fresh, and the worker cache keys it without the nonce', () => {
    const { server, size, vfs } = setup();
    expect(unpack(size('.~sandpit~/l1~user%2Flink')).type).toBe(0); // not there yet
    vfs.symlink('f', '/home/user/link');
    expect(unpack(size('.~sandpit~/l2~user%2Flink'))).toMatchObject({ type: 3, low: 1 });
    const w = cached(server);
    const call = (path: string) => (w.call(2, 'stat', [path]) as { size: number }).size;
    expect(unpack(call('/.~sandpit~/l3~user%2Flink')).type).toBe(3);
    const after = w.trips();
    expect(unpack(call('/.~sandpit~/l4~user%2Flink')).type).toBe(3); // another nonce: cached
    expect(unpack(call('/.~sandpit~/s5~user%2Flink')).type).toBe(1); // stat follows: its own key
    expect(w.trips()).toBe(after + 1);
    vfs.unlink('/home/user/link'); // the generation moves
    expect(unpack(call('/.~sandpit~/l6~user%2Flink')).type).toBe(0);
    // Bounded: ever new names do not grow the cache past its cap (it starts over).
    for (let i = 0; i < 5000; i++) call(`/.~sandpit~/l7~user%2Fn${i}`);
    const before = w.trips();
    call('/.~sandpit~/l8~user%2Fn4999');
    expect(w.trips()).toBe(before);
  });

  it('packs type, mode and mtime of a file into one safe integer', () => {
    const { size, vfs } = setup();
    vfs.chmod('/home/user/f', 0o750);
    const n = size('.~sandpit~/l~user%2Ff');
    expect(Number.isSafeInteger(n)).toBe(true);
    expect(unpack(n)).toEqual({ type: 1, low: 0o750, seconds: 1_700_000_000 });
    expect(unpack(size('.~sandpit~/s~user'))).toMatchObject({ type: 2, low: 0o755 });
  });

  it('tells symlinks from their targets (lstat) and follows them (stat)', () => {
    const { size, vfs } = setup();
    vfs.symlink('f', '/home/user/ln');
    expect(unpack(size('.~sandpit~/l~user%2Fln'))).toMatchObject({ type: 3, low: 1 });
    expect(unpack(size('.~sandpit~/s~user%2Fln'))).toMatchObject({ type: 1, low: 0o644 });
  });

  it('answers a missing entry with a packed errno, not a failed lookup', () => {
    const { size } = setup();
    expect(unpack(size('.~sandpit~/l~user%2Fnope'))).toMatchObject({ type: 0 });
    expect(Math.floor(size('.~sandpit~/l~user%2Fnope') / 8)).toBe(44); // WASI ENOENT
  });

  it('runs a mutation once however often the name is looked up', () => {
    const { size, vfs } = setup();
    expect(unpack(size('.~sandpit~/Lf%2Fx,1~user%2Fmade')).type).toBe(5);
    expect(unpack(size('.~sandpit~/Lf%2Fx,1~user%2Fmade')).type).toBe(5); // not EEXIST
    expect(vfs.readlink('/home/user/made')).toBe('f/x');
    expect(unpack(size('.~sandpit~/Lf,2~user%2Fmade'))).toMatchObject({ type: 0 }); // a new request: EEXIST
    expect(unpack(size('.~sandpit~/m700,3~user%2Ff')).type).toBe(5);
    expect(vfs.stat('/home/user/f').mode & 0o7777).toBe(0o700);
    expect(unpack(size('.~sandpit~/t5000,981173106000,4~user%2Ff')).type).toBe(5);
    expect(vfs.stat('/home/user/f').mtimeMs).toBe(981_173_106_000);
    expect(unpack(size('.~sandpit~/to,o,5~user%2Ff')).type).toBe(5);
    expect(vfs.stat('/home/user/f').mtimeMs).toBe(981_173_106_000);
  });

  it('a mutation through a meta name moves the generation, so worker caches drop what they kept', () => {
    const { server, size } = setup();
    const counter = new Int32Array(new SharedArrayBuffer(4));
    server.call(CONTROL_MOUNT, 'registerGeneration', [counter.buffer]);
    const seen: number[] = [Atomics.load(counter, 0)];
    expect(unpack(size('.~sandpit~/l~user%2Fmade')).type).toBe(0); // what a worker may cache: ENOENT
    seen.push(Atomics.load(counter, 0));
    expect(unpack(size('.~sandpit~/Lf,1~user%2Fmade')).type).toBe(5);
    seen.push(Atomics.load(counter, 0));
    expect(unpack(size('.~sandpit~/m700,2~user%2Ff')).type).toBe(5);
    seen.push(Atomics.load(counter, 0));
    expect(seen[1]).toBe(seen[0]); // a lookup changes nothing
    expect(seen[2]).not.toBe(seen[1]);
    expect(seen[3]).not.toBe(seen[2]);
  });

  it('unlinks a symlink the runtime cannot see (dangling), and nothing else', () => {
    const { size, vfs } = setup();
    vfs.symlink('missing', '/home/user/dangling');
    expect(unpack(size('.~sandpit~/u1~user%2Fdangling')).type).toBe(5);
    expect(vfs.exists('/home/user/dangling')).toBe(false);
    expect(unpack(size('.~sandpit~/u2~user%2Ff')).type).toBe(0);
    expect(vfs.readText('/home/user/f')).toBe('abc');
  });

  it('serves readlink as a small read-only file', () => {
    const { server, size, vfs } = setup();
    vfs.symlink('/some/where', '/home/user/ln');
    expect(size('.~sandpit~/r~user%2Fln')).toBe(11);
    const h = server.call(2, 'open', ['.~sandpit~/r~user%2Fln', true, false, false, false, false, false]);
    expect(new TextDecoder().decode(server.call(2, 'read', [h, 0, 100]) as Uint8Array)).toBe('/some/where');
    server.call(2, 'close', [h]);
    expect(server.openFiles).toBe(0);
  });

  it('says why the last call failed with EIO (ENOSPC), once', () => {
    const vfs = new Vfs({ maxBytes: 10 });
    vfs.mkdir('/home');
    const server = new HostFsServer();
    server.mount(2, new VfsBackend(() => vfs), '/home');
    const h = server.call(2, 'open', ['big', true, true, true, false, false, false]);
    expect(server.reply(2, 'write', [h, 0, new Uint8Array(100)])).toMatchObject({ error: { code: 'ENOSPC' } });
    const why = (nonce: number) => (server.call(2, 'stat', [`.~sandpit~/e${nonce}~x`]) as { size: number }).size;
    expect(why(1)).toBe(51 * 8); // WASI ENOSPC, packed as an error
    expect(why(2)).toBe(5); // forgotten once told
  });

  it("sends a guest's EEXIST from open and mkdir as EIO and says why (the SDK would say EPERM, ENOENT)", () => {
    const { server, size, vfs } = setup();
    vfs.symlink('nowhere', '/home/user/dangling');
    const guest = (method: string, args: unknown[]) => {
      const req = { type: HOST_FS_MESSAGE, mount: 2, method, args, ...request() } as HostFsRequest;
      server.handle(req);
      return readReply(req.response);
    };
    const why = (nonce: number) => unpack(size(`.~sandpit~/e${nonce}~x`));
    for (const [method, args] of [
      ['open', ['user/dangling', true, true, true, true, false, false]],
      ['mkdir', ['user/dangling']],
      ['mkdir', ['user/f']],
    ] as const) {
      expect(guest(method, [...args])).toMatchObject({ error: { code: 'EIO' } });
      expect(why(1)).toEqual({ type: 0, low: 20, seconds: 0 }); // WASI EEXIST
      expect(why(2).type).toBe(5); // told once
    }
    // Other errors and other methods are sent as they are; nothing is kept for them.
    expect(guest('open', ['user/none', true, false, false, false, false, false])).toMatchObject({
      error: { code: 'ENOENT' },
    });
    expect(guest('mkdir', ['none/d'])).toMatchObject({ error: { code: 'ENOENT' } });
    expect(why(3).type).toBe(5);
    // Calls the SDK makes on the kernel thread (storage setup) still get the SDK's own EEXIST.
    expect(server.reply(2, 'mkdir', ['user'])).toMatchObject({ error: { code: 'EEXIST' } });
    expect(why(4).type).toBe(5);
    expect(vfs.exists('/home/user/nowhere')).toBe(false);
  });

  it('leaves backends without metadata to the runtime (the lookup fails)', () => {
    const server = new HostFsServer();
    const fs = new MemoryBackend();
    fs.writeFile('/f', 'x');
    server.mount(1, fs);
    expect(server.reply(1, 'stat', ['.~sandpit~/l~f'])).toMatchObject({ error: { code: 'ENOENT' } });
  });
});
