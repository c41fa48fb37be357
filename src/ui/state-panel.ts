// The state panel: snapshots (take, restore, diff against now, delete), export to a
// `.sandpit` file, import by drop or picker, where state is kept, and reset.
import { Sandbox } from '../api/index';
import { download, errorText, formatBytes, formatTime, h } from './dom';
import { PERSISTENCE_KINDS, type Persistence } from './session';

type SnapshotInfo = Awaited<ReturnType<Sandbox['listSnapshots']>>[number];

/** What the panel asks of the page that owns the sandbox. */
export interface StateHost {
  persistence: Persistence;
  /** Moves the current files to a sandbox kept in `kind`. */
  setPersistence(kind: Persistence): Promise<void>;
  /** Replaces the current sandbox with one made from an exported blob. */
  importState(blob: Blob): Promise<void>;
  /** Destroys the current sandbox and its stored data, then starts a fresh one. */
  reset(): Promise<void>;
  /** Files changed wholesale (restore): views should reload. */
  restored(): void;
  notify(msg: string): void;
}

const LABELS: Record<Persistence, string> = {
  memory: 'Memory (lost on reload)',
  opfs: 'OPFS (kept in this browser)',
  indexeddb: 'IndexedDB (kept in this browser)',
  auto: 'Auto (OPFS, else IndexedDB)',
};

