/* signal(), raise() and the SIG_IGN/SIG_ERR markers: exactly the symbol set of wasi-libc's
 * emulated signal.o, so whichever archive comes first supplies all of them (no duplicates). */
#include <errno.h>
#include <signal.h>
#include <string.h>

void __sandpit_wasm_signal(int sig);

void __SIG_IGN(int sig) { (void)sig; }
void __SIG_ERR(int sig) { (void)sig; }

void (*signal(int sig, void (*h)(int)))(int) {
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = SA_RESTART;
  if (sigaction(sig, &sa, &old) < 0) return SIG_ERR;
  return old.sa_handler;
}
void (*bsd_signal(int sig, void (*h)(int)))(int) { return signal(sig, h); }
void (*__sysv_signal(int sig, void (*h)(int)))(int) { return signal(sig, h); }

int raise(int sig) {
  if (sig <= 0 || sig >= 65) { errno = EINVAL; return -1; }
  __sandpit_wasm_signal(sig);
  return 0;
}

