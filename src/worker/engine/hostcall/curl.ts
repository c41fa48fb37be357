// `curl` for guests: a subset of curl's flags parsed here, the request made by the host's fetch
// (the page's, through HostFetch), the output shaped as curl shapes it. Flags: -s -S -f -L -o
// -O -X -H -d/--data/--data-raw/--data-binary (@file, @-) -i -I -w (%{http_code} & co) -A -e
// -u --compressed -m --max-time (accepted), --url.
import type { HttpFetchReply, HttpRequestInfo, HttpResponseInfo } from '../../protocol';
import { concat } from './frame';

/** What a fetch through the host gave: a response, or a refusal naming the host. */
export type HostFetchResult = HttpFetchReply;
export type HostFetch = (req: HttpRequestInfo) => Promise<HostFetchResult>;

/** File access for @file data (absolute paths). -o and -O files are written by the guest stub. */
export interface CurlFiles {
  read(path: string): Uint8Array;
}

export interface CurlInput {
  args: string[];
  stdin: Uint8Array;
  cwd: string;
  fetch: HostFetch | undefined;
  files: CurlFiles;
  /** @file data the guest stub read itself, by the path as written. */
  attachments?: Map<string, Uint8Array>;
}

export interface CurlOutput {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  /** -o/-O: what the guest writes where (relative to its cwd). */
  file?: { path: string; data: Uint8Array };
}

interface Options {
  url?: string;
  silent: boolean;
  showError: boolean;
  fail: boolean;
  location: boolean;
  output?: string;
  remoteName: boolean;
  method?: string;
  headers: [string, string][];
  data: Uint8Array[];
  dataKind?: 'form' | 'binary';
  include: boolean;
  head: boolean;
  writeOut?: string;
}

const enc = new TextEncoder();

class CurlError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Flags that take a value (long and short spellings). */
const WITH_VALUE = new Set([
  '-o',
  '--output',
  '-X',
  '--request',
  '-H',
  '--header',
  '-d',
  '--data',
  '--data-raw',
  '--data-binary',
  '--data-ascii',
  '-w',
  '--write-out',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-u',
  '--user',
  '-m',
  '--max-time',
  '--connect-timeout',
  '--url',
  '--retry',
]);
const SHORT_WITH_VALUE = new Set(['o', 'X', 'H', 'd', 'w', 'A', 'e', 'u', 'm']);

function parse(args: string[], input: CurlInput): Options {
  const o: Options = {
    silent: false,
    showError: false,
    fail: false,
    location: false,
    remoteName: false,
    headers: [],
    data: [],
    include: false,
    head: false,
  };
  const tokens: [string, string | undefined][] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      if (WITH_VALUE.has(name)) tokens.push([name, eq > 0 ? a.slice(eq + 1) : args[++i]]);
      else tokens.push([a, undefined]);
    } else if (a.startsWith('-') && a.length > 1) {
      // Bundled short flags: -sSfL, -o file, -ofile, -sSo file.
      for (let j = 1; j < a.length; j++) {
        const f = a[j]!;
        if (SHORT_WITH_VALUE.has(f)) {
          tokens.push([`-${f}`, j + 1 < a.length ? a.slice(j + 1) : args[++i]]);
          break;
        }
        tokens.push([`-${f}`, undefined]);
      }
    } else {
      tokens.push(['--url', a]);
    }
  }
  for (const [flag, value] of tokens) {
    if (WITH_VALUE.has(flag) && value === undefined) throw new CurlError(2, `option ${flag}: requires parameter`);
    const v = value ?? '';
    switch (flag) {
      case '-s':
      case '--silent':
        o.silent = true;
        break;
      case '-S':
      case '--show-error':
        o.showError = true;
        break;
      case '-f':
      case '--fail':
        o.fail = true;
        break;
      case '-L':
      case '--location':
        o.location = true;
        break;
      case '-i':
      case '--include':
        o.include = true;
        break;
      case '-I':
      case '--head':
        o.head = true;
        break;
      case '-O':
      case '--remote-name':
        o.remoteName = true;
        break;
      case '-o':
      case '--output':
        o.output = v;
        break;
      case '-X':
      case '--request':
        o.method = v;
        break;
      case '-w':
      case '--write-out':
        o.writeOut = v;
        break;
      case '--url':
        o.url = v;
        break;
      case '-H':
      case '--header': {
        const c = v.indexOf(':');
        if (c > 0) o.headers.push([v.slice(0, c).trim(), v.slice(c + 1).trim()]);
        break;
      }
      case '-A':
      case '--user-agent':
        o.headers.push(['User-Agent', v]);
        break;
      case '-e':
      case '--referer':
        o.headers.push(['Referer', v]);
        break;
      case '-u':
      case '--user':
        o.headers.push(['Authorization', `Basic ${btoa(v)}`]);
        break;
      case '-d':
      case '--data':
      case '--data-ascii':
      case '--data-raw':
      case '--data-binary': {
        const binary = flag === '--data-binary';
        let bytes: Uint8Array;
        if (flag !== '--data-raw' && v.startsWith('@')) {
          const path = v.slice(1);
          bytes = path === '-' ? input.stdin : readFile(input, path);
          // -d @file strips newlines, --data-binary keeps the bytes.
          if (!binary) bytes = bytes.filter((b) => b !== 10 && b !== 13);
        } else {
          bytes = enc.encode(v);
        }
        o.data.push(bytes);
        o.dataKind = binary && o.dataKind !== 'form' ? 'binary' : 'form';
        break;
      }
      case '-m':
      case '--max-time':
      case '--connect-timeout':
      case '--retry':
      case '--compressed':
      case '-v':
      case '--verbose':
      case '-k':
      case '--insecure':
      case '-#':
      case '--progress-bar':
      case '--no-progress-meter':
        break;
      case '-h':
      case '--help':
        throw new CurlError(0, HELP);
      default:
        throw new CurlError(2, `option ${flag}: is unknown or not supported here\n${HELP}`);
    }
  }
  return o;
}

