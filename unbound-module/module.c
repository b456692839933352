/* mxguard.so: the Unbound dynlib entry points. An MX answer waits at moddone while the targets'
 * A and AAAA are resolved as sub-queries, then the core's mxg_mx_analyze() judges it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dynlibmod/dynlibmod.h"
#include "services/cache/dns.h"
#include "sldns/rrdef.h"
#include "util/config_file.h"
#include "util/data/dname.h"
#include "util/data/msgreply.h"
#include "util/log.h"
#include "util/module.h"
#include "util/net_help.h"
#include "util/regional.h"

#include "module.h"
#include "mxguard/mx.h"

#ifndef MODULE_UNBOUND_BUILD
#define MODULE_UNBOUND_BUILD "unbound " PACKAGE_VERSION
#endif

/* Exported for dynlibmod's dlsym(); every other symbol of the .so stays local. */
int init(struct module_env *env, int id);
void deinit(struct module_env *env, int id);
void operate(struct module_qstate *qstate, enum module_ev event, int id,
	     struct outbound_entry *outbound);
void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super);
void clear(struct module_qstate *qstate, int id);
size_t get_mem(struct module_env *env, int id);

static struct module_global *global_of(struct module_env *env, int id)
{
	return ((struct dynlibmod_env *)env->modinfo[id])->dyn_env;
}

/* Cache hits never reach operate(): give them the verdict stored at resolution. */
static int cache_reply(struct query_info *qinfo, struct module_qstate *qstate,
		       struct reply_info *rep, int rcode, struct edns_data *edns,
		       struct edns_option **opt_list_out, struct comm_reply *repinfo,
		       struct regional *region, struct timeval *start_time, int id, void *arg)
{
	struct module_global *g = arg;
	char text[MODULE_VERDICT_TEXT_MAX + 1];
	int verdict;

	(void)qstate, (void)rep, (void)rcode, (void)repinfo, (void)start_time, (void)id;
	if (!qinfo || qinfo->qtype != LDNS_RR_TYPE_MX || !edns || !edns->edns_present)
		return 1;
	verdict = module_verdict_cache_get(g->verdicts, qinfo->qname, qinfo->qname_len, time(NULL),
					   text, sizeof(text));
	if (verdict && edns_opt_list_append_ede(opt_list_out, region, LDNS_EDE_OTHER, text))
		module_stats_add(&g->stats.outcome[verdict == MODULE_VERDICT_FLAGGED ?
						   MODULE_OUT_CACHED : MODULE_OUT_CACHED_NOTED]);
	return 1;
}

static void warn_counters(const char *msg)
{
	log_warn("mxguard: counters file: %s", msg);
}

static void log_config(const struct module_global *g, int kept)
{
	char a[4][32];

	for (int s = 0; s < 4; s++)
		module_actions_text(g->cfg.actions[s], a[s], sizeof(a[s]));
	log_info("mxguard: module loaded, built against %s; config %s%s; actions info=%s "
		 "warning=%s error=%s critical=%s; max_targets %u; max_wait %lums",
		 MODULE_UNBOUND_BUILD, g->cfg.path[0] ? g->cfg.path : "(defaults, no file)",
		 kept ? " (previous settings: the file was rejected)" : "", a[0], a[1], a[2], a[3],
		 g->cfg.max_targets, g->cfg.max_wait_ms);
}

/* Unbound drops a client that waited longer than discard-timeout without answering it, so a
 * max_wait at or above it would leave clients with no answer rather than an unchecked one. */
static void warn_max_wait(const struct module_env *env, const struct module_global *g)
{
#ifdef MODULE_UNBOUND_HAS_DISCARD_TIMEOUT
	int discard = env->cfg ? env->cfg->discard_timeout : 0;

	if (discard > 0 && g->cfg.max_wait_ms >= (unsigned long)discard)
		log_warn("mxguard: max_wait %lums is not below Unbound's discard-timeout %dms: "
			 "clients still waiting then get no answer; lower max_wait or raise "
			 "discard-timeout", g->cfg.max_wait_ms, discard);
#else
	(void)env, (void)g;
#endif
}

/* The last configuration that loaded. Unbound closes the library on reload and opens it again;
 * mxguard.so is linked with -z nodelete, so these survive that and a reload with a broken file
 * keeps the settings the module was running with. */
static struct module_config last_good;
static int have_last_good;

/* Reads the file into cfg. Returns 1 with the file's settings, 2 with the previous ones when the
 * file is invalid, 0 when it is invalid and there are none: inspection off.
 * Never a reason for Unbound to stop: a resolver keeps answering whatever this file says. */
