// Default scope: every test gets a fresh sandbox of its own.
import { fileURLToPath } from 'node:url';
import { expect, test } from '../index';

test.use({
  sandboxOptions: {
    browser: { distDir: fileURLToPath(new URL('../../node/test-fixtures/fake-app', import.meta.url)) },
  },
});

const ids: string[] = [];

test('a test gets a sandbox and can change it', async ({ sandbox }) => {
  ids.push(sandbox.id);
  await sandbox.files.write('/home/user/mark.txt', 'first');
  expect(await sandbox.files.read('/home/user/mark.txt')).toBe('first');
  expect((await sandbox.commands.run('echo hi')).stdout).toBe('hi\n');
});

test('the next test gets a new one', async ({ sandbox }) => {
  ids.push(sandbox.id);
  expect(ids[0]).not.toBe(ids[1]);
  await expect(sandbox.files.read('/home/user/mark.txt')).rejects.toMatchObject({ code: 'ENOENT' });
});
