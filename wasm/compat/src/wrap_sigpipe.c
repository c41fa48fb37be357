/* SIGPIPE at the failing write, linked only with -Wl,--wrap=__wasi_fd_write.
 *
 * When the last reader of a pipe is gone the runtime fails fd_write with EPIPE and queues a
 * SIGPIPE that it delivers at some later syscall boundary, or never when the writer exits
 * first (measured: `yes | (sleep 0.3; head -c 10)` left yes printing "Broken pipe" and
 * exiting 1, `cat /dev/zero | head -c 100000` gave cat status 1). A POSIX writer is stopped by
 * the signal before write() returns, so a loop that ignores write errors (a bash `while :; do
 * echo; done | head -1`) ends, and a pipeline's writers end with status 141. raise() goes
 * through our sigaction table (signal.c): the default action ends the process as killed by
 * SIGPIPE, SIG_IGN (Python) leaves the EPIPE error to the caller, a handler runs first. */
#include <signal.h>
#include <wasi/api.h>

int sandpit_meta_why(int eio); /* meta.c: a full filesystem is ENOSPC, not EIO */

__wasi_errno_t __real___wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n,
                                      __wasi_size_t *written);
__wasi_errno_t __wrap___wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n,
                                      __wasi_size_t *written) {
  __wasi_errno_t e = __real___wasi_fd_write(fd, iovs, n, written);
  if (e == __WASI_ERRNO_PIPE) raise(SIGPIPE);
  if (e == __WASI_ERRNO_IO) e = (__wasi_errno_t)sandpit_meta_why(e);
  return e;
}
