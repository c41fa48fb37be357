/* fork/vfork/exec/wait/kill/pids on WASIX proc_* calls. fork needs the module to be
 * post-processed with `wasm-opt --asyncify` (the runtime unwinds and rewinds the stack). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include "wasix.h"

void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void sync_cwd_at_start(void) { __sandpit_sync_cwd(); }

extern char **environ;

/* Live children, so a dying process can take them with it: the runtime kills only the
 * process it is asked to, and an orphan keeps running (and keeps the sandbox busy). */
#define MAX_CHILDREN 256
static pid_t children[MAX_CHILDREN];
static int nchildren;
void __sandpit_child_add(pid_t p) {
  for (int i = 0; i < nchildren; i++) if (children[i] == p) return;
  if (nchildren < MAX_CHILDREN) children[nchildren++] = p;
}
static void child_del(pid_t p) {
  for (int i = 0; i < nchildren; i++)
    if (children[i] == p) { children[i] = children[--nchildren]; return; }
}
void __sandpit_kill_children(void) {
  for (int i = 0; i < nchildren; i++) wasix_proc_signal((uint32_t)children[i], SIGKILL);
  nchildren = 0;
}

pid_t fork(void) {
  uint32_t pid = 0;
  uint16_t e = wasix_proc_fork(1, &pid);
  if (e) { errno = e == ENOTSUP ? ENOSYS : e; return -1; }
  if (pid == 0) nchildren = 0; /* the child starts with no children of its own */
  else __sandpit_child_add((pid_t)pid);
  return (pid_t)pid;
}
pid_t _Fork(void) { return fork(); }
/* A real copy, not a borrowed address space: safe for callers that write before exec. */
pid_t vfork(void) { return fork(); }

int __sandpit_exec_wire(char *const argv[], char *const envp[], char **args, size_t *alen,
                        char **envs, size_t *elen); /* argv.c */

int __sandpit_script_argv(const char *name, int search, char *const argv[], char ***out,
                          int *isearch, char **resolved); /* script.c */

/* One proc_exec3 call: returns only on failure, with the runtime's errno. */
static int raw_exec(const char *path, char *const argv[], char *const envp[], int search) {
  size_t alen, elen;
  char *args, *envs;
  if (__sandpit_exec_wire(argv, envp ? envp : environ, &args, &alen, &envs, &elen)) return ENOMEM;
  const char *sp = search ? getenv("PATH") : NULL;
  uint16_t e = wasix_proc_exec3(path, strlen(path), args, alen, envs, elen, search ? 1 : 0,
                                sp, sp ? strlen(sp) : 0);
  free(args);
  free(envs);
  return e ? e : ENOEXEC;
}

static int do_exec(const char *path, char *const argv[], char *const envp[], int search) {
  /* A file on our mounts without its x bit (meta.c's access): EACCES, as on Linux; the
   * runtime itself would run it. */
  if (strchr(path, '/') && access(path, X_OK) != 0 && errno == EACCES) return -1;
  int e = raw_exec(path, argv, envp, search);
  /* The runtime says Noexec for a missing file and for a script alike: see script.c. */
  char **nv, *resolved;
  int isearch;
  if (e == ENOEXEC && __sandpit_script_argv(path, search, argv, &nv, &isearch, &resolved) == 0) {
    e = raw_exec(nv[0], nv, envp, isearch);
    const char *base = strrchr(nv[0], '/');
    if (e == ENOEXEC && base && base[1]) { /* #!/usr/bin/env, /bin/sh…: the registered name */
      if (!strcmp(nv[0], "/usr/bin/env") && nv[1] && nv[1][0] != '-') e = raw_exec(nv[1], nv + 1, envp, 1);
      else { nv[0] = (char *)base + 1; e = raw_exec(nv[0], nv, envp, 1); }
    }
    if (e == ENOEXEC) e = ENOENT; /* the interpreter is missing */
    errno = e;
    return -1;
  }
  if (e != ENOEXEC) errno = e;
  return -1;
}

int execve(const char *path, char *const argv[], char *const envp[]) { return do_exec(path, argv, envp, 0); }
int execv(const char *path, char *const argv[]) { return do_exec(path, argv, environ, 0); }
int execvpe(const char *file, char *const argv[], char *const envp[]) {
  if (!*file) { errno = ENOENT; return -1; }
  return do_exec(file, argv, envp, strchr(file, '/') == NULL);
}
int execvp(const char *file, char *const argv[]) { return execvpe(file, argv, environ); }
int fexecve(int fd, char *const argv[], char *const envp[]) {
  (void)fd; (void)argv; (void)envp;
  errno = ENOSYS;
  return -1;
}

#define COLLECT_ARGS(first)                                   \
  int argc = 1;                                               \
  va_list ap;                                                 \
  va_start(ap, first);                                        \
  while (va_arg(ap, const char *)) argc++;                    \
  va_end(ap);                                                 \
  char **argv = alloca((argc + 1) * sizeof(char *));          \
  va_start(ap, first);                                        \
  argv[0] = (char *)first;                                    \
  for (int i = 1; i <= argc; i++) argv[i] = va_arg(ap, char *);

int execl(const char *path, const char *arg, ...) {
  COLLECT_ARGS(arg);
  va_end(ap);
  return execv(path, argv);
}
int execlp(const char *file, const char *arg, ...) {
  COLLECT_ARGS(arg);
  va_end(ap);
  return execvp(file, argv);
}
int execle(const char *path, const char *arg, ...) {
  COLLECT_ARGS(arg);
  char **envp = va_arg(ap, char **);
  va_end(ap);
  return execve(path, argv, envp);
}

