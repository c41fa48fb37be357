// Measurements that split one warm command into its parts, for bench/profile.mjs. Each probe
// takes the page's adapter sandbox (adapters.mjs) and returns lists of samples in ms.
/* global performance */

/**
 * Times every variant `n` times, round-robin (one of each in turn), so that a change in the
 * machine's load during the probe weighs on every variant alike. Returns name → samples (ms).
 */
async function interleaved(n, variants, warmup = 3) {
  const out = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < warmup + n; i++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t = performance.now();
      await fn(name);
      if (i >= warmup) out[name].push(performance.now() - t);
    }
  }
  return out;
}

async function check(r, what) {
  if (r.exitCode !== 0) throw new Error(`${what}: exit ${r.exitCode} ${String(r.stderr ?? '').slice(0, 200)}`);
  return r;
}

export const probes = {
  /**
   * sandpit: the API round trip of a call that does no work in the kernel (`files.exists`), and
   * `commands.run` of builtins, with the kernel's own measure of the process (`durationMs`: from
   * the SDK's spawn returning to the process's end and its pipes drained).
   */
  async sandpit(sb, n = 30) {
    const api = sb.raw;
    const commands = {
      true: 'true',
      'echo hello': 'echo hello',
      'cat small file': 'cat small.txt',
    };
    await sb.write('small.txt', 'hello world\n');
    const inKernel = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
    const variants = { hop: () => api.files.exists('/home/user') };
    for (const [name, cmd] of Object.entries(commands)) {
      variants[name] = async () => inKernel[name].push((await check(await api.commands.run(cmd), cmd)).durationMs);
    }
    const total = await interleaved(n, variants);
    // Like the totals, the kernel's durations leave out the warm-up runs.
    const runs = Object.fromEntries(
      Object.keys(commands).map((k) => [k, { total: total[k], inKernel: inKernel[k].slice(-n) }]),
    );
    // The kernel replaces its SDK sandbox before a command when the previous one has ended and
    // nothing else runs (engine/sandbox.ts: orphans die with the old one). With a background
    // process alive it does not: the difference is what that rebuild adds to a command.
    const bg = await api.commands.run('sleep 600', { background: true });
    await api.commands.run('true');
    const kept = await interleaved(n, { true: () => api.commands.run('true') });
    await bg.kill();
    runs['true, no SDK sandbox rebuild (a background process alive)'] = { total: kept.true };
    return { hop: total.hop, runs };
  },

  /**
   * The raw SDK: the same command through `bash -c`, a busybox applet started directly (no
   * shell), and `spawn()` + `wait()` instead of `run()` (what sandpit's kernel calls).
   */
  async wasmer(sb, n = 30) {
    const raw = sb.raw;
    const opts = { cwd: '/workspace' };
    await sb.write('small.txt', 'hello world\n');
    const drain = async (s) => {
      if (s) for await (const _ of s) void _;
    };
    const spawnWait = async (name, args) => {
      const p = await raw.command(name, args, opts).spawn({ stdin: 'closed', stdout: 'pipe', stderr: 'pipe' });
      const [r] = await Promise.all([p.wait(), drain(p.stdout), drain(p.stderr)]);
      return r;
    };
    const variants = {
      "run: bash -c 'true'": () => raw.command('bash', ['-c', 'true'], opts).run({ check: false }),
      "spawn + wait: bash -c 'true'": () => spawnWait('bash', ['-c', 'true']),
      "spawn + wait: bash -c 'echo hello'": () => spawnWait('bash', ['-c', 'echo hello']),
      "spawn + wait: bash -c 'cat small.txt'": () => spawnWait('bash', ['-c', 'cat small.txt']),
      'spawn + wait: true (busybox, no shell)': () => spawnWait('true', []),
    };
    const checked = Object.fromEntries(
      Object.entries(variants).map(([k, fn]) => [k, async () => check(await fn(), k)]),
    );
    return interleaved(n, checked);
  },

  /** Writes an `mb` MB file (untimed), then times one `cat` of it to /dev/null. */
  async catFile(sb, mb = 10) {
    const data = new Uint8Array(mb << 20).fill(97);
    await sb.write('big.bin', data);
    const t = performance.now();
    const r = await sb.sh('cat big.bin > /dev/null');
    if (r.code !== 0) throw new Error(`cat: exit ${r.code} ${r.err}`);
    return performance.now() - t;
  },

  /** `commands.run('true')` n times, untimed here: the CPU profile is taken around it. */
  async loop(sb, n = 30) {
    for (let i = 0; i < n; i++) {
      const r = sb.raw.commands ? await sb.raw.commands.run('true') : null;
      if (r) await check(r, 'true');
      else await sb.sh('true');
    }
    return n;
  },
};
