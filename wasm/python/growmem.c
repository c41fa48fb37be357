/* Linked into python.wasm with -Wl,--wrap=sbrk: wasi-libc's malloc (dlmalloc) grows the heap
 * with sbrk, and wasi-libc's sbrk grows the wasm memory by exactly the bytes asked for. Under
 * @wasmer/sdk every memory.grow costs ~25 ms (measured: 250 one-megabyte strings took 7 s, one
 * 100 MB bytearray 0.25 s), and CPython allocates its 1 MB arenas, list buffers and big objects
 * through malloc, so a program that builds up memory spent most of its time in memory.grow and
 * one that runs out of memory took minutes to see MemoryError.
 *
 * This sbrk hands out the same contiguous break but grows the memory in steps of at least
 * 16 MiB or half the current size (whichever is larger); untouched pages cost nothing. When
 * the big step fails (the memory is near its maximum) it grows by exactly what is needed, and
 * when that fails it returns -1 with ENOMEM, so malloc returns NULL and Python raises
 * MemoryError. Shrinking (negative increments) is refused like wasi-libc's does. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE 65536u
#define MIN_STEP_PAGES 256u /* 16 MiB */

/* 64-bit arithmetic: a full 4 GiB memory ends at 2^32, which a 32-bit pointer cannot hold. */
static uint64_t brk_now;  /* the break we handed out; 0 until the first call */
static uint64_t grown_to; /* the memory's end after our last grow */

void *__wrap_sbrk(intptr_t increment) {
  uint64_t end = (uint64_t)__builtin_wasm_memory_size(0) * PAGE;
  /* First call, or someone grew the memory without us: the break moves to the memory's end
   * (where wasi-libc's sbrk would put it), so nothing we hand out overlaps their pages. */
  if (!brk_now || end != grown_to) brk_now = grown_to = end;
  if (increment == 0) return (void *)(uintptr_t)brk_now;
  uint64_t old = brk_now, want = old + (uint64_t)increment;
  if (increment < 0 || want > UINT32_MAX) {
    errno = ENOMEM;
    return (void *)-1;
  }
  if (want > end) {
    size_t need = (size_t)((want - end + PAGE - 1) / PAGE);
    size_t step = (size_t)(end / PAGE / 2);
    if (step < MIN_STEP_PAGES) step = MIN_STEP_PAGES;
    if (step < need) step = need;
    if (__builtin_wasm_memory_grow(0, step) == (size_t)-1 &&
        (step == need || __builtin_wasm_memory_grow(0, need) == (size_t)-1)) {
      errno = ENOMEM;
      return (void *)-1;
    }
    grown_to = (uint64_t)__builtin_wasm_memory_size(0) * PAGE;
  }
  brk_now = want;
  return (void *)(uintptr_t)old;
}
