/* sandpit's command-line front end for the MuJS library (our own; replaces mujs's main.c).
 *
 *   js [-s] [-i] [-e code]... [script | - [args...]]
 *
 * -e runs code (repeatable; then the remaining arguments are scriptArgs, as with node -e),
 * a script path runs that file, "-" runs stdin as one script. With neither, stdin is read
 * as a REPL when it is a terminal and run as one script otherwise; -i adds the REPL after
 * the code. -s is strict mode. The exit status is 1 after an uncaught error, or quit(n). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mujs.h"

static void print_args(js_State *J, FILE *out, int newline) {
  int top = js_gettop(J);
  for (int i = 1; i < top; i++) {
    if (i > 1) fputc(' ', out);
    fputs(js_tostring(J, i), out);
  }
  if (newline) fputc('\n', out);
  js_pushundefined(J);
}
static void js_print(js_State *J) { print_args(J, stdout, 1); }
static void js_write(js_State *J) { print_args(J, stdout, 0); }
static void js_print_err(js_State *J) { print_args(J, stderr, 1); }

/* Reads a whole stream; NULL on error (errno set). */
static char *slurp(FILE *f) {
  size_t len = 0, cap = 4096;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    if (cap - len < 2048) {
      char *grown = realloc(buf, cap *= 2);
      if (!grown) { free(buf); return NULL; }
      buf = grown;
    }
    size_t n = fread(buf + len, 1, cap - len - 1, f);
    len += n;
    if (n == 0) break;
  }
  if (ferror(f)) { free(buf); return NULL; }
  buf[len] = 0;
  return buf;
}

/* read(path): the file's contents as a string. */
static void js_read(js_State *J) {
  const char *path = js_tostring(J, 1);
  FILE *f = fopen(path, "rb");
  if (!f) js_error(J, "cannot open file '%s': %s", path, strerror(errno));
  char *s = slurp(f);
  int err = errno;
  fclose(f);
  if (!s) js_error(J, "cannot read file '%s': %s", path, strerror(err));
  /* js_pushstring copies; free before any error can unwind past us. */
  js_pushstring(J, s);
  free(s);
}

/* readline(): the next line of stdin without its newline, or null at end of input. */
static void js_readline(js_State *J) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  if (n < 0) { free(line); js_pushnull(J); return; }
  if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
  js_pushstring(J, line);
  free(line);
}

static void js_quit(js_State *J) {
  fflush(stdout);
  exit(js_isdefined(J, 1) ? js_tointeger(J, 1) : 0);
}

static void js_gc_fn(js_State *J) {
  js_gc(J, js_toboolean(J, 1));
  js_pushundefined(J);
}

/* load(path...): runs each file in the global scope. */
static void js_load(js_State *J) {
  int top = js_gettop(J);
  for (int i = 1; i < top; i++) {
    js_loadfile(J, js_tostring(J, i));
    js_pushundefined(J);
    js_call(J, 0);
    js_pop(J, 1);
  }
  js_pushundefined(J);
}

static void js_repr_fn(js_State *J) { js_repr(J, 1); }

static const char *prelude =
  "var console = { log: print, info: print, debug: print, warn: printErr, error: printErr };\n";

static void define(js_State *J, const char *name, js_CFunction fn, int nargs) {
  js_newcfunction(J, fn, name, nargs);
  js_setglobal(J, name);
}

/* Prints the uncaught value on top of the stack, with MuJS's stack trace when it has one,
 * and pops it. The trace is read first: js_tostring converts the slot in place. */
static void report_uncaught(js_State *J) {
  int traced = js_isobject(J, -1) && js_hasproperty(J, -1, "stackTrace");
  const char *trace = traced ? js_trystring(J, -1, "") : "";
  fprintf(stderr, "%s%s\n", js_trystring(J, traced ? -2 : -1, "Error"), trace);
  js_pop(J, traced ? 2 : 1);
}

/* Runs source; on an uncaught error reports it to stderr and returns 1. */
static int run_string(js_State *J, const char *name, const char *source) {
  if (js_ploadstring(J, name, source)) {
    report_uncaught(J);
    return 1;
  }
  js_pushundefined(J);
  if (js_pcall(J, 0)) {
    report_uncaught(J);
    return 1;
  }
  js_pop(J, 1);
  return 0;
}

