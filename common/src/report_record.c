/* One judged message to one evaluation row: identifiers, SPF and every DKIM result as DMARC
 * took them, the policy published, and the disposition applied with the reason it differs
 * from the policy (RFC 7489 §7.2, Appendix C PolicyOverrideType). */
#include <stdio.h>
#include <string.h>

#include "mxguard/report_record.h"
#include "mxguard/str.h"

static const char *policy_word(enum mxg_dmarc_policy p)
{
	switch (p) {
	case MXG_DMARC_POLICY_NONE: return "none";
	case MXG_DMARC_POLICY_QUARANTINE: return "quarantine";
	case MXG_DMARC_POLICY_REJECT: return "reject";
	default: return "";
	}
}

/* The applied disposition as a report names it: unset is none. */
static enum mxg_dmarc_policy effective(enum mxg_dmarc_policy p)
{
	return p == MXG_DMARC_POLICY_UNSET ? MXG_DMARC_POLICY_NONE : p;
}

static void set_override(struct mxg_store_eval *e, const char *type, const char *comment)
{
	mxg_strlcpy(e->override, type, sizeof(e->override));
	mxg_strlcpy(e->override_comment, comment, sizeof(e->override_comment));
}

/* Why the disposition is not what the published policy asks for, if it is not. */
static void explain(const struct mxg_message_result *r, struct mxg_store_eval *e)
{
	const struct mxg_dmarc_outcome *d = &r->dmarc;
	const struct mxg_verdict *v = &r->verdict;
	if (d->result != MXG_DMARC_FAIL)
		return;
	if (v->trusted_forwarder) {
		char why[MXG_STORE_TEXT_MAX];
		snprintf(why, sizeof(why), "ARC sealer %.120s i=%u: %.100s", r->arc_override.sealer,
			 r->arc_override.instance, r->arc_override.basis);
		set_override(e, "trusted_forwarder", why);
		return;
	}
	if (d->sampled_out) {
		set_override(e, "sampled_out", "pct sampling");
		return;
	}
	if (d->testing && effective(d->policy) != effective(d->published))
		set_override(e, "local_policy", "testing mode (t=y)");
	if (effective(v->disposition) == effective(d->policy))
		return;
	char why[MXG_STORE_TEXT_MAX];
	snprintf(why, sizeof(why), "%s%s", v->would != v->action ? "rollout mode: " : "receiver policy: ",
		 v->why != NULL ? v->why : "accept");
	set_override(e, "local_policy", why);
}

static void fill_spf(const struct mxg_message_result *r, struct mxg_store_eval *e)
{
	mxg_strlcpy(e->spf_result, "none", sizeof(e->spf_result));
	mxg_strlcpy(e->spf_scope, "mfrom", sizeof(e->spf_scope));
	if (!r->spf_done)
		return;
	mxg_strlcpy(e->spf_result, mxg_spf_result_name(r->spf.result), sizeof(e->spf_result));
	mxg_strlcpy(e->spf_domain, r->spf.domain, sizeof(e->spf_domain));
	if (strcmp(r->spf.identity, "helo") == 0)
		mxg_strlcpy(e->spf_scope, "helo", sizeof(e->spf_scope));
	const char *at = strrchr(r->spf.sender, '@');
	mxg_strlcpy(e->env_from, at != NULL ? at + 1 : r->spf.sender, sizeof(e->env_from));
}

static void fill_dkim(const struct mxg_message_result *r, struct mxg_store_eval *e)
{
	for (size_t i = 0; i < r->dkim_count && e->dkim_count < MXG_STORE_DKIM_MAX; i++) {
		const struct mxg_dkim_sig_result *s = &r->dkim[i];
		struct mxg_store_dkim *d = &e->dkim[e->dkim_count++];
		mxg_strlcpy(d->domain, s->domain, sizeof(d->domain));
		mxg_strlcpy(d->selector, s->selector, sizeof(d->selector));
		mxg_strlcpy(d->result, mxg_dkim_result_name(s->result), sizeof(d->result));
	}
}

static void fill_policy(const struct mxg_dmarc_record *rec, struct mxg_store_eval *e)
{
	mxg_strlcpy(e->p, policy_word(rec->p), sizeof(e->p));
	mxg_strlcpy(e->sp, policy_word(rec->sp), sizeof(e->sp));
	mxg_strlcpy(e->np, policy_word(rec->np), sizeof(e->np));
	e->adkim_strict = rec->adkim_strict;
	e->aspf_strict = rec->aspf_strict;
	e->pct = (int)rec->pct;
	e->testing = rec->testing;
	e->ri = rec->ri > 0 ? rec->ri : MXG_DMARC_RI_DEFAULT;
	/* As published: each URI with its "!size", which report send honours. */
	for (size_t i = 0; i < rec->rua_count && i < MXG_DMARC_URI_MAX; i++) {
		(void)mxg_strcatf(e->rua, sizeof(e->rua), "%s%s", i > 0 ? "," : "", rec->rua[i]);
		if (rec->rua_max_size[i] > 0)
			(void)mxg_strcatf(e->rua, sizeof(e->rua), "!%llu",
					  (unsigned long long)rec->rua_max_size[i]);
	}
}

int mxg_report_eval_from_result(const struct mxg_message_result *r, const struct mxg_addr *client,
				int64_t now, struct mxg_store_eval *out)
{
	const struct mxg_dmarc_outcome *d = &r->dmarc;
	if (r->internal_error || !d->have_record || d->policy_domain[0] == '\0')
		return 1;
	memset(out, 0, sizeof(*out));
	out->time = now;
	if (client != NULL)
		(void)mxg_addr_format(client, out->source_ip, sizeof(out->source_ip));
	mxg_strlcpy(out->header_from, d->from_domain, sizeof(out->header_from));
	mxg_strlcpy(out->policy_domain, d->policy_domain, sizeof(out->policy_domain));
	fill_spf(r, out);
	fill_dkim(r, out);
	mxg_strlcpy(out->dmarc_result, mxg_dmarc_result_name(d->result), sizeof(out->dmarc_result));
	out->spf_aligned = d->spf_aligned;
	out->dkim_aligned = d->dkim_aligned;
	fill_policy(&d->record, out);
	mxg_strlcpy(out->disposition, policy_word(effective(r->verdict.disposition)),
		    sizeof(out->disposition));
	explain(r, out);
	return 0;
}

void mxg_report_eval_envelope(struct mxg_store_eval *e, const char *rcpt, enum mxg_dmarc_mode mode)
{
	mxg_strlcpy(e->discovery, mode == MXG_DMARC_MODE_7489 ? "psl" : "treewalk",
		    sizeof(e->discovery));
	e->envelope_to[0] = '\0';
	if (rcpt == NULL)
		return;
	char path[MXG_DNS_NAME_MAX + 256];
	if (mxg_reverse_path(rcpt, path, sizeof(path)) != 0)
		return;
	const char *at = strrchr(path, '@');
	const char *domain = at != NULL ? at + 1 : path;
	if (strlen(domain) >= sizeof(e->envelope_to))
		return;
	mxg_strlcpy(e->envelope_to, domain, sizeof(e->envelope_to));
	mxg_str_lower(e->envelope_to);
	size_t n = strlen(e->envelope_to);
	if (n > 0 && e->envelope_to[n - 1] == '.')
		e->envelope_to[n - 1] = '\0';
}
