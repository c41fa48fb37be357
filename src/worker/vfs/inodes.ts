// Bookkeeping for what is open: where each inode hangs in the live tree (so a descriptor, which
// names an inode, can find its file after renames and copy-on-write clones), open counts, and
// files unlinked while open (kept alive, and counted against the quota, until the last close).

import type { DirNode, FileNode, Node } from './node';

interface Place {
  parent: number;
  name: string;
}

export class InodeTable {
  /** ino → place in the live tree. Null until first needed, and again after restore/fork. */
  private places: Map<number, Place> | null = null;
  private readonly openCount = new Map<number, number>();
  private readonly orphans = new Map<number, FileNode>();
  /** Bytes held by unlinked-but-open files. */
  orphanBytes = 0;

  constructor(private readonly rootIno: number) {}

  /** Forget every place (the whole tree was swapped); rebuilt lazily from the root. */
  invalidate(): void {
    this.places = null;
  }

  /** A node (and, for a directory, everything below it) was linked into `parent`. */
  linked(parent: DirNode, name: string, node: Node): void {
    if (!this.places) return;
    this.places.set(node.ino, { parent: parent.ino, name });
    if (node.kind === 'dir') this.addTree(node);
  }

  moved(ino: number, parent: DirNode, name: string): void {
    this.places?.set(ino, { parent: parent.ino, name });
  }

  /** One node of an unlinked subtree: forget its place; keep it if it is an open file. */
  unlinked(node: Node): void {
    this.places?.delete(node.ino);
    if (node.kind === 'file' && this.openCount.has(node.ino)) {
      this.orphans.set(node.ino, node);
      this.orphanBytes += node.size;
    }
  }

  retain(ino: number): void {
    this.openCount.set(ino, (this.openCount.get(ino) ?? 0) + 1);
  }

  release(ino: number): void {
    const n = (this.openCount.get(ino) ?? 1) - 1;
    if (n > 0) return void this.openCount.set(ino, n);
    this.openCount.delete(ino);
    const orphan = this.orphans.get(ino);
    if (orphan) {
      this.orphanBytes -= orphan.size;
      this.orphans.delete(ino);
    }
  }

  orphan(ino: number): FileNode | undefined {
    return this.orphans.get(ino);
  }

  /** Replace an orphan with its copy-on-write clone. */
  setOrphan(node: FileNode): void {
    this.orphans.set(node.ino, node);
  }

  /** Physical path components of a linked inode, or undefined if it is not in the tree. */
  namesOf(ino: number, root: DirNode): string[] | undefined {
    if (ino === this.rootIno) return [];
    if (!this.places) {
      this.places = new Map();
      this.addTree(root);
    }
    const names: string[] = [];
    for (let cur = ino; cur !== this.rootIno;) {
      const p = this.places.get(cur);
      if (!p) return undefined;
      names.push(p.name);
      cur = p.parent;
    }
    return names.reverse();
  }

  private addTree(dir: DirNode): void {
    const places = this.places!;
    const stack: DirNode[] = [dir];
    while (stack.length) {
      const d = stack.pop()!;
      for (const [name, c] of d.entries) {
        places.set(c.ino, { parent: d.ino, name });
        if (c.kind === 'dir') stack.push(c);
      }
    }
  }
}
