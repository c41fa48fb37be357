// `sandpit mcp`: a Model Context Protocol server over stdio (newline-delimited JSON-RPC 2.0),
// written by hand. One sandbox per session, started on the first tool call. Tools: run, read,
// write, list, snapshot, restore. A tool failure is a result with isError, not a JSON-RPC error.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SandboxError } from './errors.js';
import { Sandbox, type SandboxOptions } from './sandbox.js';

const VERSIONS = ['2025-06-18', '2025-03-26', '2024-11-05'];
const SERVER_VERSION = '0.1.0';

type Json = Record<string, unknown>;
type Loose = Record<string, (...a: unknown[]) => Promise<unknown>>;

export const TOOLS = [
  {
    name: 'run',
    description:
      'Run a shell command line (bash semantics) in the sandbox. Returns stdout, stderr and the exit code; ' +
      'a non-zero exit is a normal result.',
    inputSchema: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command line, e.g. "ls -la | wc -l".' },
        cwd: { type: 'string', description: 'Working directory (default /home/user).' },
        stdin: { type: 'string', description: 'Standard input.' },
        timeoutMs: { type: 'number', description: 'Timeout in ms (default 30000); ends with exit code 124.' },
      },
      required: ['command'],
    },
  },
  {
    name: 'read',
    description: 'Read a text file from the sandbox filesystem.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Absolute path.' } },
      required: ['path'],
    },
  },
  {
    name: 'write',
    description: 'Write a text file in the sandbox (parent folders are created).',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Absolute path.' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
  },
  {
    name: 'list',
    description: 'List a folder of the sandbox filesystem.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Absolute path (default /home/user).' } },
    },
  },
  {
    name: 'snapshot',
    description: 'Save the sandbox filesystem as a snapshot; returns its id.',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } } },
  },
  {
    name: 'restore',
    description: 'Restore the sandbox filesystem to a snapshot taken earlier.',
    inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  },
] as const;

class RpcError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
  ) {
    super(message);
  }
}

