/* Counters of mxguard-policyd (decisions by rule and action, request contexts, SPF results,
 * DNS lookups and their latency), written periodically in the Prometheus text format for
 * node_exporter's textfile collector, like the Unbound module's counters. One process-wide
 * set: the event loop and the workers add to it with relaxed atomics. */
#ifndef POLICYD_METRICS_H
#define POLICYD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/dns.h"
#include "mxguard/spf.h"
#include "policyd.h"

/* Who decided, for the rule label: a rule, or one of these outcomes of no rule. */
enum policyd_decider {
	POLICYD_BY_NONE = POLICYD_R__COUNT, /* no rule fired: dunno */
	POLICYD_BY_TIMEOUT,                 /* the request's time budget ran out: defer */
	POLICYD_BY_INTERNAL,                /* out of memory: defer */
	POLICYD_BY__COUNT
};

/* One policy request decided: by (a rule id or a POLICYD_BY_ value), what it answered,
 * in which context, and whether warn_only turned a refusal into a warning. */
void policyd_metrics_decision(int by, enum policyd_action action, enum policyd_context ctx,
			      int warn_only);
void policyd_metrics_spf(enum mxg_spf_result r);
/* One DNS lookup that went past the answer cache: its rcode (-1 for a local error) and
 * how long it took. */
void policyd_metrics_dns(int rcode, uint64_t usec);

/* A resolver that forwards to inner and records every lookup's rcode and latency; it takes
 * ownership of inner, also on failure: NULL on ENOMEM, inner then freed. */
struct mxg_resolver *policyd_metrics_timed(struct mxg_resolver *inner);

/* Writes every counter to path atomically (path.tmp, then rename). 0, or -1 with err. */
int policyd_metrics_write(const char *path, char *err, size_t errlen);
/* Starts a thread writing path every interval_ms (the first write at once); write errors are
 * logged once until a write succeeds again. An empty path starts nothing. 0 or -1 with err. */
int policyd_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen);
/* Stops the thread and writes the file a last time. */
void policyd_metrics_stop(void);

#endif
