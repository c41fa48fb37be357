// One sandbox's host calls: which guest command or request goes to which host code.
import type { HostCallbacks, HttpRequestInfo } from '../../protocol';
import { curl, type CurlFiles, type HostFetch } from './curl';
import { envRecord, type CallRequest, type CallResult } from './frame';
import type { CallHandler } from './mount';

export interface HostCallSpec {
  /** Extension command names (the page's `extensions`). */
  extensions: string[];
  /** Extensions whose command does not read stdin (`stdin: false`). */
  noStdin?: string[];
  /** Network on: requests go to `host.fetch`, which checks the allow list. */
  network: boolean;
  /** Proxied page callbacks; absent when the sandbox has neither extensions nor network. */
  host?: HostCallbacks;
}

const enc = new TextEncoder();
const none = new Uint8Array();

export function createCallHandler(spec: HostCallSpec, files: CurlFiles): CallHandler {
  const host = spec.host;
  const fetch: HostFetch | undefined = spec.network && host?.fetch ? (req) => host.fetch!(req) : undefined;
  return async (req: CallRequest): Promise<CallResult> => {
    const h = req.header;
    if (h.kind === 'fetch') return fetchCall(fetch, h, req.body);
    const args = h.argv.slice(1);
    if (h.name === 'curl' && !spec.extensions.includes('curl')) {
      return curl({
        args,
        stdin: req.body,
        cwd: h.cwd,
        fetch,
        files,
        ...(req.attachments ? { attachments: req.attachments } : {}),
      });
    }
    if (!spec.extensions.includes(h.name) || !host?.extension) {
      return { exitCode: 127, stdout: none, stderr: enc.encode(`${h.name}: no such extension\n`) };
    }
    const r = await host.extension({ name: h.name, args, stdin: req.body, cwd: h.cwd, env: envRecord(h.env) });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
}

/** Python's urllib handler (python.ts): one request; the response's status and headers in meta. */
async function fetchCall(
  fetch: HostFetch | undefined,
  h: { method: string; url: string; headers: [string, string][] },
  body: Uint8Array,
): Promise<CallResult> {
  let host = h.url;
  try {
    host = new URL(h.url).host;
  } catch {
    return { exitCode: 3, stdout: none, stderr: enc.encode(`malformed URL ${h.url}`) };
  }
  if (!fetch) {
    const msg = `network access is off for this sandbox; create it with network: { allow: ['${host}'] } to allow ${host}`;
    return { exitCode: 7, stdout: none, stderr: enc.encode(msg) };
  }
  const req: HttpRequestInfo = { method: h.method, url: h.url, headers: h.headers, redirect: 'follow' };
  if (body.length) req.body = body;
  try {
    const r = await fetch(req);
    if ('denied' in r) return { exitCode: 7, stdout: none, stderr: enc.encode(`${r.denied}: ${r.reason}`) };
    return {
      exitCode: 0,
      stdout: r.body,
      stderr: none,
      meta: { status: r.status, reason: r.statusText, url: r.url, headers: r.headers },
    };
  } catch (e) {
    return { exitCode: 7, stdout: none, stderr: enc.encode(e instanceof Error ? e.message : String(e)) };
  }
}
