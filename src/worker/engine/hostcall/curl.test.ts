import { describe, expect, it } from 'vitest';
import type { HttpRequestInfo } from '../../protocol';
import { curl, type HostFetch } from './curl';

const enc = new TextEncoder();
const dec = new TextDecoder();
const files = { read: () => enc.encode('x'), write: () => undefined };

async function run(args: string[], fetch?: HostFetch, stdin = '') {
  const r = await curl({ args, stdin: enc.encode(stdin), cwd: '/home/user', fetch, files });
  return { code: r.exitCode, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

const ok: HostFetch = async (req: HttpRequestInfo) => ({
  status: 201,
  statusText: 'Created',
  url: req.url,
  redirected: false,
  headers: [['content-type', 'text/plain']],
  body: enc.encode(
    `${req.method} ${req.headers.map(([k, v]) => `${k}=${v}`).join(',')} ${dec.decode(req.body ?? new Uint8Array())}`,
  ),
});

describe('curl subset', () => {
  it('names the host and the option to set when the network is off', async () => {
    expect(await run(['https://api.example.com/x'])).toEqual({
      code: 7,
      out: '',
      err: "curl: (7) Could not connect to api.example.com: network access is off for this sandbox; create it with network: { allow: ['api.example.com'] } to allow this host\n",
    });
  });

  it('builds requests: -X, -H, -d (joined, form type), bundled flags, bare host URLs', async () => {
    const r = await run(['-sS', '-H', 'X-A: 1', '-d', 'a=1', '-d', 'b=2', 'localhost:9/p'], ok);
    expect(r).toEqual({ code: 0, out: 'POST X-A=1,Content-Type=application/x-www-form-urlencoded a=1&b=2', err: '' });
  });

  it('prints headers with -i and -I, formats -w', async () => {
    expect((await run(['-si', 'http://h/'], ok)).out).toMatch(
      /^HTTP\/1\.1 201 Created\r\ncontent-type: text\/plain\r\n\r\nGET/,
    );
    expect((await run(['-sI', 'http://h/'], ok)).out).toBe('HTTP/1.1 201 Created\r\ncontent-type: text/plain\r\n\r\n');
    expect((await run(['-s', '-o', '/dev/null', '-w', '%{http_code} %{content_type}\\n', 'http://h/'], ok)).out).toBe(
      '201 text/plain\n',
    );
  });

  it('follows redirects only with -L; refuses unknown options', async () => {
    let seen: HttpRequestInfo | undefined;
    await run(['-sL', 'http://h/'], async (req) => ((seen = req), ok(req)));
    expect(seen?.redirect).toBe('follow');
    expect((await run(['--frobnicate', 'http://h/'], ok)).code).toBe(2);
    expect((await run(['-s', 'ftp://h/'], ok)).code).toBe(1);
  });
});
