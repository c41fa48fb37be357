/* Force-included into every Lua source: what loslib and liolib need that 2022 wasi-libc lacks.
 * No mkstemp or tmpfile (os.tmpname, io.tmpfile) and no system or popen (os.execute,
 * io.popen): port.c has our own. */
#ifndef SANDPIT_LUA_PORT_H
#define SANDPIT_LUA_PORT_H
#include <stdio.h>
int close(int);
int sandpit_lua_mkstemp(char *template);
/* io.tmpfile: an unlinked file under /tmp. */
FILE *sandpit_lua_tmpfile(void);
#define tmpfile sandpit_lua_tmpfile
/* os.execute and io.popen: with libsandpit-compat they run `/bin/sh -c cmd` through
 * posix_spawn (the sandbox finds sh by command name); without it there is no shell:
 * system(NULL) is 0, a command fails with ENOSYS and io.popen is "not supported". */
int sandpit_lua_system(const char *cmd);
#define system sandpit_lua_system
#ifdef SANDPIT_COMPAT
FILE *sandpit_lua_popen(const char *cmd, const char *mode);
int sandpit_lua_pclose(FILE *f);
#define l_popen(L, c, m) (fflush(NULL), sandpit_lua_popen(c, m))
#define l_pclose(L, file) (sandpit_lua_pclose(file))
/* system and pclose return a raw wait status: decode it as LUA_USE_POSIX would. */
#define l_inspectstat(stat, what) \
  if (((stat) & 0x7f) == 0) { stat = ((stat) >> 8) & 0xff; } \
  else { stat = (stat) & 0x7f; what = "signal"; }
#endif
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) { \
    strcpy(b, "/tmp/lua_XXXXXX"); \
    e = sandpit_lua_mkstemp(b); \
    if (e != -1) close(e); \
    e = (e == -1); }
#endif
