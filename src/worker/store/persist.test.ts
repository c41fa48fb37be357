// saveVfs/loadVfs over the memory backend, as a sandbox would use them across a reload.
import { describe, expect, it } from 'vitest';
import { HandleTable } from '../vfs/handles';
import { buildDefaultLayout } from '../vfs/layout';
import { Vfs } from '../vfs/vfs';
import { openBackend, removeBackend } from './open';
import { loadVfs, saveVfs } from './persist';
import { Repository } from './repository';

describe('saveVfs / loadVfs', () => {
  it('persists a sandbox with snapshots and reopens it by id', async () => {
    const v = new Vfs();
    buildDefaultLayout(v);
    v.writeFile('/home/user/notes.txt', 'one');
    const s = v.snapshot();
    v.writeFile('/home/user/notes.txt', 'two');
    const { backend } = await openBackend('memory', 'persist-test');
    const stats = await saveVfs(
      await Repository.open(backend),
      v,
      [{ id: 'a', name: 'n', createdAt: 1, snapshot: s }],
      { cwd: '/home/user' },
    );
    expect(stats.objectsWritten).toBeGreaterThan(0);
    // "Reload": same id, new repository.
    const again = await openBackend('memory', 'persist-test');
    const loaded = (await loadVfs(await Repository.open(again.backend), { maxBytes: 1 << 20 }))!;
    expect(loaded.meta).toEqual({ cwd: '/home/user' });
    expect(loaded.vfs.readText('/home/user/notes.txt')).toBe('two');
    expect(loaded.vfs.readlink('/bin')).toBe('usr/bin');
    expect(loaded.vfs.usage()).toEqual({ ...v.usage(), maxBytes: 1 << 20 });
    loaded.vfs.restore(loaded.snapshots[0]!.snapshot);
    expect(loaded.vfs.readText('/home/user/notes.txt')).toBe('one');
    // New inodes never collide with loaded ones, so handles keep working.
    const h = new HandleTable(loaded.vfs);
    const fd = h.open('/home/user/new', 'w');
    expect(loaded.vfs.statIno(loaded.vfs.stat('/home/user/new').ino).size).toBe(0);
    h.write(fd, new TextEncoder().encode('x'));
    expect(loaded.vfs.readText('/home/user/new')).toBe('x');
    await removeBackend('memory', 'persist-test');
    expect(await loadVfs(await Repository.open((await openBackend('memory', 'persist-test')).backend))).toBeUndefined();
  });
});
