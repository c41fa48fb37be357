// sb.runCode: a snippet in one of the sandbox's languages, written to a temporary file and
// run by the real interpreter (a file, not `-c` or stdin: stdin looks like a TTY to guests).
import type { Commands } from './commands';
import { SandboxError } from './errors';
import type { Files } from './files';
import type { CommandResult, RunOptions } from './types';

export type Language = 'python' | 'bash' | 'javascript' | 'lua' | 'sql';

export interface RunCodeOptions extends Omit<RunOptions, 'background' | 'stdin'> {
  /** Default 'python'. */
  language?: Language;
}

const RUNNERS: Record<Language, { ext: string; command: (file: string) => string }> = {
  python: { ext: 'py', command: (f) => `python3 ${f}` },
  bash: { ext: 'sh', command: (f) => `bash ${f}` },
  javascript: { ext: 'js', command: (f) => `js ${f}` },
  lua: { ext: 'lua', command: (f) => `lua ${f}` },
  sql: { ext: 'sql', command: (f) => `sqlite3 -batch :memory: < ${f}` },
};

let counter = 0;

export async function runCode(
  commands: Commands,
  files: Files,
  code: string,
  options: RunCodeOptions = {},
): Promise<CommandResult> {
  if (typeof code !== 'string') throw new SandboxError('EINVAL', 'code must be a string');
  const language = options.language ?? 'python';
  const runner = RUNNERS[language];
  if (!runner)
    throw new SandboxError('EINVAL', `unknown language ${String(language)}; use ${Object.keys(RUNNERS).join(', ')}`);
  const file = `/tmp/.sandpit-code-${Date.now().toString(36)}-${counter++}.${runner.ext}`;
  await files.write(file, code);
  try {
    const { language: _language, ...runOptions } = options;
    return await commands.run(runner.command(file), runOptions);
  } finally {
    await files.remove(file).catch(() => undefined);
  }
}
