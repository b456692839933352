/* State shared by the module's files: the per-process part (configuration, verdicts, counters)
 * and the per-query part kept in qstate->minfo[id], allocated in the query's region. */
#ifndef MODULE_H
#define MODULE_H

#include <stdint.h>

#include "module_config.h"
#include "module_convert.h"
#include "module_stats.h"
#include "module_verdict_cache.h"
#include "module_watch.h"

struct module_qstate;
struct mxg_findings;

struct module_global {
	struct module_config cfg;
	struct module_verdict_cache *verdicts;
	struct module_stats stats;
	time_t max_ttl; /* Unbound's cache-max-ttl: a verdict never outlives the cached answer */
	struct module_watch *watch; /* watch_domain table, NULL when none is watched */
};

/* One A or AAAA sub-query; Unbound merges equal ones, so each (name, type) is kept once. */
struct module_sub {
	const uint8_t *name;
	size_t name_len;
	uint16_t qtype;
	int done;
};

enum module_phase { MODULE_PHASE_WAIT_MODULE = 1, MODULE_PHASE_WAIT_SUBS };

struct module_query {
	enum module_phase phase;
	unsigned outstanding;
	int clients;          /* clients were waiting when the target lookups started */
	struct mxg_mx_input in;
	const uint8_t *wire[MXG_MX_MAX_TARGETS]; /* exchange of record i, in the answer's rdata */
	unsigned nsubs;
	struct module_sub subs[2 * MXG_MX_MAX_TARGETS];
};

/* Acts on the findings of a checked answer: counters, log line, EDE, strip, verdict cache.
 * Called once per resolved MX answer, before the module reports module_finished. */
void module_act(struct module_global *g, struct module_qstate *qstate, struct module_query *q,
		const struct mxg_findings *found);

/* Makes Unbound answer the waiting clients from its cache after ms milliseconds if the check
 * has not finished by then. Returns 1 when a bound is in place, 0 when none could be set. */
int module_deadline_arm(struct module_qstate *qstate, unsigned long ms);
/* 1 while clients wait for this query's answer (0 once the bound has answered them). */
int module_deadline_clients(const struct module_qstate *qstate);

/* Removes the records whose drop[i] is set (i < count) from the MX RRset at rep->rrsets[idx],
 * with copies allocated in region. Returns 0, or -1 on ENOMEM (rep unchanged). */
struct reply_info;
struct regional;
int module_strip_records(struct reply_info *rep, int idx, const unsigned char *drop,
			 unsigned count, struct regional *region);

#endif
