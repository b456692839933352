/* The policy decision: DMARC reject/quarantine, optional SPF fail rejection, the From rules, and
 * the rule that temporary DNS trouble never becomes a permanent refusal. Pure functions only. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mxguard/verdict.h"
#include "mxguard/str.h"

void mxg_policy_defaults(struct mxg_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->dmarc_reject = 1;
	p->quarantine = MXG_QUARANTINE_HOLD;
	p->temperror_tempfail = 1;
	p->internal_error_tempfail = 1;
	p->reject_bad_from = 1;
	p->arc_trust.disposition = MXG_DMARC_POLICY_NONE;
}

const char *mxg_action_name(enum mxg_action a)
{
	switch (a) {
	case MXG_ACTION_ACCEPT: return "accept";
	case MXG_ACTION_REJECT: return "reject";
	case MXG_ACTION_TEMPFAIL: return "tempfail";
	case MXG_ACTION_QUARANTINE: return "quarantine";
	}
	return "unknown";
}

/* Domains in replies come from message headers: keep them to safe ASCII so that the
 * reply can carry neither line breaks nor libmilter's '%' escapes. */
static void safe_domain(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
		out[i] = ok ? (char)c : '?';
	}
	out[i] = '\0';
	if (i == 0)
		mxg_strlcpy(out, "(unknown)", size);
}

__attribute__((format(printf, 5, 6)))
static void set_reply(struct mxg_verdict *out, enum mxg_action action, const char *rcode,
		      const char *xcode, const char *fmt, ...)
{
	va_list ap;

	out->action = action;
	mxg_strlcpy(out->rcode, rcode, sizeof(out->rcode));
	mxg_strlcpy(out->xcode, xcode, sizeof(out->xcode));
	va_start(ap, fmt);
	vsnprintf(out->text, sizeof(out->text), fmt, ap);
	va_end(ap);
}

/* 1 if a temporary DNS failure left a result open that could have changed the outcome. */
static int dns_doubt(const struct mxg_verdict_input *in)
{
	size_t i;

	if (in->spf != NULL && in->spf->result == MXG_SPF_TEMPERROR)
		return 1;
	for (i = 0; i < in->dkim_count; i++)
		if (in->dkim[i].result == MXG_DKIM_TEMPERROR)
			return 1;
	return in->dmarc != NULL && in->dmarc->result == MXG_DMARC_TEMPERROR;
}

static void temperror(const struct mxg_policy *p, const char *domain, struct mxg_verdict *out)
{
	char d[MXG_DNS_NAME_MAX];

	safe_domain(domain, d, sizeof(d));
	if (p->temperror_tempfail) {
		set_reply(out, MXG_ACTION_TEMPFAIL, "451", "4.7.1",
			  "Temporary DNS failure checking sender authentication for %s; try again later", d);
		out->why = "temperror";
		return;
	}
	snprintf(out->tag, sizeof(out->tag), "temperror: authentication of %s could not be completed", d);
	out->why = "temperror-accepted";
}

static void quarantine(const struct mxg_policy *p, const char *d, struct mxg_verdict *out)
{
	out->why = "dmarc-quarantine";
	if (p->quarantine == MXG_QUARANTINE_HOLD) {
		out->action = MXG_ACTION_QUARANTINE;
		snprintf(out->text, sizeof(out->text), "DMARC policy of %s is quarantine", d);
		return;
	}
	snprintf(out->tag, sizeof(out->tag), "quarantine: DMARC policy of %s is quarantine", d);
}

/* A DMARC fail a trusted ARC forwarder vouches for (arc_override.h): the disposition the
 * override gives instead of the policy, or 451 when the chain's validation was left open by a
 * temporary error. Returns 1 if it decided. */
static int trusted_forward(const struct mxg_policy *p, const struct mxg_verdict_input *in,
			   int reject, const char *d, struct mxg_verdict *out)
{
	const struct mxg_arc_override *ov = in->arc_override;
	char s[MXG_DNS_NAME_MAX];

	if (ov == NULL || ov->status == MXG_ARC_OVERRIDE_NO)
		return 0;
	if (ov->status == MXG_ARC_OVERRIDE_DOUBT) {
		temperror(p, in->dmarc->from_domain, out);
		return 1;
	}
	int to_quarantine = ov->disposition == MXG_DMARC_POLICY_QUARANTINE &&
			    p->quarantine != MXG_QUARANTINE_IGNORE;
	if (to_quarantine && !reject)
		return 0;  /* the policy is quarantine already: nothing changes */
	out->trusted_forwarder = 1;
	safe_domain(ov->sealer, s, sizeof(s));
	/* Cut to size on purpose: names come from the message, the reply only points at them. */
	if (to_quarantine) {
		quarantine(p, d, out);
		out->text[0] = '\0';
		(void)mxg_strcatf(out->text, sizeof(out->text), "DMARC policy of %s is reject; quarantined"
				  " instead as forwarded by trusted ARC sealer %s (i=%u)", d, s, ov->instance);
		if (out->tag[0] != '\0') {
			out->tag[0] = '\0';
			(void)mxg_strcatf(out->tag, sizeof(out->tag), "quarantine: %s", out->text);
		}
		return 1;
	}
	out->why = "trusted-forwarder";
	(void)mxg_strcatf(out->tag, sizeof(out->tag), "trusted forwarder: DMARC fail of %s accepted,"
			  " ARC sealed by %s (i=%u)", d, s, ov->instance);
	return 1;
}

