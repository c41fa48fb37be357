// The playground page: owns the current sandbox and hands it to the terminal, file and
// state panels; swaps it for import, storage changes and reset; shows load progress.
import { Sandbox, SandboxError, type ProgressEvent } from '../api/index';
import { errorText, formatBytes, h } from './dom';
import { FilesPanel } from './files-panel';
import { baseOptions, openInitial, remember, savedPersistence, type Persistence } from './session';
import { StatePanel, type StateHost } from './state-panel';
import { TerminalView } from './terminal';

export interface AppElements {
  status: HTMLElement;
  progress: HTMLProgressElement;
  notice: HTMLElement;
  caps: HTMLElement;
  terminalPane: HTMLElement;
  terminal: HTMLElement;
  terminalInfo: HTMLElement;
  restart: HTMLButtonElement;
  files: HTMLElement;
  state: HTMLElement;
}

const PHASES: Record<ProgressEvent['phase'], string> = {
  manifest: 'Fetching manifest',
  binaries: 'Downloading binaries',
  engine: 'Starting the WebAssembly engine',
  ready: 'Starting the shell',
};

/** What to do about a start failure, for the terminal. */
function explain(err: unknown): string {
  const code = err instanceof SandboxError ? err.code : '';
  if (code === 'NOT_ISOLATED') {
    return (
      'This page is not cross-origin isolated, so WebAssembly threads are unavailable.\n' +
      'Serve it with Cross-Origin-Opener-Policy: same-origin and\n' +
      'Cross-Origin-Embedder-Policy: require-corp, or open it without ?nosw so the\n' +
      'service worker can add them (docs/playground.md, "Hosting").'
    );
  }
  if (code === 'NOT_FOUND') return 'A binary is missing from wasm/manifest.json:\n' + errorText(err);
  return errorText(err);
}

export class App implements StateHost {
  persistence: Persistence = savedPersistence();
  readonly terminal: TerminalView;
  readonly files: FilesPanel;
  readonly state: StatePanel;
  #sb: Sandbox | undefined;
  #noticeTimer = 0;

  constructor(private readonly el: AppElements) {
    this.terminal = new TerminalView(el.terminal, el.restart, el.terminalInfo, {
      onLeave: (forward) => this.#cycleFocus(el.terminalPane, forward),
    });
    this.files = new FilesPanel(el.files, (m) => this.notify(m));
    this.state = new StatePanel(el.state, this);
    document.addEventListener('keydown', (ev) => {
      // The terminal handles its own F6 (and marks the event handled).
      if (ev.key !== 'F6' || ev.defaultPrevented || el.terminal.contains(document.activeElement)) return;
      ev.preventDefault();
      const pane = [el.files, el.state].find((p) => p.contains(document.activeElement)) ?? el.state;
      this.#cycleFocus(pane, !ev.shiftKey);
    });
    this.#showCapabilities();
  }

  get sandbox(): Sandbox | undefined {
    return this.#sb;
  }

  async start(): Promise<void> {
    const { status, progress } = this.el;
    status.textContent = 'Starting…';
    try {
      const first = await openInitial(
        this.persistence,
        (p) => this.#progress(p),
        (m) => this.notify(m),
      );
      this.persistence = first.persistence;
      await this.#use(first.sb, false, first.remember);
      status.textContent = 'Ready';
    } catch (err) {
      // `CODE: message`: tests and users read the error code here.
      status.textContent = errorText(err);
      status.classList.add('error');
      this.#idle(true);
      this.terminal.showError('The sandbox could not start.', explain(err));
      throw err;
    } finally {
      progress.hidden = true;
    }
  }

