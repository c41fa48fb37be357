// "File exists" reaches guests as EEXIST (Node, the real SDK, bash, busybox and python over the
// kernel VFS). WASIX answers an O_EXCL open or a mkdir of a name its own lookup found; when the
// lookup found nothing but the VFS has the name (a dangling symlink, which lookups follow, or a
// name another process made in between) our server says EEXIST, which the SDK turned into EPERM
// (open) or ENOENT (mkdir). server.ts sends those as EIO and compat asks why (meta op `e`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Wasmer } from '@wasmer/sdk/node';
import { Vfs } from '../../vfs';
import { VfsBackend } from '../vfs-backend';
import { installHostFs } from './install';
import {
  HOME_TMP_PLAN,
  hostFsWasmer,
  pythonMeta,
  sandboxForkingFirst,
  serveHomeTmp,
  wasmDir,
} from './node-sdk.test-helpers';
import { HostFsServer } from './server';

const binaries = { busybox: 'busybox.wasm', bash: 'bash.wasm', python: pythonMeta.file };
const present = Object.values(binaries).every((f) => existsSync(join(wasmDir, f)));

const PLAN = HOME_TMP_PLAN;
// Below the test timeout, so that a stuck command fails with its output instead of the test's.
const RUN = { check: false, timeoutMs: 30_000 } as const;

/** Names whose `stat` says "not there" although the VFS has them: another process made them after the guest looked. */
const LATE = new Set(['/home/user/late']);

/** The VFS backend, except that lookups of LATE names come too early to see them. */
class LateBackend extends VfsBackend {
  override stat(path: string): ReturnType<VfsBackend['stat']> {
    if (LATE.has(path)) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return super.stat(path);
  }
}

