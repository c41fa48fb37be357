/* The three runtime functions LLVM's wasm setjmp/longjmp lowering calls (clang-19,
 * `-mllvm -wasm-enable-sjlj`, legacy exception-handling instructions).
 *
 * setjmp records which function invocation and which setjmp site (label) owns the buffer.
 * longjmp throws a wasm exception with tag 1 (__c_longjmp) carrying {env, val}; every
 * function that called setjmp catches it and asks __wasm_setjmp_test whether the buffer
 * is one of its own: a non-zero label resumes there, zero rethrows to the next frame. */
#include <setjmp.h>
#include <stdint.h>

struct longjmp_arg { void *env; int val; };
struct sjlj_record { void *invocation; uint32_t label; struct longjmp_arg arg; };
_Static_assert(sizeof(jmp_buf) >= sizeof(struct sjlj_record), "jmp_buf too small");

void __wasm_setjmp(void *env, uint32_t label, void *invocation) {
  struct sjlj_record *r = env;
  r->invocation = invocation;
  r->label = label;
}

uint32_t __wasm_setjmp_test(void *env, void *invocation) {
  struct sjlj_record *r = env;
  return r->invocation == invocation ? r->label : 0;
}

void __wasm_longjmp(void *env, int val) {
  struct sjlj_record *r = env;
  r->arg.env = env;
  r->arg.val = val ? val : 1;
  __builtin_wasm_throw(1, &r->arg);
}
