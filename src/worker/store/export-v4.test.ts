// Export format v4: a snapshot's tree lists only what differs from the live tree ('s' entries
// for the rest), the import shares those nodes again, and bad 's' entries or bases are CORRUPT.
import { describe, expect, it } from 'vitest';
import type { DirNode } from '../vfs/node';
import { Vfs } from '../vfs/vfs';
import { sealV3, openV3 } from './container-v3';
import { exportState, importState } from './export';
import { decodeRecords, encodeRecords } from './payload-v2';
import { codeOf, dump } from './store.test-helpers';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The tree records of an export, parsed. */
async function treesOf(bytes: Uint8Array): Promise<{ base?: number; entries: unknown[][] }[]> {
  const { records, rawLen } = openV3(bytes, 1 << 30);
  const decoded = await decodeRecords(records, rawLen, true);
  return decoded.trees.map((t) => JSON.parse(dec.decode(t)));
}

/** 300 files in 3 directories, a snapshot, then one file changed, one added, one removed. */
function churned() {
  const v = new Vfs();
  for (let d = 0; d < 3; d++) {
    v.mkdir(`/d${d}`);
    for (let i = 0; i < 100; i++) v.writeFile(`/d${d}/f${i}`, `file ${d}/${i}\n`);
  }
  v.symlink('d0/f0', '/link');
  const before = v.snapshot();
  v.writeFile('/d1/f5', 'changed\n');
  v.writeFile('/d1/new', 'added\n');
  v.unlink('/d2/f7');
  return { v, before };
}

