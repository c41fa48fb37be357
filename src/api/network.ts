// Network: guests' HTTP(S) requests (curl, Python's urllib) made with this page's fetch, for
// allowed hosts only. Default off. An entry is a host name (any port), `host:port`, or
// `*.domain` (subdomains of domain). Cross-origin targets must allow CORS, as for any page fetch.
import type { HttpFetchReply, HttpRequestInfo } from '../worker/protocol';
import { SandboxError } from './errors';

export type NetworkOption = false | { allow: string[] };

/** Checks the `network` option; returns the allow list (undefined = off). */
export function validateNetwork(value: unknown): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  const allow = (value as { allow?: unknown } | null)?.allow;
  if (
    typeof value !== 'object' ||
    !Array.isArray(allow) ||
    !allow.every((a) => typeof a === 'string' && a.length > 0)
  ) {
    throw new SandboxError('EINVAL', "network must be false or { allow: ['host', 'host:port', '*.domain'] }");
  }
  return (allow as string[]).map((a) => a.toLowerCase());
}

/** Whether `url` is allowed by `allow`. */
export function isAllowed(allow: readonly string[], url: URL): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allow.some((entry) => {
    const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const name = m[1]!;
    if (m[2] && m[2] !== port) return false;
    if (name === '*') return true;
    if (name.startsWith('*.')) return host.endsWith(name.slice(1));
    return host === name || host === name.replace(/^\[|\]$/g, '');
  });
}

function denial(url: URL): { denied: string; reason: string } {
  return {
    denied: url.host,
    reason: `host ${url.host} is not in this sandbox's network allow list; add it with network: { allow: ['${url.host}'] }`,
  };
}

/** The page side of a guest request: check, fetch, read the whole body. */
export async function guestFetch(allow: readonly string[], req: HttpRequestInfo): Promise<HttpFetchReply> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new Error(`malformed URL ${req.url}`);
  }
  if (!isAllowed(allow, url)) return denial(url);
  const init: RequestInit = {
    method: req.method,
    headers: req.headers,
    redirect: req.redirect,
    credentials: 'omit',
  };
  if (req.body && req.method !== 'GET' && req.method !== 'HEAD') init.body = req.body as Uint8Array<ArrayBuffer>;
  const res = await fetch(url, init);
  // A followed redirect may have left the allow list: refuse to hand its answer over.
  if (res.url && !isAllowed(allow, new URL(res.url))) return denial(new URL(res.url));
  const body = res.type === 'opaqueredirect' ? new Uint8Array() : new Uint8Array(await res.arrayBuffer());
  return {
    status: res.type === 'opaqueredirect' ? 0 : res.status,
    statusText: res.statusText,
    url: res.url || url.href,
    redirected: res.redirected,
    headers: [...res.headers],
    body,
  };
}
