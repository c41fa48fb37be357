// The `sandpit` command line: run, shell, serve, ls, export, import, mcp. Each subcommand
// starts what it needs and closes it again; `main` resolves with the process exit code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { SandboxError } from './errors.js';
import type { BrowserOptions } from './host.js';
import { serveMcp } from './mcp.js';
import { Sandbox, type SandboxOptions } from './sandbox.js';
import { resolveDist, serveDist } from './server.js';

const USAGE = `usage: sandpit <command> [options]

commands:
  run "<command>"        run a command line in a new sandbox; its exit code is sandpit's
      -i, --stdin          pass sandpit's standard input to the command
      --cwd DIR  --env K=V  --timeout MS
      --id ID              use the persisted sandbox ID (created if missing; kept in the profile)
  shell [--id ID]        an interactive shell (needs sb.pty)
  serve                  serve the built app with the COOP/COEP headers
      --port N (default 4187)  --host H (default 127.0.0.1)
  ls                     list persisted sandboxes (needs Sandbox.list)
  export <id> <file>     write a sandbox's state to a file (needs sb.exportState)
  import <file> [--id ID]  start a sandbox from an exported file (needs Sandbox.importState)
  mcp                    a Model Context Protocol server on stdin/stdout

browser options (every command):
  --chromium PATH        Chromium to launch (default $SANDPIT_CHROMIUM or /usr/bin/chromium)
  --ws ENDPOINT          use a running chromium.launchServer() instead
  --dist DIR             built app to serve (default $SANDPIT_DIST or the package's dist/)
  --app-url URL          use an app served elsewhere (with COOP/COEP)
  --profile DIR          browser profile holding persisted sandboxes (ls, export, import and
                         --id use ~/.cache/sandpit/profile by default; one sandpit at a time)
  --port N               port of the served app; the origin must stay the same for persisted
                         sandboxes (default with a profile: 41870, else a free port)
`;

/** Exit codes of sandpit's own failures (a command's exit code passes through unchanged). */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 125;

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN = new Set(['i', 'stdin', 'h', 'help']);

export function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(a);
    if (!m) {
      positional.push(a);
      continue;
    }
    const name = m[1]!;
    let value = m[2];
    if (value === undefined) {
      if (BOOLEAN.has(name)) value = 'true';
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new SandboxError('EINVAL', `--${name} needs a value`);
    }
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

const last = (p: Parsed, ...names: string[]) => names.map((n) => p.flags.get(n)?.at(-1)).find((v) => v !== undefined);

/** Where persisted sandboxes live by default. */
export function defaultProfile(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sandpit', 'profile');
}

export const PROFILE_PORT = 41870;

/** Browser options from the flags; `persistent` picks the default profile and fixed port. */
export function browserOptions(p: Parsed, persistent = false): BrowserOptions {
  const b: BrowserOptions = { warmPages: 0 };
  const profile = last(p, 'profile') ?? (persistent ? defaultProfile() : undefined);
  const port = last(p, 'port');
  if (profile) {
    mkdirSync(profile, { recursive: true });
    b.userDataDir = profile;
    b.port = PROFILE_PORT;
  }
  if (port !== undefined) b.port = Number(port);
  const chromium = last(p, 'chromium');
  const ws = last(p, 'ws');
  const dist = last(p, 'dist');
  const app = last(p, 'app-url');
  if (chromium) b.executablePath = chromium;
  if (ws) b.wsEndpoint = ws;
  if (dist) b.distDir = dist;
  if (app) b.appUrl = app;
  return b;
}

export function sandboxOptions(p: Parsed): SandboxOptions {
  const id = last(p, 'id');
  const o: SandboxOptions = { browser: browserOptions(p, id !== undefined) };
  if (id !== undefined) {
    o.id = id;
    o.persistence = 'auto';
  }
  const cwd = last(p, 'cwd');
  if (cwd) o.cwd = cwd;
  const env = p.flags.get('env');
  if (env) {
    o.env = {};
    for (const kv of env) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new SandboxError('EINVAL', `--env wants NAME=value, got ${kv}`);
      o.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  }
  return o;
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

type Loose = Record<string, (...a: unknown[]) => Promise<unknown>>;

/** A new sandbox, or with an id the persisted one (created when it does not exist yet). */
async function openOrCreate(options: SandboxOptions): Promise<Sandbox> {
  if (options.id === undefined) return Sandbox.create(options);
  const { id, browser, ...rest } = options;
  try {
    return await Sandbox.open(id, { browser });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'NOT_FOUND' && code !== 'UNSUPPORTED') throw err;
    return Sandbox.create({ ...rest, id, browser });
  }
}

async function withSandbox<T>(options: SandboxOptions, fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await openOrCreate(options);
  try {
    return await fn(sb);
  } finally {
    await sb.destroy().catch(() => undefined);
  }
}

