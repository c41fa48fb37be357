/* Force-included when compiling liblzma for wasm32-wasi: mythread.h defines a sigprocmask
 * wrapper (unused without threads) and wasi-libc has neither sigset_t nor sigprocmask. */
#include <__typedef_sigset_t.h>
#define sigprocmask(how, set, oset) 0
