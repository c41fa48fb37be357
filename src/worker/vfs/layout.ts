// The default Unix layout a fresh sandbox starts with: home, /tmp, /etc basics, /usr/bin and /dev placeholders.

import type { Vfs } from './vfs';

export interface LayoutOptions {
  /** Login name. Default 'user'. */
  user?: string;
  /** Default 1000. */
  uid?: number;
  gid?: number;
  /** Default 'sandpit'. */
  hostname?: string;
  /** Default '/bin/bash'. */
  shell?: string;
}

/** Populate an empty filesystem. Idempotent for directories; files are (re)written. */
export function buildDefaultLayout(vfs: Vfs, options: LayoutOptions = {}): void {
  const user = options.user ?? 'user';
  const uid = options.uid ?? 1000;
  const gid = options.gid ?? uid;
  const shell = options.shell ?? '/bin/bash';
  const home = `/home/${user}`;
  for (const d of [
    home,
    '/etc',
    '/usr/bin',
    '/usr/lib',
    '/usr/local/bin',
    '/usr/local/lib',
    '/var/tmp',
    '/dev',
    '/mnt',
    '/root',
  ]) {
    vfs.mkdir(d, { recursive: true });
  }
  vfs.mkdir('/tmp', { recursive: true });
  vfs.chmod('/tmp', 0o1777);
  vfs.chmod('/var/tmp', 0o1777);
  vfs.chmod('/root', 0o700);
  // /bin → usr/bin as on merged-/usr distributions, so '#!/bin/sh' and '/usr/bin/env' both resolve.
  if (!vfs.exists('/bin')) vfs.symlink('usr/bin', '/bin');
  if (!vfs.exists('/lib')) vfs.symlink('usr/lib', '/lib');
  vfs.writeFile('/etc/passwd', `root:x:0:0:root:/root:${shell}\n${user}:x:${uid}:${gid}:${user}:${home}:${shell}\n`);
  vfs.writeFile('/etc/group', `root:x:0:\n${user}:x:${gid}:\n`);
  vfs.writeFile('/etc/hostname', `${options.hostname ?? 'sandpit'}\n`);
  vfs.writeFile('/etc/hosts', `127.0.0.1\tlocalhost\n::1\tlocalhost\n`);
  vfs.writeFile(
    '/etc/profile',
    [
      'export PATH=/usr/local/bin:/usr/bin:/bin',
      `export HOME=${home}`,
      `export USER=${user}`,
      'export LANG=C.UTF-8',
      "export PS1='\\u@\\h:\\w\\$ '",
      // Re-read the terminal size after each command, so a resized terminal is noticed.
      '[ -n "$BASH_VERSION" ] && shopt -s checkwinsize',
      '',
    ].join('\n'),
  );
  // Device nodes are placeholders: the engine serves the real /dev/null etc.; these make `ls /dev` and
  // existence checks behave.
  for (const dev of ['null', 'zero', 'random', 'urandom', 'tty']) {
    if (!vfs.exists(`/dev/${dev}`)) vfs.writeFile(`/dev/${dev}`, new Uint8Array(0), { mode: 0o666 });
  }
}