async function run(p: Parsed): Promise<number> {
  const command = p.positional.slice(1).join(' ');
  if (!command) throw new SandboxError('EINVAL', 'sandpit run needs a command, e.g. sandpit run "echo hi"');
  const timeout = last(p, 'timeout');
  const wantStdin = last(p, 'i', 'stdin') === 'true';
  const stdin = wantStdin ? await readStdin() : undefined;
  return withSandbox(sandboxOptions(p), async (sb) => {
    let streamedOut = false;
    let streamedErr = false;
    const r = await sb.commands.run(command, {
      ...(stdin ? { stdin } : {}),
      ...(timeout ? { timeoutMs: Number(timeout) } : {}),
      // Streamed when the API supports it; otherwise printed from the result below.
      onStdout: (chunk: string) => {
        streamedOut = true;
        process.stdout.write(chunk);
      },
      onStderr: (chunk: string) => {
        streamedErr = true;
        process.stderr.write(chunk);
      },
    } as Parameters<Sandbox['commands']['run']>[1]);
    if (!streamedOut) process.stdout.write(r.stdout);
    if (!streamedErr) process.stderr.write(r.stderr);
    if (r.reason === 'timeout') process.stderr.write(`sandpit: command timed out\n`);
    return r.exitCode;
  });
}

async function shell(p: Parsed): Promise<number> {
  return withSandbox(sandboxOptions(p), async (sb) => {
    const tty = process.stdin.isTTY === true;
    const pty = (await (sb as unknown as { pty: Loose }).pty.create!({
      cols: process.stdout.columns || 80,
      rows: process.stdout.rows || 24,
      onData: (bytes: Uint8Array) => process.stdout.write(bytes),
    })) as Loose;
    const decoder = new StringDecoder('utf8');
    const onData = (d: Buffer) => void pty.write!(decoder.write(d)).catch(() => undefined);
    const onResize = () =>
      void pty.resize!(process.stdout.columns || 80, process.stdout.rows || 24).catch(() => undefined);
    // Piped input: its end is Ctrl-D, as a terminal would send.
    const onEnd = () => void pty.write!(decoder.end() + '\x04').catch(() => undefined);
    if (tty) process.stdin.setRawMode(true);
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
    process.stdout.on('resize', onResize);
    try {
      const res = (await pty.wait!()) as { exitCode?: number } | number | undefined;
      return typeof res === 'number' ? res : (res?.exitCode ?? 0);
    } finally {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdout.off('resize', onResize);
      if (tty) process.stdin.setRawMode(false);
      process.stdin.pause();
    }
  });
}

async function serve(p: Parsed): Promise<number> {
  const root = resolveDist(last(p, 'dist'));
  const s = await serveDist(root, Number(last(p, 'port') ?? 4187), last(p, 'host') ?? '127.0.0.1');
  process.stdout.write(`serving ${root} on ${s.url} (COOP/COEP set)\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await s.close();
  return 0;
}

async function ls(p: Parsed): Promise<number> {
  const list = (await Sandbox.list({ browser: browserOptions(p, true) })) as Array<Record<string, unknown>>;
  for (const e of list) {
    process.stdout.write(`${String(e.id)}\t${String(e.persistence ?? '')}\t${String(e.bytes ?? '')}\n`);
  }
  return 0;
}

async function exportState(p: Parsed): Promise<number> {
  const [, id, file] = p.positional;
  if (!id || !file) throw new SandboxError('EINVAL', 'usage: sandpit export <id> <file>');
  const sb = await Sandbox.open(id, { browser: browserOptions(p, true) });
  try {
    const blob = (await (sb as unknown as Loose).exportState!()) as Blob | Uint8Array;
    const bytes = blob instanceof Blob ? new Uint8Array(await blob.arrayBuffer()) : blob;
    writeFileSync(file, bytes);
    process.stdout.write(`${file}: ${bytes.length} bytes\n`);
    return 0;
  } finally {
    await sb.destroy().catch(() => undefined);
  }
}

async function importState(p: Parsed): Promise<number> {
  const file = p.positional[1];
  if (!file) throw new SandboxError('EINVAL', 'usage: sandpit import <file> [--id ID]');
  const id = last(p, 'id');
  const sb = await Sandbox.importState(new Uint8Array(readFileSync(file)), {
    ...(id ? { id } : {}),
    persistence: 'auto',
    browser: browserOptions(p, true),
  });
  process.stdout.write(`${sb.id}\n`);
  await sb.destroy();
  return 0;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`sandpit: ${(err as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const cmd = p.positional[0];
  if (last(p, 'h', 'help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!cmd) {
    process.stderr.write(USAGE);
    return EXIT_USAGE;
  }
  const commands: Record<string, (p: Parsed) => Promise<number>> = {
    run,
    shell,
    serve,
    ls,
    export: exportState,
    import: importState,
    mcp: (q) => serveMcp({ sandbox: sandboxOptions(q) }),
  };
  const fn = commands[cmd];
  if (!fn) {
    process.stderr.write(`sandpit: unknown command ${cmd}\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    return await fn(p);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    process.stderr.write(`sandpit: ${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    return e.code === 'EINVAL' ? EXIT_USAGE : EXIT_FAILURE;
  }
}
