// The file panel: a live tree of /home/user (files.watch + files.list), a plain textarea
// editor with save, download and delete, and upload by drop or file picker.
import type { Sandbox } from '../api/index';
import { basename, download, errorText, formatBytes, h } from './dom';

type EntryInfo = Awaited<ReturnType<Sandbox['files']['list']>>[number];
type WatchHandle = Awaited<ReturnType<Sandbox['files']['watch']>>;

export const HOME = '/home/user';
/** How deep the tree is listed; deeper folders show once expanded (they are relisted). */
const DEPTH = 12;
const MAX_EDIT_BYTES = 2 << 20;

interface OpenFile {
  path: string;
  text: string;
  binary: boolean;
}

export class FilesPanel {
  #sb: Sandbox | undefined;
  #watch: WatchHandle | undefined;
  #expanded = new Set<string>();
  #timer = 0;
  #open: OpenFile | undefined;
  readonly #tree = h('ul', { class: 'tree', role: 'list', 'aria-label': `Files in ${HOME}` });
  readonly #empty = h('p', { class: 'muted empty' }, 'No files yet. Drop files here or create one.');
  readonly #upload = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'upload-input' });
  readonly #editor = h('form', { class: 'editor', hidden: true, 'aria-label': 'Editor' });
  readonly #pathInput = h('input', { class: 'path', 'aria-label': 'File path', spellcheck: 'false' });
  readonly #text = h('textarea', { 'aria-label': 'File contents', spellcheck: 'false', wrap: 'off' });
  readonly #note = h('span', { class: 'muted note', 'aria-live': 'polite' });

