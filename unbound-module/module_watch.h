/* watch_domain: the last MX target set seen for each watched domain, so that an answer naming
 * other targets (a hijack, a mistaken change) is logged and counted. Bounded (one entry per
 * configured domain, fixed at creation), locked, in memory only. */
#ifndef MODULE_WATCH_H
#define MODULE_WATCH_H

#include <stddef.h>

#include "mxguard/dns.h"
#include "mxguard/mx.h"

/* Longest text of one target set: MXG_MX_MAX_TARGETS names and their separators. */
#define MODULE_WATCH_SET_MAX (MXG_MX_MAX_TARGETS * MXG_DNS_NAME_MAX)

struct module_watch;

/* A table for the n domains (normalised names); NULL when n is 0 or on ENOMEM. */
struct module_watch *module_watch_new(const char (*domains)[MXG_DNS_NAME_MAX], unsigned n);
void module_watch_free(struct module_watch *w);

/* The target set of in as text: the distinct exchange names sorted, separated by spaces ("."
 * for a null MX, "(no MX)" when there is none). Returns 0, or -1 when it does not fit. */
int module_watch_set_text(const struct mxg_mx_input *in, char *out, size_t outlen);

/* Gives to each domain of to that from also watches the last set from saw (so that a reload
 * does not forget it). Either may be NULL. Not locked: for init time, when no query runs. */
void module_watch_carry(struct module_watch *to, const struct module_watch *from);

/* Records the target set of in (an answer for in->domain with every record read: count ==
 * total) for a watched domain. Returns 1 when it differs from the last one seen, with both sets
 * in was and now; 0 when the domain is not watched, seen for the first time, or unchanged.
 * NULL w: 0. Thread-safe. */
int module_watch_see(struct module_watch *w, const struct mxg_mx_input *in, char *was,
		     size_t waslen, char *now, size_t nowlen);

#endif