static int choose_config(struct module_config *cfg)
{
	char err[512];

	if (module_config_load(cfg, err, sizeof(err)) == 0) {
		last_good = *cfg;
		have_last_good = 1;
		return 1;
	}
	if (have_last_good) {
		log_err("mxguard: configuration rejected: %s; keeping the previous settings (check the "
			"file with mxguard-unbound-checkconf, then reload)", err);
		*cfg = last_good;
		return 2;
	}
	log_err("mxguard: configuration rejected: %s; no previous settings: inspection is OFF, "
		"every answer passes unchecked until the file is fixed and Unbound reloaded", err);
	return 0;
}

/* Module state for cfg; NULL on ENOMEM. A counters thread that cannot start costs the
 * counters file, not the checks. */
static struct module_global *new_global(const struct module_env *env,
					 const struct module_config *cfg)
{
	struct module_global *g = calloc(1, sizeof(*g));
	char err[256];

	if (!g)
		return NULL;
	g->cfg = *cfg;
	g->max_ttl = env->cfg ? (time_t)env->cfg->max_ttl : 0;
	g->verdicts = module_verdict_cache_new(g->cfg.verdict_cache_size);
	if (!g->verdicts) {
		free(g);
		return NULL;
	}
	if (module_stats_start(&g->stats, g->cfg.metrics_file, g->cfg.metrics_interval_ms,
			       warn_counters, err, sizeof(err)) < 0)
		log_err("mxguard: %s: no counters file", err);
	return g;
}

/* Always returns 1: with no module state (dyn_env NULL) every query passes through unchecked,
 * which beats Unbound exiting with "failed to setup modules". */
int init(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct module_config cfg;
	struct module_global *g;
	int chosen;

	de->dyn_env = NULL;
	chosen = choose_config(&cfg);
	if (!chosen) {
		log_info("mxguard: module loaded, built against %s; inspection OFF (configuration "
			 "rejected)", MODULE_UNBOUND_BUILD);
		return 1;
	}
	g = new_global(env, &cfg);
	if (!g) {
		log_err("mxguard: out of memory: inspection is OFF, every answer passes unchecked");
		return 1;
	}
	de->dyn_env = g;
	if (!de->inplace_cb_register_wrapped((void *)&cache_reply, inplace_cb_reply_cache, g, env,
					     id))
		log_err("mxguard: cannot register the cache reply callback: answers from Unbound's "
			"cache carry no EDE");
	log_config(g, chosen == 2);
	warn_max_wait(env, g);
	return 1;
}

void deinit(struct module_env *env, int id)
{
	struct dynlibmod_env *de = env->modinfo[id];
	struct module_global *g = de ? de->dyn_env : NULL;
	char line[512];

	if (!g)
		return;
	de->inplace_cb_delete_wrapped(env, inplace_cb_reply_cache, id);
	module_stats_stop(&g->stats);
	module_stats_summary(&g->stats, line, sizeof(line));
	log_info("mxguard: counters: %s", line);
	module_verdict_cache_free(g->verdicts);
	free(g);
	de->dyn_env = NULL;
}

/* 1 for a target that needs no address lookup to be judged. */
static int skip_lookup(const struct mxg_mx_target *t)
{
	return t->name[0] == '\0' || mxg_mx_name_is_ip_literal(t->name);
}

static int wire_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && query_dname_compare((uint8_t *)a, (uint8_t *)b) == 0;
}

/* Registers one (name, type) sub-query unless an equal one is already waited for. */
static void attach_one(struct module_qstate *qstate, struct module_query *q, unsigned i,
		       uint16_t qtype)
{
	struct query_info qi;
	struct module_qstate *newq = NULL;
	size_t len = module_wire_name_len(q->wire[i], MODULE_WIRE_NAME_MAX);

	for (unsigned s = 0; s < q->nsubs; s++)
		if (q->subs[s].qtype == qtype && wire_equal(q->subs[s].name, q->subs[s].name_len,
							     q->wire[i], len))
			return;
	memset(&qi, 0, sizeof(qi));
	qi.qname = (uint8_t *)q->wire[i];
	qi.qname_len = len;
	qi.qtype = qtype;
	qi.qclass = LDNS_RR_CLASS_IN;
	if (q->nsubs >= sizeof(q->subs) / sizeof(q->subs[0]) ||
	    qstate->env->detect_cycle(qstate, &qi, BIT_RD, 0, 0) ||
	    !qstate->env->attach_sub(qstate, &qi, BIT_RD, 0, 0, &newq)) {
		/* Not looked up: the target counts as unknown, i.e. temporary, never broken. */
		module_convert_target(&q->in.targets[i], qtype, LDNS_RCODE_SERVFAIL, NULL,
				      q->wire[i], len);
		return;
	}
	q->subs[q->nsubs++] = (struct module_sub){ q->wire[i], len, qtype, 0 };
	q->outstanding++;
}

static void finish(struct module_qstate *qstate, int id, struct module_query *q)
{
	struct module_global *g = global_of(qstate->env, id);
	struct mxg_findings found = { 0 };

	if (g && q->clients && !module_deadline_clients(qstate))
		module_stats_add(&g->stats.outcome[MODULE_OUT_LATE]);
	if (g && mxg_mx_analyze(&q->in, &found) == 0)
		module_act(g, qstate, q, &found);
	mxg_findings_clear(&found);
	qstate->minfo[id] = NULL;
	qstate->ext_state[id] = module_finished;
}

