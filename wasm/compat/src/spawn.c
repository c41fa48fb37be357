/* posix_spawn/posix_spawnp on WASIX proc_spawn2: no fork, the runtime starts the child
 * and applies the file actions (close, dup2, open, chdir) to its fd table. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>
#include "wasix.h"

extern char **environ;
int __sandpit_exec_wire(char *const argv[], char *const envp[], char **args, size_t *alen,
                        char **envs, size_t *elen); /* argv.c */
void __sandpit_child_add(pid_t p);

struct action { int op, fd, src, oflag; mode_t mode; char *path; };

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa) { memset(fa, 0, sizeof *fa); return 0; }
int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa) {
  struct action *a = fa->__actions;
  for (int i = 0; i < fa->__count; i++) free(a[i].path);
  free(a);
  memset(fa, 0, sizeof *fa);
  return 0;
}
static struct action *add(posix_spawn_file_actions_t *fa) {
  if (fa->__count == fa->__cap) {
    int cap = fa->__cap ? fa->__cap * 2 : 4;
    void *n = realloc(fa->__actions, cap * sizeof(struct action));
    if (!n) return NULL;
    fa->__actions = n;
    fa->__cap = cap;
  }
  struct action *a = (struct action *)fa->__actions + fa->__count++;
  memset(a, 0, sizeof *a);
  return a;
}
int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd) {
  struct action *a = add(fa);
  if (!a) return ENOMEM;
  a->op = WASIX_FDOP_CLOSE; a->fd = fd;
  return 0;
}
int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int src, int fd) {
  struct action *a = add(fa);
  if (!a) return ENOMEM;
  a->op = WASIX_FDOP_DUP2; a->fd = fd; a->src = src;
  return 0;
}
int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd, const char *restrict path, int oflag, mode_t mode) {
  char *p = strdup(path);
  struct action *a = p ? add(fa) : NULL;
  if (!a) { free(p); return ENOMEM; }
  a->op = WASIX_FDOP_OPEN; a->fd = fd; a->oflag = oflag; a->mode = mode; a->path = p;
  return 0;
}
int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *restrict fa, const char *restrict path) {
  char *p = strdup(path);
  struct action *a = p ? add(fa) : NULL;
  if (!a) { free(p); return ENOMEM; }
  a->op = WASIX_FDOP_CHDIR; a->path = p;
  return 0;
}

int posix_spawnattr_init(posix_spawnattr_t *at) { memset(at, 0, sizeof *at); return 0; }
int posix_spawnattr_destroy(posix_spawnattr_t *at) { (void)at; return 0; }
int posix_spawnattr_setflags(posix_spawnattr_t *at, short f) { at->__flags = f; return 0; }
int posix_spawnattr_getflags(const posix_spawnattr_t *restrict at, short *restrict f) { *f = (short)at->__flags; return 0; }
int posix_spawnattr_setpgroup(posix_spawnattr_t *at, pid_t p) { at->__pgrp = p; return 0; }
int posix_spawnattr_getpgroup(const posix_spawnattr_t *restrict at, pid_t *restrict p) { *p = at->__pgrp; return 0; }
int posix_spawnattr_setsigmask(posix_spawnattr_t *restrict at, const sigset_t *restrict m) { at->__mask = *m; return 0; }
int posix_spawnattr_getsigmask(const posix_spawnattr_t *restrict at, sigset_t *restrict m) { *m = at->__mask; return 0; }
int posix_spawnattr_setsigdefault(posix_spawnattr_t *restrict at, const sigset_t *restrict m) { at->__def = *m; return 0; }
int posix_spawnattr_getsigdefault(const posix_spawnattr_t *restrict at, sigset_t *restrict m) { *m = at->__def; return 0; }