/* See wrap_exit.c: a child that exited with a code >= 79 left it in a file. */
static int real_exit_code(uint32_t pid, int code) {
  if (code != 79) return code;
  char path[64], num[8] = {0};
  snprintf(path, sizeof path, "/tmp/.sandpit-exit/%u", (unsigned)pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return code;
  ssize_t n = read(fd, num, sizeof num - 1);
  close(fd);
  unlink(path);
  int v = n > 0 ? atoi(num) : 0;
  return v >= 79 && v < 256 ? v : code;
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru) {
  if (ru) memset(ru, 0, sizeof *ru);
  wasix_option_pid opid = {0};
  if (pid > 0) { opid.tag = 1; opid.pid = (uint32_t)pid; }
  else if (pid < -1) { opid.tag = 1; opid.pid = (uint32_t)-pid; } /* no process groups: the leader */
  /* Blocking join: Process.kill()/terminate() still stop this process while it waits
   * (measured); polling with sleeps instead made pipelines 3-7x slower (coarse timers). */
  uint32_t flags = 0;
  if (options & WNOHANG) flags |= WASIX_JOIN_NON_BLOCKING;
  if (options & WUNTRACED) flags |= WASIX_JOIN_WAKE_STOPPED;
  const wasix_option_pid want = opid; /* the runtime overwrites opid on every call */
  for (;;) {
    wasix_join_status st;
    memset(&st, 0, sizeof st);
    opid = want;
    uint16_t e = wasix_proc_join(&opid, flags, &st);
    if (e == EINTR) continue;
    if (e) { errno = e; return -1; }
    int s;
    switch (st.tag) {
    case WASIX_JOIN_NOTHING:
      if (options & WNOHANG) return 0;
      if (opid.tag == 0) { errno = ECHILD; return -1; }
      continue;
    case WASIX_JOIN_EXIT_NORMAL: s = W_EXITCODE(real_exit_code(opid.pid, st.code) & 0xff, 0); break;
    case WASIX_JOIN_EXIT_SIGNAL: s = st.sig ? W_EXITCODE(0, st.sig & 0x7f) : W_EXITCODE(st.code & 0xff, 0); break;
    case WASIX_JOIN_STOPPED: s = W_STOPCODE(st.code & 0xff); break;
    default: errno = EINVAL; return -1;
    }
    if (opid.tag == 0) { errno = ECHILD; return -1; }
    child_del((pid_t)opid.pid);
    if (status) *status = s;
    return (pid_t)opid.pid;
  }
}
pid_t waitpid(pid_t pid, int *status, int options) { return wait4(pid, status, options, NULL); }
pid_t wait3(int *status, int options, struct rusage *ru) { return wait4(-1, status, options, ru); }
pid_t wait(int *status) { return wait4(-1, status, 0, NULL); }

pid_t getppid(void) {
  uint32_t parent;
  return wasix_proc_parent((uint32_t)getpid(), &parent) ? 0 : (pid_t)parent;
}

/* No process groups or sessions: each process is its own group and session. */
pid_t getpgrp(void) { return getpid(); }
pid_t getpgid(pid_t pid) { return pid ? pid : getpid(); }
int setpgid(pid_t pid, pid_t pgid) { (void)pid; (void)pgid; return 0; }
pid_t setsid(void) { return getpid(); }
pid_t getsid(pid_t pid) { return pid ? pid : getpid(); }
pid_t setpgrp(void) { return getpid(); }
pid_t tcgetpgrp(int fd) { (void)fd; return getpgrp(); }
int tcsetpgrp(int fd, pid_t pgrp) { (void)fd; (void)pgrp; return 0; }

int kill(pid_t pid, int sig) {
  if (sig < 0 || sig >= 65) { errno = EINVAL; return -1; }
  if (pid == 0 || pid == -1) pid = getpid(); /* no groups: "my group" is me */
  if (pid < 0) pid = -pid;
  if (sig == 0) return 0;
  uint16_t e = wasix_proc_signal((uint32_t)pid, (uint32_t)sig);
  if (e) { errno = e; return -1; }
  return 0;
}
int killpg(pid_t pgrp, int sig) { return kill(pgrp > 0 ? -pgrp : pgrp, sig); }

/* One user. */
uid_t getuid(void) { return 1000; }
uid_t geteuid(void) { return 1000; }
gid_t getgid(void) { return 1000; }
gid_t getegid(void) { return 1000; }
int getgroups(int n, gid_t list[]) { if (n > 0) list[0] = 1000; return 1; }
int setgroups(size_t n, const gid_t *l) { (void)n; (void)l; return 0; }
int setuid(uid_t u) { if (u != 1000) { errno = EPERM; return -1; } return 0; }
int seteuid(uid_t u) { return setuid(u); }
int setgid(gid_t g) { if (g != 1000) { errno = EPERM; return -1; } return 0; }
int setegid(gid_t g) { return setgid(g); }
int setreuid(uid_t r, uid_t e) { (void)r; (void)e; return 0; }
int setregid(gid_t r, gid_t e) { (void)r; (void)e; return 0; }

int getpagesize(void) { return 65536; }
int getdtablesize(void) { return 1024; }
int nice(int inc) { (void)inc; return 0; }
void sync(void) {}
int chroot(const char *p) { (void)p; errno = EPERM; return -1; }
int vhangup(void) { return 0; }
int lockf(int fd, int cmd, off_t len) { (void)fd; (void)cmd; (void)len; return 0; }
