import { describe, expect, it } from 'vitest';
import { runExtension, validateExtensions, type ExtensionInput } from './extensions';

const enc = new TextEncoder();
const dec = new TextDecoder();
const call = (name: string, stdin = '') => ({
  name,
  args: ['-x'],
  stdin: enc.encode(stdin),
  cwd: '/tmp',
  env: { A: '1' },
});

describe('extensions', () => {
  it('validates names and shapes', () => {
    expect(validateExtensions(undefined).size).toBe(0);
    expect(() => validateExtensions([{ name: 'a b', run: () => ({}) }])).toThrow(/bad extension name/);
    expect(() => validateExtensions([{ name: 'a' }])).toThrow(/name: string, run: function/);
    expect(() =>
      validateExtensions([
        { name: 'a', run: () => ({}) },
        { name: 'a', run: () => ({}) },
      ]),
    ).toThrow(/twice/);
  });

  it('passes args, stdin, cwd, env and encodes the result', async () => {
    const exts = validateExtensions([
      {
        name: 'upper',
        run: async ({ args, stdin, cwd, env }: ExtensionInput) => ({
          stdout: `${stdin.toUpperCase()}${args}${cwd}${env.A}`,
          stderr: new Uint8Array([33]),
          exitCode: 4,
        }),
      },
    ]);
    const r = await runExtension(exts, call('upper', 'hi'));
    expect([dec.decode(r.stdout), dec.decode(r.stderr), r.exitCode]).toEqual(['HI-x/tmp1', '!', 4]);
  });

  it('turns a throw into exit 1 and an unknown name into 127', async () => {
    const exts = validateExtensions([
      {
        name: 'boom',
        run: () => {
          throw new Error('nope');
        },
      },
    ]);
    const r = await runExtension(exts, call('boom'));
    expect([dec.decode(r.stderr), r.exitCode]).toEqual(['boom: nope\n', 1]);
    expect((await runExtension(exts, call('other'))).exitCode).toBe(127);
  });
});