static int run_stream(js_State *J, const char *name, FILE *f) {
  char *source = slurp(f);
  if (!source) { fprintf(stderr, "js: cannot read %s: %s\n", name, strerror(errno)); return 1; }
  /* A #! line is not JavaScript: blank it so line numbers stay right. */
  if (source[0] == '#' && source[1] == '!') for (char *p = source; *p && *p != '\n'; p++) *p = ' ';
  int status = run_string(J, name, source);
  free(source);
  return status;
}

static int run_file(js_State *J, const char *path) {
  if (strcmp(path, "-") == 0) return run_stream(J, "[stdin]", stdin);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "js: cannot open %s: %s\n", path, strerror(errno)); return 1; }
  int status = run_stream(J, path, f);
  fclose(f);
  return status;
}

/* The REPL prints the value of each line that is not undefined; errors do not end it. */
static void repl(js_State *J) {
  char *line = NULL;
  size_t cap = 0;
  for (;;) {
    fputs("> ", stdout);
    fflush(stdout);
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) break;
    if (js_ploadstring(J, "[stdin]", line)) {
      report_uncaught(J);
      continue;
    }
    js_pushundefined(J);
    if (js_pcall(J, 0)) {
      report_uncaught(J);
      continue;
    }
    if (js_isdefined(J, -1)) puts(js_tryrepr(J, -1, "can't convert to string"));
    js_pop(J, 1);
  }
  free(line);
  putchar('\n');
}

static void usage(void) {
  fputs("usage: js [-s] [-i] [-e code]... [script | - [args...]]\n"
        "  -e code  run code (then the remaining arguments are scriptArgs)\n"
        "  -i       enter the interactive prompt after running code\n"
        "  -s       strict mode\n", stderr);
  exit(2);
}

int main(int argc, char **argv) {
  int strict = 0, interactive = 0, nexpr = 0, i;
  const char **exprs = calloc((size_t)argc, sizeof *exprs);
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) { i++; break; }
    if (a[0] != '-' || a[1] == 0) break;
    if (strcmp(a, "-s") == 0) strict = 1;
    else if (strcmp(a, "-i") == 0) interactive = 1;
    else if (strcmp(a, "-e") == 0 && i + 1 < argc) exprs[nexpr++] = argv[++i];
    else if (strncmp(a, "-e", 2) == 0 && a[2]) exprs[nexpr++] = a + 2;
    else usage();
  }

  js_State *J = js_newstate(NULL, NULL, strict ? JS_STRICT : 0);
  if (!J) { fputs("js: cannot initialise MuJS\n", stderr); return 1; }
  define(J, "print", js_print, 0);
  define(J, "printErr", js_print_err, 0);
  define(J, "write", js_write, 0);
  define(J, "read", js_read, 1);
  define(J, "readline", js_readline, 0);
  define(J, "quit", js_quit, 1);
  define(J, "gc", js_gc_fn, 0);
  define(J, "load", js_load, 1);
  define(J, "repr", js_repr_fn, 1);
  run_string(J, "[prelude]", prelude);

  /* scriptArgs: after the script, or every remaining argument when -e is used. */
  const char *script = nexpr == 0 && i < argc ? argv[i++] : NULL;
  js_newarray(J);
  for (int k = 0; i < argc; i++, k++) {
    js_pushstring(J, argv[i]);
    js_setindex(J, -2, k);
  }
  js_setglobal(J, "scriptArgs");

  int status = 0;
  for (int k = 0; k < nexpr && !status; k++) status = run_string(J, "[command line]", exprs[k]);
  if (script && !status) status = run_file(J, script);
  if (!script && nexpr == 0) {
    if (isatty(0)) interactive = 1;
    else status = run_stream(J, "[stdin]", stdin);
  }
  if (interactive && !status) repl(J);

  fflush(stdout);
  js_freestate(J);
  free(exprs);
  return status;
}

#ifdef SANDPIT_COMPAT
/* Start in the sandbox's cwd: libsandpit-compat's getcwd/chdir sync only runs from members
 * js never pulls in (process, fd, signal), so ask for it here. */
void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void start_in_cwd(void) { __sandpit_sync_cwd(); }
#endif
