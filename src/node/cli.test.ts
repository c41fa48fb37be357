// The `sandpit` command (bin/sandpit.mjs) as a user runs it: exit codes pass through, output
// is printed, UNSUPPORTED is clear, and `sandpit mcp` answers a scripted MCP session. Each runs
// against the fake app, and against the real build once a shell binary exists.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = any;
const testing: Any = await import(/* @vite-ignore */ new URL('./testing.ts', import.meta.url).href);
const bin = join(testing.root, 'bin', 'sandpit.mjs');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sandpit(args: string[], input?: string, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: testing.root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`sandpit ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Sends JSON-RPC lines one at a time, each after the answer to the previous request. */
type Request = Record<string, unknown> | ((replies: Any[]) => Record<string, unknown>);

async function mcpSession(dist: string, requests: Request[]): Promise<Any[]> {
  const child = spawn(process.execPath, [bin, 'mcp', '--dist', dist], {
    cwd: testing.root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const replies: Any[] = [];
  let buf = '';
  let stderr = '';
  let wake: (() => void) | undefined;
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      replies.push(JSON.parse(buf.slice(0, nl)));
      buf = buf.slice(nl + 1);
      wake?.();
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((done) => child.on('close', done));
  for (const next of requests) {
    const req = typeof next === 'function' ? next(replies) : next;
    const want = replies.length + ('id' in req ? 1 : 0);
    child.stdin.write(JSON.stringify(req) + '\n');
    const deadline = Date.now() + 120_000;
    while (replies.length < want) {
      if (Date.now() > deadline) throw new Error(`no answer to ${JSON.stringify(req)}; stderr: ${stderr}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  }
  child.stdin.end();
  expect(await closed).toBe(0);
  return replies;
}

// The fake app stands in only while there is no shell (the real cases are then skipped).
const cases = [
  ...(testing.shellBinary() ? [] : [{ name: 'fake app', dist: () => testing.fakeApp, skip: false }]),
  { name: 'real app', dist: () => testing.buildRealApp(), skip: !testing.shellBinary() },
];

describe.each(cases)('sandpit CLI ($name)', ({ name, dist, skip }) => {
  const title = (t: string) => (skip && name === 'real app' ? `${t} (skipped: ${testing.NO_SHELL_REASON})` : t);

  it.skipIf(skip)(
    title('sandpit run "exit 3" exits 3'),
    async () => {
      const r = await sandpit(['run', 'exit 3', '--dist', dist()]);
      expect(r.stderr).not.toContain('sandpit:');
      expect(r.code).toBe(3);
    },
    180_000,
  );

  it.skipIf(skip)(
    title('sandpit run "echo hi" prints hi'),
    async () => {
      const r = await sandpit(['run', 'echo hi', '--dist', dist()]);
      expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
    },
    180_000,
  );

  it.skipIf(skip)(
    title('sandpit shell runs a session over a pty, or says UNSUPPORTED'),
    async () => {
      const r = await sandpit(['shell', '--dist', dist()], 'echo mark-$((6*7))\nexit 3\n');
      if (/UNSUPPORTED/.test(r.stderr)) {
        expect(r.code).toBe(125);
        expect(r.stderr).toMatch(/^sandpit: UNSUPPORTED: .*pty/);
      } else {
        expect(r.stdout).toContain('mark-42');
        expect(r.code).toBe(3);
      }
    },
    180_000,
  );

  it.skipIf(skip)(
    title('sandpit mcp answers initialize, tools/list and tools/call'),
    async () => {
      const replies = await mcpSession(dist(), [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
        },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'tools/call',
          params: { name: 'write', arguments: { path: '/home/user/a.txt', content: 'hello\n' } },
        },
        {
          jsonrpc: '2.0',
          id: 4,
          method: 'tools/call',
          params: { name: 'read', arguments: { path: '/home/user/a.txt' } },
        },
        { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'run', arguments: { command: 'echo hi' } } },
        {
          jsonrpc: '2.0',
          id: 6,
          method: 'tools/call',
          params: { name: 'read', arguments: { path: '/home/user/nope' } },
        },
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'nope', arguments: {} } },
        { jsonrpc: '2.0', id: 8, method: 'no/such/method' },
        { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'snapshot', arguments: { name: 'v1' } } },
        {
          jsonrpc: '2.0',
          id: 10,
          method: 'tools/call',
          params: { name: 'write', arguments: { path: '/home/user/a.txt', content: 'changed' } },
        },
        (r) => ({
          jsonrpc: '2.0',
          id: 11,
          method: 'tools/call',
          params: { name: 'restore', arguments: { id: r.find((x) => x.id === 9).result.structuredContent.id } },
        }),
        {
          jsonrpc: '2.0',
          id: 12,
          method: 'tools/call',
          params: { name: 'read', arguments: { path: '/home/user/a.txt' } },
        },
        { jsonrpc: '2.0', id: 13, method: 'tools/call', params: { name: 'list', arguments: { path: '/home/user' } } },
      ]);
      const byId = new Map(replies.map((r) => [r.id, r]));
      expect(replies).toHaveLength(13);
      expect(byId.get(1).result).toMatchObject({
        protocolVersion: '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'sandpit' },
      });
      expect(byId.get(2).result.tools.map((t: Any) => t.name)).toEqual([
        'run',
        'read',
        'write',
        'list',
        'snapshot',
        'restore',
      ]);
      for (const t of byId.get(2).result.tools) expect(t.inputSchema.type).toBe('object');
      expect(byId.get(3).result).toMatchObject({ isError: false });
      expect(byId.get(4).result).toMatchObject({ isError: false, content: [{ type: 'text', text: 'hello\n' }] });
      expect(byId.get(5).result).toMatchObject({ isError: false, structuredContent: { stdout: 'hi\n', exitCode: 0 } });
      expect(byId.get(5).result.content[0].text).toBe('hi\n[exit 0]');
      expect(byId.get(6).result.isError).toBe(true);
      expect(byId.get(6).result.content[0].text).toMatch(/^ENOENT: /);
      expect(byId.get(7).error.code).toBe(-32602);
      expect(byId.get(8).error.code).toBe(-32601);
      expect(byId.get(9).result).toMatchObject({ isError: false, structuredContent: { name: 'v1' } });
      expect(byId.get(11).result).toMatchObject({ isError: false });
      expect(byId.get(12).result.content[0].text).toBe('hello\n');
      expect(byId.get(13).result).toMatchObject({ isError: false });
      expect(byId.get(13).result.content[0].text).toContain('a.txt');
    },
    180_000,
  );
});