describe('export format v4', () => {
  it("writes a snapshot as the live tree's changes and shares the rest again on import", async () => {
    const { v, before } = churned();
    const bytes = await exportState(v, { snapshots: [{ id: 's1', createdAt: 1, snapshot: before }] });
    expect(bytes[8]).toBe(4);
    const [live, snap] = await treesOf(bytes);
    expect(live!.base).toBeUndefined();
    expect(live!.entries.length).toBe(1 + 3 + 300 + 1); // root, 3 dirs, 300 files (one added, one removed), link
    // The snapshot lists the root and the two changed directories in full; d0 and the link are shared.
    expect(snap!.base).toBe(0);
    const shared = snap!.entries.filter((e) => e[1] === 's').map((e) => e[0]);
    expect(shared).toContain('/d0');
    expect(shared).toContain('/link');
    expect(shared).toContain('/d1/f0');
    expect(shared).not.toContain('/d1/f5');
    expect(snap!.entries.find((e) => e[0] === '/d2/f7')?.[1]).toBe('f'); // only the snapshot has it
    expect(snap!.entries.length).toBeLessThan(210);

    const back = await importState(bytes);
    const s = Vfs.fromSnapshot(back.snapshots[0]!.snapshot);
    expect(dump(back.vfs)).toEqual(dump(v));
    expect(dump(s)).toEqual(dump(Vfs.fromSnapshot(before)));
    // Shared by identity, as before the export: the same node object in both trees.
    const liveRoot = back.vfs.rootNode;
    const snapRoot = back.snapshots[0]!.snapshot.root;
    expect(snapRoot.entries.get('d0')).toBe(liveRoot.entries.get('d0'));
    expect((snapRoot.entries.get('d1') as DirNode).entries.get('f0')).toBe(
      (liveRoot.entries.get('d1') as DirNode).entries.get('f0'),
    );
    // Copy-on-write still holds over shared nodes: a write to the live tree leaves the snapshot.
    back.vfs.writeFile('/d0/f1', 'live only\n');
    back.vfs.unlink('/d0/f2');
    expect(dec.decode(s.readFile('/d0/f1'))).toBe('file 0/1\n');
    expect(s.exists('/d0/f2')).toBe(true);
    // And diff sees exactly the changes since the snapshot.
    const diff = back.vfs.diff(back.snapshots[0]!.snapshot);
    expect([...diff.added].sort()).toEqual(['/d1/new']);
    expect([...diff.modified].sort()).toEqual(['/d0/f1', '/d1/f5']);
    expect([...diff.removed].sort()).toEqual(['/d0/f2', '/d2/f7']);
  });

  it('a snapshot equal to the live tree is one entry; several snapshots each base on the live tree', async () => {
    const { v, before } = churned();
    const now = v.snapshot();
    const bytes = await exportState(v, {
      snapshots: [
        { id: 'a', createdAt: 1, snapshot: before },
        { id: 'b', createdAt: 2, snapshot: now },
      ],
    });
    const [, a, b] = await treesOf(bytes);
    expect(a!.base).toBe(0);
    expect(b!.entries).toEqual([['/', 's']]);
    const back = await importState(bytes);
    expect(back.snapshots.map((s) => s.id)).toEqual(['a', 'b']);
    expect(back.snapshots[1]!.snapshot.root).toBe(back.vfs.rootNode);
    expect(back.snapshots[1]!.snapshot.usedBytes).toBe(back.vfs.usage().bytes);
    // A write to the live tree (whose root the snapshot shares) leaves the snapshot as it was.
    back.vfs.writeFile('/d0/f0', 'x');
    expect(dec.decode(Vfs.fromSnapshot(back.snapshots[1]!.snapshot).readFile('/d0/f0'))).toBe('file 0/0\n');
  });

  it('version 3 is still written on request, in full, and reads back the same', async () => {
    const { v, before } = churned();
    const bytes = await exportState(v, {
      formatVersion: 3,
      snapshots: [{ id: 's1', createdAt: 1, snapshot: before }],
    });
    expect(bytes[8]).toBe(3);
    const [, snap] = await treesOf(bytes);
    expect(snap!.entries.some((e) => e[1] === 's')).toBe(false);
    const back = await importState(bytes);
    expect(dump(Vfs.fromSnapshot(back.snapshots[0]!.snapshot))).toEqual(dump(Vfs.fromSnapshot(before)));
  });

  it("bad 's' entries and bases are CORRUPT, and so are they in a version 3 file", async () => {
    const root = ['/', 'd', 0o755, 1, 1];
    const file = (p: string) => [p, 'f', 0o644, 1, 1, 2, [0]];
    const live = { role: 'live', entries: [root, ['/d', 'd', 0o755, 1, 1], file('/d/x'), file('/f')] };
    const snap = (extra: object) => ({ role: 'snapshot', id: 's', createdAt: 1, ...extra });
    const make = async (trees: object[], version = 4) => {
      const meta = { format: 'sandpit-state', version, createdAt: 1, env: {}, cwd: '/', blobs: 1, trees: trees.length };
      const { records, rawLen } = await encodeRecords(
        {
          meta: enc.encode(JSON.stringify(meta)),
          blobs: [enc.encode('hi')],
          trees: trees.map((t) => enc.encode(JSON.stringify(t))),
        },
        true,
      );
      return sealV3(records, rawLen, version);
    };
    // Well-formed ones import, so each failure below is due to what it changes.
    const good = snap({ base: 0, entries: [root, ['/d', 's'], file('/g')] });
    expect(await codeOf(importState(await make([live, good])))).toBeUndefined();
    expect(await codeOf(importState(await make([live, snap({ base: 0, entries: [['/', 's']] })])))).toBeUndefined();
    const bad: [string, object[], number?][] = [
      ['in a version 3 file', [live, good], 3],
      ['base on the live tree', [{ ...live, base: 0 }]],
      ["'s' without a base", [live, snap({ entries: [root, ['/d', 's']] })]],
      ['base out of range', [live, snap({ base: 1, entries: [root, ['/d', 's']] })]],
      ['base not an integer', [live, snap({ base: 0.5, entries: [root, ['/d', 's']] })]],
      ["'s' of a path the base does not list", [live, snap({ base: 0, entries: [root, ['/nope', 's']] })]],
      [
        "'s' of a path below one the base shares",
        [
          live,
          snap({ base: 0, entries: [root, ['/d', 's']] }),
          snap({ id: 't', base: 1, entries: [root, ['/d/x', 's']] }),
        ],
      ],
      ["an entry below an 's' directory", [live, snap({ base: 0, entries: [root, ['/d', 's'], file('/d/y')] })]],
      ["an 's' entry with more fields", [live, snap({ base: 0, entries: [root, ['/d', 's', 0o755]] })]],
      ["a duplicate 's' entry", [live, snap({ base: 0, entries: [root, ['/d', 's'], ['/d', 's']] })]],
      ["an 's' entry without its parent", [live, snap({ base: 0, entries: [root, ['/d/x', 's']] })]],
    ];
    for (const [why, trees, version] of bad)
      expect(await codeOf(importState(await make(trees, version))), why).toBe('CORRUPT');
  });
});