  #progress(p: ProgressEvent): void {
    const { status, progress } = this.el;
    const bytes = p.totalBytes > 0 ? ` · ${formatBytes(p.loadedBytes)} / ${formatBytes(p.totalBytes)}` : '';
    status.textContent = `${PHASES[p.phase]}${bytes}`;
    progress.hidden = p.phase === 'ready';
    if (p.totalBytes > 0) {
      progress.max = p.totalBytes;
      progress.value = p.loadedBytes;
    } else {
      progress.removeAttribute('value');
    }
  }

  /** Shows `sb` in every panel; the previous sandbox is destroyed (and purged if asked). */
  async #use(sb: Sandbox, purgeOld = false, keep = true): Promise<void> {
    const old = this.#sb;
    this.terminal.detach();
    await this.files.detach();
    this.state.detach();
    if (old) await old.destroy(purgeOld ? { purge: true } : {}).catch(() => undefined);
    this.#sb = sb;
    this.#idle(false);
    if (keep) remember(this.persistence, sb);
    await Promise.all([this.terminal.attach(sb), this.files.attach(sb), this.state.attach(sb)]);
    this.terminal.focus();
  }

  async #swap(label: string, make: () => Promise<Sandbox>, purgeOld: boolean): Promise<boolean> {
    const { status } = this.el;
    status.textContent = `${label}…`;
    try {
      const next = await make();
      await this.#use(next, purgeOld);
      status.textContent = 'Ready';
      return true;
    } catch (err) {
      status.textContent = 'Ready';
      this.notify(`${label}: ${errorText(err)}`);
      return false;
    }
  }

  async setPersistence(kind: Persistence): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    const previous = this.persistence;
    this.persistence = kind;
    const ok = await this.#swap(
      `Moving files to ${kind}`,
      async () => Sandbox.importState(await sb.exportState(), { ...baseOptions(), persistence: kind }),
      true,
    );
    if (!ok) this.persistence = previous;
    else this.notify(kind === 'memory' ? 'Files are kept in memory only.' : `Files are kept in ${kind}.`);
  }

  async importState(blob: Blob): Promise<void> {
    const ok = await this.#swap(
      'Importing',
      () => Sandbox.importState(blob, { ...baseOptions(), persistence: this.persistence }),
      true,
    );
    if (ok) this.notify(`Imported ${blob instanceof File ? blob.name : 'state'} (${formatBytes(blob.size)})`);
  }

  async reset(): Promise<void> {
    const sb = this.#sb;
    if (sb) {
      this.terminal.detach();
      await this.files.detach();
      this.state.detach();
      await sb.destroy({ purge: true }).catch(() => undefined);
      this.#sb = undefined;
    }
    const ok = await this.#swap(
      'Resetting',
      () => Sandbox.create({ ...baseOptions(), persistence: this.persistence }),
      false,
    );
    if (ok) this.notify('Started a fresh sandbox.');
  }

  restored(): void {
    void this.files.refresh();
    void this.state.refresh();
  }

  notify(msg: string): void {
    const n = this.el.notice;
    n.textContent = msg;
    n.hidden = false;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = window.setTimeout(() => (n.hidden = true), 6000);
  }

  #showCapabilities(): void {
    const c = Sandbox.capabilities();
    const items: [string, boolean][] = [
      ['cross-origin isolated', c.crossOriginIsolated],
      ['SharedArrayBuffer', c.sharedArrayBuffer],
      ['OPFS', c.opfs],
      ['IndexedDB', c.indexedDB],
      ['Web Locks', c.webLocks],
      ['CompressionStream', c.compressionStream],
    ];
    this.el.caps.replaceChildren(
      ...items.map(([name, ok]) =>
        h(
          'li',
          { class: ok ? 'cap ok' : 'cap missing', title: `${name}: ${ok ? 'available' : 'not available'}` },
          h('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '),
          name,
          h('span', { class: 'visually-hidden' }, ok ? ' available' : ' not available'),
        ),
      ),
    );
  }

  /** Without a sandbox the panels cannot do anything: take them out of the way. */
  #idle(on: boolean): void {
    for (const pane of [this.el.files, this.el.state]) pane.inert = on;
  }

  /** F6 / Shift-F6 move between the terminal, the file panel and the state panel. */
  #cycleFocus(from: HTMLElement, forward: boolean): void {
    const panes = [this.el.terminalPane, this.el.files, this.el.state];
    const i = panes.indexOf(from);
    const next = panes[(i + (forward ? 1 : panes.length - 1)) % panes.length]!;
    if (next === this.el.terminalPane) this.terminal.focus();
    else next.focus();
  }
}
