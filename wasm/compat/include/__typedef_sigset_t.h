/* sandpit compat: wasi-libc's sigset_t is a one-byte placeholder; real signal masks need
 * the musl layout (128 bytes). Found before the sysroot's copy through -I. */
#ifndef __wasilibc___typedef_sigset_t_h
#define __wasilibc___typedef_sigset_t_h
typedef struct __sigset_t { unsigned long __bits[128 / sizeof(long)]; } sigset_t;
#endif
