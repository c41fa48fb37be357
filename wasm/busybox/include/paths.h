/* paths.h for wasi-libc (which has none). */
#ifndef SANDPIT_PATHS_H
#define SANDPIT_PATHS_H
#define _PATH_DEFPATH "/usr/local/bin:/usr/bin:/bin"
#define _PATH_STDPATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define _PATH_BSHELL "/bin/sh"
#define _PATH_DEVNULL "/dev/null"
#define _PATH_TTY "/dev/tty"
#define _PATH_CONSOLE "/dev/console"
#define _PATH_TMP "/tmp/"
#define _PATH_MAILDIR "/var/mail"
#define _PATH_MOUNTED "/etc/mtab"
#define _PATH_PASSWD "/etc/passwd"
#define _PATH_GROUP "/etc/group"
#define _PATH_SHADOW "/etc/shadow"
#define _PATH_UTMP "/var/run/utmp"
#define _PATH_WTMP "/var/log/wtmp"
#define _PATH_VI "/usr/bin/vi"
#endif
