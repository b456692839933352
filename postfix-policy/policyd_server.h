/* The event loop: policy and socketmap listeners, many persistent connections with bounded
 * buffers, DNS-bound decisions handed to the worker pool, signals as events. */
#ifndef POLICYD_SERVER_H
#define POLICYD_SERVER_H

#include <stddef.h>

#include "policyd.h"

/* Opens one listener spec; returns the fd or -1 with a reason in err. */
int policyd_listen_open(const char *spec, char *err, size_t errlen);
/* Removes the socket file of a unix: listener. */
void policyd_listen_remove(const char *spec);

struct policyd_server;

/* Opens every listener of s (call before dropping privileges). NULL with err. */
struct policyd_server *policyd_server_new(const struct policyd_settings *s, char *err, size_t errlen);

struct policyd_mtasts;
/* Answers the socketmap map "mta-sts" from sts (not owned; NULL: the map is unknown). Call
 * before policyd_server_run. */
void policyd_server_set_mtasts(struct policyd_server *srv, struct policyd_mtasts *sts);

/* Called on SIGHUP: returns new rules (refs 1), or NULL to keep the current ones
 * (the callback logs why). */
typedef struct policyd_rules *(*policyd_reload_fn)(void *arg);

/* Runs until SIGTERM/SIGINT. Takes over the reference to rules. Blocks HUP/TERM/INT
 * in the calling thread (before the workers start, so they inherit the mask); a signal that
 * came earlier and waited blocked is handled at once.
 * Returns 0 on a clean stop, -1 on a fatal error (logged). */
int policyd_server_run(struct policyd_server *srv, struct policyd_rules *rules,
		       struct policyd_mxcache *cache, struct mxg_resolver *res,
		       policyd_reload_fn reload, void *arg);

/* Closes listeners (removing unix sockets) and frees the server. */
void policyd_server_free(struct policyd_server *srv);

#endif
