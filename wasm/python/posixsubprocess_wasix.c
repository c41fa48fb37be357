/* _posixsubprocess for WASIX: subprocess.Popen without fork.
 * CPython's module forks and then sets up the child; a WASIX module cannot fork unless the
 * whole interpreter is asyncified. Here fork_exec() hands the same work to posix_spawn
 * (libsandpit-compat, on proc_spawn2): the pipe ends become the child's 0/1/2, the parent's
 * ends and other inherited fds are closed in the child, cwd becomes a chdir action.
 * Spawn errors are raised directly as OSError (FileNotFoundError ...), so the errpipe that
 * subprocess.py reads simply sees EOF. Unsupported options (preexec_fn, uid/gid/groups,
 * new sessions, process groups, umask) raise instead of being ignored silently. */
#define PY_SSIZE_T_CLEAN
#include "Python.h"
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>
#include <wasi/api.h>

extern char **environ;

/* Highest fd looked at when close_fds is set (fds are small in a sandbox). */
#define SCAN_FDS 256

/* A sequence of str/bytes/PathLike -> NULL-terminated char*[]; the bytes objects that own
 * the strings are appended to `keep`. */
static char **to_argv(PyObject *seq, PyObject *keep) {
  PyObject *fast = PySequence_Fast(seq, "expected a sequence");
  if (!fast) return NULL;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
  char **argv = PyMem_Calloc((size_t)n + 1, sizeof(char *));
  if (!argv) { Py_DECREF(fast); PyErr_NoMemory(); return NULL; }
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(fast, i), &b)) goto fail;
    if (PyList_Append(keep, b) < 0) { Py_DECREF(b); goto fail; }
    Py_DECREF(b);
    argv[i] = PyBytes_AS_STRING(b);
  }
  Py_DECREF(fast);
  return argv;
fail:
  Py_DECREF(fast);
  PyMem_Free(argv);
  return NULL;
}

static int is_kept(PyObject *fds_to_keep, int fd) {
  Py_ssize_t n = PyTuple_GET_SIZE(fds_to_keep);
  for (Py_ssize_t i = 0; i < n; i++)
    if (PyLong_AsLong(PyTuple_GET_ITEM(fds_to_keep, i)) == fd) return 1;
  return 0;
}

static int fd_is_open(int fd) {
  __wasi_fdstat_t st;
  return __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st) == 0;
}

static int fd_is_preopen(int fd) { /* the child has its own preopened directories */
  __wasi_prestat_t ps;
  return __wasi_fd_prestat_get((__wasi_fd_t)fd, &ps) == 0;
}

/* Make `src` the child's `target` (0/1/2), like CPython's child_exec does after fork. */
static void map_fd(posix_spawn_file_actions_t *fa, int src, int target) {
  if (src >= 0 && src != target) posix_spawn_file_actions_adddup2(fa, src, target);
}