const HELP =
  'Usage: curl [options...] <url>\n' +
  'Supported here: -s -S -f -L -i -I -o FILE -O -X METHOD -H "K: V" -d DATA --data-binary @FILE|@- -w FORMAT -A -e -u\n';

function readFile(input: CurlInput, path: string): Uint8Array {
  const attached = input.attachments?.get(path);
  if (attached) return attached;
  try {
    return input.files.read(absolute(input.cwd, path));
  } catch {
    throw new CurlError(26, `Failed to open/read local data from file/application (${path})`);
  }
}

function absolute(cwd: string, path: string): string {
  return path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
}

function statusLine(r: HttpResponseInfo): string {
  return `HTTP/1.1 ${r.status}${r.statusText ? ` ${r.statusText}` : ''}\r\n`;
}

function headerBlock(r: HttpResponseInfo): string {
  return statusLine(r) + r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

function writeOut(fmt: string, r: HttpResponseInfo | undefined, url: string, size: number, exit: number): string {
  const vars: Record<string, string> = {
    http_code: r ? String(r.status).padStart(3, '0') : '000',
    response_code: r ? String(r.status).padStart(3, '0') : '000',
    url_effective: r?.url || url,
    content_type: r?.headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '',
    size_download: String(size),
    exitcode: String(exit),
    num_redirects: r?.redirected ? '1' : '0',
  };
  return fmt
    .replace(/%\{([a-z_]+)\}/g, (m, k: string) => vars[k] ?? m)
    .replace(/\\([nrt\\])/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\' })[c]!);
}

/** Runs one curl command line against the host's fetch. Never throws. */
export async function curl(input: CurlInput): Promise<CurlOutput> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let o: Options | undefined;
  let response: HttpResponseInfo | undefined;
  let url = '';
  let size = 0;
  let file: CurlOutput['file'];
  const finish = (exitCode: number, message?: string): CurlOutput => {
    if (message && (!o?.silent || o.showError || exitCode === 2))
      err.push(enc.encode(`curl: (${exitCode}) ${message}\n`));
    if (o?.writeOut !== undefined) out.push(enc.encode(writeOut(o.writeOut, response, url, size, exitCode)));
    return { exitCode, stdout: concat(out), stderr: concat(err), ...(file ? { file } : {}) };
  };
  try {
    o = parse(input.args, input);
    if (!o.url) throw new CurlError(2, 'no URL specified\n' + HELP);
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(o.url) ? o.url : `http://${o.url}`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CurlError(3, `URL rejected: Malformed input to a URL function (${o.url})`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CurlError(1, `Protocol "${parsed.protocol.slice(0, -1)}" not supported (only http and https)`);
    }
    if (!input.fetch) {
      throw new CurlError(
        7,
        `Could not connect to ${parsed.host}: network access is off for this sandbox; ` +
          `create it with network: { allow: ['${parsed.host}'] } to allow this host`,
      );
    }
    const headers = [...o.headers];
    const body = o.data.length ? joinData(o.data) : undefined;
    if (body && o.dataKind === 'form' && !headers.some(([k]) => k.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    }
    const method = o.method ?? (o.head ? 'HEAD' : body ? 'POST' : 'GET');
    const result = await input.fetch({
      method,
      url: parsed.href,
      headers,
      ...(body ? { body } : {}),
      redirect: o.location ? 'follow' : 'manual',
    });
    if ('denied' in result) {
      throw new CurlError(7, `Could not connect to ${result.denied}: ${result.reason}`);
    }
    response = result;
    if (result.status === 0) {
      // A browser hides redirect responses it does not follow.
      size = 0;
      return finish(0, o.silent ? undefined : 'the server answered with a redirect; add -L to follow it');
    }
    if (o.fail && result.status >= 400) {
      return finish(22, `The requested URL returned error: ${result.status}`);
    }
    size = result.body.length;
    const head = o.include || o.head ? enc.encode(headerBlock(result)) : new Uint8Array();
    const payload = o.head ? head : concat([head, result.body]);
    const target = o.output ?? (o.remoteName ? remoteName(parsed) : undefined);
    if (target === '/dev/null') {
      // discarded
    } else if (target !== undefined && target !== '-' && target !== '/dev/stdout') {
      file = { path: target, data: payload };
    } else {
      out.push(payload);
    }
    return finish(0);
  } catch (e) {
    if (e instanceof CurlError) {
      if (e.code === 0) return { exitCode: 0, stdout: enc.encode(e.message), stderr: new Uint8Array() };
      return finish(e.code, e.message);
    }
    return finish(7, `Failed to connect: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function remoteName(url: URL): string {
  const name = url.pathname.split('/').pop();
  if (!name) throw new CurlError(23, 'Remote file name has no length');
  return decodeURIComponent(name);
}

function joinData(parts: Uint8Array[]): Uint8Array {
  const amp = enc.encode('&');
  return concat(parts.flatMap((p, i) => (i ? [amp, p] : [p])));
}