/* At moddone of an MX query: read the answer, start the target lookups. */
static void start_check(struct module_qstate *qstate, int id, struct module_query *q)
{
	struct module_global *g = global_of(qstate->env, id);
	char err[128];
	int rc;

	if (!g || qstate->return_rcode != LDNS_RCODE_NOERROR || !qstate->return_msg) {
		qstate->ext_state[id] = module_finished;
		return;
	}
	rc = module_convert_answer(qstate->qinfo.qname, qstate->qinfo.qname_len,
				   qstate->return_msg->rep, g->cfg.max_targets, &q->in, q->wire, err,
				   sizeof(err));
	if (rc <= 0) {
		if (rc < 0) {
			module_stats_add(&g->stats.outcome[MODULE_OUT_MALFORMED]);
			verbose(VERB_OPS, "mxguard: %s MX not checked: %s", q->in.domain, err);
		}
		qstate->ext_state[id] = module_finished;
		return;
	}
	for (unsigned i = 0; i < q->in.count; i++) {
		if (skip_lookup(&q->in.targets[i]))
			continue;
		attach_one(qstate, q, i, LDNS_RR_TYPE_A);
		attach_one(qstate, q, i, LDNS_RR_TYPE_AAAA);
	}
	if (q->outstanding == 0) {
		finish(qstate, id, q);
		return;
	}
	q->clients = module_deadline_clients(qstate);
	module_deadline_arm(qstate, g->cfg.max_wait_ms);
	q->phase = MODULE_PHASE_WAIT_SUBS;
	qstate->ext_state[id] = module_wait_subquery;
}

void operate(struct module_qstate *qstate, enum module_ev event, int id,
	     struct outbound_entry *outbound)
{
	struct module_query *q = qstate->minfo[id];

	(void)outbound;
	if ((event == module_event_new || event == module_event_pass) && !q) {
		if (qstate->qinfo.qtype == LDNS_RR_TYPE_MX && qstate->qinfo.qclass == LDNS_RR_CLASS_IN) {
			q = regional_alloc_zero(qstate->region, sizeof(*q));
			if (q)
				q->phase = MODULE_PHASE_WAIT_MODULE;
			qstate->minfo[id] = q;
		}
		qstate->ext_state[id] = module_wait_module;
		return;
	}
	if (event == module_event_moddone) {
		if (q && q->phase == MODULE_PHASE_WAIT_MODULE)
			start_check(qstate, id, q);
		else
			qstate->ext_state[id] = module_finished;
		return;
	}
	if (event == module_event_pass && q && q->phase == MODULE_PHASE_WAIT_MODULE) {
		qstate->ext_state[id] = module_wait_module;
		return;
	}
	if (event == module_event_pass && q && q->phase == MODULE_PHASE_WAIT_SUBS) {
		if (q->outstanding > 0)
			qstate->ext_state[id] = module_wait_subquery;
		else
			finish(qstate, id, q);
		return;
	}
	qstate->ext_state[id] = module_error;
}

/* Gives one finished sub-query's result to every record naming that target. */
static void apply_result(struct module_query *q, const struct module_sub *sub,
			 const struct module_qstate *subq)
{
	const struct reply_info *rep = subq->return_msg ? subq->return_msg->rep : NULL;

	for (unsigned i = 0; i < q->in.count; i++) {
		size_t len = q->wire[i] ? module_wire_name_len(q->wire[i], MODULE_WIRE_NAME_MAX) : 0;
		if (len && wire_equal(q->wire[i], len, sub->name, sub->name_len))
			module_convert_target(&q->in.targets[i], sub->qtype, subq->return_rcode, rep,
					      sub->name, sub->name_len);
	}
}

void inform_super(struct module_qstate *qstate, int id, struct module_qstate *super)
{
	struct module_query *q = super->minfo[id];

	if (!q || q->phase != MODULE_PHASE_WAIT_SUBS)
		return;
	for (unsigned s = 0; s < q->nsubs; s++) {
		struct module_sub *sub = &q->subs[s];
		if (sub->done || sub->qtype != qstate->qinfo.qtype ||
		    !wire_equal(sub->name, sub->name_len, qstate->qinfo.qname, qstate->qinfo.qname_len))
			continue;
		sub->done = 1;
		q->outstanding--;
		apply_result(q, sub, qstate);
		return;
	}
}

void clear(struct module_qstate *qstate, int id)
{
	if (qstate)
		qstate->minfo[id] = NULL;
}

size_t get_mem(struct module_env *env, int id)
{
	struct module_global *g = global_of(env, id);

	return g ? sizeof(*g) + module_verdict_cache_mem(g->verdicts) : 0;
}
