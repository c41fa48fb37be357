/* sandpit compat: the signal API that wasi-libc hides, on WASIX proc_signal and the
 * exported __wasm_signal callback. Handlers run when the runtime delivers a signal
 * (at a syscall boundary); there is no preemption. */
#ifndef SANDPIT_SIGNAL_H
#define SANDPIT_SIGNAL_H
#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL 1
#endif
#include_next <signal.h>
#include <sys/types.h>
#include <time.h>
#ifdef __cplusplus
extern "C" {
#endif
#ifndef SIG_BLOCK
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#endif
#include <__typedef_sigset_t.h>
#ifndef SANDPIT_HAVE_SIGINFO
#define SANDPIT_HAVE_SIGINFO 1
union sigval { int sival_int; void *sival_ptr; };
typedef struct {
  int si_signo, si_errno, si_code;
  pid_t si_pid;
  uid_t si_uid;
  int si_status;
  union sigval si_value;
} siginfo_t;
#endif
struct sigaction {
  union {
    void (*sa_handler)(int);
    void (*sa_sigaction)(int, siginfo_t *, void *);
  } __sa_handler;
  sigset_t sa_mask;
  int sa_flags;
  void (*sa_restorer)(void);
};
#define sa_handler __sa_handler.sa_handler
#define sa_sigaction __sa_handler.sa_sigaction
#define SA_NOCLDSTOP 1
#define SA_NOCLDWAIT 2
#define SA_SIGINFO 4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_INTERRUPT 0x20000000
#define SI_USER 0
#ifndef SS_DISABLE
#define SS_ONSTACK 1
#define SS_DISABLE 2
#endif
typedef struct sigaltstack { void *ss_sp; int ss_flags; size_t ss_size; } stack_t;
int kill(pid_t, int);
int killpg(pid_t, int);
int sigemptyset(sigset_t *);
int sigfillset(sigset_t *);
int sigaddset(sigset_t *, int);
int sigdelset(sigset_t *, int);
int sigismember(const sigset_t *, int);
int sigprocmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int pthread_sigmask(int, const sigset_t *__restrict, sigset_t *__restrict);
int sigsuspend(const sigset_t *);
int sigaction(int, const struct sigaction *__restrict, struct sigaction *__restrict);
int sigpending(sigset_t *);
int sigwait(const sigset_t *__restrict, int *__restrict);
int siginterrupt(int, int);
int sigaltstack(const stack_t *__restrict, stack_t *__restrict);
#ifdef __cplusplus
}
#endif
#endif
