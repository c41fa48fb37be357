// The playground page: a run box over the public API. It imports only src/api, and exposes
// the module as globalThis.sandpit for Playwright-driven harnesses.
import * as sandpit from '../api/index';

(globalThis as typeof globalThis & { sandpit: typeof sandpit }).sandpit = sandpit;

const status = document.querySelector<HTMLElement>('#status')!;
const output = document.querySelector<HTMLElement>('#output')!;
const form = document.querySelector<HTMLFormElement>('#run-form')!;
const input = document.querySelector<HTMLInputElement>('#cmd')!;

async function main(): Promise<void> {
  const caps = sandpit.Sandbox.capabilities();
  status.textContent = `isolated: ${caps.crossOriginIsolated} · opfs: ${caps.opfs} · indexedDB: ${caps.indexedDB}`;
  let sb: sandpit.Sandbox;
  try {
    sb = await sandpit.Sandbox.create({
      onProgress: (p) => {
        status.textContent = `loading ${p.phase}: ${(p.loadedBytes / 1e6).toFixed(1)} / ${(p.totalBytes / 1e6).toFixed(1)} MB`;
      },
    });
  } catch (err) {
    status.textContent = err instanceof sandpit.SandboxError ? `${err.code}: ${err.message}` : String(err);
    return;
  }
  status.textContent = 'ready';
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      const r = await sb.commands.run(input.value);
      output.textContent = r.stdout + r.stderr + `\n[exit ${r.exitCode} · ${r.durationMs.toFixed(1)} ms]`;
    })();
  });
}

void main();
