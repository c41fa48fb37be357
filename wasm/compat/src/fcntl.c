/* fcntl additions: F_DUPFD(_CLOEXEC) and close-on-exec on WASIX fd flags. */
#define SANDPIT_NO_FCNTL_MACRO 1
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

uint16_t wasix_fd_fdflags_get(uint32_t fd, uint16_t *flags) WASIX(fd_fdflags_get);
uint16_t wasix_fd_fdflags_set(uint32_t fd, uint16_t flags) WASIX(fd_fdflags_set);
#define WASIX_FDFLAGSEXT_CLOEXEC 1

static int fd_open(int fd) {
  __wasi_fdstat_t st;
  return __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) == 0;
}

int __sandpit_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int arg = va_arg(ap, int);
  va_end(ap);
  switch (cmd) {
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: {
    if (!fd_open(fd)) { errno = EBADF; return -1; }
    if (arg < 0) { errno = EINVAL; return -1; }
    for (int n = arg; n < 1024; n++) {
      if (fd_open(n)) continue;
      if (dup2(fd, n) < 0) return -1;
      if (cmd == F_DUPFD_CLOEXEC) wasix_fd_fdflags_set((uint32_t)n, WASIX_FDFLAGSEXT_CLOEXEC);
      return n;
    }
    errno = EMFILE;
    return -1;
  }
  case F_GETFD: {
    uint16_t f = 0;
    if (!fd_open(fd)) { errno = EBADF; return -1; }
    if (wasix_fd_fdflags_get((uint32_t)fd, &f)) return 0;
    return (f & WASIX_FDFLAGSEXT_CLOEXEC) ? FD_CLOEXEC : 0;
  }
  case F_SETFD: {
    if (!fd_open(fd)) { errno = EBADF; return -1; }
    uint16_t e = wasix_fd_fdflags_set((uint32_t)fd, (arg & FD_CLOEXEC) ? WASIX_FDFLAGSEXT_CLOEXEC : 0);
    if (e && e != ENOSYS && e != ENOTSUP) { errno = e; return -1; }
    return 0;
  }
  default:
    return fcntl(fd, cmd, arg);
  }
}
