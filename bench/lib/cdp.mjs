// A minimal Chrome DevTools Protocol client over the browser's WebSocket, with flat sessions
// and auto-attach to every page, worker and nested worker. Playwright's CDP sessions cannot
// reach workers (and the @wasmer/sdk pool workers are nested inside sandpit's kernel worker),
// so the profiler drives Chromium through this instead.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const WS = globalThis.WebSocket ?? (await import('ws')).default;

export class Cdp {
  #ws;
  #id = 0;
  #pending = new Map();
  #listeners = new Map();
  /** sessionId → targetInfo of every attached target (pages, workers, nested workers). */
  sessions = new Map();

  static async connect(url) {
    const cdp = new Cdp();
    cdp.#ws = new WS(url);
    await new Promise((ok, fail) => {
      cdp.#ws.onopen = ok;
      cdp.#ws.onerror = fail;
    });
    cdp.#ws.onmessage = (e) => cdp.#message(JSON.parse(typeof e.data === 'string' ? e.data : e.data.toString()));
    return cdp;
  }

  #message(m) {
    if (m.id !== undefined) {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error) p?.fail(new Error(`${p.method}: ${m.error.message}`));
      else p?.ok(m.result);
      return;
    }
    for (const fn of this.#listeners.get(m.method) ?? []) fn(m.params, m.sessionId);
  }

  send(method, params = {}, sessionId) {
    const id = ++this.#id;
    return new Promise((ok, fail) => {
      this.#pending.set(id, { ok, fail, method });
      this.#ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  on(method, fn) {
    this.#listeners.set(method, [...(this.#listeners.get(method) ?? []), fn]);
  }

  /**
   * Attaches to every target as it starts, paused until it has in turn been told to attach to
   * its own children: workers started by workers (the SDK's pool) are only reachable that way.
   * `beforeRun(sessionId, targetInfo)` is awaited before the target runs its first instruction.
   */
  async autoAttach(beforeRun = async () => undefined) {
    const params = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
    this.on('Target.attachedToTarget', async ({ sessionId, targetInfo, waitingForDebugger }) => {
      this.sessions.set(sessionId, targetInfo);
      await this.send('Target.setAutoAttach', params, sessionId).catch(() => undefined);
      await beforeRun(sessionId, targetInfo);
      if (waitingForDebugger) await this.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
    });
    this.on('Target.detachedFromTarget', ({ sessionId }) => this.sessions.delete(sessionId));
    await this.send('Target.setAutoAttach', params);
  }

  /** Evaluates `expression` in a session (a page), awaiting a promise; returns its value. */
  async eval(sessionId, expression, timeoutMs = 300_000) {
    let timer;
    const r = await Promise.race([
      this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId),
      new Promise((_, fail) => {
        timer = setTimeout(
          () => fail(new Error(`timed out after ${timeoutMs / 1000} s: ${expression.slice(0, 80)}`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if (r.exceptionDetails) {
      throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    }
    return r.result.value;
  }

  close() {
    this.#ws.close();
  }
}

/** Starts Chromium with a DevTools port; returns its browser endpoint and a stop function. */
export async function launchChromium(executable, args, port) {
  const profile = mkdtempSync(join(tmpdir(), 'sandpit-bench-profile-'));
  const proc = spawn(
    executable,
    [...args, `--remote-debugging-port=${port}`, `--user-data-dir=${profile}`, 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  for (let i = 0; ; i++) {
    try {
      const v = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
      return {
        url: v.webSocketDebuggerUrl,
        version: v.Browser,
        stop: async () => {
          proc.kill();
          if (proc.exitCode === null) await new Promise((r) => proc.once('exit', r));
          try {
            rmSync(profile, { recursive: true, force: true });
          } catch {
            /* a child process still writing: leave the temporary profile */
          }
        },
      };
    } catch {
      if (i > 100 || proc.exitCode !== null) throw new Error(`chromium did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
