/* Daemon plumbing shared by mxguard-milter and mxguard-policyd: the signals held from the
 * start, leaving the terminal, the pid file, and giving up root for the configured user once
 * the sockets are bound. */
#ifndef MXGUARD_DAEMON_H
#define MXGUARD_DAEMON_H

#include <pwd.h>
#include <signal.h>
#include <stddef.h>

/* Blocks SIGHUP, SIGTERM and SIGINT, and extra unless it is 0, in the calling thread, so in
 * every thread it starts later: called first thing in main, a signal sent during start-up
 * waits for the daemon's own handling (a signalfd, a sigwait thread) instead of ending it by
 * the default action. The set blocked is left in *set unless set is NULL. 0, or -1. */
int mxg_daemon_block_signals(int extra, sigset_t *set);

/* Forks twice (no controlling terminal can be reacquired), starts a new session, moves to "/"
 * and points stdin/stdout/stderr at /dev/null. Returns 0 in the daemon, -1 with errno. */
int mxg_daemon_detach(void);

/* Writes this process's pid to path (mode 0644, replaced if present). 0, or -1 with errno. */
int mxg_daemon_write_pid(const char *path);

/* Becomes pw's user and groups; nothing to do when already running as that uid. Fails, with a
 * reason in err, when the switch fails or when root could be regained afterwards. */
int mxg_daemon_become(const struct passwd *pw, char *err, size_t errlen);

#endif
