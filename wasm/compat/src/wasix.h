/* Hand-written declarations of the WASIX imports the compat library uses (module wasix_32v1).
 * Never weak: a missing import must fail at instantiation, not at call time. */
#ifndef SANDPIT_WASIX_H
#define SANDPIT_WASIX_H
#include <stdint.h>
#include <stddef.h>

#define WASIX(name) __attribute__((import_module("wasix_32v1"), import_name(#name)))

typedef struct { uint8_t tag; uint8_t _pad[3]; uint32_t pid; } wasix_option_pid;       /* 8 bytes */
typedef struct { uint8_t tag; uint8_t _pad; uint16_t code; uint8_t sig; uint8_t _pad2; } wasix_join_status; /* 6 bytes */
enum { WASIX_JOIN_NOTHING = 0, WASIX_JOIN_EXIT_NORMAL = 1, WASIX_JOIN_EXIT_SIGNAL = 2, WASIX_JOIN_STOPPED = 3 };
enum { WASIX_JOIN_NON_BLOCKING = 1, WASIX_JOIN_WAKE_STOPPED = 2 };

typedef struct {
  uint32_t cols, rows, width, height;
  uint8_t stdin_tty, stdout_tty, stderr_tty, echo, line_buffered;
  uint8_t _pad[3];
} wasix_tty;

typedef struct { /* ProcSpawnFdOp<Memory32>, 56 bytes */
  uint8_t cmd; uint8_t _p0[3];
  uint32_t fd, src_fd, name, name_len, dirflags;
  uint16_t oflags; uint8_t _p1[6];
  uint64_t rights_base, rights_inheriting;
  uint16_t fdflags, fdflagsext; uint8_t _p2[4];
} wasix_fd_op;
enum { WASIX_FDOP_CLOSE = 0, WASIX_FDOP_DUP2 = 1, WASIX_FDOP_OPEN = 2, WASIX_FDOP_CHDIR = 3 };

typedef struct { _Alignas(16) uint64_t user; uint64_t hash[2]; } wasix_stack_snapshot;

uint16_t wasix_fd_pipe(uint32_t *ro1, uint32_t *ro2) WASIX(fd_pipe);
uint16_t wasix_fd_dup(uint32_t fd, uint32_t *ret) WASIX(fd_dup);
/* F_DUPFD-like: the lowest free fd >= min_fd. */
uint16_t wasix_fd_dup2(uint32_t fd, uint32_t min_fd, uint8_t cloexec, uint32_t *ret) WASIX(fd_dup2);
#define SANDPIT_DUP2_TMP_MIN 512
uint16_t wasix_proc_fork(uint32_t copy_memory, uint32_t *pid) WASIX(proc_fork);
uint16_t wasix_proc_exec3(const char *name, size_t name_len, const char *args, size_t args_len,
                          const char *envs, size_t envs_len, uint32_t search_path,
                          const char *path, size_t path_len) WASIX(proc_exec3);
uint16_t wasix_proc_spawn2(const char *name, size_t name_len, const char *args, size_t args_len,
                           const char *envs, size_t envs_len, const wasix_fd_op *ops, size_t nops,
                           const void *sigs, size_t nsigs, uint32_t search_path,
                           const char *path, size_t path_len, uint32_t *pid) WASIX(proc_spawn2);
uint16_t wasix_proc_join(wasix_option_pid *pid, uint32_t flags, wasix_join_status *status) WASIX(proc_join);
uint16_t wasix_proc_signal(uint32_t pid, uint32_t sig) WASIX(proc_signal);
uint16_t wasix_proc_id(uint32_t *pid) WASIX(proc_id);
uint16_t wasix_proc_parent(uint32_t pid, uint32_t *parent) WASIX(proc_parent);
uint16_t wasix_tty_get(wasix_tty *tty) WASIX(tty_get);
uint16_t wasix_tty_set(wasix_tty *tty) WASIX(tty_set);
uint16_t wasix_getcwd(char *buf, uint32_t *len) WASIX(getcwd);
uint16_t wasix_chdir(const char *path, size_t len) WASIX(chdir);
uint16_t wasix_stack_checkpoint(wasix_stack_snapshot *snap, uint64_t *ret) WASIX(stack_checkpoint);
_Noreturn void wasix_stack_restore(wasix_stack_snapshot *snap, uint64_t val) WASIX(stack_restore);
#endif
