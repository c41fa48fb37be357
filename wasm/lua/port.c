/* What Lua's os and io libraries need that wasi-libc 2022 lacks (see port.h).
 * mkstemp replaces the trailing XXXXXX with random letters and creates the file exclusively, retrying on collisions. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

int sandpit_lua_mkstemp(char *template) {
  static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  size_t len = strlen(template);
  if (len < 6 || memcmp(template + len - 6, "XXXXXX", 6) != 0) { errno = EINVAL; return -1; }
  for (int attempt = 0; attempt < 100; attempt++) {
    unsigned char rnd[6];
    if (__wasi_random_get(rnd, sizeof rnd) != 0) { errno = EIO; return -1; }
    for (int i = 0; i < 6; i++) template[len - 6 + i] = chars[rnd[i] % (sizeof chars - 1)];
    int fd = open(template, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

FILE *sandpit_lua_tmpfile(void) {
  char name[] = "/tmp/lua_XXXXXX";
  int fd = sandpit_lua_mkstemp(name);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w+");
  unlink(name);
  if (!f) close(fd);
  return f;
}

int sandpit_lua_system(const char *cmd) {
  if (cmd == NULL) return 0;
  errno = ENOSYS;
  return -1;
}

#ifdef SANDPIT_COMPAT
/* Start in the sandbox's cwd: libsandpit-compat's getcwd/chdir sync only runs from members
 * Lua never pulls in (process, fd, signal), so ask for it here. */
void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void start_in_cwd(void) { __sandpit_sync_cwd(); }
#endif
