// Copy-on-write snapshots, restore, fork and diff: sharing is structural, writes copy only what they touch.
import { describe, expect, it } from 'vitest';
import type { DirNode, FileNode } from './node';
import { PAGE_SIZE } from './node';
import { Vfs } from './vfs';

function fileNode(v: Vfs, path: string): FileNode {
  let n: DirNode | FileNode = v.rootNode;
  for (const p of path.split('/').filter(Boolean)) n = (n as DirNode).entries.get(p) as DirNode | FileNode;
  return n as FileNode;
}

describe('snapshot / restore', () => {
  it('snapshot is unaffected by later writes, and restore brings it back', () => {
    const v = new Vfs();
    v.mkdir('/d');
    v.writeFile('/d/a', 'one');
    const s = v.snapshot();
    v.writeFile('/d/a', 'two');
    v.writeFile('/d/b', 'new');
    v.rm('/d', { recursive: true });
    expect(v.exists('/d')).toBe(false);
    v.restore(s);
    expect(v.readText('/d/a')).toBe('one');
    expect(v.exists('/d/b')).toBe(false);
    expect(v.usage()).toMatchObject({ bytes: 3, files: 2 });
    // Restoring twice from the same snapshot works: the snapshot itself was never mutated.
    v.writeFile('/d/a', 'three');
    v.restore(s);
    expect(v.readText('/d/a')).toBe('one');
  });

  it('writes after a snapshot copy only the touched page and the path above it', () => {
    const v = new Vfs();
    v.mkdir('/a/b', { recursive: true });
    v.mkdir('/other');
    v.writeFile('/a/b/big', new Uint8Array(4 * PAGE_SIZE).fill(7));
    const s = v.snapshot();
    const before = fileNode(v, '/a/b/big');
    v.write('/a/b/big', PAGE_SIZE + 5, new Uint8Array([1, 2, 3]));
    const after = fileNode(v, '/a/b/big');
    expect(after).not.toBe(before);
    expect(after.pages[0]).toBe(before.pages[0]);
    expect(after.pages[1]).not.toBe(before.pages[1]);
    expect(after.pages[2]).toBe(before.pages[2]);
    expect(after.pages[3]).toBe(before.pages[3]);
    // Untouched sibling subtree is shared by pointer.
    expect(v.rootNode.entries.get('other')).toBe(s.root.entries.get('other'));
    expect(v.rootNode).not.toBe(s.root);
    // The snapshot still holds the old bytes.
    expect(fileNode({ rootNode: s.root } as Vfs, '/a/b/big').pages[1]!.data[5]).toBe(7);
  });

  it('restoring keeps the quota accounting of the snapshot', () => {
    const v = new Vfs({ maxBytes: 100 });
    v.writeFile('/a', new Uint8Array(60));
    const s = v.snapshot();
    v.unlink('/a');
    v.writeFile('/b', new Uint8Array(90));
    v.restore(s);
    expect(v.usage().bytes).toBe(60);
    expect(() => v.writeFile('/c', new Uint8Array(41))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
  });
});

describe('fork', () => {
  it('gives an independent filesystem sharing pages until written', () => {
    const v = new Vfs();
    v.writeFile('/shared', new Uint8Array(PAGE_SIZE * 2).fill(1));
    const child = v.fork();
    expect(fileNode(child, '/shared').pages[0]).toBe(fileNode(v, '/shared').pages[0]);
    child.write('/shared', 0, new Uint8Array([9]));
    v.writeFile('/parent-only', 'p');
    child.writeFile('/child-only', 'c');
    expect(v.read('/shared', 0, 1)[0]).toBe(1);
    expect(child.read('/shared', 0, 1)[0]).toBe(9);
    expect(child.exists('/parent-only')).toBe(false);
    expect(v.exists('/child-only')).toBe(false);
    expect(fileNode(child, '/shared').pages[1]).toBe(fileNode(v, '/shared').pages[1]);
    // Forks of forks, and restoring a parent snapshot into a fork, stay isolated.
    const s = v.snapshot();
    const grandchild = child.fork();
    grandchild.restore(s);
    grandchild.write('/shared', 0, new Uint8Array([5]));
    expect(v.read('/shared', 0, 1)[0]).toBe(1);
    expect(child.read('/shared', 0, 1)[0]).toBe(9);
  });
});

describe('diff', () => {
  it('reports added, modified and removed paths', () => {
    let t = 1;
    const v = new Vfs({ now: () => t++ });
    v.mkdir('/keep/deep', { recursive: true });
    v.writeFile('/keep/deep/same', 's');
    v.writeFile('/mod', 'a');
    v.writeFile('/gone', 'g');
    v.mkdir('/gonedir');
    v.writeFile('/gonedir/x', 'x');
    v.symlink('/mod', '/link');
    const s = v.snapshot();
    expect(v.diff(s)).toEqual({ added: [], modified: [], removed: [] });
    v.writeFile('/mod', 'b');
    v.unlink('/gone');
    v.rm('/gonedir', { recursive: true });
    v.mkdir('/newdir');
    v.writeFile('/newdir/n', 'n');
    v.unlink('/link');
    v.symlink('/elsewhere', '/link');
    expect(v.diff(s)).toEqual({
      added: ['/newdir', '/newdir/n'],
      modified: ['/link', '/mod'],
      removed: ['/gone', '/gonedir', '/gonedir/x'],
    });
    const s2 = v.snapshot();
    expect(v.diff(s, s2).added).toEqual(['/newdir', '/newdir/n']);
  });

  it('treats a rename as remove + add', () => {
    const v = new Vfs();
    v.writeFile('/a', 'a');
    const s = v.snapshot();
    v.rename('/a', '/b');
    expect(v.diff(s)).toEqual({ added: ['/b'], modified: [], removed: ['/a'] });
  });
});
