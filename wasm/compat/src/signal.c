/* Signals on WASIX: the runtime calls the exported __wasm_signal(sig) at a syscall
 * boundary; we dispatch to the sigaction table, honour the mask, and apply the default
 * action ourselves (terminate as exit status 128+sig, ignore, or nothing for stop/cont). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include "wasix.h"

void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void sync_cwd_at_start(void) { __sandpit_sync_cwd(); }

#define NSIGS 65
void __sandpit_kill_children(void);
static struct sigaction actions[NSIGS];
static sigset_t blocked, pending;

void callback_signal_import(const char *name, size_t len)
    __attribute__((import_module("wasix_32v1"), import_name("callback_signal")));


static int bit(const sigset_t *s, int sig) { return (s->__bits[(sig - 1) / (8 * sizeof(long))] >> ((sig - 1) % (8 * sizeof(long)))) & 1; }
static void setbit(sigset_t *s, int sig, int on) {
  unsigned long m = 1UL << ((sig - 1) % (8 * sizeof(long)));
  unsigned long *w = &s->__bits[(sig - 1) / (8 * sizeof(long))];
  if (on) *w |= m; else *w &= ~m;
}

int sigemptyset(sigset_t *s) { memset(s, 0, sizeof *s); return 0; }
int sigfillset(sigset_t *s) { memset(s, 0xff, sizeof *s); return 0; }
int sigaddset(sigset_t *s, int sig) { if (sig <= 0 || sig >= NSIGS) { errno = EINVAL; return -1; } setbit(s, sig, 1); return 0; }
int sigdelset(sigset_t *s, int sig) { if (sig <= 0 || sig >= NSIGS) { errno = EINVAL; return -1; } setbit(s, sig, 0); return 0; }
int sigismember(const sigset_t *s, int sig) { if (sig <= 0 || sig >= NSIGS) { errno = EINVAL; return -1; } return bit(s, sig); }

static int default_terminates(int sig) {
  switch (sig) {
  case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
  case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return 0;
  default: return 1;
  }
}

static void deliver(int sig) {
  struct sigaction *a = &actions[sig];
  void (*h)(int) = a->sa_handler;
  if (h == SIG_IGN) return;
  if (h == SIG_DFL) {
    if (default_terminates(sig)) { __sandpit_kill_children(); _Exit(128 + sig); }
    return;
  }
  sigset_t saved = blocked;
  for (unsigned i = 0; i < sizeof blocked.__bits / sizeof(long); i++) blocked.__bits[i] |= a->sa_mask.__bits[i];
  if (!(a->sa_flags & SA_NODEFER)) setbit(&blocked, sig, 1);
  if (a->sa_flags & SA_RESETHAND) a->sa_handler = SIG_DFL;
  if (a->sa_flags & SA_SIGINFO) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = sig;
    a->sa_sigaction(sig, &si, NULL);
  } else {
    h(sig);
  }
  blocked = saved;
}

static void run_pending(void) {
  for (int sig = 1; sig < NSIGS; sig++)
    if (bit(&pending, sig) && !bit(&blocked, sig)) { setbit(&pending, sig, 0); deliver(sig); }
}

/* Called by the runtime. */
__attribute__((export_name("__wasm_signal"))) void __sandpit_wasm_signal(int sig) {
  if (sig <= 0 || sig >= NSIGS) return;
  if (sig == SIGKILL || sig == SIGSTOP) { if (sig == SIGKILL) { __sandpit_kill_children(); _Exit(128 + SIGKILL); } return; }
  if (bit(&blocked, sig)) { setbit(&pending, sig, 1); return; }
  deliver(sig);
}

__attribute__((constructor)) static void register_signal_callback(void) {
  static const char name[] = "__wasm_signal";
  callback_signal_import(name, sizeof name - 1);
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old) {
  if (sig <= 0 || sig >= NSIGS) { errno = EINVAL; return -1; }
  if (old) *old = actions[sig];
  if (act) {
    if (sig == SIGKILL || sig == SIGSTOP) { errno = EINVAL; return -1; }
    actions[sig] = *act;
  }
  return 0;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
  if (old) *old = blocked;
  if (set) {
    for (unsigned i = 0; i < sizeof blocked.__bits / sizeof(long); i++) {
      if (how == SIG_BLOCK) blocked.__bits[i] |= set->__bits[i];
      else if (how == SIG_UNBLOCK) blocked.__bits[i] &= ~set->__bits[i];
      else if (how == SIG_SETMASK) blocked.__bits[i] = set->__bits[i];
      else { errno = EINVAL; return -1; }
    }
    setbit(&blocked, SIGKILL, 0);
    setbit(&blocked, SIGSTOP, 0);
    run_pending();
  }
  return 0;
}
int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict old) {
  return sigprocmask(how, set, old) ? errno : 0;
}
int sigpending(sigset_t *set) { *set = pending; return 0; }

int sigsuspend(const sigset_t *mask) {
  sigset_t saved = blocked;
  blocked = *mask;
  run_pending();
  /* Let the runtime deliver anything queued: a zero-length sleep is a syscall boundary. */
  struct timespec ts = {0, 1000000};
  nanosleep(&ts, NULL);
  blocked = saved;
  errno = EINTR;
  return -1;
}
int sigwait(const sigset_t *restrict set, int *restrict sig) {
  for (;;) {
    for (int s = 1; s < NSIGS; s++)
      if (bit(set, s) && bit(&pending, s)) { setbit(&pending, s, 0); *sig = s; return 0; }
    struct timespec ts = {0, 10000000};
    nanosleep(&ts, NULL);
  }
}
int siginterrupt(int sig, int flag) {
  if (sig <= 0 || sig >= NSIGS) { errno = EINVAL; return -1; }
  if (flag) actions[sig].sa_flags &= ~SA_RESTART; else actions[sig].sa_flags |= SA_RESTART;
  return 0;
}
int sigaltstack(const stack_t *restrict ss, stack_t *restrict old) {
  (void)ss;
  if (old) memset(old, 0, sizeof *old), old->ss_flags = SS_DISABLE;
  return 0;
}

/* alarm() has no timer signal source in WASIX; report "no previous alarm". */
unsigned alarm(unsigned secs) { (void)secs; return 0; }
int pause(void) {
  for (;;) {
    struct timespec ts = {1, 0};
    nanosleep(&ts, NULL);
  }
}
