// The terminal: xterm.js attached to sb.pty. Keys go to the shell, output comes back as
// bytes (xterm decodes UTF-8), the size follows the pane, and an exited shell can be
// restarted with Enter or the Restart button.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import type { PtyHandle, Sandbox } from '../api/index';
import { errorText } from './dom';
import { currentTheme, onThemeChange, type Theme } from './theme';

/** Bytes per pty.write, so a large paste streams instead of arriving as one message. */
const PASTE_CHUNK = 16 * 1024;

const THEMES: Record<Theme, ITheme> = {
  dark: {
    background: '#0f1115',
    foreground: '#d8dee9',
    cursor: '#f0c674',
    cursorAccent: '#0f1115',
    selectionBackground: '#3a4358',
  },
  light: {
    background: '#f7f8fa',
    foreground: '#1f2328',
    cursor: '#9a6700',
    cursorAccent: '#f7f8fa',
    selectionBackground: '#c8d7f0',
    black: '#1f2328',
    brightBlack: '#57606a',
    white: '#6e7781',
    brightWhite: '#8c959f',
    yellow: '#9a6700',
    brightYellow: '#7d4e00',
  },
};

export interface TerminalHooks {
  /** Called when focus should move on to the next pane (F6 / Shift-F6). */
  onLeave(forward: boolean): void;
}

export class TerminalView {
  readonly term: Terminal;
  readonly #fit = new FitAddon();
  readonly #encoder = new TextEncoder();
  #sb: Sandbox | undefined;
  #pty: PtyHandle | undefined;
  /** Bumped on every (re)start so output and exits of an old shell are ignored. */
  #generation = 0;
  #exited = false;
  #writes: Promise<void> = Promise.resolve();
  /** Keys typed while the shell is starting; sent once it runs. */
  #pending = '';

  constructor(
    private readonly host: HTMLElement,
    private readonly restartButton: HTMLButtonElement,
    private readonly info: HTMLElement,
    hooks: TerminalHooks,
  ) {
    this.term = new Terminal({
      fontFamily: 'ui-monospace, "SF Mono", "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      lineHeight: 1.15,
      cursorBlink: true,
      scrollback: 5000,
      // The pty sends bare LF line ends (no ONLCR yet); CR LF is harmless if it ever does.
      convertEol: true,
      theme: THEMES[currentTheme()],
    });
    this.term.loadAddon(this.#fit);
    this.term.loadAddon(new WebLinksAddon());
    this.term.open(host);
    this.term.textarea?.setAttribute('aria-label', 'Terminal input');
    // Tab belongs to the shell (completion), so F6 is the way out of the terminal.
    this.term.attachCustomKeyEventHandler((ev) => {
      if (ev.type === 'keydown' && ev.key === 'F6') {
        ev.preventDefault();
        hooks.onLeave(!ev.shiftKey);
        return false;
      }
      return true;
    });
    this.term.onData((data) => this.#input(data));
    this.term.onResize(({ cols, rows }) => {
      void this.#pty?.resize(cols, rows).catch(() => undefined);
      this.#showSize();
    });
    onThemeChange((t) => {
      this.term.options.theme = THEMES[t];
    });
    let frame = 0;
    new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => this.fit());
    }).observe(host);
    this.restartButton.addEventListener('click', () => {
      void this.restart();
      this.focus();
    });
    this.fit();
  }

  fit(): void {
    if (this.host.clientWidth > 0 && this.host.clientHeight > 0) this.#fit.fit();
  }

  focus(): void {
    this.term.focus();
  }

  /** Starts a shell in `sb` (ending the previous one). */
  async attach(sb: Sandbox): Promise<void> {
    this.detach();
    this.#sb = sb;
    await this.restart();
  }

  /** Ends the shell without starting another (the sandbox is going away). */
  detach(): void {
    this.#generation++;
    const pty = this.#pty;
    this.#pty = undefined;
    this.#sb = undefined;
    if (pty) void pty.kill().catch(() => undefined);
  }

  async restart(): Promise<void> {
    const sb = this.#sb;
    if (!sb) return;
    const gen = ++this.#generation;
    const old = this.#pty;
    this.#pty = undefined;
    if (old) await old.kill().catch(() => undefined);
    this.#exited = false;
    this.#pending = '';
    this.restartButton.hidden = true;
    this.term.reset();
    this.fit();
    try {
      const pty = await sb.pty.create({
        cols: this.term.cols,
        rows: this.term.rows,
        // No COLUMNS/LINES in the environment: bash and its programs ask the terminal
        // (TIOCGWINSZ), and busybox lets those variables override the terminal's answer, so
        // exported start values would hide every later resize from `stty size` and friends.
        onData: (bytes) => {
          if (gen === this.#generation) this.term.write(bytes);
        },
      });
      if (gen !== this.#generation) {
        void pty.kill().catch(() => undefined);
        return;
      }
      this.#pty = pty;
      this.#showSize();
      if (this.#pending) this.#input(this.#pending);
      this.#pending = '';
      void pty.wait().then(
        (r) => gen === this.#generation && this.#ended(`shell exited with code ${r.exitCode}`),
        (err) => gen === this.#generation && this.#ended(errorText(err)),
      );
    } catch (err) {
      if (gen === this.#generation) this.#ended(`could not start the shell: ${errorText(err)}`);
    }
  }

  #ended(reason: string): void {
    this.#exited = true;
    this.#pty = undefined;
    this.restartButton.hidden = false;
    this.info.textContent = reason;
    this.term.write(`\r\n\x1b[2m[${reason} — press Enter to restart]\x1b[0m\r\n`);
  }

  #input(data: string): void {
    if (this.#exited) {
      if (data === '\r') void this.restart();
      return;
    }
    const pty = this.#pty;
    if (!pty) {
      if (this.#sb) this.#pending += data;
      return;
    }
    const bytes = this.#encoder.encode(data);
    // Writes are chained so chunks of one paste (and keys typed after it) stay in order.
    for (let i = 0; i < bytes.length; i += PASTE_CHUNK) {
      const chunk = bytes.subarray(i, i + PASTE_CHUNK);
      this.#writes = this.#writes.then(() => pty.write(chunk)).catch(() => undefined);
    }
  }

  /** Explains in the terminal why there is no shell (the sandbox did not start). */
  showError(title: string, detail: string): void {
    this.info.textContent = 'not running';
    this.term.write(`\x1b[1;31m${title}\x1b[0m\r\n\r\n${detail.replace(/\n/g, '\r\n')}\r\n`);
  }

  #showSize(): void {
    if (this.#pty && !this.#exited) this.info.textContent = `bash · ${this.term.cols}×${this.term.rows}`;
  }

  /** The visible buffer as text (scrollback included), for tests and copy-all. */
  text(): string {
    const buf = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }
}
