/* sandpit compat: setjmp/longjmp on WASIX stack_checkpoint/stack_restore. They need the
 * module to be asyncify-instrumented (see wasm/compat/README.md), like fork. */
#ifndef SANDPIT_SETJMP_H
#define SANDPIT_SETJMP_H
#ifdef __cplusplus
extern "C" {
#endif
/* WASIX stack_snapshot {u64 user; u128 hash} plus room for the saved signal mask flag. */
typedef struct { _Alignas(16) unsigned long long __buf[6]; } __sandpit_jmp_buf;
typedef __sandpit_jmp_buf jmp_buf[1];
typedef __sandpit_jmp_buf sigjmp_buf[1];
int setjmp(jmp_buf) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf, int);
int _setjmp(jmp_buf) __attribute__((returns_twice));
_Noreturn void _longjmp(jmp_buf, int);
int sigsetjmp(sigjmp_buf, int) __attribute__((returns_twice));
_Noreturn void siglongjmp(sigjmp_buf, int);
#ifdef __cplusplus
}
#endif
#endif
