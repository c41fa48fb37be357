/* isatty() that is false for pipes and files, also for libc's own stdio (no --wrap needed).
 *
 * The runtime keeps answering fd_fdstat_get for fds 0-2 with the character device it started
 * them as, also after dup2() put a pipe or a file there (measured: `probe | cat` gives fd 1
 * filetype 2), so wasi-libc's isatty() says "tty" for every pipe. Then stdout stays line
 * buffered (musl's __stdout_write asks __isatty on the first write) and busybox seq/yes/head
 * write one line, sometimes one iovec per piece, per syscall into a pipe: `seq 200000 | wc -c`
 * made 400000 reads. fd_filestat_get does see the new file: filetype 0 for a pipe, 4 for a
 * regular file, 2 only for the terminal; so a tty is a character device in both.
 *
 * wasi-libc defines __isatty (used by __stdout_write and __fdopen) and isatty (weak) in one
 * member; this library comes before libc on the link line and wasm-ld takes the first archive
 * that offers a symbol, so these two replace libc's everywhere.
 *
 * The session's own stdio looks like a terminal in run() too (the runtime says character
 * device, tty_get says tty, also when run() is given stdin data), so only the host can tell:
 * SANDPIT_NOTTY=1 in the environment (set by the kernel for sessions without a terminal,
 * inherited by every child) makes no descriptor a terminal. */
#include <errno.h>
#include <stdlib.h>
#include <wasi/api.h>

int __isatty(int fd) {
  const char *notty = getenv("SANDPIT_NOTTY");
  if (notty && notty[0] == '1') {
    errno = ENOTTY;
    return 0;
  }
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
  if (e) {
    errno = e;
    return 0;
  }
  if (st.fs_filetype != __WASI_FILETYPE_CHARACTER_DEVICE ||
      (st.fs_rights_base & (__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL))) {
    errno = ENOTTY;
    return 0;
  }
  __wasi_filestat_t fs;
  if (__wasi_fd_filestat_get((__wasi_fd_t)fd, &fs) == 0 &&
      fs.filetype != __WASI_FILETYPE_CHARACTER_DEVICE) {
    errno = ENOTTY;
    return 0;
  }
  return 1;
}

int isatty(int fd) { return __isatty(fd); }