/* A DMARC fail whose published policy asks for action. Returns 1 if it decided. */
static int dmarc_fail(const struct mxg_policy *p, const struct mxg_verdict_input *in,
		      struct mxg_verdict *out)
{
	const struct mxg_dmarc_outcome *dm = in->dmarc;
	int reject = dm->policy == MXG_DMARC_POLICY_REJECT && p->dmarc_reject;
	int quar = dm->policy == MXG_DMARC_POLICY_QUARANTINE && p->quarantine != MXG_QUARANTINE_IGNORE;
	char d[MXG_DNS_NAME_MAX];

	if (!reject && !quar)
		return 0;
	safe_domain(dm->from_domain, d, sizeof(d));
	if (trusted_forward(p, in, reject, d, out))
		return 1;
	if (dns_doubt(in)) {
		temperror(p, dm->from_domain, out);
		return 1;
	}
	if (reject) {
		set_reply(out, MXG_ACTION_REJECT, "550", "5.7.1",
			  "Message rejected: the DMARC policy of %s is reject and the message"
			  " is not authenticated for it", d);
		out->why = "dmarc-reject";
		return 1;
	}
	quarantine(p, d, out);
	return 1;
}

static const char *from_problem(enum mxg_from_status s)
{
	switch (s) {
	case MXG_FROM_MISSING: return "missing";
	case MXG_FROM_MULTIPLE_FIELDS: return "repeated";
	case MXG_FROM_MULTIPLE_ADDRESSES: return "naming several authors";
	case MXG_FROM_GROUP: return "a group";
	default: return "not a valid address";
	}
}

static void decide(const struct mxg_policy *p, const struct mxg_verdict_input *in,
		   struct mxg_verdict *out)
{
	const struct mxg_dmarc_outcome *dm = in->dmarc;

	if (in->internal_error) {
		out->why = "internal-error";
		if (p->internal_error_tempfail)
			set_reply(out, MXG_ACTION_TEMPFAIL, "451", "4.3.0",
				  "Temporary local problem checking the message; try again later");
		return;
	}
	if (in->scope == MXG_SCOPE_SOFT) {
		out->why = "not-enforced";
		return;
	}
	if (in->from_overflow) {
		/* Not every author domain was evaluated: no policy may be left unheard. */
		set_reply(out, MXG_ACTION_REJECT, "550", "5.7.1",
			  "Message rejected: the From header fields name too many author domains");
		out->why = "bad-from";
		return;
	}
	if (in->from_status != MXG_FROM_OK && p->reject_bad_from) {
		set_reply(out, MXG_ACTION_REJECT, "550", "5.7.1",
			  "Message rejected: the From header field is %s; exactly one author"
			  " address is required", from_problem(in->from_status));
		out->why = "bad-from";
		return;
	}
	if (dm != NULL && dm->result == MXG_DMARC_FAIL && dmarc_fail(p, in, out))
		return;
	if (dm != NULL && dm->result == MXG_DMARC_TEMPERROR) {
		temperror(p, dm->from_domain, out);
		return;
	}
	if (!p->spf_reject_fail || in->spf == NULL || (dm != NULL && dm->result == MXG_DMARC_PASS))
		return;
	if (in->spf->result == MXG_SPF_TEMPERROR) {
		temperror(p, in->spf->domain, out);
		return;
	}
	if (in->spf->result == MXG_SPF_FAIL) {
		char d[MXG_DNS_NAME_MAX];

		safe_domain(in->spf->domain, d, sizeof(d));
		set_reply(out, MXG_ACTION_REJECT, "550", "5.7.23",
			  "Message rejected: SPF check failed for %s", d);
		out->why = "spf-fail";
	}
}

/* The DMARC disposition of what was decided: only a refusal or a quarantine (held or tagged)
 * on DMARC's account is one; everything else, rollout included, is none. */
static enum mxg_dmarc_policy disposition(const struct mxg_verdict *v)
{
	if (v->why != NULL && strcmp(v->why, "dmarc-reject") == 0 && v->action == MXG_ACTION_REJECT)
		return MXG_DMARC_POLICY_REJECT;
	if (v->why != NULL && strcmp(v->why, "dmarc-quarantine") == 0)
		return MXG_DMARC_POLICY_QUARANTINE;
	return MXG_DMARC_POLICY_NONE;
}

/* Rollout: the refusal or quarantine enforcing would give goes into the tag header and the
 * message is accepted (a tag enforcing would add stays as it is). */
static void soften_for_rollout(struct mxg_verdict *out)
{
	char tag[MXG_REPLY_TEXT_MAX];

	if (out->action == MXG_ACTION_ACCEPT)
		return;
	/* Cut to the tag's size on purpose: the text is known, the tag only points at it. */
	tag[0] = '\0';
	if (out->action == MXG_ACTION_QUARANTINE)
		(void)mxg_strcatf(tag, sizeof(tag), "would quarantine: %s", out->text);
	else
		(void)mxg_strcatf(tag, sizeof(tag), "would %s %s %s: %s", mxg_action_name(out->action),
				  out->rcode, out->xcode, out->text);
	mxg_strlcpy(out->tag, tag, sizeof(out->tag));
	out->action = MXG_ACTION_ACCEPT;
}

void mxg_verdict_decide(const struct mxg_policy *p, const struct mxg_verdict_input *in,
			struct mxg_verdict *out)
{
	memset(out, 0, sizeof(*out));
	out->action = MXG_ACTION_ACCEPT;
	out->why = "accept";
	decide(p, in, out);
	out->would = out->action;
	if (p->rollout) {
		out->disposition = MXG_DMARC_POLICY_NONE;
		soften_for_rollout(out);
		return;
	}
	out->disposition = disposition(out);
}
