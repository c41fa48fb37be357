// The host-call frames exchanged through the call mount (/run/sandpit) by wasm/hostcall/stub.c
// and the Python module (python.ts). A request file holds
//   "SPCALL1 <headerLen> <bodyLen>\n" + header (JSON) + body (the command's stdin, or a request body)
// and the reply file "<id>.out" holds
//   "SPRES1 <exitCode> <stdoutLen> <stderrLen> <metaLen> <pathLen> <fileLen>\n"
//   + meta (JSON) + path + stdout + stderr + file
// where a non-empty path asks the stub to write `file` there itself (curl -o), so the write goes
// through the guest's own view of the filesystem (volumes, read-only mounts, errors).

/** What a guest asks for. `exec`: a command (an extension, curl); `fetch`: one HTTP request (Python). */
export type CallHeader =
  | {
      kind: 'exec';
      name: string;
      argv: string[];
      cwd: string;
      env: string[];
      /** Bytes of the body that are stdin; the rest are `attach` files in order (curl's @file data). */
      stdinLen?: number;
      attach?: { path: string; size: number }[];
    }
  | { kind: 'fetch'; method: string; url: string; headers: [string, string][]; cwd?: string };

export interface CallRequest {
  header: CallHeader;
  /** The command's stdin (or a fetch body). */
  body: Uint8Array;
  /** Files the guest read for the host, by the path it was given. */
  attachments?: Map<string, Uint8Array>;
}

export interface CallResult {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** Extra data for callers that want it (fetch: status, headers, url). */
  meta?: unknown;
  /** Bytes the guest writes to `path` (relative to its cwd) itself. */
  file?: { path: string; data: Uint8Array };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class FrameError extends Error {}

export function parseRequest(bytes: Uint8Array): CallRequest {
  const nl = bytes.indexOf(10);
  const m = nl > 0 ? /^SPCALL1 (\d+) (\d+)$/.exec(decoder.decode(bytes.subarray(0, nl))) : null;
  if (!m) throw new FrameError('not a host-call request');
  const hlen = Number(m[1]);
  const blen = Number(m[2]);
  if (nl + 1 + hlen + blen !== bytes.length) throw new FrameError('truncated host-call request');
  const header = JSON.parse(decoder.decode(bytes.subarray(nl + 1, nl + 1 + hlen))) as CallHeader;
  if (header.kind !== 'exec' && header.kind !== 'fetch') throw new FrameError('unknown host-call kind');
  const body = bytes.slice(nl + 1 + hlen);
  if (header.kind !== 'exec' || !header.attach?.length) return { header, body };
  let at = header.stdinLen ?? 0;
  const attachments = new Map<string, Uint8Array>();
  for (const a of header.attach) attachments.set(a.path, body.slice(at, (at += a.size)));
  return { header, body: body.slice(0, header.stdinLen ?? 0), attachments };
}

export function encodeRequest(header: CallHeader, body: Uint8Array = new Uint8Array()): Uint8Array {
  const h = encoder.encode(JSON.stringify(header));
  return concat([encoder.encode(`SPCALL1 ${h.length} ${body.length}\n`), h, body]);
}

export function encodeResult(r: CallResult): Uint8Array {
  const meta = r.meta === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(r.meta));
  const code = Number.isInteger(r.exitCode) ? r.exitCode & 0xff : 1;
  const path = encoder.encode(r.file?.path ?? '');
  const file = r.file?.data ?? new Uint8Array();
  const line = encoder.encode(
    `SPRES1 ${code} ${r.stdout.length} ${r.stderr.length} ${meta.length} ${path.length} ${file.length}\n`,
  );
  return concat([line, meta, path, r.stdout, r.stderr, file]);
}

export function decodeResult(bytes: Uint8Array): CallResult {
  const nl = bytes.indexOf(10);
  const m = /^SPRES1 (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$/.exec(decoder.decode(bytes.subarray(0, nl)));
  if (!m) throw new FrameError('not a host-call reply');
  let at = nl + 1;
  const take = (n: number) => bytes.slice(at, (at += n));
  const [code, o, e, ml, pl, fl] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const meta = ml ? (JSON.parse(decoder.decode(take(ml))) as unknown) : undefined;
  const path = decoder.decode(take(pl));
  const r: CallResult = { exitCode: code, stdout: take(o), stderr: take(e), ...(meta === undefined ? {} : { meta }) };
  const data = take(fl);
  if (path) r.file = { path, data };
  return r;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `KEY=VALUE` strings as a record (the first `=` splits). */
export function envRecord(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of env) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}
