/* setjmp/longjmp for Lua on wasm exception handling. Compiled with
 * `-mllvm -wasm-enable-sjlj`, clang rewrites every setjmp/longjmp call into calls of the
 * runtime in sjlj-rt.c plus wasm try/catch/throw, so these names are never linked.
 * The buffer only has to hold that runtime's record (see sjlj-rt.c). */
#ifndef SANDPIT_LUA_SETJMP_H
#define SANDPIT_LUA_SETJMP_H
typedef struct { _Alignas(16) unsigned long long __buf[6]; } __sandpit_jmp_buf;
typedef __sandpit_jmp_buf jmp_buf[1];
int setjmp(jmp_buf) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf, int);
/* Lua's POSIX configuration asks for the underscore forms; they are the same thing here. */
#define _setjmp setjmp
#define _longjmp longjmp
#endif
