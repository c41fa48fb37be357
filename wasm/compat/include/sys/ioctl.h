/* sandpit compat: winsize and the tty ioctl numbers (TIOCGWINSZ answers from WASIX tty_get). */
#ifndef SANDPIT_SYS_IOCTL_H
#define SANDPIT_SYS_IOCTL_H
#include_next <sys/ioctl.h>
#ifndef __DEFINED_struct_winsize
#define __DEFINED_struct_winsize
struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; };
#endif
#ifndef TIOCGWINSZ
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#endif
#ifdef __cplusplus
extern "C" {
#endif
/* ioctl() is wasi-libc's, wrapped at link time (-Wl,--wrap=ioctl in link-flags) so TIOCGWINSZ
 * and the tty requests below reach this one. */
int __sandpit_ioctl(int, int, void *);
#ifdef __cplusplus
}
#endif
#endif