describe.skipIf(!present)('EEXIST for guests (Node, real SDK, kernel VFS)', () => {
  const vfs = new Vfs({ maxBytes: 4 << 20 });
  const server = new HostFsServer();
  let uninstall: () => void;
  let wasmer: Wasmer;
  let sandbox: Awaited<ReturnType<Wasmer['sandboxes']['create']>>;

  beforeAll(async () => {
    serveHomeTmp(server, vfs, new LateBackend(() => vfs));
    vfs.mount('/home/ro', { f: 'read only\n' }, { readOnly: true });
    uninstall = installHostFs(server);
    wasmer = await hostFsWasmer(PLAN, {});
    const modules = Object.fromEntries(Object.entries(binaries).map(([m, f]) => [m, readFileSync(join(wasmDir, f))]));
    const files: Record<string, Uint8Array> = {};
    for (const a of pythonMeta.assets) files[a.guestPath] = readFileSync(join(wasmDir, a.file));
    const pkg = await wasmer.packages.create({
      modules,
      commands: {
        sh: { module: 'busybox' },
        ls: { module: 'busybox' },
        mkdir: { module: 'busybox' },
        cat: { module: 'busybox' },
        echo: { module: 'busybox' },
        bash: { module: 'bash' },
        python3: { module: 'python' },
      },
      files,
    });
    sandbox = await sandboxForkingFirst(wasmer, pkg, pythonMeta.env);
  }, 120_000);

  afterAll(async () => {
    await wasmer?.close();
    uninstall?.();
  });

  const run = async (cmd: string, script: string) => {
    const out = await sandbox.command(cmd, ['-c', script]).run(RUN);
    return { code: out.exitCode, out: out.stdout.text(), err: out.stderr.text() };
  };
  /** Each path: what `f(path)` raised in python, by exception class and errno name. */
  const python = async (f: string, paths: string[]) => {
    const script = [
      'import errno, os, sys',
      `for p in sys.argv[1:]:`,
      `  try:`,
      `    ${f}`,
      `    print(p, 'ok')`,
      `  except OSError as e:`,
      `    print(p, type(e).__name__, errno.errorcode[e.errno])`,
    ].join('\n');
    const out = await sandbox.command('python3', ['-c', script, ...paths]).run(RUN);
    expect(out.stderr.text()).toBe('');
    return out.stdout.text();
  };

  it('an existing file, directory or link: O_EXCL opens and mkdir say EEXIST', async () => {
    vfs.writeFile('/home/user/existing', 'here\n');
    vfs.mkdir('/home/user/dir');
    vfs.symlink('existing', '/home/user/link');
    vfs.symlink('nowhere', '/home/user/dangling');
    const paths = ['existing', 'dir', 'link', 'dangling'].map((n) => `/home/user/${n}`);
    const all = (what: string) => paths.map((p) => `${p} FileExistsError EEXIST\n`).join('') + what;
    expect(await python("open(p, 'x')", paths)).toBe(all(''));
    expect(await python('os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY))', paths)).toBe(all(''));
    expect(await python('os.mkdir(p)', paths)).toBe(all(''));
    // Nothing was changed or made through the dangling link.
    expect(vfs.readText('/home/user/existing')).toBe('here\n');
    expect(vfs.exists('/home/user/nowhere')).toBe(false);
  });

  it('bash noclobber will not overwrite, busybox mkdir says "File exists"', async () => {
    vfs.writeFile('/home/user/kept', 'kept\n');
    vfs.symlink('gone', '/home/user/dangling2');
    // Builtins only: under load the SDK's forks can hang (node-sdk.test-helpers.ts sandboxForkingFirst).
    const r = await run(
      'bash',
      'cd /home/user; set -o noclobber; echo x > kept; echo x > dangling2; echo y >| kept; read -r line < kept; echo "$line"',
    );
    expect(r.err).toBe(
      'bash: line 1: kept: cannot overwrite existing file\nbash: line 1: dangling2: cannot overwrite existing file\n',
    );
    expect(r.out).toBe('y\n');
    const mk = await sandbox.command('mkdir', ['kept', 'dangling2', '/home/user'], { cwd: '/home/user' }).run(RUN);
    expect(mk.exitCode).toBe(1);
    expect(mk.stderr.text()).toBe(
      [
        "mkdir: can't create directory 'kept': File exists",
        "mkdir: can't create directory 'dangling2': File exists",
        "mkdir: can't create directory '/home/user': File exists",
        '',
      ].join('\n'),
    );
    expect(vfs.exists('/home/user/gone')).toBe(false);
  });

  it('a name another process made after the lookup: EEXIST, not EPERM', async () => {
    vfs.writeFile('/home/user/late', 'first\n');
    expect(await python('os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY))', ['/home/user/late'])).toBe(
      '/home/user/late FileExistsError EEXIST\n',
    );
    expect(await python('os.mkdir(p)', ['/home/user/late'])).toBe('/home/user/late FileExistsError EEXIST\n');
    expect(vfs.readText('/home/user/late')).toBe('first\n');
  });

  it('a read-only mount: EEXIST for what exists (as Linux), EROFS for what would be new', async () => {
    const out = await python("open(p, 'x')", ['/home/ro/f', '/home/ro/new', '/home/ro']);
    expect(out).toBe(
      ['/home/ro/f FileExistsError EEXIST', '/home/ro/new OSError EROFS', '/home/ro FileExistsError EEXIST', ''].join(
        '\n',
      ),
    );
    expect(await python('os.mkdir(p)', ['/home/ro', '/home/ro/f', '/home/ro/d'])).toBe(
      ['/home/ro FileExistsError EEXIST', '/home/ro/f FileExistsError EEXIST', '/home/ro/d OSError EROFS', ''].join(
        '\n',
      ),
    );
    const r = await run('bash', 'set -C; echo x > /home/ro/f; echo x > /home/ro/new');
    expect(r.err).toBe(
      'bash: line 1: /home/ro/f: cannot overwrite existing file\nbash: line 1: /home/ro/new: Read-only file system\n',
    );
    expect(vfs.readText('/home/ro/f')).toBe('read only\n');
  });

  it('new names are still made: O_EXCL, a plain create, mkdir', async () => {
    expect(await python("open(p, 'x').write('x')", ['/home/user/fresh'])).toBe('/home/user/fresh ok\n');
    const r = await run('sh', 'echo made > /home/user/plain && mkdir /home/user/newdir && cat /home/user/plain');
    expect(r).toEqual({ code: 0, out: 'made\n', err: '' });
    expect(vfs.readText('/home/user/fresh')).toBe('x');
    expect(vfs.stat('/home/user/newdir').type).toBe('dir');
  });
});
