/* One log line per policy request, at info level: the rule that decided, the action, the
 * context (which rule group ran), who and what it was about, and the rules that only warned,
 * in a key=value form that grep and log tools can split. Each line is counted as well. */
#include "mxguard/log.h"
#include "policyd.h"
#include "policyd_metrics.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void policyd_log_decision(const struct policyd_request *q, const struct policyd_verdict *v)
{
	enum policyd_context ctx = policyd_request_context(q);

	policyd_metrics_decision(v->rule < POLICYD_R__COUNT ? (int)v->rule : POLICYD_BY_NONE,
				 v->action, ctx, v->warn_only);
	mxg_log(MXG_LOG_INFO, "decision rule=%s action=%s context=%s state=%.16s client=%.64s "
		"sender=<%.256s> recipient=<%.256s> instance=%.64s reply=\"%.400s\"%s%.400s%s",
		policyd_rule_name(v->rule), policyd_action_name(v->action), policyd_context_name(ctx),
		or_empty(q->protocol_state), or_empty(q->client_address), or_empty(q->sender),
		or_empty(q->recipient), or_empty(q->instance), v->reply,
		v->notes[0] ? " notes=\"" : "", v->notes, v->notes[0] ? "\"" : "");
}

void policyd_log_undecided(const char *summary, enum policyd_context ctx, int timeout,
			   const char *why)
{
	policyd_metrics_decision(timeout ? POLICYD_BY_TIMEOUT : POLICYD_BY_INTERNAL, POLICYD_DEFER,
				 ctx, 0);
	mxg_log(MXG_LOG_INFO, "decision rule=- action=defer %s reason=\"%s\"", summary, why);
}
