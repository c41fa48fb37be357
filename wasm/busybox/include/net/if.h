/* net/if.h for wasi-libc (which has none): enough for libbb's socket helpers to compile. */
#ifndef SANDPIT_NET_IF_H
#define SANDPIT_NET_IF_H
#include <sys/socket.h>
#define IFNAMSIZ 16
#define IF_NAMESIZE 16
struct ifreq {
	char ifr_name[IFNAMSIZ];
	union { struct sockaddr ifru_addr; short ifru_flags; int ifru_ivalue; char ifru_newname[IFNAMSIZ]; } ifr_ifru;
};
#define ifr_addr ifr_ifru.ifru_addr
#define ifr_flags ifr_ifru.ifru_flags
#define ifr_ifindex ifr_ifru.ifru_ivalue
#define SO_BINDTODEVICE 25
unsigned if_nametoindex(const char *);
char *if_indextoname(unsigned, char *);
#endif
