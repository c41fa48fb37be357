/* Ahead of wasm/compat/include for CPython only: the termios module exports the classic
 * baud-rate names, compat's termios.h defines the common ones. Linux values. */
#include_next <termios.h>
#ifndef B50
#define B50 0000001
#define B75 0000002
#define B110 0000003
#define B134 0000004
#define B150 0000005
#define B200 0000006
#define B300 0000007
#define B600 0000010
#define B1200 0000011
#define B1800 0000012
#define B2400 0000013
#define B4800 0000014
#endif
