/* setjmp.h for wasi-libc (which has none). Without wasm exception handling there is no
 * non-local jump: setjmp returns 0 once, and longjmp ends the process with the value as
 * status (busybox only longjmps out of applets on errors). */
#ifndef SANDPIT_SETJMP_H
#define SANDPIT_SETJMP_H
typedef long jmp_buf[1];
typedef long sigjmp_buf[1];
#define setjmp(b) ((void)(b), 0)
#define sigsetjmp(b, s) ((void)(b), (void)(s), 0)
_Noreturn void sandpit_longjmp(int);
#define longjmp(b, v) sandpit_longjmp(v)
#define siglongjmp(b, v) sandpit_longjmp(v)
#endif
