// Volumes: named filesystems of their own, persisted in this origin's storage and mounted into
// sandboxes (`create({ volumes: { '/data': 'shared-vol' } })`). Sandboxes of one page share
// the same live volume, so one sees what another writes at once; each change is saved soon.
import { KernelError } from './errors';
import { kvTable } from './kv';
import { Persister, type Persistable } from './persister';
import type { VolumeInfo } from './protocol';
import type { StoredSnapshot } from './snapshots';
import { Vfs } from './vfs';

/** Which volumes exist: name → info. */
const index = kvTable<VolumeInfo>('sandpit-volumes', 'volumes');

class LiveVolume implements Persistable {
  users = 0;
  private readonly unwatch: () => void;

  constructor(
    readonly name: string,
    readonly vfs: Vfs,
    readonly persister: Persister,
  ) {
    // Every change, from the API or a guest, schedules a save.
    this.unwatch = vfs.watch('/', true, () => persister.schedule(this));
  }

  persistedSnapshots(): StoredSnapshot[] {
    return [];
  }

  persistedMeta(): unknown {
    return { volume: this.name };
  }

  async close(): Promise<void> {
    this.unwatch();
    await this.persister.flush(this);
  }
}

export class Volumes {
  private readonly live = new Map<string, Promise<LiveVolume>>();

  /** Creates a volume (or opens it if it exists) and returns its info. */
  async create(name: string): Promise<VolumeInfo> {
    const known = await index.get(name);
    if (known) return known;
    const info: VolumeInfo = { name, createdAt: Date.now() };
    const vol = await this.acquire(name, true);
    try {
      await vol.persister.flush(vol);
      await index.set(info.name, info);
    } finally {
      await this.release(name);
    }
    return info;
  }

  async info(name: string): Promise<VolumeInfo> {
    const known = await index.get(name);
    if (!known) throw new KernelError('NOT_FOUND', `no volume named ${name}`);
    return known;
  }

  async list(): Promise<VolumeInfo[]> {
    const all = await index.values();
    return all.sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(name: string): Promise<void> {
    await this.info(name);
    if (this.live.has(name)) throw new KernelError('LOCKED', `volume ${name} is mounted by an open sandbox`);
    const { persister } = await Persister.open(`volume.${name}`, 'auto', false);
    await persister.destroy();
    await index.delete(name);
  }

  /** The live volume, loaded on first use; pair with release(). */
  async acquire(name: string, creating = false): Promise<LiveVolume> {
    if (!creating) await this.info(name);
    let p = this.live.get(name);
    if (!p) {
      p = (async () => {
        const { persister, loaded } = await Persister.open(`volume.${name}`, 'auto', false);
        return new LiveVolume(name, loaded?.vfs ?? new Vfs(), persister);
      })();
      this.live.set(name, p);
      p.catch(() => this.live.delete(name));
    }
    const vol = await p;
    vol.users++;
    return vol;
  }

  async release(name: string): Promise<void> {
    const p = this.live.get(name);
    if (!p) return;
    const vol = await p;
    if (--vol.users > 0) return;
    this.live.delete(name);
    await vol.close();
  }
}
