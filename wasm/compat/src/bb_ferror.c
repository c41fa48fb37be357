/* busybox's die_if_ferror(): linked only with -Wl,--wrap=die_if_ferror,--wrap=die_if_ferror_stdout
 * (link-flags; no other program defines them, so only busybox pulls this file in).
 *
 * busybox reports a failed stdio write at the end (`head`, `tee`, `uniq`, `cmp`, `more`) with a
 * fixed "standard output: I/O error", because ferror() keeps no errno. On a full sandbox that
 * hid the reason: `head -c 131072 /dev/zero > file` over fsLimitBytes said "I/O error" where
 * Linux says "No space left on device". wrap_sigpipe.c remembers the errno of the last failed
 * write and its descriptor; when that is the stream's descriptor, report it as perror() would. */
#include <errno.h>
#include <stdio.h>

int sandpit_last_write_error(int fd); /* wrap_sigpipe.c */
void __real_die_if_ferror(FILE *fp, const char *fn);
void bb_simple_perror_msg_and_die(const char *s) __attribute__((noreturn)); /* libbb */

void __wrap_die_if_ferror(FILE *fp, const char *fn) {
  if (ferror(fp)) {
    int e = sandpit_last_write_error(fileno(fp));
    if (e != 0 && e != EIO) {
      errno = e;
      bb_simple_perror_msg_and_die(fn);
    }
  }
  __real_die_if_ferror(fp, fn);
}

/* libbb's die_if_ferror_stdout() calls die_if_ferror() inside its own object, which --wrap
 * may not reach: wrap it too. The name matches libbb's bb_msg_standard_output. */
void __wrap_die_if_ferror_stdout(void) {
  __wrap_die_if_ferror(stdout, "standard output");
}
