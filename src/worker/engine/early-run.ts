// Which commands may start before the binaries loaded after start-up (python, sqlite3, lua, jq,
// js) are installed in the SDK sandbox. The sandbox is ready as soon as the shell and busybox
// are; the rest is installed a few hundred ms later. A command that could reach one of the
// late binaries (directly, through a script, `xargs`, `find -exec`, an expansion, …) waits for
// them; only a command line that provably runs nothing but builtins and busybox applets that
// never start another program goes ahead. When in doubt it waits: a wait costs at most the
// rest of the load, a wrong answer would be `command not found`.

/** bash builtins and busybox applets that never start another program nor list /bin. */
const LEAVES = new Set(
  (
    'echo printf true false cd pwd export unset set shift test exit return read umask ulimit : ' +
    'ls cat head tail wc grep egrep fgrep sed sort uniq cut tr tee touch mkdir rmdir rm cp mv ln ' +
    'chmod stat du df basename dirname date seq yes sleep md5sum sha1sum sha256sum sha512sum base64 ' +
    'od hexdump xxd diff cmp gzip gunzip zcat expr rev tac nl fold paste comm split realpath ' +
    'readlink mktemp id whoami uname hostname printenv truncate dd'
  ).split(' '),
);

/** Characters of a command line simple enough to check word by word (no expansions, groups, escapes). */
const PLAIN = /^[A-Za-z0-9_\s'"=.,:/@%+~^|;&<>*?[\]-]*$/;
/** A redirection word (`>f`, `2>&1`, `<in`) or an assignment before the command name. */
const PREFIX = /^(\d*[<>]|[A-Za-z_][A-Za-z0-9_]*=)/;
/** Variables that make a non-interactive bash run other code before the command. */
const STARTUP_ENV = /^(BASH_ENV|ENV|BASH_FUNC_.*|SHELLOPTS|PS4)$/;

export interface EarlyRunQuery {
  /** The command line given to `shell -c`, or '' for an argv spawn. */
  command: string;
  argv?: string[];
  env?: Record<string, string>;
  terminal?: boolean;
}

/**
 * True if the command can run before the late binaries are installed: it names none of them
 * (`late` holds their command names) and every simple command in it is a leaf.
 */
export function runsEarly(q: EarlyRunQuery, late: readonly string[], available: ReadonlySet<string>): boolean {
  // An interactive shell reads start-up files and runs whatever is typed.
  if (q.terminal) return false;
  if (Object.keys(q.env ?? {}).some((k) => STARTUP_ENV.test(k))) return false;
  const text = q.argv ? q.argv.join(' ') : q.command;
  // Listing /bin or /usr/bin before the late commands are there would miss them.
  if (/bin/.test(text)) return false;
  const lower = text.toLowerCase();
  if (late.some((name) => lower.includes(name.toLowerCase()))) return false;
  const leaf = (name: string | undefined) => !!name && LEAVES.has(name) && (available.has(name) || isBuiltin(name));
  if (q.argv) return leaf(q.argv[0]);
  if (!PLAIN.test(text)) return false;
  for (const part of text.split(/\|\||&&|[|;\n]|(?<![<>])&(?!>)/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    while (words.length && PREFIX.test(words[0]!)) {
      // `> f cmd` or `2>&1`: the redirection's target may be the next word.
      const w = words.shift()!;
      if (/[<>]$/.test(w)) words.shift();
    }
    if (words.length && !leaf(words[0])) return false;
  }
  return true;
}

const BUILTINS = new Set(
  'echo printf true false cd pwd export unset set shift test exit return read umask ulimit :'.split(' '),
);

function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}
