// Extensions named like binaries' commands win (extension-commands.ts): the helpers, and the SDK
// behaviour they rely on, with the real @wasmer/sdk in Node and the runtime's order of packages.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Wasmer } from '@wasmer/sdk/node';
import { commandPins, extensionsOnTop, pinCommands, shadowedExtensions } from './extension-commands';
import { wasmDir } from './hostfs/node-sdk.test-helpers';

describe('extension commands (helpers)', () => {
  const source = (pkg: string) => ({ command: (name: string) => `${pkg}:${name}` });

  it('finds the extensions that later binaries would shadow', () => {
    expect(shadowedExtensions(['jq', 'mine', 'python3'], ['python3', 'jq', 'lua'])).toEqual(['jq', 'python3']);
    expect(shadowedExtensions([], ['jq'])).toEqual([]);
  });

  it('pins colliding extensions to the host-call package and the shell to the binaries', () => {
    const pins = commandPins({
      extensions: ['jq', 'ls', 'bash', 'mine'],
      binaryCommands: ['bash', 'ls', 'jq', 'cat'],
      shell: 'bash',
      binaries: source('bin'),
      calls: source('calls'),
    });
    expect([...pins]).toEqual([
      ['jq', 'calls:jq'],
      ['ls', 'calls:ls'],
      ['bash', 'bin:bash'],
    ]);
    // No collision: nothing pinned, the sandbox's command() stays the SDK's own.
    const none = commandPins({
      extensions: ['mine'],
      binaryCommands: ['bash'],
      shell: 'bash',
      binaries: source('bin'),
      calls: source('calls'),
    });
    expect(none.size).toBe(0);
  });

  it('resolves pinned names in sandbox.command and passes everything else through', () => {
    const seen: unknown[][] = [];
    class Fake {
      command(selector: string | { ref: string }, ...rest: unknown[]) {
        seen.push([selector, ...rest]);
        return this;
      }
    }
    const plain = new Fake();
    expect(pinCommands(plain, new Map())).toBe(plain);
    expect(Object.hasOwn(plain, 'command')).toBe(false);
    const sb = pinCommands(new Fake(), new Map([['jq', { ref: 'calls:jq' }]]));
    sb.command('jq', ['.'], { cwd: '/' });
    sb.command('cat', ['f']);
    sb.command({ ref: 'x' });
    expect(seen).toEqual([[{ ref: 'calls:jq' }, ['.'], { cwd: '/' }], ['cat', ['f']], [{ ref: 'x' }]]);
  });

  it('puts only the shadowed names in the package that goes on top', () => {
    const stub = new Uint8Array([0, 97, 115, 109]);
    expect(extensionsOnTop(stub, ['jq', 'lua'])).toEqual({
      modules: { hostcall: stub },
      commands: { jq: { module: 'hostcall' }, lua: { module: 'hostcall' } },
    });
  });
});

// The "extension" here is lua under the name `jq` (the real stub needs the kernel's call mount);
// what matters is which package's `jq` runs.
const files = ['busybox.wasm', 'jq.wasm', 'lua.wasm'].map((f) => join(wasmDir, f));

describe.skipIf(!files.every((f) => existsSync(f)))('extension commands (real SDK, runtime order)', () => {
  const [busybox, jq, lua] = files.map((f) => readFileSync(f));
  let wasmer: Wasmer | undefined;
  afterAll(async () => {
    await wasmer?.close();
  });

  it('an extension shadowed by a later install wins again, in the shell and as argv', async () => {
    wasmer = new Wasmer({ cache: false });
    await wasmer.ready();
    const w = wasmer;
    const base = await w.packages.create({
      modules: { busybox: busybox! },
      commands: { sh: { module: 'busybox' }, ls: { module: 'busybox' }, cat: { module: 'busybox' } },
    });
    const late = await w.packages.create({ modules: { jq: jq! }, commands: { jq: { module: 'jq' } } });
    // The sandbox's host-call package: `curl` and the extensions (runtime.ts, hostcall/setup.ts).
    const called = await w.packages.create({
      modules: { hostcall: lua! },
      commands: { curl: { module: 'hostcall' }, jq: { module: 'hostcall' } },
    });
    const sandbox = await w.sandboxes.create({ packages: [base, called], shell: 'sh' });
    const o = { extensions: ['jq'], binaryCommands: ['sh', 'ls', 'cat', 'jq'], shell: 'sh' };
    pinCommands(sandbox, commandPins({ ...o, binaries: base, calls: called }));
    const RUN = { check: false, timeoutMs: 90_000 } as const;
    // `exec`: the shell looks the name up as for any command, without a fork (under load the
    // SDK's forks can hang: hostfs/node-sdk.test-helpers.ts sandboxForkingFirst).
    const viaShell = async () => {
      const out = await sandbox.command('sh', ['-c', 'exec jq -v']).run(RUN);
      return out.stdout.text() + out.stderr.text();
    };
    const viaArgv = async () => {
      const out = await sandbox.command('jq', ['-v']).run(RUN);
      return out.stdout.text() + out.stderr.text();
    };
    // Time to compile the modules (16 s measured at a load average of 18).
    await sandbox.command('sh', ['-c', 'exec ls /']).run({ check: false, timeoutMs: 100_000 });
    expect(await viaShell()).toMatch(/^Lua 5\.4/);
    // The late binaries go in after the extensions: their jq wins in the shell.
    await sandbox.installPackage(late);
    expect(await viaShell()).not.toMatch(/^Lua/);
    // Installing the host-call package again changes nothing (the sandbox has it)...
    await sandbox.installPackage(called);
    expect(await viaShell()).not.toMatch(/^Lua/);
    // ...a package of the shadowed names only is new, and wins.
    await sandbox.installPackage(await w.packages.create(extensionsOnTop(lua!, ['jq'])));
    expect(await viaShell()).toMatch(/^Lua 5\.4/);
    // argv spawns: two packages say `jq` (the SDK's "ambiguous"); the pin picks the extension.
    expect(await viaArgv()).toMatch(/^Lua 5\.4/);
    const unpinned = await w.sandboxes.create({ packages: [base, late, called], shell: 'sh' });
    await expect(unpinned.command('jq', ['-v']).run(RUN)).rejects.toThrow(/ambiguous/);
  }, 240_000);
});