static PyObject *fork_exec(PyObject *module, PyObject *args) {
  PyObject *process_args, *executable_list, *fds_to_keep, *cwd_obj, *env_list;
  PyObject *gid_object, *groups_list, *uid_object, *preexec_fn;
  int close_fds, p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite;
  int errpipe_read, errpipe_write, restore_signals, call_setsid, child_umask, allow_vfork;
  pid_t pgid_to_set;
  (void)module;

  if (!PyArg_ParseTuple(args, "OOpO!OOiiiiiiiiii" _Py_PARSE_PID "OOOiOp:fork_exec",
                        &process_args, &executable_list, &close_fds, &PyTuple_Type, &fds_to_keep,
                        &cwd_obj, &env_list, &p2cread, &p2cwrite, &c2pread, &c2pwrite, &errread,
                        &errwrite, &errpipe_read, &errpipe_write, &restore_signals, &call_setsid,
                        &pgid_to_set, &gid_object, &groups_list, &uid_object, &child_umask,
                        &preexec_fn, &allow_vfork))
    return NULL;
  (void)restore_signals; (void)allow_vfork;

  if (preexec_fn != Py_None || gid_object != Py_None || groups_list != Py_None ||
      uid_object != Py_None || call_setsid || pgid_to_set >= 0 || child_umask >= 0) {
    PyErr_SetString(PyExc_NotImplementedError,
                    "preexec_fn, user/group, start_new_session, process_group and umask "
                    "are not supported by subprocess on WASIX");
    return NULL;
  }

  PyObject *keep = PyList_New(0);
  if (!keep) return NULL;
  char **argv = NULL, **envp = NULL, **exes = NULL;
  char *cwd = NULL;
  PyObject *result = NULL;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);

  if (process_args != Py_None && !(argv = to_argv(process_args, keep))) goto done;
  if (!argv) { PyErr_SetString(PyExc_ValueError, "args must not be None"); goto done; }
  if (env_list != Py_None && !(envp = to_argv(env_list, keep))) goto done;
  if (!(exes = to_argv(executable_list, keep))) goto done;
  if (cwd_obj != Py_None) {
    PyObject *b = NULL;
    if (!PyUnicode_FSConverter(cwd_obj, &b)) goto done;
    if (PyList_Append(keep, b) < 0) { Py_DECREF(b); goto done; }
    Py_DECREF(b);
    cwd = PyBytes_AS_STRING(b);
  }

  /* The child's stdio, in CPython's order: a pipe end may sit on a low fd that another
   * mapping overwrites, so low sources are duplicated out of the way first. */
  if (c2pwrite == 0) { posix_spawn_file_actions_adddup2(&fa, 0, 100); c2pwrite = 100; }
  if (errwrite == 0 || errwrite == 1) {
    posix_spawn_file_actions_adddup2(&fa, errwrite, 101); errwrite = 101;
  }
  map_fd(&fa, p2cread, 0);
  map_fd(&fa, c2pwrite, 1);
  map_fd(&fa, errwrite, 2);

  /* The parent's pipe ends and the error pipe must not stay open in the child, or readers
   * never see EOF. close_fds closes everything else above 2 except pass_fds. */
  int closing[SCAN_FDS] = {0};
  int parent_ends[] = {p2cwrite, c2pread, errread, errpipe_read, errpipe_write,
                       p2cread, c2pwrite, errwrite};
  for (size_t i = 0; i < sizeof parent_ends / sizeof *parent_ends; i++) {
    int fd = parent_ends[i];
    if (fd > 2 && fd < SCAN_FDS) closing[fd] = 1;
  }
  if (close_fds)
    for (int fd = 3; fd < SCAN_FDS; fd++)
      if (!is_kept(fds_to_keep, fd) || fd == errpipe_write) closing[fd] = 1;
  for (int fd = 3; fd < SCAN_FDS; fd++)
    if (closing[fd] && fd_is_open(fd) && !fd_is_preopen(fd))
      posix_spawn_file_actions_addclose(&fa, fd);
  if (c2pwrite == 100) posix_spawn_file_actions_addclose(&fa, 100);
  if (errwrite == 101) posix_spawn_file_actions_addclose(&fa, 101);
  if (cwd) posix_spawn_file_actions_addchdir_np(&fa, cwd);

  pid_t pid = -1;
  int err = ENOENT;
  const char *failed = exes[0];
  Py_BEGIN_ALLOW_THREADS
  for (size_t i = 0; exes[i]; i++) {
    err = posix_spawn(&pid, exes[i], &fa, NULL, argv, envp ? envp : environ);
    if (err == 0) break;
    if (err != ENOENT && err != ENOTDIR && err != EACCES) { failed = exes[i]; break; }
  }
  Py_END_ALLOW_THREADS
  if (err) {
    errno = err;
    /* Like CPython, name what the caller asked for when nothing was found. */
    PyObject *name = PyUnicode_DecodeFSDefault(err == ENOENT && argv[0] ? argv[0] : failed);
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, name);
    Py_XDECREF(name);
    goto done;
  }
  result = PyLong_FromPid(pid);

done:
  posix_spawn_file_actions_destroy(&fa);
  PyMem_Free(argv);
  PyMem_Free(envp);
  PyMem_Free(exes);
  Py_DECREF(keep);
  return result;
}

static PyMethodDef methods[] = {
    {"fork_exec", fork_exec, METH_VARARGS, "Spawn a child process (WASIX posix_spawn)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_posixsubprocess", "subprocess support on WASIX", 0, methods,
};

PyMODINIT_FUNC PyInit__posixsubprocess(void) { return PyModuleDef_Init(&module_def); }
