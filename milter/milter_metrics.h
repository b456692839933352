/* mxguard-milter's counters for node_exporter's textfile collector (see milter_metrics.c). */
#ifndef MXGUARD_MILTER_METRICS_H
#define MXGUARD_MILTER_METRICS_H

#include <stddef.h>

#include "mxguard/dns.h"
#include "mxguard/message.h"
#include "mxguard/verdict.h"

/* One message's outcome: its action, the verdict word, what rollout turned into an accept,
 * and which checks met a temporary DNS failure (res may be NULL: not checked). */
void milter_metrics_message(const struct mxg_verdict *v, const struct mxg_message_result *res);
/* DMARC evaluation rows written to the report store, and dropped (queue full, store down). */
void milter_metrics_record(unsigned long recorded, unsigned long dropped);
/* One connection from trusted_networks, accepted unchecked. */
void milter_metrics_trusted(void);

/* Wraps r so that every lookup's time is counted; takes r over (NULL: r is freed). */
struct mxg_resolver *milter_metrics_timed_resolver(struct mxg_resolver *r);

/* Writes the file now and then every interval_ms from a thread of its own (path "" : nothing).
 * Returns 0, or -1 with the reason in err. */
int milter_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen);
/* Stops the thread and writes the file a last time. */
void milter_metrics_stop(void);
/* Writes the counters to path through path.tmp and a rename. Returns 0 or -1 (err). */
int milter_metrics_write(const char *path, char *err, size_t errlen);

#endif
