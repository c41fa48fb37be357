// Extensions: host functions that guests run as commands (/usr/bin/<name>). The kernel sends
// each call here (a proxied callback) and waits for the Promise; the guest blocks meanwhile.
import type { ExtensionCall, ExtensionReply } from '../worker/protocol';
import { SandboxError } from './errors';

export interface ExtensionInput {
  /** Arguments after the command name. */
  args: string[];
  /** The command's standard input, as UTF-8 text (`stdinBytes` has the raw bytes). */
  stdin: string;
  stdinBytes: Uint8Array;
  /** The guest's working directory and environment. */
  cwd: string;
  env: Record<string, string>;
}

export interface ExtensionOutput {
  stdout?: string | Uint8Array;
  stderr?: string | Uint8Array;
  /** Default 0. */
  exitCode?: number;
}

export interface Extension {
  /** Command name: letters, digits, `.`, `_`, `+`, `-`. */
  name: string;
  run: (input: ExtensionInput) => ExtensionOutput | Promise<ExtensionOutput>;
  /** Whether the command reads its standard input (to EOF) for `run`. Default true; false suits
   * commands typed in a terminal, which would otherwise wait for Ctrl-D. */
  stdin?: boolean;
}

const NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,63}$/;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Checks the `extensions` option; returns them by name. */
export function validateExtensions(value: unknown): Map<string, Extension> {
  const out = new Map<string, Extension>();
  if (value === undefined) return out;
  if (!Array.isArray(value)) throw new SandboxError('EINVAL', 'extensions must be an array of { name, run }');
  for (const e of value as unknown[]) {
    const ext = e as Partial<Extension> | null;
    if (typeof ext !== 'object' || ext === null || typeof ext.name !== 'string' || typeof ext.run !== 'function') {
      throw new SandboxError('EINVAL', 'each extension must be { name: string, run: function }');
    }
    if (!NAME.test(ext.name)) throw new SandboxError('EINVAL', `bad extension name ${JSON.stringify(ext.name)}`);
    if (out.has(ext.name)) throw new SandboxError('EINVAL', `extension ${ext.name} is given twice`);
    out.set(ext.name, ext as Extension);
  }
  return out;
}

function bytes(v: unknown): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array();
  if (v instanceof Uint8Array) return v;
  return enc.encode(String(v));
}

/** Runs one guest call; a throw or a bad result becomes exit 1 with the message on stderr. */
export async function runExtension(exts: Map<string, Extension>, call: ExtensionCall): Promise<ExtensionReply> {
  const ext = exts.get(call.name);
  if (!ext) return { stdout: new Uint8Array(), stderr: enc.encode(`${call.name}: no such extension\n`), exitCode: 127 };
  try {
    const out = await ext.run({
      args: call.args,
      stdin: dec.decode(call.stdin),
      stdinBytes: call.stdin,
      cwd: call.cwd,
      env: call.env,
    });
    const code = out?.exitCode ?? 0;
    return {
      stdout: bytes(out?.stdout),
      stderr: bytes(out?.stderr),
      exitCode: Number.isInteger(code) ? code : 1,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { stdout: new Uint8Array(), stderr: enc.encode(`${call.name}: ${msg}\n`), exitCode: 1 };
  }
}
