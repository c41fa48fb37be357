/* setjmp/longjmp on WASIX stack_checkpoint/stack_restore. The runtime unwinds the whole
 * stack with asyncify, records it under a hash written into the jmp_buf, and rewinds it
 * again on longjmp; so these only work in an asyncify-instrumented module. */
#include <setjmp.h>
#include <signal.h>
#include "wasix.h"

_Static_assert(sizeof(jmp_buf) >= sizeof(wasix_stack_snapshot) + 8, "jmp_buf too small");

/* Not inlined: the checkpoint must be taken inside a frame the caller returns through. */
__attribute__((noinline, returns_twice)) int setjmp(jmp_buf env) {
  uint64_t ret = 0;
  if (wasix_stack_checkpoint((wasix_stack_snapshot *)env, &ret)) __builtin_trap();
  return (int)ret;
}
__attribute__((noinline, returns_twice)) int _setjmp(jmp_buf env) {
  uint64_t ret = 0;
  if (wasix_stack_checkpoint((wasix_stack_snapshot *)env, &ret)) __builtin_trap();
  return (int)ret;
}
_Noreturn void longjmp(jmp_buf env, int val) {
  wasix_stack_restore((wasix_stack_snapshot *)env, (uint64_t)(val ? val : 1));
}
_Noreturn void _longjmp(jmp_buf env, int val) { longjmp(env, val); }

/* The signal mask is restored by siglongjmp when sigsetjmp asked for it; the mask lives
 * after the snapshot in the buffer. */
struct sigbuf { wasix_stack_snapshot snap; uint32_t save; uint32_t mask_lo; };

__attribute__((noinline, returns_twice)) int sigsetjmp(sigjmp_buf env, int savesigs) {
  struct sigbuf *b = (struct sigbuf *)env;
  uint64_t ret = 0;
  if (wasix_stack_checkpoint(&b->snap, &ret)) __builtin_trap();
  if (ret == 0) {
    b->save = (uint32_t)savesigs;
    if (savesigs) {
      sigset_t cur;
      sigprocmask(SIG_BLOCK, NULL, &cur);
      b->mask_lo = (uint32_t)cur.__bits[0];
    }
  }
  return (int)ret;
}
_Noreturn void siglongjmp(sigjmp_buf env, int val) {
  struct sigbuf *b = (struct sigbuf *)env;
  if (b->save) {
    sigset_t m;
    sigemptyset(&m);
    m.__bits[0] = b->mask_lo;
    sigprocmask(SIG_SETMASK, &m, NULL);
  }
  wasix_stack_restore(&b->snap, (uint64_t)(val ? val : 1));
}
