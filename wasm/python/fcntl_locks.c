/* fcntl for CPython's fcntl module on WASI: record locks (F_SETLK, F_SETLKW, F_GETLK) are
 * granted without doing anything (see include/fcntl.h); other commands go to libc. */
#define SANDPIT_FCNTL_LOCKS_IMPL
#include <fcntl.h>
#include <stdarg.h>

int sandpit_fcntl_locks(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (cmd == F_GETLK) {
    ((struct flock *)arg)->l_type = F_UNLCK;
    return 0;
  }
  if (cmd == F_SETLK || cmd == F_SETLKW) return 0;
  return fcntl(fd, cmd, arg);
}
