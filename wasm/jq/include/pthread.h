/* 2022 wasi-libc has no threads and no <pthread.h>. jq 1.6 (with Debian's hash-seed
 * patch) only needs pthread_once; a jq process here is single-threaded. */
#ifndef SANDPIT_JQ_PTHREAD_H
#define SANDPIT_JQ_PTHREAD_H
typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0
static inline int pthread_once(pthread_once_t *once, void (*fn)(void)) {
  if (!*once) { *once = 1; fn(); }
  return 0;
}
#endif
