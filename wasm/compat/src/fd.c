/* pipe/pipe2 on WASIX fd_pipe, dup/dup2/dup3 on fd_dup + wasi fd_renumber. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void sync_cwd_at_start(void) { __sandpit_sync_cwd(); }

int pipe(int fds[2]) {
  uint32_t r, w;
  uint16_t e = wasix_fd_pipe(&r, &w); /* read end first */
  if (e) { errno = e; return -1; }
  fds[0] = (int)r;
  fds[1] = (int)w;
  return 0;
}

int pipe2(int fds[2], int flags) {
  if (pipe(fds) < 0) return -1;
  if (flags & O_NONBLOCK) {
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
  }
  return 0; /* O_CLOEXEC: WASIX fds have no close-on-exec flag to set here */
}

int dup(int fd) {
  uint32_t n;
  uint16_t e = wasix_fd_dup((uint32_t)fd, &n);
  if (e) { errno = e; return -1; }
  return (int)n;
}

int dup2(int oldfd, int newfd) {
  if (oldfd == newfd) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get((__wasi_fd_t)oldfd, &st)) { errno = EBADF; return -1; }
    return newfd;
  }
  /* The temporary copy goes high (fd_dup2's minimum), never into a free low slot: a copy of a
   * stdio fd renumbered from a low slot (3..9, where the preopens live) leaves the runtime's
   * exec unable to hand fd 1 to the next program (it exits 71 with no output). */
  uint32_t t;
  uint16_t de = wasix_fd_dup2((uint32_t)oldfd, SANDPIT_DUP2_TMP_MIN, 0, &t);
  if (de) { errno = de; return -1; }
  int tmp = (int)t;
  if (tmp == newfd) return newfd;
  /* fd_renumber closes newfd if it is open and copies tmp there. WASI says it moves, but the
   * runtime (SDK 0.16) leaves tmp open too (measured: fd_fdstat_get(tmp) succeeds after it):
   * close it, or every dup2 leaks a descriptor. A leaked copy of a pipe's write end means the
   * reader never sees EOF: `tar -czf` (dup2 of the pipe onto its archive fd, close, wait for
   * gzip) hung forever. EBADF from this close, on a runtime that does move, is harmless. */
  uint16_t e = __wasi_fd_renumber((__wasi_fd_t)tmp, (__wasi_fd_t)newfd);
  (void)__wasi_fd_close((__wasi_fd_t)tmp);
  if (e) { errno = e; return -1; }
  return newfd;
}

int dup3(int oldfd, int newfd, int flags) {
  (void)flags;
  if (oldfd == newfd) { errno = EINVAL; return -1; }
  return dup2(oldfd, newfd);
}
