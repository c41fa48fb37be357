/* fcntl for sqlite on wasm32-wasi: record locks succeed (a sandbox runs one writer at a
 * time, and WASI has no lock calls); every other command goes to wasi-libc's fcntl. */
#include <fcntl.h>
#include <stdarg.h>

#define SANDPIT_F_GETLK 5
#define SANDPIT_F_SETLK 6
#define SANDPIT_F_SETLKW 7
#define SANDPIT_F_UNLCK 2

int sandpit_sqlite_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  switch (cmd) {
  case SANDPIT_F_GETLK:
    ((struct flock *)arg)->l_type = SANDPIT_F_UNLCK; /* nobody else holds a lock */
    return 0;
  case SANDPIT_F_SETLK:
  case SANDPIT_F_SETLKW:
    return 0;
  default:
    return fcntl(fd, cmd, arg);
  }
}
