/* libmilter's main loop with SIGHUP reloading instead of stopping (see milter_signals.c). */
#ifndef MXGUARD_MILTER_SIGNALS_H
#define MXGUARD_MILTER_SIGNALS_H

/* Runs smfi_main in a thread of its own while the calling thread, which must be the process's
 * main thread, takes every SIGHUP and turns it into a reload (milter_reload_request). The
 * reload thread must run already. Returns when smfi_main does (SIGTERM or SIGINT through
 * libmilter's signal thread, or smfi_stop): 0 if it ended well, 1 if not. */
int milter_signals_run(void);

#endif
