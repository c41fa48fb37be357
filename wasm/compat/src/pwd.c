/* pwd.h/grp.h: a fixed user database — root (0) and user (1000, /home/user). */
#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdint.h>
#include <string.h>

static struct passwd users[] = {
  {"user", "x", 1000, 1000, "user", "/home/user", "/bin/bash"},
  {"root", "x", 0, 0, "root", "/root", "/bin/bash"},
};
static char *user_members[] = {"user", 0};
static char *no_members[] = {0};
static struct group groups[] = {
  {"user", "x", 1000, user_members},
  {"root", "x", 0, no_members},
};
#define NUSERS 2
static int pw_pos, gr_pos;

struct passwd *getpwuid(uid_t uid) {
  for (int i = 0; i < NUSERS; i++) if (users[i].pw_uid == uid) return &users[i];
  return NULL;
}
struct passwd *getpwnam(const char *name) {
  for (int i = 0; i < NUSERS; i++) if (!strcmp(users[i].pw_name, name)) return &users[i];
  return NULL;
}
static int copy_pw(struct passwd *src, struct passwd *dst, char *buf, size_t n, struct passwd **res) {
  *res = NULL;
  if (!src) return 0;
  size_t need = strlen(src->pw_name) + strlen(src->pw_gecos) + strlen(src->pw_dir) + strlen(src->pw_shell) + 6;
  if (need > n) return ERANGE;
  *dst = *src;
  char *p = buf;
#define PUT(f) do { size_t l = strlen(src->f) + 1; memcpy(p, src->f, l); dst->f = p; p += l; } while (0)
  PUT(pw_name); PUT(pw_gecos); PUT(pw_dir); PUT(pw_shell);
  memcpy(p, "x", 2); dst->pw_passwd = p;
#undef PUT
  *res = dst;
  return 0;
}
int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t n, struct passwd **res) { return copy_pw(getpwuid(uid), pw, buf, n, res); }
int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t n, struct passwd **res) { return copy_pw(getpwnam(name), pw, buf, n, res); }
struct passwd *getpwent(void) { return pw_pos < NUSERS ? &users[pw_pos++] : NULL; }
void setpwent(void) { pw_pos = 0; }
void endpwent(void) { pw_pos = 0; }

struct group *getgrgid(gid_t gid) {
  for (int i = 0; i < NUSERS; i++) if (groups[i].gr_gid == gid) return &groups[i];
  return NULL;
}
struct group *getgrnam(const char *name) {
  for (int i = 0; i < NUSERS; i++) if (!strcmp(groups[i].gr_name, name)) return &groups[i];
  return NULL;
}
static int copy_gr(struct group *src, struct group *dst, char *buf, size_t n, struct group **res) {
  *res = NULL;
  if (!src) return 0;
  size_t nl = strlen(src->gr_name) + 1;
  if (nl + 2 + sizeof(char *) * 2 + 8 > n) return ERANGE;
  *dst = *src;
  char **mem = (char **)(((uintptr_t)buf + 7) & ~(uintptr_t)7);
  char *p = (char *)(mem + 2);
  memcpy(p, src->gr_name, nl); dst->gr_name = p; p += nl;
  memcpy(p, "x", 2); dst->gr_passwd = p;
  mem[0] = src->gr_mem[0] ? dst->gr_name : NULL; /* the only member shares the group's name */
  mem[1] = NULL;
  dst->gr_mem = mem;
  *res = dst;
  return 0;
}
int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t n, struct group **res) { return copy_gr(getgrgid(gid), gr, buf, n, res); }
int getgrnam_r(const char *name, struct group *gr, char *buf, size_t n, struct group **res) { return copy_gr(getgrnam(name), gr, buf, n, res); }
struct group *getgrent(void) { return gr_pos < NUSERS ? &groups[gr_pos++] : NULL; }
void setgrent(void) { gr_pos = 0; }
void endgrent(void) { gr_pos = 0; }
int initgroups(const char *user, gid_t gid) { (void)user; (void)gid; return 0; }

static char *shells[] = {"/bin/sh", "/bin/bash", 0};
static int shell_pos;
char *getusershell(void) { return shells[shell_pos] ? shells[shell_pos++] : NULL; }
void setusershell(void) { shell_pos = 0; }
void endusershell(void) { shell_pos = 0; }
