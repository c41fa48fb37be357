/* SIGWINCH from reads of the terminal: wrap_determ.c's fd_read wrap (-Wl,--wrap=__wasi_fd_read)
 * calls __sandpit_winch_check() around every read of fd 0.
 *
 * The runtime changes the terminal size (tty_get) when the host calls resizeTerminal, but it
 * sends no SIGWINCH. A program at its prompt is blocked reading the terminal, so each read of
 * stdin compares the size with the last one seen, before and after the read, and
 * raises SIGWINCH (compat's signal emulation) when it changed: readline and bash then re-read
 * the size (rl_resize_terminal, checkwinsize) before the typed line runs. */
#include <signal.h>
#include <string.h>
#include <wasi/api.h>
#include "wasix.h"

void __sandpit_wasm_signal(int sig);

static uint32_t seen_cols, seen_rows;
static int seen;

void __sandpit_winch_check(void) {
  wasix_tty t;
  memset(&t, 0, sizeof t);
  if (wasix_tty_get(&t) || !(t.stdin_tty || t.stdout_tty || t.stderr_tty)) return;
  if (seen && (t.cols != seen_cols || t.rows != seen_rows)) {
    seen_cols = t.cols;
    seen_rows = t.rows;
    __sandpit_wasm_signal(SIGWINCH);
    return;
  }
  seen_cols = t.cols;
  seen_rows = t.rows;
  seen = 1;
}

/* The size at start is the baseline: a resize before the first read still counts. */
__attribute__((constructor)) static void winch_baseline(void) { __sandpit_winch_check(); }
