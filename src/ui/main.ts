// The playground page's entry: exposes the public API as globalThis.sandpit (for
// Playwright-driven harnesses), makes the page cross-origin isolated if it can, and starts
// the app. It imports only src/api (and the UI's own modules).
import * as sandpit from '../api/index';
import './style.css';
import { App } from './app';
import { errorText } from './dom';
import { ensureIsolation } from './isolation';
import { initTheme } from './theme';

(globalThis as typeof globalThis & { sandpit: typeof sandpit }).sandpit = sandpit;

function el<T extends HTMLElement = HTMLElement>(selector: string): T {
  return document.querySelector<T>(selector)!;
}

/** Harness pages (the Node driver's, or `?api`) want the module only, not a playground sandbox. */
function apiOnly(): boolean {
  return (
    (globalThis as { __sandpitDriverPage?: boolean }).__sandpitDriverPage === true ||
    new URLSearchParams(location.search).has('api')
  );
}

async function main(): Promise<void> {
  const status = el('#status');
  if (apiOnly()) {
    if (status) status.textContent = 'API only (?api): globalThis.sandpit is ready';
    return;
  }
  initTheme(el<HTMLButtonElement>('#theme-toggle'));
  const step = await ensureIsolation(import.meta.env.BASE_URL);
  if (step === 'reloading') {
    status.textContent = 'Enabling cross-origin isolation (service worker), reloading…';
    return;
  }
  const app = new App({
    status,
    progress: el<HTMLProgressElement>('#progress'),
    notice: el('#notice'),
    caps: el('#caps'),
    terminalPane: el('#terminal-pane'),
    terminal: el('#terminal'),
    terminalInfo: el('#terminal-info'),
    restart: el<HTMLButtonElement>('#restart'),
    files: el('#files'),
    state: el('#state'),
  });
  // A read-only view of the terminal for tests: the buffer as text and its size.
  Object.defineProperty(globalThis, '__sandpitTerm', {
    value: Object.freeze({
      get text() {
        return app.terminal.text();
      },
      get cols() {
        return app.terminal.term.cols;
      },
      get rows() {
        return app.terminal.term.rows;
      },
    }),
  });
  // The skip link lands in the terminal itself, not just on its section.
  el('.skip').addEventListener('click', (ev) => {
    ev.preventDefault();
    app.terminal.focus();
  });
  await app.start().catch(() => undefined);
}

main().catch((err: unknown) => {
  el('#status').textContent = errorText(err);
});
