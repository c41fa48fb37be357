// Worker scope: one sandbox per worker, restored to its starting snapshot before each test.
import { fileURLToPath } from 'node:url';
import { expect, test } from '../index';

test.use({
  sandboxScope: 'worker',
  sandboxOptions: {
    browser: { distDir: fileURLToPath(new URL('../../node/test-fixtures/fake-app', import.meta.url)) },
  },
});

const ids: string[] = [];

test('a test changes the worker sandbox', async ({ sandbox }) => {
  ids.push(sandbox.id);
  await sandbox.files.write('/home/user/mark.txt', 'first');
});

test('the next test gets the same sandbox, restored', async ({ sandbox }) => {
  ids.push(sandbox.id);
  expect(ids[1]).toBe(ids[0]);
  await expect(sandbox.files.read('/home/user/mark.txt')).rejects.toMatchObject({ code: 'ENOENT' });
});
