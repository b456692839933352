/* Reloading mxguard-milter's configuration in a thread of its own, on SIGUSR1 and on the
 * SIGHUP the main thread takes (milter_signals.c); libmilter keeps SIGTERM and SIGINT. */
#ifndef MXGUARD_MILTER_RELOAD_H
#define MXGUARD_MILTER_RELOAD_H

/* Where the configuration comes from, as the command line gave it. */
struct milter_source {
	const char *path;
	int path_given;      /* -c: the file must exist */
	const char *socket;  /* -p, or NULL */
};

/* Reads the file again; a good one becomes current for new connections (settings that need a
 * restart keep their running values and are named in a warning), a bad one is logged and the
 * running configuration stays. Returns 0 or -1. */
int milter_reload(const struct milter_source *src);
/* Starts the thread that reloads on each SIGUSR1 (main blocks it first, with
 * mxg_daemon_block_signals) / stops and joins it. */
int milter_reload_start(const struct milter_source *src);
void milter_reload_stop(void);
/* Asks the reload thread for one reload (a SIGUSR1 sent to that thread alone). Several asked
 * before it gets to them make one. */
void milter_reload_request(void);

#endif
