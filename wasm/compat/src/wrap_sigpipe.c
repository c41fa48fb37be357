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
/* A gathered write (stdio's writev of its buffer and the new bytes: bash's `echo x >> log` is
 * "x" and "\n") reaches the host as one write per part, so another appender's write could land
 * between the parts ("A1B1\n\n", measured with two processes appending to one file). POSIX
 * makes one write call with O_APPEND one append: parts up to PIPE_BUF go out as one. */
#define GATHER_MAX 4096

/* The errno of the last write that failed, and its descriptor: stdio keeps only an error flag,
 * so a program that checks ferror() later (busybox's die_if_ferror, bb_ferror.c) asks here. */
static int last_fd = -1;
static int last_error;

int sandpit_last_write_error(int fd) {
  return fd == last_fd ? last_error : 0;
}

__wasi_errno_t __wrap___wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n,
                                      __wasi_size_t *written) {
  size_t total = 0, parts = 0;
  for (size_t i = 0; i < n && total <= GATHER_MAX; i++) {
    total += iovs[i].buf_len;
    if (iovs[i].buf_len) parts++;
  }
  __wasi_ciovec_t one;
  unsigned char buf[GATHER_MAX];
  if (parts > 1 && total <= GATHER_MAX) {
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
      __builtin_memcpy(buf + at, iovs[i].buf, iovs[i].buf_len);
      at += iovs[i].buf_len;
    }
    one.buf = buf;
    one.buf_len = total;
    iovs = &one;
    n = 1;
  }
  __wasi_errno_t e = __real___wasi_fd_write(fd, iovs, n, written);
  if (e == __WASI_ERRNO_PIPE) raise(SIGPIPE);
  if (e == __WASI_ERRNO_IO) e = (__wasi_errno_t)sandpit_meta_why(e);
  if (e) {
    last_fd = (int)fd;
    last_error = e;
  }
  return e;
}
