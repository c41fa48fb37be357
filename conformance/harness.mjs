// In-page side of the conformance runner: functions handed to page.evaluate, so they must be
// self-contained (no imports, no closures over Node values). State lives on globalThis.__conf.

/** Creates the sandbox: helpers as extension commands (/usr/bin/<name>), which run the real
 * Python script in the same sandbox (shebang exec of a file does not work here), then a
 * snapshot every case starts from. */
export async function pageInit({ helpers, timeoutMs }) {
  const g = globalThis;
  const old = g.__conf?.sb;
  if (old) await Promise.race([old.destroy().catch(() => {}), new Promise((r) => g.setTimeout(r, 5000))]);
  const st = (g.__conf = { sb: null, snap: null });
  const q = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
  const extensions = Object.keys(helpers).map((name) => ({
    name,
    run: async ({ args, stdinBytes, cwd, env }) => {
      const cmd = ['exec', 'python3', q('/opt/conformance/bin/' + name), ...args.map(q)].join(' ');
      const r = await st.sb.commands.run(cmd, { cwd, env, stdin: stdinBytes, timeoutMs });
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    },
  }));
  st.sb = await g.sandpit.Sandbox.create({ extensions, timeoutMs });
  await st.sb.files.writeFiles(
    Object.entries(helpers).map(([n, data]) => ({ path: '/opt/conformance/bin/' + n, data })),
  );
  await st.sb.commands.run('true', { timeoutMs: 30000 }); // warm the shell
  st.snap = await st.sb.snapshot({ name: 'conformance-base' });
  return true;
}

/** Runs one case from the base snapshot in a fresh empty cwd; `hung` when even the
 * sandbox's own timeout did not end it (the caller then recreates the sandbox). */
export async function pageRun({ idx, script, shell, shellArgs, env, merged, timeoutMs, maxOutputBytes }) {
  const g = globalThis;
  const st = g.__conf;
  const q = (s) => "'" + String(s).replace(/'/g, "'\\''") + "'";
  await st.sb.restore(st.snap.id);
  const dir = `/tmp/c${idx}`;
  await st.sb.files.mkdir(dir, { recursive: true });
  const fullEnv = { LC_ALL: 'C.UTF-8', ...env, TMP: dir, SH: shell };
  // The script runs as a file, `$SH [shell_args] FILE`, as the suite's expectations were taken
  // (bash -c differs: a fatal error there exits 127 where a script exits 1). The file is named
  // after the shell so that `$0` still ends in "sh" (cases test `case $0 in *sh)`).
  const file = `/opt/conformance/scripts/c${idx}/${shell}`;
  await st.sb.files.write(file, script);
  const args = shellArgs.map(q).join(' ');
  const command = `exec ${q(shell)} ${args} ${q(file)}${merged ? ' 2>&1' : ''}`;
  const t0 = g.performance.now();
  let timer;
  const guard = new Promise((resolve) => {
    timer = g.setTimeout(() => resolve({ hung: true }), timeoutMs + 5000);
  });
  const run = st.sb.commands
    .run(command, { cwd: dir, env: fullEnv, timeoutMs, maxOutputBytes })
    .then((r) => ({
      stdout: r.stdout,
      stderr: r.stderr,
      exitCode: r.exitCode,
      reason: r.reason,
      truncated: r.truncated,
    }))
    .catch((e) => ({ error: `${e?.code ?? ''} ${e?.message ?? e}`.trim() }));
  const res = await Promise.race([run, guard]);
  g.clearTimeout(timer);
  res.ms = Math.round(g.performance.now() - t0);
  if (res.hung) {
    for (const p of await st.sb.commands.list().catch(() => [])) await st.sb.commands.kill(p.pid).catch(() => {});
  }
  return res;
}
