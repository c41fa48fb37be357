// The fixture on the real build, worker scope: one sandbox restored to its starting snapshot
// before each test, so what one test writes (from Node or from a command) is gone in the next.
import { buildRealApp, NO_SHELL_REASON, shellBinary } from '../../node/testing';
import { expect, test } from '../index';

test.skip(!shellBinary(), NO_SHELL_REASON);
test.use({ sandboxScope: 'worker', sandboxOptions: { browser: { distDir: shellBinary() ? buildRealApp() : '' } } });

const ids: string[] = [];

test('a command changes the worker sandbox', async ({ sandbox }) => {
  ids.push(sandbox.id);
  expect((await sandbox.commands.run('echo first > /home/user/mark.txt')).exitCode).toBe(0);
  expect(await sandbox.files.read('/home/user/mark.txt')).toBe('first\n');
});

test('the next test gets the same sandbox, restored to the snapshot', async ({ sandbox }) => {
  ids.push(sandbox.id);
  expect(ids[1]).toBe(ids[0]);
  const r = await sandbox.commands.run('test -e /home/user/mark.txt; echo $?');
  expect(r.stdout).toBe('1\n');
});