  constructor(
    private readonly root: HTMLElement,
    private readonly notify: (msg: string) => void,
  ) {
    const uploadButton = h('button', { type: 'button', onclick: () => this.#upload.click() }, 'Upload');
    const newButton = h('button', { type: 'button', onclick: () => this.#newFile() }, 'New file');
    this.#upload.addEventListener('change', () => {
      if (this.#upload.files) void this.upload([...this.#upload.files]);
      this.#upload.value = '';
    });
    root.append(
      h(
        'div',
        { class: 'pane-head' },
        h('h2', { id: 'files-heading' }, 'Files'),
        h('span', { class: 'muted crumb' }, '~'),
        h('div', { class: 'actions' }, newButton, uploadButton, this.#upload),
      ),
      h('div', { class: 'tree-wrap' }, this.#tree, this.#empty),
      this.#editor,
    );
    this.#buildEditor();
    this.#dropZone();
  }

  async attach(sb: Sandbox): Promise<void> {
    await this.detach();
    this.#sb = sb;
    this.#watch = await sb.files.watch(HOME, (events) => this.#changed(events), { recursive: true });
    await this.refresh();
  }

  async detach(): Promise<void> {
    const w = this.#watch;
    this.#watch = undefined;
    this.#sb = undefined;
    this.#closeEditor();
    this.#tree.replaceChildren();
    if (w) await w.close().catch(() => undefined);
  }

  #changed(events: { path: string }[]): void {
    clearTimeout(this.#timer);
    this.#timer = window.setTimeout(() => void this.refresh(), 60);
    const open = this.#open;
    if (open && !this.#dirty() && events.some((e) => e.path === open.path)) void this.#reload(open.path);
  }

  async refresh(): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    let entries: EntryInfo[];
    try {
      entries = await sb.files.list(HOME, { depth: DEPTH });
    } catch (err) {
      this.notify(`Files: ${errorText(err)}`);
      return;
    }
    if (sb !== this.#sb) return;
    this.#render(entries);
  }

  #render(entries: EntryInfo[]): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset?.path;
    const children = new Map<string, EntryInfo[]>();
    for (const e of entries) {
      const parent = e.path.slice(0, e.path.lastIndexOf('/')) || '/';
      let list = children.get(parent);
      if (!list) children.set(parent, (list = []));
      list.push(e);
    }
    const build = (dir: string): HTMLUListElement => {
      const ul = h('ul', { role: 'list' });
      const list = (children.get(dir) ?? []).sort(
        (a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.name.localeCompare(b.name),
      );
      for (const e of list) ul.append(this.#item(e, () => build(e.path)));
      return ul;
    };
    const top = build(HOME);
    this.#tree.replaceChildren(...top.childNodes);
    this.#empty.hidden = entries.length > 0;
    if (focused) this.#tree.querySelector<HTMLElement>(`[data-path="${CSS.escape(focused)}"]`)?.focus();
  }

  #item(e: EntryInfo, sub: () => HTMLUListElement): HTMLLIElement {
    if (e.type === 'dir') {
      const open = this.#expanded.has(e.path);
      const button = h(
        'button',
        {
          type: 'button',
          class: 'entry dir',
          'aria-expanded': String(open),
          'data-path': e.path,
          onclick: () => {
            if (open) this.#expanded.delete(e.path);
            else this.#expanded.add(e.path);
            void this.refresh();
          },
        },
        h('span', { class: 'icon', 'aria-hidden': 'true' }, open ? '▾' : '▸'),
        h('span', { class: 'name' }, e.name),
      );
      return h('li', {}, button, open && sub());
    }
    const label = e.type === 'symlink' ? `${e.name} → ${e.target ?? ''}` : e.name;
    const button = h(
      'button',
      {
        type: 'button',
        class: `entry file${this.#open?.path === e.path ? ' current' : ''}`,
        'data-path': e.path,
        title: e.path,
        onclick: () => void this.open(e.path),
      },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, e.type === 'symlink' ? '↪' : ''),
      h('span', { class: 'name' }, label),
      h('span', { class: 'size muted' }, e.type === 'file' ? formatBytes(e.size) : ''),
    );
    return h('li', {}, button);
  }

  #buildEditor(): void {
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save');
    const dl = h('button', { type: 'button', onclick: () => void this.#download() }, 'Download');
    const del = h('button', { type: 'button', class: 'danger', onclick: () => void this.#delete() }, 'Delete');
    const close = h('button', { type: 'button', onclick: () => this.#closeEditor() }, 'Close');
    this.#editor.append(
      h('div', { class: 'editor-head' }, this.#pathInput),
      this.#text,
      h('div', { class: 'row' }, save, dl, del, close, this.#note),
    );
    this.#editor.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#save();
    });
    this.#editor.addEventListener('keydown', (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === 's') {
        ev.preventDefault();
        void this.#save();
      } else if (ev.key === 'Escape') {
        this.#closeEditor();
      }
    });
    this.#text.addEventListener('input', () => {
      this.#note.textContent = this.#dirty() ? 'modified' : '';
    });
  }

  #dirty(): boolean {
    return !!this.#open && !this.#open.binary && this.#text.value !== this.#open.text;
  }

  async open(path: string): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    if (this.#dirty() && path !== this.#open?.path && !confirm(`Discard unsaved changes to ${this.#open?.path}?`))
      return;
    try {
      const bytes = await sb.files.read(path, { format: 'bytes' });
      this.#show(path, bytes);
      this.#text.focus();
    } catch (err) {
      this.notify(`Open ${path}: ${errorText(err)}`);
    }
  }

  async #reload(path: string): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    try {
      this.#show(path, await sb.files.read(path, { format: 'bytes' }));
    } catch {
      this.#note.textContent = 'deleted on disk';
    }
  }

  #show(path: string, bytes: Uint8Array): void {
    let text: string | undefined;
    if (bytes.length <= MAX_EDIT_BYTES && !bytes.includes(0)) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        text = undefined;
      }
    }
    this.#open = { path, text: text ?? '', binary: text === undefined };
    this.#pathInput.value = path;
    this.#text.value = text ?? '';
    this.#text.readOnly = text === undefined;
    this.#text.placeholder =
      text === undefined ? `Binary or large file (${formatBytes(bytes.length)}): use Download to view it.` : '';
    this.#note.textContent = '';
    this.#editor.hidden = false;
    this.#markCurrent();
  }

  #newFile(): void {
    this.#open = { path: '', text: '', binary: false };
    this.#pathInput.value = `${HOME}/untitled.txt`;
    this.#text.value = '';
    this.#text.readOnly = false;
    this.#text.placeholder = '';
    this.#note.textContent = 'new file';
    this.#editor.hidden = false;
    this.#pathInput.focus();
    this.#pathInput.select();
  }

  #closeEditor(): void {
    this.#open = undefined;
    this.#editor.hidden = true;
    this.#markCurrent();
  }

  #markCurrent(): void {
    for (const b of this.#tree.querySelectorAll<HTMLElement>('.entry.file')) {
      b.classList.toggle('current', b.dataset.path === this.#open?.path);
    }
  }

  async #save(): Promise<void> {
    const sb = this.#sb;
    const open = this.#open;
    if (!sb || !open || open.binary) return;
    const path = this.#pathInput.value.trim();
    try {
      await sb.files.write(path, this.#text.value);
      this.#open = { path, text: this.#text.value, binary: false };
      this.#note.textContent = 'saved';
      this.#markCurrent();
    } catch (err) {
      this.#note.textContent = errorText(err);
    }
  }

  async #download(): Promise<void> {
    const sb = this.#sb;
    const path = this.#open?.path;
    if (!sb || !path) return;
    try {
      const bytes = await sb.files.read(path, { format: 'bytes' });
      download(new Blob([bytes as Uint8Array<ArrayBuffer>]), basename(path));
    } catch (err) {
      this.#note.textContent = errorText(err);
    }
  }

  async #delete(): Promise<void> {
    const sb = this.#sb;
    const path = this.#open?.path;
    if (!sb || !path) return;
    try {
      await sb.files.remove(path, { recursive: true });
      this.notify(`Deleted ${path}`);
      this.#closeEditor();
      await this.refresh();
    } catch (err) {
      this.#note.textContent = errorText(err);
    }
  }

  /** Writes dropped or picked files into the home directory. */
  async upload(files: File[]): Promise<void> {
    const sb = this.#sb;
    if (!sb || files.length === 0) return;
    try {
      const list = await Promise.all(
        files.map(async (f) => ({ path: `${HOME}/${f.name}`, data: new Uint8Array(await f.arrayBuffer()) })),
      );
      await sb.files.writeFiles(list);
      this.notify(`Uploaded ${files.length === 1 ? files[0]!.name : `${files.length} files`}`);
    } catch (err) {
      this.notify(`Upload: ${errorText(err)}`);
    }
  }

  #dropZone(): void {
    const zone = this.root;
    zone.addEventListener('dragover', (ev) => {
      if (!ev.dataTransfer?.types.includes('Files')) return;
      ev.preventDefault();
      ev.dataTransfer.dropEffect = 'copy';
      zone.classList.add('dropping');
    });
    zone.addEventListener('dragleave', (ev) => {
      if (!zone.contains(ev.relatedTarget as Node | null)) zone.classList.remove('dropping');
    });
    zone.addEventListener('drop', (ev) => {
      zone.classList.remove('dropping');
      const files = [...(ev.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      ev.preventDefault();
      void this.upload(files);
    });
  }
}
