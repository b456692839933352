/* Counters of the module (answers by outcome, findings by code, actions taken), written
 * periodically in Prometheus text format for node_exporter's textfile collector. */
#ifndef MODULE_STATS_H
#define MODULE_STATS_H

#include <stdatomic.h>
#include <stddef.h>

#include "mxguard/finding.h"
#include "mxguard/textfile.h"

enum module_outcome {
	MODULE_OUT_CHECKED = 0, /* MX answers analysed */
	MODULE_OUT_FLAGGED,     /* ... with a finding of warning or worse acted on */
	MODULE_OUT_CACHED,      /* cached answers given a stored verdict of a flagged answer */
	MODULE_OUT_TEMPFAIL,    /* a target lookup failed temporarily: passed unflagged */
	MODULE_OUT_MALFORMED,   /* answer data the module could not read: passed */
	MODULE_OUT_STRIP_SIGNED,/* strip wanted, refused: DNSSEC-signed RRset */
	MODULE_OUT_STRIP_LAST,  /* strip wanted, refused: no usable record would remain */
	MODULE_OUT_LATE,        /* checked after max_wait: clients got the answer unchecked */
	MODULE_OUT_NOTED,       /* checked, with only info findings acted on (not flagged) */
	MODULE_OUT_CACHED_NOTED,/* cached answers given a stored verdict of a noted answer */
	MODULE_OUT__COUNT
};

enum module_action_index { MODULE_AI_LOG = 0, MODULE_AI_EDE, MODULE_AI_STRIP, MODULE_AI__COUNT };

struct module_stats {
	atomic_ulong outcome[MODULE_OUT__COUNT];
	atomic_ulong finding[MXG_F__COUNT];
	atomic_ulong action[MODULE_AI__COUNT];
	void (*warn)(const char *msg); /* where write errors go (Unbound's log); may be NULL */
	struct mxg_textfile_writer writer; /* runs when a file is configured */
};

static inline void module_stats_add(atomic_ulong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* Zeroes s; with a non-empty path, starts the thread writing it at once and every interval_ms
 * (a write error goes to warn once, and again only after a write succeeded). Returns 0, or -1
 * with the reason in err. */
int module_stats_start(struct module_stats *s, const char *path, unsigned long interval_ms,
		       void (*warn)(const char *msg), char *err, size_t errlen);
/* Stops the thread and writes the file a last time. */
void module_stats_stop(struct module_stats *s);

/* Writes the counters to path atomically (temporary file, then rename). Returns 0 or -1. */
int module_stats_write(struct module_stats *s, const char *path, char *err, size_t errlen);

/* One summary line ("checked=N flagged=N ..."), for the shutdown log. */
void module_stats_summary(struct module_stats *s, char *buf, size_t len);

#endif
