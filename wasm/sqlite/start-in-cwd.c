/* Start in the sandbox's cwd: libsandpit-compat's getcwd/chdir sync only runs from members
 * the shell never pulls in (process, fd, signal), so ask for it here. Linked only with it. */
void __sandpit_sync_cwd(void);
__attribute__((constructor)) static void start_in_cwd(void) { __sandpit_sync_cwd(); }