/* wasi O_* flags are split between oflags (creat/directory/excl/trunc) and fdflags. */
static void open_flags(int oflag, uint16_t *oflags, uint16_t *fdflags, uint64_t *rights) {
  *oflags = 0;
  *fdflags = 0;
  if (oflag & O_CREAT) *oflags |= __WASI_OFLAGS_CREAT;
  if (oflag & O_DIRECTORY) *oflags |= __WASI_OFLAGS_DIRECTORY;
  if (oflag & O_EXCL) *oflags |= __WASI_OFLAGS_EXCL;
  if (oflag & O_TRUNC) *oflags |= __WASI_OFLAGS_TRUNC;
  if (oflag & O_APPEND) *fdflags |= __WASI_FDFLAGS_APPEND;
  if (oflag & O_NONBLOCK) *fdflags |= __WASI_FDFLAGS_NONBLOCK;
  *rights = ~(uint64_t)0;
  if ((oflag & O_ACCMODE) == O_RDONLY)
    *rights &= ~(uint64_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
}

int __sandpit_script_argv(const char *name, int search, char *const argv[], char ***out,
                          int *isearch, char **resolved); /* script.c */

static int spawn1(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                  char *const argv[], char *const envp[], int search) {
  size_t alen, elen;
  char *args, *envs;
  if (__sandpit_exec_wire(argv, envp ? envp : environ, &args, &alen, &envs, &elen)) return ENOMEM;
  int n = fa ? fa->__count : 0;
  wasix_fd_op *ops = calloc(n ? n : 1, sizeof *ops);
  if (!ops) { free(args); free(envs); return ENOMEM; }
  const struct action *a = fa ? fa->__actions : NULL;
  for (int i = 0; i < n; i++) {
    ops[i].cmd = (uint8_t)a[i].op;
    ops[i].fd = (uint32_t)a[i].fd;
    ops[i].src_fd = (uint32_t)a[i].src;
    if (a[i].path) {
      ops[i].name = (uint32_t)(uintptr_t)a[i].path;
      ops[i].name_len = (uint32_t)strlen(a[i].path);
    }
    if (a[i].op == WASIX_FDOP_OPEN) {
      uint64_t rights;
      open_flags(a[i].oflag, &ops[i].oflags, &ops[i].fdflags, &rights);
      ops[i].dirflags = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
      ops[i].rights_base = ops[i].rights_inheriting = rights;
    }
  }
  const char *sp = search ? getenv("PATH") : NULL;
  uint32_t child = 0;
  uint16_t e = wasix_proc_spawn2(path, strlen(path), args, alen, envs, elen, ops, (size_t)n,
                                 NULL, 0, search ? 1 : 0, sp, sp ? strlen(sp) : 0, &child);
  free(args);
  free(envs);
  free(ops);
  if (e) return e;
  __sandpit_child_add((pid_t)child);
  if (pid) *pid = (pid_t)child;
  return 0;
}

/* As execve in process.c: the runtime's Noexec may be a script (see script.c). */
static int spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
                 char *const argv[], char *const envp[], int search) {
  int e = spawn1(pid, path, fa, argv, envp, search);
  char **nv, *resolved;
  int isearch;
  if (e != ENOEXEC) return e;
  if (__sandpit_script_argv(path, search, argv, &nv, &isearch, &resolved)) return errno;
  e = spawn1(pid, nv[0], fa, nv, envp, isearch);
  const char *base = strrchr(nv[0], '/');
  if (e == ENOEXEC && base && base[1]) {
    char *interp = nv[0];
    nv[0] = (char *)base + 1;
    e = spawn1(pid, nv[0], fa, nv, envp, 1);
    nv[0] = interp;
  }
  free(nv[0]);
  free(resolved);
  free(nv); /* the optional #! argument leaks: a few bytes per spawned script */
  return e == ENOEXEC ? ENOENT : e;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path, const posix_spawn_file_actions_t *fa,
                const posix_spawnattr_t *restrict at, char *const *restrict argv, char *const *restrict envp) {
  (void)at;
  if (access(path, X_OK) != 0 && errno == EACCES) return EACCES; /* not executable (meta.c) */
  return spawn(pid, path, fa, argv, envp, 0);
}
int posix_spawnp(pid_t *restrict pid, const char *restrict file, const posix_spawn_file_actions_t *fa,
                 const posix_spawnattr_t *restrict at, char *const *restrict argv, char *const *restrict envp) {
  (void)at;
  if (strchr(file, '/') && access(file, X_OK) != 0 && errno == EACCES) return EACCES;
  return spawn(pid, file, fa, argv, envp, strchr(file, '/') == NULL);
}