export class StatePanel {
  #sb: Sandbox | undefined;
  readonly #id = h('span', { class: 'muted crumb', 'data-testid': 'sandbox-id' });
  readonly #select = h('select', { id: 'persistence', 'aria-label': 'Storage' });
  readonly #name = h('input', {
    id: 'snapshot-name',
    placeholder: 'Snapshot name',
    'aria-label': 'Snapshot name',
    autocomplete: 'off',
  });
  readonly #list = h('ul', { class: 'snapshots', role: 'list', 'aria-label': 'Snapshots' });
  readonly #diff = h('div', { class: 'diff', hidden: true, 'aria-live': 'polite' });
  readonly #import = h('input', { type: 'file', accept: '.sandpit,application/x-sandpit', hidden: true });
  readonly #reset = h('button', { type: 'button', class: 'danger' }, 'Reset');
  #resetArmed = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: StateHost,
  ) {
    const c = Sandbox.capabilities();
    const caps = { memory: true, opfs: c.opfs, indexeddb: c.indexedDB, auto: c.opfs || c.indexedDB };
    for (const kind of PERSISTENCE_KINDS) {
      this.#select.append(h('option', { value: kind, disabled: !caps[kind] }, LABELS[kind]));
    }
    this.#select.value = host.persistence;
    this.#select.addEventListener('change', () => void this.#changePersistence());
    const snapForm = h(
      'form',
      { class: 'row', 'aria-label': 'Take a snapshot' },
      this.#name,
      h('button', { type: 'submit', class: 'primary' }, 'Snapshot'),
    );
    snapForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#snapshot();
    });
    this.#import.addEventListener('change', () => {
      const f = this.#import.files?.[0];
      this.#import.value = '';
      if (f) void this.host.importState(f);
    });
    this.#reset.addEventListener('click', () => void this.#resetClicked());
    root.append(
      h('div', { class: 'pane-head' }, h('h2', { id: 'state-heading' }, 'State'), this.#id),
      h('div', { class: 'row field' }, h('label', { for: 'persistence' }, 'Storage'), this.#select),
      snapForm,
      this.#list,
      this.#diff,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', onclick: () => void this.#export() }, 'Export'),
        h('button', { type: 'button', onclick: () => this.#import.click() }, 'Import…'),
        this.#import,
        h('span', { class: 'spacer' }),
        this.#reset,
      ),
      h('p', { class: 'muted hint' }, 'Drop a .sandpit file here to import it.'),
    );
    this.#dropZone();
  }

  async attach(sb: Sandbox): Promise<void> {
    this.#sb = sb;
    this.#id.textContent = sb.id.length > 14 ? `${sb.id.slice(0, 8)}…` : sb.id;
    this.#id.title = `Sandbox id ${sb.id}`;
    this.#select.value = this.host.persistence;
    this.#diff.hidden = true;
    await this.refresh();
  }

  detach(): void {
    this.#sb = undefined;
    this.#list.replaceChildren();
  }

  async refresh(): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    const snaps = await sb.listSnapshots().catch((err: unknown) => {
      this.host.notify(`Snapshots: ${errorText(err)}`);
      return [] as SnapshotInfo[];
    });
    if (sb !== this.#sb) return;
    this.#list.replaceChildren(
      ...snaps
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((s) => {
          const name = s.name || 'unnamed';
          return h(
            'li',
            { 'data-snapshot': s.id },
            h(
              'div',
              { class: 'snap-info' },
              h('span', { class: 'name' }, name),
              h('span', { class: 'muted' }, `${formatTime(s.createdAt)} · ${formatBytes(s.bytes)}`),
            ),
            h(
              'div',
              { class: 'snap-actions' },
              h(
                'button',
                { type: 'button', 'aria-label': `Restore ${name}`, onclick: () => void this.#restore(s) },
                'Restore',
              ),
              h(
                'button',
                { type: 'button', 'aria-label': `Diff ${name}`, onclick: () => void this.#showDiff(s) },
                'Diff',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  'aria-label': `Delete ${name}`,
                  onclick: () => void this.#delete(s),
                },
                'Delete',
              ),
            ),
          );
        }),
    );
    if (snaps.length === 0) this.#list.append(h('li', { class: 'muted empty' }, 'No snapshots yet.'));
  }

  async #snapshot(): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    const name = this.#name.value.trim();
    try {
      const s = await sb.snapshot(name ? { name } : {});
      this.#name.value = '';
      this.host.notify(`Snapshot ${s.name ?? s.id} taken`);
      await this.refresh();
    } catch (err) {
      this.host.notify(`Snapshot: ${errorText(err)}`);
    }
  }

  async #restore(s: SnapshotInfo): Promise<void> {
    try {
      await this.#sb?.restore(s.id);
      this.host.notify(`Restored ${s.name || s.id}`);
      this.#diff.hidden = true;
      this.host.restored();
    } catch (err) {
      this.host.notify(`Restore: ${errorText(err)}`);
    }
  }

  async #delete(s: SnapshotInfo): Promise<void> {
    try {
      await this.#sb?.deleteSnapshot(s.id);
      this.#diff.hidden = true;
      await this.refresh();
    } catch (err) {
      this.host.notify(`Delete snapshot: ${errorText(err)}`);
    }
  }

  async #showDiff(s: SnapshotInfo): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    try {
      const d = await sb.diff(s.id);
      const rows = [
        ...d.added.map((p) => h('li', { class: 'added' }, `+ ${p}`)),
        ...d.modified.map((p) => h('li', { class: 'modified' }, `~ ${p}`)),
        ...d.removed.map((p) => h('li', { class: 'removed' }, `− ${p}`)),
      ];
      this.#diff.replaceChildren(
        h(
          'div',
          { class: 'diff-head' },
          h('strong', {}, `Changes since “${s.name || 'unnamed'}”`),
          h('button', { type: 'button', class: 'link', onclick: () => (this.#diff.hidden = true) }, 'Hide'),
        ),
        rows.length ? h('ul', { role: 'list' }, ...rows) : h('p', { class: 'muted' }, 'No changes.'),
      );
      this.#diff.hidden = false;
    } catch (err) {
      this.host.notify(`Diff: ${errorText(err)}`);
    }
  }

  async #export(): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    try {
      const blob = await sb.exportState();
      const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
      download(blob, `sandpit-${stamp}.sandpit`);
      this.host.notify(`Exported ${formatBytes(blob.size)}`);
    } catch (err) {
      this.host.notify(`Export: ${errorText(err)}`);
    }
  }

  async #changePersistence(): Promise<void> {
    const kind = this.#select.value as Persistence;
    if (kind === this.host.persistence) return;
    this.#select.disabled = true;
    try {
      await this.host.setPersistence(kind);
    } finally {
      this.#select.disabled = false;
      this.#select.value = this.host.persistence;
    }
  }

  /** Reset asks twice: the first press arms the button for a few seconds. */
  async #resetClicked(): Promise<void> {
    if (!this.#resetArmed) {
      this.#reset.textContent = 'Confirm reset';
      this.#resetArmed = window.setTimeout(() => this.#disarm(), 4000);
      return;
    }
    this.#disarm();
    await this.host.reset();
  }

  #disarm(): void {
    clearTimeout(this.#resetArmed);
    this.#resetArmed = 0;
    this.#reset.textContent = 'Reset';
  }

  #dropZone(): void {
    const zone = this.root;
    zone.addEventListener('dragover', (ev) => {
      if (!ev.dataTransfer?.types.includes('Files')) return;
      ev.preventDefault();
      zone.classList.add('dropping');
    });
    zone.addEventListener('dragleave', (ev) => {
      if (!zone.contains(ev.relatedTarget as Node | null)) zone.classList.remove('dropping');
    });
    zone.addEventListener('drop', (ev) => {
      zone.classList.remove('dropping');
      const f = ev.dataTransfer?.files[0];
      if (!f) return;
      ev.preventDefault();
      void this.host.importState(f);
    });
  }
}
