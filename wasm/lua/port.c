/* What Lua's os and io libraries need that wasi-libc 2022 lacks (see port.h).
 * mkstemp replaces the trailing XXXXXX with random letters and creates the file
 * exclusively, retrying on collisions. */
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

#ifndef SANDPIT_COMPAT
int sandpit_lua_system(const char *cmd) {
  if (cmd == NULL) return 0;
  errno = ENOSYS;
  return -1;
}
#else
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char **environ;

/* Starts `sh -c cmd`; with a pipe end given, it becomes the child's fd `child_fd` and
 * `close_fd` (the parent's end) is closed in the child. Returns the pid or -1. */
static pid_t spawn_sh(const char *cmd, int pipe_end, int child_fd, int close_fd) {
  char *argv[] = {"sh", "-c", (char *)cmd, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (pipe_end >= 0) {
    posix_spawn_file_actions_adddup2(&fa, pipe_end, child_fd);
    posix_spawn_file_actions_addclose(&fa, pipe_end);
    posix_spawn_file_actions_addclose(&fa, close_fd);
  }
  pid_t pid;
  int e = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e) { errno = e; return -1; }
  return pid;
}

/* A raw wait status (decoded by l_inspectstat in port.h), or -1 with errno. */
int sandpit_lua_system(const char *cmd) {
  if (cmd == NULL) return 1;
  pid_t pid = spawn_sh(cmd, -1, -1, -1);
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) return -1;
  errno = 0; /* Lua reads a non-zero status with errno set as a failure to run */
  return status;
}

/* io.popen's streams and their children, so pclose can wait for the right one. */
struct piped { FILE *f; pid_t pid; struct piped *next; };
static struct piped *piped;

FILE *sandpit_lua_popen(const char *cmd, const char *mode) {
  int fds[2];
  int reading = mode[0] == 'r';
  if (pipe(fds) < 0) return NULL;
  /* Reading: the child writes its stdout into fds[1]; writing: it reads stdin from fds[0]. */
  int mine = reading ? fds[0] : fds[1], theirs = reading ? fds[1] : fds[0];
  struct piped *p = malloc(sizeof *p);
  pid_t pid = p ? spawn_sh(cmd, theirs, reading ? 1 : 0, mine) : -1;
  close(theirs);
  FILE *f = pid < 0 ? NULL : fdopen(mine, reading ? "r" : "w");
  if (!f) {
    int e = errno;
    close(mine);
    if (pid >= 0) waitpid(pid, NULL, 0);
    free(p);
    errno = e;
    return NULL;
  }
  p->f = f, p->pid = pid, p->next = piped, piped = p;
  return f;
}

int sandpit_lua_pclose(FILE *f) {
  struct piped **link = &piped;
  while (*link && (*link)->f != f) link = &(*link)->next;
  if (!*link) { errno = ECHILD; return -1; }
  struct piped *p = *link;
  *link = p->next;
  fclose(f);
  int status;
  pid_t got = waitpid(p->pid, &status, 0);
  free(p);
  if (got < 0) return -1;
  errno = 0;
  return status;
}
#endif

#ifdef SANDPIT_COMPAT
/* Start in the sandbox's cwd: libsandpit-compat's getcwd/chdir sync only runs from members
 * Lua never pulls in (process, fd, signal), so ask for it here. */
void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void start_in_cwd(void) { __sandpit_sync_cwd(); }
#endif
