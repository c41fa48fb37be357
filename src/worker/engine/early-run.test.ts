// Which commands start before the late binaries (python, sqlite3, …) are installed.
import { describe, expect, it } from 'vitest';
import { runsEarly } from './early-run';

const LATE = ['python', 'python3', 'sqlite3', 'lua', 'jq', 'js'];
const FIRST = new Set(['bash', 'sh', 'ls', 'cat', 'wc', 'grep', 'tr', 'xargs', 'find', 'env', 'sleep', 'mkdir']);
const early = (command: string, extra: { argv?: string[]; env?: Record<string, string>; terminal?: boolean } = {}) =>
  runsEarly({ command, ...extra }, LATE, FIRST);

describe('runsEarly', () => {
  it('lets builtins and leaf applets go ahead, with pipes, lists, redirections and assignments', () => {
    for (const c of [
      'echo hi',
      'true',
      'ls -la /home/user',
      'cat a.txt | tr a-z A-Z | wc -c',
      'mkdir -p d && cd d; pwd',
      'echo x > out.txt 2>&1',
      'LANG=C ls',
      '> f echo hi',
      'ls *.txt',
    ])
      expect(early(c), c).toBe(true);
  });

  it('waits for anything that names a late binary or may start another program', () => {
    for (const c of [
      'python3 -c "print(1)"',
      'echo hi; sqlite3 db.sqlite',
      'echo 1 | xargs echo', // xargs runs programs
      'bash script.sh',
      'sh -c "echo"',
      'find . -exec cat {} +',
      'env FOO=1 ls',
      './run.sh',
      'echo $(cat x)',
      'f() { ls; }; f',
      'ls /usr/bin', // would miss the late commands
      'command -v sqlite3',
      'cat data.json', // names js: waiting is harmless
      'awk "{print}" f', // not a known leaf (and busybox awk has system())
      'unknowncmd',
    ])
      expect(early(c), c).toBe(false);
  });

  it('waits for terminals and start-up code in the environment', () => {
    expect(early('echo hi', { terminal: true })).toBe(false);
    expect(early('echo hi', { env: { BASH_ENV: '/home/user/.env' } })).toBe(false);
    expect(early('echo hi', { env: { 'BASH_FUNC_ls%%': '() { python3; }' } })).toBe(false);
    expect(early('echo hi', { env: { GREETING: 'hello' } })).toBe(true);
  });

  it('checks an argv spawn by its program and arguments', () => {
    expect(early('', { argv: ['ls', '-la'] })).toBe(true);
    expect(early('', { argv: ['python3', '-c', 'pass'] })).toBe(false);
    expect(early('', { argv: ['bash', '-c', 'echo'] })).toBe(false);
    expect(early('', { argv: ['cat', 'app.js'] })).toBe(false);
    expect(early('', { argv: ['cat', 'notes.txt'] })).toBe(true);
  });

  it('a leaf applet the first binaries do not provide waits', () => {
    expect(early('sha256sum f')).toBe(false);
    expect(early('sleep 1')).toBe(true);
  });
});
