/* Force-included into every Lua source: what loslib and liolib need that 2022 wasi-libc lacks.
 * There is no shell to run (os.execute reports none) and no mkstemp, so os.tmpname
 * creates its file with our own sandpit_lua_mkstemp (port.c). io.popen keeps Lua's own
 * "'popen' not supported" error. */
#ifndef SANDPIT_LUA_PORT_H
#define SANDPIT_LUA_PORT_H
#include <stdio.h>
int close(int);
int sandpit_lua_mkstemp(char *template);
/* io.tmpfile: an unlinked file under /tmp. */
FILE *sandpit_lua_tmpfile(void);
#define tmpfile sandpit_lua_tmpfile
/* os.execute: no shell (system(NULL) is 0; a command fails with ENOSYS). */
int sandpit_lua_system(const char *cmd);
#define system sandpit_lua_system
#define LUA_TMPNAMBUFSIZE 32
#define lua_tmpnam(b, e) { \
    strcpy(b, "/tmp/lua_XXXXXX"); \
    e = sandpit_lua_mkstemp(b); \
    if (e != -1) close(e); \
    e = (e == -1); }
#endif
