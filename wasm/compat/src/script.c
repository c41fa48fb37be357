/* What execve/posix_spawn do when the runtime cannot start a file: the runtime only runs
 * registered commands and wasm files and answers "Noexec" both for a missing file and for a
 * script, so compat looks at the file itself:
 *  - missing: ENOENT; a directory: EACCES;
 *  - "#!interp [arg]": run interp (as given, else its basename on PATH) with
 *    [interp, arg, path, argv[1]…], as the kernel does;
 *  - other text: ENOEXEC, so a shell runs it itself (bash, ash and hush do); execvp-style
 *    callers (search set) get `sh path args…`, as glibc's execvp does. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Finds `name` like execvp: as is when it has a '/', else the first regular file on PATH. */
static char *resolve(const char *name, int search) {
  struct stat st;
  if (!search || strchr(name, '/')) return strdup(name);
  const char *path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/bin:/usr/bin";
  size_t nl = strlen(name);
  while (*path) {
    size_t dl = strcspn(path, ":");
    char *full = malloc(dl + nl + 3);
    if (!full) return NULL;
    if (dl) { memcpy(full, path, dl); full[dl] = '/'; memcpy(full + dl + 1, name, nl + 1); }
    else memcpy(full, name, nl + 1);
    if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) return full;
    free(full);
    path += dl;
    if (*path) path++;
  }
  return NULL;
}

/* Returns 0 and a new argv (argv[0] = interpreter to run, search flag in *isearch) to exec
 * instead, or -1 with errno set. *resolved is the script's path (caller frees it). */
int __sandpit_script_argv(const char *name, int search, char *const argv[], char ***out,
                          int *isearch, char **resolved) {
  struct stat st;
  char *path = resolve(name, search);
  *resolved = path;
  if (!path || stat(path, &st) != 0) { errno = ENOENT; return -1; }
  if (S_ISDIR(st.st_mode)) { errno = EACCES; return -1; }
  char head[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, head, sizeof head - 1);
  close(fd);
  if (n < 0) return -1;
  head[n] = 0;
  if (n >= 4 && !memcmp(head, "\0asm", 4)) { errno = ENOEXEC; return -1; }
  size_t argc = 0;
  while (argv && argv[argc]) argc++;
  char **nv = calloc(argc + 4, sizeof *nv);
  if (!nv) { errno = ENOMEM; return -1; }
  size_t k = 0;
  if (n >= 2 && head[0] == '#' && head[1] == '!') {
    char *p = head + 2, *end = strchr(p, '\n');
    if (end) *end = 0;
    while (*p == ' ' || *p == '\t') p++;
    char *interp = p;
    while (*p && *p != ' ' && *p != '\t') p++;
    if (*p) *p++ = 0;
    while (*p == ' ' || *p == '\t') p++;
    char *arg = p; /* the rest of the line is one argument, trailing blanks trimmed */
    for (char *e = arg + strlen(arg); e > arg && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); ) *--e = 0;
    if (!*interp) { free(nv); errno = ENOEXEC; return -1; }
    nv[k++] = strdup(interp);
    if (*arg) nv[k++] = strdup(arg);
    *isearch = 0;
  } else if (search) {
    nv[k++] = strdup("sh");
    *isearch = 1;
  } else {
    free(nv);
    errno = ENOEXEC;
    return -1;
  }
  nv[k++] = path;
  for (size_t i = 1; i < argc; i++) nv[k++] = argv[i];
  nv[k] = NULL;
  *out = nv;
  return 0;
}
