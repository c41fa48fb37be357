// Pipe smoke test for compat's isatty.c and wrap_sigpipe.c, on public/wasm/{bash,busybox}.wasm
// (or SANDPIT_BASH / SANDPIT_BUSYBOX) under @wasmer/sdk with our host mounts; exits non-zero on
// failure. Run from the repo root: node wasm/compat/smoke-pipes.mjs
import { readFileSync } from 'node:fs';
import { HostFsWasmer as Wasmer } from '../bash/hostfs.mjs';

const here = (p) => new URL(p, import.meta.url);
const modules = {
  bash: readFileSync(process.env.SANDPIT_BASH || here('../../public/wasm/bash.wasm')),
  busybox: readFileSync(process.env.SANDPIT_BUSYBOX || here('../../public/wasm/busybox.wasm')),
};
const commands = { bash: { module: 'bash' }, sh: { module: 'bash' } };
for (const c of JSON.parse(readFileSync(here('../busybox/meta.json'), 'utf8')).commands)
  commands[c] = { module: 'busybox' };

const w = new Wasmer({ cache: false });
await w.ready();
const pkg = await w.packages.create({ modules, commands });
const env = { PATH: '/usr/bin:/bin', HOME: '/home/user' };

async function collect(stream) {
  const parts = [];
  if (stream) for await (const c of stream) parts.push(c);
  return Buffer.concat(parts).toString();
}

// The SDK's own timeout does not stop a shell waiting on its pipeline: kill it ourselves, as
// src/worker/engine/processes.ts does. A fresh sandbox per check: a killed pipeline's stages
// may keep running.
async function run(script, timeoutMs) {
  const sb = await w.sandboxes.create({ packages: [pkg], shell: 'bash', env });
  const t0 = performance.now();
  const p = await sb.command('bash', ['-c', script]).spawn({ stdin: 'closed' });
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    void p.kill().catch(() => undefined);
  }, timeoutMs);
  const streams = Promise.all([collect(p.stdout), collect(p.stderr)]);
  const { exitCode } = await p.wait({ check: false });
  clearTimeout(timer);
  const ms = performance.now() - t0;
  const [stdout, stderr] = await Promise.race([streams, new Promise((r) => setTimeout(() => r(['', '']), 500))]);
  return { exitCode, stdout, stderr, ms, killed };
}

let failed = 0;
async function check(label, script, expectOut, { timeoutMs = 30000, stderr = '' } = {}) {
  const r = await run(script, timeoutMs);
  const out = r.stdout.replace(/\n$/, '');
  const match = typeof expectOut === 'function' ? expectOut(out) : out === expectOut;
  const ok = !r.killed && r.exitCode === 0 && match && r.stderr === stderr;
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label} (${r.ms.toFixed(0)} ms): exit ${r.exitCode}${r.killed ? ' (killed at the timeout)' : ''} ` +
      `stdout ${JSON.stringify(out.slice(0, 80))}` +
      (ok
        ? ''
        : ` expected ${typeof expectOut === 'function' ? expectOut.toString() : JSON.stringify(expectOut)} stderr ${JSON.stringify(r.stderr.slice(0, 200))}`),
  );
}

// isatty: a pipe or a file is not a terminal (the runtime's fdstat says "character device"
// for fds 0-2 whatever dup2 put there).
await check('[ -t 1 ] into a pipe', '{ [ -t 1 ] && echo tty >&2; echo done; } | cat', 'done');
await check('[ -t 0 ] from a pipe', 'echo x | { [ -t 0 ] && echo tty; echo done; }', 'done');
await check('[ -t 1 ] into a file', '[ -t 1 ] > /tmp/t && echo tty; echo done', 'done');
// SANDPIT_NOTTY=1 (the kernel's mark of a session without a terminal): the session's own
// stdio is no terminal either, for the shell and its children.
await check(
  'SANDPIT_NOTTY=1',
  'SANDPIT_NOTTY=1 bash -c "[ -t 0 ] && echo tty0; [ -t 1 ] && echo tty1; ls / | head -0; echo done"',
  'done',
);
// So stdio buffers fully into a pipe: seq writes a 1 KiB stdio buffer per syscall (the runtime
// hands each iovec to the reader apart, so about two reads each), not one line: dd counts its
// partial reads (the old line buffering made 400000).
await check('seq 200000 writes whole buffers', 'seq 200000 | dd bs=65536 2>&1 >/dev/null | head -1', (out) => {
  const m = /^0\+(\d+) records in$/.exec(out);
  return m !== null && Number(m[1]) < 5000;
});
await check('seq 200000 | wc -c', 'seq 200000 | wc -c', '1288895');
// SIGPIPE: a writer whose reader is gone ends as killed by SIGPIPE (141), silently, also when
// it was blocked in write() when the reader left.
await check('yes | head -1', 'yes | head -1 >/dev/null; echo ${PIPESTATUS[@]}', '141 0');
await check('yes blocked when head leaves', 'yes | (sleep 0.3; head -c 10 >/dev/null); echo ${PIPESTATUS[@]}', '141 0');
await check('cat /dev/zero | head', 'cat /dev/zero | head -c 100000 >/dev/null; echo ${PIPESTATUS[@]}', '141 0');
await check('yes | head -c 10000000 | wc -c', 'yes | head -c 10000000 | wc -c', '10000000');

console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