function str(args: Json, key: string, required = true): string | undefined {
  const v = args[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw new SandboxError('EINVAL', `argument "${key}" must be a string`);
  return v;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface McpOptions {
  /** Options of the session's sandbox. */
  sandbox?: SandboxOptions;
  input?: Readable;
  output?: Writable;
}

/** Serves MCP until `input` ends; then destroys the sandbox and resolves with 0. */
export async function serveMcp(options: McpOptions = {}): Promise<number> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  let sandbox: Promise<Sandbox> | undefined;
  const getSandbox = () => {
    sandbox ??= Sandbox.create(options.sandbox);
    sandbox.catch(() => (sandbox = undefined));
    return sandbox;
  };
  const send = (msg: Json): void => void output.write(JSON.stringify(msg) + '\n');

  const tools: Record<string, (args: Json) => Promise<{ text: string; structured?: Json }>> = {
    async run(args) {
      const sb = await getSandbox();
      const command = str(args, 'command')!;
      const cwd = str(args, 'cwd', false);
      const stdin = str(args, 'stdin', false);
      const timeoutMs = typeof args.timeoutMs === 'number' ? args.timeoutMs : undefined;
      const r = await sb.commands.run(command, {
        ...(cwd !== undefined ? { cwd } : {}),
        ...(stdin !== undefined ? { stdin } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      let text = r.stdout;
      if (r.stderr) text += (text && !text.endsWith('\n') ? '\n' : '') + `[stderr]\n${r.stderr}`;
      text += `${text && !text.endsWith('\n') ? '\n' : ''}[exit ${r.exitCode}${r.reason !== 'exited' ? `, ${r.reason}` : ''}]`;
      return { text, structured: { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode, reason: r.reason } };
    },
    async read(args) {
      const sb = await getSandbox();
      return { text: await sb.files.read(str(args, 'path')!) };
    },
    async write(args) {
      const sb = await getSandbox();
      const path = str(args, 'path')!;
      const content = str(args, 'content')!;
      await sb.files.write(path, content);
      return { text: `wrote ${Buffer.byteLength(content)} bytes to ${path}` };
    },
    async list(args) {
      const sb = await getSandbox();
      const path = str(args, 'path', false) ?? '/home/user';
      try {
        const entries = (await (sb.files as unknown as Loose).list!(path)) as Array<Record<string, unknown>>;
        const text = entries
          .map(
            (e) =>
              `${e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : '-'} ${String(e.size ?? '')}\t${String(e.name)}`,
          )
          .join('\n');
        return { text: text || '(empty)', structured: { entries } };
      } catch (err) {
        if (!(err instanceof SandboxError && err.code === 'UNSUPPORTED')) throw err;
        // Builds without files.list: ask the shell.
        const r = await sb.commands.run(`ls -la -- ${shellQuote(path)}`);
        if (r.exitCode !== 0) throw new SandboxError('ENOENT', r.stderr.trim() || `cannot list ${path}`);
        return { text: r.stdout };
      }
    },
    async snapshot(args) {
      const sb = (await getSandbox()) as unknown as Loose;
      const name = str(args, 'name', false);
      const s = (await sb.snapshot!(name !== undefined ? { name } : {})) as Json;
      return { text: JSON.stringify(s), structured: s };
    },
    async restore(args) {
      const sb = (await getSandbox()) as unknown as Loose;
      const id = str(args, 'id')!;
      await sb.restore!(id);
      return { text: `restored snapshot ${id}` };
    },
  };

  let calls: Promise<unknown> = Promise.resolve();
  const handle = async (method: string, params: Json): Promise<unknown> => {
    switch (method) {
      case 'initialize': {
        const asked = typeof params.protocolVersion === 'string' ? params.protocolVersion : VERSIONS[0]!;
        return {
          protocolVersion: VERSIONS.includes(asked) ? asked : VERSIONS[0],
          capabilities: { tools: { listChanged: false } },
          serverInfo: { name: 'sandpit', version: SERVER_VERSION },
          instructions:
            'A sandbox with a POSIX shell and a private filesystem, running in headless Chromium. ' +
            'Home is /home/user. Use run for commands, read/write/list for files, snapshot/restore to roll back.',
        };
      }
      case 'ping':
        return {};
      case 'tools/list':
        return { tools: TOOLS };
      case 'tools/call': {
        const name = params.name;
        const fn = typeof name === 'string' && Object.hasOwn(tools, name) ? tools[name] : undefined;
        if (!fn) throw new RpcError(-32602, `unknown tool: ${String(name)}`);
        const args = (params.arguments ?? {}) as Json;
        try {
          // Tool calls run one at a time, in the order they came, like commands typed in order.
          const r = await (calls = calls.then(
            () => fn(args),
            () => fn(args),
          ));
          return {
            content: [{ type: 'text', text: r.text }],
            ...(r.structured ? { structuredContent: r.structured } : {}),
            isError: false,
          };
        } catch (err) {
          const e = err as { code?: string; message?: string };
          return {
            content: [{ type: 'text', text: `${e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}` }],
            isError: true,
          };
        }
      }
      default:
        throw new RpcError(-32601, `method not found: ${method}`);
    }
  };

  const pending = new Set<Promise<void>>();
  const onLine = (line: string) => {
    if (!line.trim()) return;
    let msg: Json;
    try {
      msg = JSON.parse(line) as Json;
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
      return;
    }
    const batch = Array.isArray(msg) ? (msg as Json[]) : [msg];
    for (const m of batch) {
      const hasId = 'id' in m && m.id !== null;
      if (m.jsonrpc !== '2.0' || typeof m.method !== 'string') {
        // Responses to our (never sent) requests are ignored; anything else is invalid.
        if (hasId && !('result' in m || 'error' in m)) {
          send({ jsonrpc: '2.0', id: m.id, error: { code: -32600, message: 'invalid request' } });
        }
        continue;
      }
      if (!hasId) continue; // notifications (initialized, cancelled…) need no answer
      const p = handle(m.method, (m.params ?? {}) as Json).then(
        (result) => send({ jsonrpc: '2.0', id: m.id, result }),
        (err: unknown) =>
          send({
            jsonrpc: '2.0',
            id: m.id,
            error: { code: err instanceof RpcError ? err.rpcCode : -32603, message: (err as Error).message },
          }),
      );
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  };

  const rl = createInterface({ input, crlfDelay: Infinity });
  rl.on('line', onLine);
  await new Promise<void>((done) => rl.once('close', done));
  await Promise.allSettled([...pending]);
  if (sandbox) await (await sandbox.catch(() => undefined))?.destroy().catch(() => undefined);
  return 0;
}
