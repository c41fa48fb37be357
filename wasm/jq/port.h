/* Force-included into jq's sources: what 2022 wasi-libc leaves undeclared or undefined,
 * and colour control. realpath is declared only upstream-unmodified and not in libc.a; ours is in port.c. */
#ifndef SANDPIT_JQ_PORT_H
#define SANDPIT_JQ_PORT_H
char *realpath(const char *restrict path, char *restrict resolved);
/* jq colours output when stdout is a terminal, and the runtime reports every stdio fd as
 * one even when it is captured; sandpit_jq_isatty (port.c) lets NO_COLOR say otherwise. */
int sandpit_jq_isatty(int fd);
#define isatty sandpit_jq_isatty
#endif
