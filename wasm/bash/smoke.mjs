// Smoke test for public/wasm/bash.wasm under @wasmer/sdk in Node; exits non-zero on failure.
// Run from the repo root: node wasm/bash/smoke.mjs   (uses public/wasm/busybox.wasm if present)
import { existsSync, readFileSync } from 'node:fs';
// Our host mounts (/workspace, /home, /tmp, /etc served by src/worker/engine/hostfs), as in the app.
import { HostFsWasmer as Wasmer } from './hostfs.mjs';

const here = (p) => new URL(p, import.meta.url);
const modules = { bash: readFileSync(here('../../public/wasm/bash.wasm')) };
const commands = { bash: { module: 'bash' }, sh: { module: 'bash' } };
const bbPath = here('../../public/wasm/busybox.wasm');
const haveBusybox = existsSync(bbPath);
if (haveBusybox) {
  modules.busybox = readFileSync(bbPath);
  const meta = JSON.parse(readFileSync(here('../busybox/meta.json'), 'utf8'));
  for (const c of meta.commands) commands[c] = { module: 'busybox' };
}

const w = new Wasmer({ cache: false });
await w.ready();
const pkg = await w.packages.create({ modules, commands });
const sb = await w.sandboxes.create({
  packages: [pkg],
  shell: 'bash',
  env: { PATH: '/usr/bin:/bin', HOME: '/home/user' },
});

