// "File exists" reaches guests as EEXIST in the browser: O_EXCL creates (Python's open(p, 'x'),
// os.open with O_EXCL, bash's noclobber) and mkdir of a name that is there, also when the name
// is a dangling symlink (the runtime's lookups follow links, so only our VFS sees it; the SDK
// used to turn our EEXIST into EPERM for open and ENOENT for mkdir), and on a read-only mount.
import { test, expect, ready } from './fixtures';

test('EEXIST for O_EXCL creates and mkdir of names that exist, dangling links and read-only mounts included', async ({
  page,
}) => {
  await ready(page, '/?api');
  const out = await page.evaluate(async () => {
    const sb = await (globalThis as any).sandpit.Sandbox.create();
    await sb.mount('/mnt/ro', { 'f.txt': 'read only\n' }, { readOnly: true });
    await sb.commands.run('cd /home/user && echo here > existing && mkdir dir && ln -s nowhere dangling', {
      check: true,
    });
    const py = [
      'import errno, os, sys',
      'def why(f, p):',
      '  try:',
      '    f(p)',
      '    return "ok"',
      '  except OSError as e:',
      '    return type(e).__name__ + " " + errno.errorcode[e.errno]',
      'for p in sys.argv[1:]:',
      '  x = why(lambda p: open(p, "x"), p)',
      '  excl = why(lambda p: os.close(os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY)), p)',
      '  md = why(os.mkdir, p)',
      '  print(p, x, "|", excl, "|", md)',
    ].join('\n');
    await sb.files.write('/tmp/why.py', py);
    const paths = '/home/user/existing /home/user/dir /home/user/dangling /mnt/ro/f.txt /mnt/ro/new';
    const python = await sb.commands.run(`python3 /tmp/why.py ${paths}`);
    const noclobber = await sb.commands.run(
      'cd /home/user; set -o noclobber; echo x > existing; echo x > dangling; echo x > /mnt/ro/f.txt; cat existing',
    );
    const mkdir = await sb.commands.run('cd /home/user; mkdir existing dir dangling /mnt/ro; echo "exit=$?"');
    const left = await sb.commands.run('ls /home/user; cat /mnt/ro/f.txt');
    await sb.destroy();
    return {
      python: [python.stdout, python.stderr],
      noclobber: [noclobber.stdout, noclobber.stderr],
      mkdir: [mkdir.stdout, mkdir.stderr],
      left: left.stdout,
    };
  });
  const exists = 'FileExistsError EEXIST';
  expect(out.python).toEqual([
    [
      `/home/user/existing ${exists} | ${exists} | ${exists}`,
      `/home/user/dir ${exists} | ${exists} | ${exists}`,
      `/home/user/dangling ${exists} | ${exists} | ${exists}`,
      `/mnt/ro/f.txt ${exists} | ${exists} | ${exists}`,
      '/mnt/ro/new OSError EROFS | OSError EROFS | OSError EROFS',
      '',
    ].join('\n'),
    '',
  ]);
  expect(out.noclobber).toEqual([
    'here\n',
    [
      'bash: line 1: existing: cannot overwrite existing file',
      'bash: line 1: dangling: cannot overwrite existing file',
      'bash: line 1: /mnt/ro/f.txt: cannot overwrite existing file',
      '',
    ].join('\n'),
  ]);
  expect(out.mkdir).toEqual([
    'exit=1\n',
    ['existing', 'dir', 'dangling', '/mnt/ro']
      .map((d) => `mkdir: can't create directory '${d}': File exists\n`)
      .join(''),
  ]);
  // Nothing was made through the dangling link, nothing changed on the read-only mount.
  expect(out.left).toBe('dangling\ndir\nexisting\nread only\n');
});