/** A port free right now: persisted sandboxes need the same origin in every invocation. */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => done(port));
    });
  });
}

describe.skipIf(!testing.shellBinary())(
  `sandpit with persisted sandboxes (real app)${testing.shellBinary() ? '' : ` (skipped: ${testing.NO_SHELL_REASON})`}`,
  () => {
    it('run --id, export, import, ls share one browser profile across invocations', async () => {
      const profile = mkdtempSync(join(tmpdir(), 'sandpit-profile-'));
      const file = join(profile, '..', `${profile.split('/').pop()}.state`);
      const common = ['--dist', testing.buildRealApp(), '--profile', profile, '--port', String(await freePort())];
      expect(await sandpit(['run', '--id', 'p1', 'echo kept > /home/user/keep.txt', ...common])).toMatchObject({
        code: 0,
      });
      expect(await sandpit(['export', 'p1', file, ...common])).toMatchObject({ code: 0 });
      expect(await sandpit(['import', file, '--id', 'p2', ...common])).toMatchObject({ code: 0, stdout: 'p2\n' });
      expect(await sandpit(['run', '--id', 'p2', 'cat /home/user/keep.txt', ...common])).toMatchObject({
        code: 0,
        stdout: 'kept\n',
      });
      const ls = await sandpit(['ls', ...common]);
      expect(ls.code).toBe(0);
      expect(ls.stdout.split('\n').map((l) => l.split('\t')[0])).toEqual(expect.arrayContaining(['p1', 'p2']));
    }, 240_000);
  },
);

describe('sandpit CLI (no browser needed)', () => {
  it('prints usage and exits 2 without a command, 0 with --help', async () => {
    expect((await sandpit([])).code).toBe(2);
    const help = await sandpit(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sandpit <command>');
  });

  it('sandpit serve serves the app with the isolation headers until SIGINT', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--dist', testing.fakeApp], {
      cwd: testing.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) done(m[1]!);
      });
      child.on('close', () => fail(new Error(`serve exited: ${out}`)));
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(await res.text()).toContain('globalThis.sandpit');
    const closed = new Promise((done) => child.on('close', done));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
  }, 60_000);

  it('says UNSUPPORTED when the build lacks the API a command needs', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'sandpit-profile-'));
    const r = await sandpit(['ls', '--dist', testing.fakeApp, '--profile', profile, '--port', '0']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^sandpit: UNSUPPORTED: Sandbox.list\(\) is not available/);
  }, 60_000);

  it('says NOT_FOUND with how to fix it when there is no browser', async () => {
    const r = await sandpit(['run', 'echo hi', '--dist', testing.fakeApp, '--chromium', '/nope/chromium']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('NOT_FOUND');
    expect(r.stderr).toContain('apt-get install chromium');
  }, 60_000);
});