let failed = 0;
async function check(label, script, expected, { code = 0, cmd = 'bash', stdin, cwd, args } = {}) {
  const t0 = performance.now();
  const out = await sb
    .command(cmd, args ?? ['-c', script], cwd ? { cwd } : {})
    .run({ check: false, timeoutMs: 30000, stdin });
  const ms = performance.now() - t0;
  const got = out.stdout.text().replace(/\n$/, '');
  const ok = out.exitCode === code && (expected instanceof RegExp ? expected.test(got) : got === expected);
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${label} (${ms.toFixed(0)} ms): exit ${out.exitCode} stdout ${JSON.stringify(got)}` +
      (ok
        ? ''
        : ` expected ${JSON.stringify(String(expected))} exit ${code} stderr ${JSON.stringify(out.stderr.text())}`),
  );
  return ms;
}

await check('echo', 'echo hello', 'hello');
await check('version', 'echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}', '5.2');
await check('sh resolves to bash', 'echo ${BASH_VERSION%%.*}', '5', { cmd: 'sh' });
await check('$? and false', 'false; echo $?', '1');
await check('exit code', 'exit 42', '', { code: 42 });
await check('exit code >= 79', 'exit 130', '', { code: 130 });
await check('subshell exit status', '(exit 3); echo $?', '3');
await check('subshell exit status >= 79', '(exit 127); echo $?', '127');
await check('command substitution', 'echo $(echo a; (echo b))', 'a b');
await check('nested substitution', 'x=$(echo $(echo in)side); echo "$x"', 'inside');
await check(
  'builtin pipeline',
  'for i in 3 1 2; do echo $i; done | while read x; do echo "<$x>"; done',
  '<3>\n<1>\n<2>',
);
await check('pipe status', 'false | true; echo $? ${PIPESTATUS[0]}', '0 1');
await check('pipefail', 'set -o pipefail; false | true; echo $?', '1');
await check('background job + wait', '(exit 4) & wait $!; echo $?', '4');
await check('here-doc', 'while read l; do echo "[$l]"; done <<EOF\nx\n$((1+1))\nEOF', '[x]\n[2]');
await check('here-string', 'read a b <<< "p q"; echo $b$a', 'qp');
await check('function return', 'f() { return 5; }; f; echo $?', '5');
await check('trap EXIT', "trap 'echo bye' EXIT; echo hi", 'hi\nbye');
await check('trap in subshell', "( trap 'echo sub-bye' EXIT; echo sub ); echo after", 'sub\nsub-bye\nafter');
await check('set -e', 'set -e; echo one; false; echo two', 'one', { code: 1 });
await check('set -e in subshell', 'set -e; (false; echo no) ; echo unreachable', '', { code: 1 });
await check('command not found', 'nosuchcmd 2>/dev/null; echo $?', '127');
await check('arithmetic + arrays', 'a=(1 2 3); echo $(( ${a[0]} + ${a[2]} )) ${#a[@]}', '4 3');
await check('redirect to file', 'echo data > /tmp/f; read v < /tmp/f; echo $v', 'data');
// The runtime reports stdin as a terminal even when piped, so `bash -s` is interactive
// (prompts go to stderr); the commands still run and their output is on stdout.
await check('script on stdin', '', /(^|\n)from-stdin$/, { args: ['-s'], stdin: 'echo from-stdin\nexit\n' });
await check('write script', "printf 'echo from-file $1\\nexit 3\\n' > /workspace/s.sh", '');
await check('script file with args', '', 'from-file 7', { args: ['/workspace/s.sh', '7'], code: 3 });
await check('cwd option', 'pwd', '/workspace', { cwd: '/workspace' });
await check('cd then child sees it', 'cd /tmp && bash -c pwd', '/tmp');
await check('getpwuid', 'echo ~', '/home/user');
// Regression: a redirection in the shell itself (saves fd 1 at fd 10, restores with dup2) left
// fd 1 such that the next exec'd child printed nothing and exited 71.
await check('redirect then exec child', "echo hi > /home/user/f; bash -c 'read l < /home/user/f; echo $l'", 'hi');
// exec argv: the runtime splits argv/env on newlines and drops empty entries; compat's
// SANDPIT_ARGV/SANDPIT_ENVX carry them (wasm/compat/src/argv.c).
await check('exec: newline in an argument', "bash -c 'echo one\necho two'", 'one\ntwo');
await check('exec: empty arguments', "bash -c 'echo $#:$1:$2:$3' x '' b ''", '3::b:');
await check('exec: carriage return kept', "bash -c 'printf %s \"$1\" | od -An -c' x $'a\\rb'", /a\s+\\r\s+b/);
await check('exec: exported newline value', "export V=$'p\\nq'; bash -c 'echo \"$V\"'", 'p\nq');
await check('exec: markers hidden, grandchild clean', "bash -c 'bash -c \"env | grep -c SANDPIT_ARGV\"' ''", '0', {
  code: 1,
});
// readdir's d_ino is 0 under WASI: bash's glob must not skip the entries
await check(
  'globbing',
  'mkdir -p /tmp/g && cd /tmp/g && touch b a "[" && X="*"; echo * / $X / [\\[]',
  '[ a b / [ a b / [',
);
// statmode.o: modes/owners for PATH search, command -v, test -O, character devices, noclobber
await check('command -v finds PATH programs', 'command -v cat', haveBusybox ? '/usr/bin/cat' : /.*/, {
  code: haveBusybox ? 0 : 1,
});
await check(
  'test -O, -c, noclobber on /dev/null',
  'set -C; echo x > /dev/null && [ -O /tmp ] && [ -c /dev/zero ] && echo ok',
  'ok',
);
await check('printf float', 'printf "%.2f %e %g\\n" 3.14159 1000 0.5', '3.14 1.000000e+03 0.5');
await check('redirect to /dev/null then child', 'echo x > /dev/null; bash -c "echo child"', 'child');
if (haveBusybox) {
  await check('redirect then external cat', 'echo hi > /home/user/f; cat /home/user/f', 'hi');
  await check('redirect then ls', 'cd /workspace && echo hello > a.txt && ls a.txt', 'a.txt');
  await check('pipeline sort|tail', 'for i in 3 1 2; do echo $i; done | sort | tail -1', '3');
  await check('external with exit code', 'false; echo $?', '1');
  await check('slow writer into a pipe', '(sleep 1; echo late) | cat', 'late');
  await check('executable lookup on PATH', 'type -P sort', /^\/(usr\/)?bin\/sort$/);
  await check('external in substitution', 'echo $(printf "b\\na\\n" | sort | head -1)', 'a');
  const times = [];
  for (let i = 0; i < 3; i++)
    times.push(await check(`pipeline timing #${i + 1}`, 'echo c b a | tr " " "\\n" | sort | tail -1', 'c'));
  console.log(`3-stage pipeline: ${times.map((t) => t.toFixed(0)).join(' / ')} ms`);
} else {
  console.log('skip busybox checks: public/wasm/busybox.wasm not built yet');
}

