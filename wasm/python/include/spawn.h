/* Ahead of wasm/compat/include for CPython only: compat's spawn.h defines the scheduler
 * flags but WASI has no <sched.h> scheduler API, and posixmodule.c keys its
 * sched_param code on those flags. */
#include_next <spawn.h>
#undef POSIX_SPAWN_SETSCHEDPARAM
#undef POSIX_SPAWN_SETSCHEDULER
