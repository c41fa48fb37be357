/* Opt-in (link $BUILD_ROOT/compat/obj/ttymerge.o by name; the archive alone never pulls it in): in a terminal session, make fd 2 a
 * copy of fd 1 at start, like a PTY where both are the same terminal. The runtime hands stdout
 * and stderr to the host as two separate streams even in terminal mode, so bash's prompt and
 * readline echo (stderr) otherwise land out of order with command output (stdout).
 * A terminal session is told apart from run() by the tty state at start: the SDK starts
 * terminal sessions with echo and line buffering on, and run() with both off (measured; the
 * runtime says "tty" for all three fds either way). Later `2>/dev/null`, `2>&1`, `2>file`
 * work as usual: they replace fd 2. SANDPIT_TTY_MERGED=1 is put in the environment so a
 * nested program (bash in bash) leaves a user's redirection of fd 2 alone. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wasix.h"

int __sandpit_tty_merge;

__attribute__((constructor)) static void tty_merge_at_start(void) {
  if (getenv("SANDPIT_TTY_MERGED")) return;
  wasix_tty t;
  memset(&t, 0, sizeof t);
  if (wasix_tty_get(&t)) return;
  if (!(t.stdin_tty && t.stdout_tty && t.stderr_tty && t.echo && t.line_buffered)) return;
  if (dup2(1, 2) < 0) return;
  setenv("SANDPIT_TTY_MERGED", "1", 1);
}