// Deterministic mode (compat wraps clock_time_get and random_get): with SANDPIT_EPOCH_MS and
// SANDPIT_SEED two fresh sandboxes print the same bytes for clocks, $RANDOM and $SRANDOM.
{
  const env = { PATH: '/usr/bin:/bin', HOME: '/home/user', SANDPIT_EPOCH_MS: '1700000000000', SANDPIT_SEED: '42' };
  const script = 'printf "%(%F %T)T\\n" -1; echo $RANDOM $RANDOM $SRANDOM $EPOCHREALTIME; (echo sub $RANDOM); ls /';
  const outs = [];
  for (let i = 0; i < 2; i++) {
    const dsb = await w.sandboxes.create({ packages: [pkg], env });
    const r = await dsb.command('bash', ['-c', script]).run({ check: false, timeoutMs: 30000 });
    outs.push(r.stdout.text());
  }
  const ok =
    outs[0] === outs[1] &&
    outs[0].startsWith('2023-11-14 22:13:20\n') &&
    /\n\d+ \d+ \d+ 1700000000\.\d{6}\n/.test(outs[0]);
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} deterministic clock and random: ${JSON.stringify(outs)}`);
}

// terminate() must stop bash while it waits for a child (a blocking proc_join), and bash
// must take the spinning child with it, or the sandbox never becomes idle (w.close() hangs).
{
  const t0 = performance.now();
  const p = await sb
    .command('bash', ['-c', 'bash -c "while :; do :; done"; echo unreachable'])
    .spawn({ stderr: 'discard' });
  setTimeout(() => p.terminate({ gracePeriodMs: 3000 }).catch(() => {}), 1500);
  const r = await p.wait({ check: false });
  const ms = performance.now() - t0;
  const ok = (r.exitCode === 143 || r.exitCode === 137) && ms < 10000;
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} terminate while waiting for a child: exit ${r.exitCode} after ${ms.toFixed(0)} ms`,
  );
}

// A terminal session: readline prompt and line editing. In a terminal bash merges stderr into
// stdout at start (compat ttymerge.c), so prompt, echo and output arrive in order on stdout.
// Resize: ioctl(TIOCGWINSZ) asks the runtime (tty_get) and sees the new size, but the runtime
// delivers no SIGWINCH and bash's checkwinsize does not refresh $COLUMNS yet (still 80 here).
{
  const p = await sb.command('bash', []).spawn({ terminal: { columns: 80, rows: 24 }, timeoutMs: 60000 });
  const dec = new TextDecoder();
  let out = '';
  let err = '';
  (async () => {
    for await (const c of p.stdout) out += dec.decode(c);
  })();
  (async () => {
    if (p.stderr) for await (const c of p.stderr) err += dec.decode(c);
  })();
  const until = async (cond, ms = 15000) => {
    const end = performance.now() + ms;
    while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 50));
    return cond();
  };
  const prompts = () => (out.match(/\$ /g) || []).length;
  await until(() => prompts() >= 1);
  await p.stdin.write('echo term-$((6*7))\r');
  await until(() => out.includes('term-42') && prompts() >= 2);
  await p.stdin.write('ech\t tab-ok\r'); // readline completes "ech" to "echo "
  await until(() => out.includes('tab-ok') && prompts() >= 3);
  await p.stdin.write('echo c1=$COLUMNS; echo to-stderr >&2; echo hidden 2>/dev/null >&2\r');
  await until(() => out.includes('to-stderr') && prompts() >= 4);
  await p.resizeTerminal(132, 40);
  await new Promise((r) => setTimeout(r, 300));
  await p.stdin.write('bash -c :; echo c2=$COLUMNS x $LINES\r');
  await until(() => out.includes('c2=') && prompts() >= 5);
  await p.stdin.write('exit 4\r');
  const r = await p.wait({ check: false });
  const inOrder = /\$ echo term-\$\(\(6\*7\)\)\r?\nterm-42\n[^]*\$ echo  ?tab-ok\r?\ntab-ok\n/.test(out);
  const ok =
    r.exitCode === 4 &&
    inOrder &&
    out.includes('c1=80\n') &&
    out.includes('c2=') &&
    out.includes('\nto-stderr\n') &&
    !out.includes('\nhidden\n') &&
    err === '';
  if (!ok) failed++;
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} terminal session (merged, resize): exit ${r.exitCode} stdout ${JSON.stringify(out)} stderr ${JSON.stringify(err)}`,
  );
}

// Deep recursion runs out of the JS engine's stack (not the wasm C stack) near 150 levels for a
// function with locals; FUNCNEST turns that into a bash error. Checked at 90 levels with FUNCNEST=100.
await check(
  'recursion under FUNCNEST',
  'FUNCNEST=100; f(){ local a=$1 b; for b in x; do case $a in 0) echo bottom;; *) { f $((a-1)); } ;; esac; done; }; f 90; (f 200) 2>/dev/null; echo rc=$?',
  /^bottom\nrc=[1-9]\d*$/,
);

await w.close();
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
