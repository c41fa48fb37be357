/* What jq needs beyond 2022 wasi-libc (see port.h).
 * realpath for jq's module search (wasi-libc 2022 has none). Lexical: makes the path
 * absolute against getcwd and folds "." and ".." (the sandbox's symlinks are not
 * followed), then fails with ENOENT like the real one when the result does not exist. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *realpath(const char *restrict path, char *restrict resolved) {
  char in[PATH_MAX], out[PATH_MAX];
  if (!path || !*path) { errno = path ? ENOENT : EINVAL; return NULL; }
  if (path[0] == '/') {
    if (strlen(path) >= sizeof in) { errno = ENAMETOOLONG; return NULL; }
    strcpy(in, path);
  } else {
    if (!getcwd(in, sizeof in)) return NULL;
    size_t n = strlen(in);
    if (n + 1 + strlen(path) >= sizeof in) { errno = ENAMETOOLONG; return NULL; }
    in[n] = '/';
    strcpy(in + n + 1, path);
  }
  size_t len = 0;
  for (char *seg = strtok(in, "/"); seg; seg = strtok(NULL, "/")) {
    if (strcmp(seg, ".") == 0) continue;
    if (strcmp(seg, "..") == 0) {
      while (len > 0 && out[len - 1] != '/') len--;
      if (len > 0) len--;
      continue;
    }
    out[len++] = '/';
    size_t s = strlen(seg);
    memcpy(out + len, seg, s);
    len += s;
  }
  if (len == 0) out[len++] = '/';
  out[len] = 0;
  struct stat st;
  if (stat(out, &st) != 0) return NULL;
  if (!resolved && !(resolved = malloc(len + 1))) return NULL;
  return strcpy(resolved, out);
}

#undef isatty
/* NO_COLOR set and non-empty (the convention jq 1.7.1 adopted): stdout is no terminal, so
 * no colour; with no program given, jq then also defaults to "." as it does for pipes. */
int sandpit_jq_isatty(int fd) {
  const char *no_color = getenv("NO_COLOR");
  if (fd == STDOUT_FILENO && no_color && *no_color) return 0;
  return isatty(fd);
}

#ifdef SANDPIT_COMPAT
/* Start in the sandbox's cwd: libsandpit-compat's getcwd/chdir sync only runs from members
 * jq never pulls in (process, fd, signal), so ask for it here. */
void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void start_in_cwd(void) { __sandpit_sync_cwd(); }
#endif
