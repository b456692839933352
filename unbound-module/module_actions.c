/* What the module does about a flagged MX answer: one log line, an RFC 8914 Extended DNS Error,
 * and, when configured, removal of offending records (never the last usable, never signed). */
#include "config.h"

#include <string.h>

#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "util/data/msgreply.h"
#include "util/log.h"
#include "util/module.h"
#include "util/regional.h"

#include "module.h"
#include "mxguard/finding.h"
#include "mxguard/str.h"

/* Room for the log line: every finding's code and subject. */
#define LOG_LINE_MAX 1024

struct plan {
	unsigned mask;                            /* union of actions over the findings */
	int flagged;                              /* a warning or worse was acted on */
	char ede[MODULE_VERDICT_TEXT_MAX + 1];
	char log[LOG_LINE_MAX];
	unsigned char drop[MXG_MX_MAX_TARGETS];
	unsigned ndrop;
};

/* Temporary trouble is never a verdict on the domain (and never acted on). */
static int is_tempfail(enum mxg_finding_code c)
{
	return c == MXG_F_MX_TARGET_TEMPFAIL || c == MXG_F_MX_LOOKUP_TEMPFAIL;
}

/* Appends "CODE subject" to a "; "-separated list; a finding that does not fit is replaced by
 * a final "..." so the text stays within its bound. */
static void list_add(char *buf, size_t len, const char *prefix, const struct mxg_finding *f)
{
	char item[MXG_FINDING_SUBJECT_MAX + 64];
	size_t used = strlen(buf);

	if (used > 0 && strcmp(buf + used - 3, "...") == 0)
		return;
	snprintf(item, sizeof(item), "%s%s%s%s", used ? "; " : prefix,
		 mxg_finding_info(f->code)->name, f->subject[0] ? " " : "", f->subject);
	if (used + strlen(item) + 5 < len)
		mxg_strlcat(buf, item, len);
	else
		mxg_strlcat(buf, used ? "; ..." : "...", len);
}

static void plan_findings(struct module_global *g, const struct mxg_findings *found,
			  struct plan *p, int *tempfail)
{
	for (size_t i = 0; i < found->count; i++) {
		const struct mxg_finding *f = &found->items[i];
		unsigned mask;
		if ((unsigned)f->code >= MXG_F__COUNT)
			continue;
		module_stats_add(&g->stats.finding[f->code]);
		if (is_tempfail(f->code)) {
			*tempfail = 1;
			continue;
		}
		if (g->cfg.ignore[f->code] || (unsigned)f->severity > MXG_SEV_CRITICAL)
			continue;
		mask = g->cfg.actions[f->severity];
		p->mask |= mask;
		if (mask && f->severity >= MXG_SEV_WARNING)
			p->flagged = 1;
		if (mask & MODULE_ACT_EDE)
			list_add(p->ede, sizeof(p->ede), "mxguard: ", f);
		if (mask & MODULE_ACT_LOG)
			list_add(p->log, sizeof(p->log), "", f);
		if ((mask & MODULE_ACT_STRIP) && f->index >= 0 && (unsigned)f->index < MXG_MX_MAX_TARGETS &&
		    !p->drop[f->index]) {
			p->drop[f->index] = 1;
			p->ndrop++;
		}
	}
}

/* 1 if a usable examined record survives the drop set. */
static int usable_remains(const struct mxg_mx_input *in, const struct plan *p)
{
	for (unsigned i = 0; i < in->count; i++)
		if (!p->drop[i] && mxg_mx_target_usable(&in->targets[i]))
			return 1;
	return 0;
}

/* Strips and stores the result in Unbound's caches, so cached answers are stripped too.
 * Returns the number of records removed (0 when refused or impossible). */
static unsigned do_strip(struct module_global *g, struct module_qstate *qstate,
			 struct module_query *q, struct plan *p)
{
	struct reply_info *rep = qstate->return_msg->rep;
	int idx = module_mx_rrset_index(rep);

	if (idx < 0 || p->ndrop == 0)
		return 0;
	if (module_rrset_is_signed(rep->rrsets[idx], rep)) {
		module_stats_add(&g->stats.outcome[MODULE_OUT_STRIP_SIGNED]);
		return 0;
	}
	if (!usable_remains(&q->in, p)) {
		module_stats_add(&g->stats.outcome[MODULE_OUT_STRIP_LAST]);
		return 0;
	}
	if (module_strip_records(rep, idx, p->drop, q->in.count, qstate->region) < 0)
		return 0;
	if (!qstate->no_cache_store)
		(void)dns_cache_store(qstate->env, &qstate->qinfo, rep, 0, qstate->prefetch_leeway, 0,
				      NULL, qstate->query_flags, qstate->qstarttime);
	module_stats_add(&g->stats.action[MODULE_AI_STRIP]);
	return p->ndrop;
}

static uint32_t verdict_ttl(const struct module_global *g, uint32_t ttl)
{
	if (g->max_ttl > 0 && (time_t)ttl > g->max_ttl)
		return (uint32_t)g->max_ttl;
	return ttl;
}

void module_act(struct module_global *g, struct module_qstate *qstate, struct module_query *q,
		const struct mxg_findings *found)
{
	struct plan p;
	unsigned stripped = 0;
	int tempfail = 0;

	memset(&p, 0, sizeof(p));
	module_stats_add(&g->stats.outcome[MODULE_OUT_CHECKED]);
	plan_findings(g, found, &p, &tempfail);
	if (tempfail)
		module_stats_add(&g->stats.outcome[MODULE_OUT_TEMPFAIL]);
	if (p.mask == 0) {
		module_verdict_cache_put(g->verdicts, qstate->qinfo.qname, qstate->qinfo.qname_len,
					 "", *qstate->env->now, 0, 0);
		return;
	}
	/* Info findings (one usable target, a null MX) describe a domain, not a fault: an answer
	 * with nothing worse is "noted", never counted as flagged. */
	module_stats_add(&g->stats.outcome[p.flagged ? MODULE_OUT_FLAGGED : MODULE_OUT_NOTED]);
	if (p.mask & MODULE_ACT_STRIP)
		stripped = do_strip(g, qstate, q, &p);
	if (p.ede[0]) {
		if (edns_opt_list_append_ede(&qstate->edns_opts_front_out, qstate->region,
					     LDNS_EDE_OTHER, p.ede))
			module_stats_add(&g->stats.action[MODULE_AI_EDE]);
	}
	if (p.log[0]) {
		const char *what = p.flagged ? "flagged" : "noted";
		if (stripped)
			log_info("mxguard: %s MX %s: %s (%u of %u records stripped)", q->in.domain,
				 what, p.log, stripped, q->in.total);
		else
			log_info("mxguard: %s MX %s: %s", q->in.domain, what, p.log);
		module_stats_add(&g->stats.action[MODULE_AI_LOG]);
	}
	module_verdict_cache_put(g->verdicts, qstate->qinfo.qname, qstate->qinfo.qname_len, p.ede,
				 *qstate->env->now, verdict_ttl(g, q->in.ttl), p.flagged);
}
