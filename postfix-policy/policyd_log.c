/* One log line per decision: the rule, the verdict, who and what it was about, and the
 * rules that only warned, in a key=value form that grep and log tools can split. */
#include "mxguard/log.h"
#include "policyd.h"

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void policyd_log_decision(const struct policyd_request *q, const struct policyd_verdict *v)
{
	enum mxg_log_level lvl = v->action == POLICYD_REJECT || v->action == POLICYD_DEFER ||
					 v->action == POLICYD_WARN ? MXG_LOG_NOTICE : MXG_LOG_INFO;

	mxg_log(lvl, "decision rule=%s action=%s client=%.64s sender=<%.256s> recipient=<%.256s> "
		"state=%.16s instance=%.64s reply=\"%.400s\"%s%.400s%s",
		policyd_rule_name(v->rule), policyd_action_name(v->action),
		or_empty(q->client_address), or_empty(q->sender), or_empty(q->recipient),
		or_empty(q->protocol_state), or_empty(q->instance), v->reply,
		v->notes[0] ? " notes=\"" : "", v->notes, v->notes[0] ? "\"" : "");
}
