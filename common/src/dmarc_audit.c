/* The DMARC audit of a domain for `mxguard check`: the record that applies to it, its
 * problems, and report destinations outside the domain that did not authorise themselves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"
#include "mxguard/str.h"

struct audit {
	struct mxg_resolver *r;
	const struct mxg_dmarc_options *opt;
	char domain[MXG_DNS_NAME_MAX];
	char subject[MXG_DNS_NAME_MAX + 8];
	struct mxg_findings *out;
	struct dmarc_fetch *f; /* scratch for lookups */
	int nomem;
};

#define ADD(a, code, ...)                                                                    \
	do {                                                                                 \
		if (mxg_findings_add((a)->out, MXG_F_##code, -1, (a)->subject, __VA_ARGS__) < 0) \
			(a)->nomem = 1;                                                      \
	} while (0)

static int strength(enum mxg_dmarc_policy p)
{
	return p == MXG_DMARC_POLICY_UNSET ? MXG_DMARC_POLICY_NONE : (int)p;
}

/* RFC 9990 §3 (RFC 7489 §7.1): a destination outside the policy domain's organisation
 * must publish v=DMARC1 at <domain>._report._dmarc.<host>. */
static void check_destination(struct audit *a, const char *tag, const char *uri,
			      const char *policy_org)
{
	struct mxg_dmarc_mailto to;
	char why[2 * MXG_DNS_NAME_MAX + 64];

	if (mxg_dmarc_mailto_parse(uri, &to) < 0) {
		ADD(a, DMARC_RUA_INVALID, "%s URI '%s' is not a mailto: URI; receivers ignore it", tag, uri);
		return;
	}
	switch (mxg_dmarc_report_destination(a->r, a->opt, a->domain, policy_org, to.host, why,
					     sizeof(why))) {
	case MXG_DMARC_DEST_OK:
		return;
	case MXG_DMARC_DEST_TEMPFAIL:
		ADD(a, DMARC_LOOKUP_TEMPFAIL, "%s", why);
		return;
	case MXG_DMARC_DEST_UNAUTHORIZED:
		ADD(a, DMARC_RUA_UNAUTHORIZED,
		    "%s destination %s is outside %s and %s: receivers send it no reports",
		    tag, to.host, a->domain, why);
		return;
	}
}

static void check_uris(struct audit *a, const char *tag, const char list[][256], size_t count,
		       const char *policy_org)
{
	for (size_t i = 0; i < count; i++)
		check_destination(a, tag, list[i], policy_org);
}

/* Findings about the record published at the domain itself. */
static void audit_record(struct audit *a, const struct dmarc_fetch *own, const char *org)
{
	const struct mxg_dmarc_record *rec = &own->rec;
	struct mxg_dmarc_record old;
	char err[160];

	if (!own->parse_ok)
		ADD(a, DMARC_INVALID, "%s: %s", own->text, own->problem);
	if (rec->rua_invalid + rec->ruf_invalid > 0)
		ADD(a, DMARC_RUA_INVALID, "%zu report URI(s) invalid, first '%s'",
		    rec->rua_invalid + rec->ruf_invalid, rec->invalid_uri);
	if (rec->policy_invalid && rec->rua_count == 0)
		ADD(a, DMARC_INVALID, "the policy is invalid and no valid rua is given: receivers ignore the record");
	else if (strength(rec->p) == MXG_DMARC_POLICY_NONE)
		ADD(a, DMARC_POLICY_NONE, "p=none: failing mail is delivered as if DMARC did not exist");
	if (rec->sp != MXG_DMARC_POLICY_UNSET && strength(rec->sp) < strength(rec->p))
		ADD(a, DMARC_SP_WEAKER, "sp=%s is weaker than p=%s: subdomains can be spoofed more easily",
		    mxg_dmarc_policy_name(rec->sp), mxg_dmarc_policy_name(rec->p));
	if (rec->np != MXG_DMARC_POLICY_UNSET && strength(rec->np) < strength(rec->p))
		ADD(a, DMARC_SP_WEAKER, "np=%s is weaker than p=%s: made-up subdomains can be spoofed",
		    mxg_dmarc_policy_name(rec->np), mxg_dmarc_policy_name(rec->p));
	if (rec->testing)
		ADD(a, DMARC_TESTING, "t=y: receivers are asked not to apply the policy yet");
	/* pct means nothing to RFC 9989 receivers, but RFC 7489 ones still sample by it. */
	mxg_dmarc_record_parse_mode(own->text, MXG_DMARC_MODE_7489, &old, err, sizeof(err));
	if (old.pct < 100)
		ADD(a, DMARC_PCT_PARTIAL, "pct=%u: RFC 7489 receivers apply the policy to %u%% of failing mail "
		    "(RFC 9989 receivers ignore pct)", old.pct, old.pct);
	check_uris(a, "rua", rec->rua, rec->rua_count, org);
	check_uris(a, "ruf", rec->ruf, rec->ruf_count, org);
}

/* No record of its own: is one inherited from the organisational domain or a PSD? */
static void audit_inherited(struct audit *a)
{
	struct mxg_dmarc_input in = { .from_domain = a->domain };
	struct mxg_dmarc_outcome *o = malloc(sizeof(*o));

	if (o == NULL) {
		a->nomem = 1;
		return;
	}
	enum mxg_dmarc_result res = mxg_dmarc_evaluate(a->r, a->opt, &in, o);
	if (res == MXG_DMARC_TEMPERROR) {
		ADD(a, DMARC_LOOKUP_TEMPFAIL, "%s", o->reason);
	} else if (!o->have_record) {
		if (a->opt->mode == MXG_DMARC_MODE_7489 && o->org_domain[0] != '\0' &&
		    strcmp(o->org_domain, a->domain) != 0)
			ADD(a, DMARC_NONE, "no DMARC record at %s or at its organizational domain's "
			    "_dmarc.%s: RFC 7489 receivers apply no DMARC", a->subject, o->org_domain);
		else
			ADD(a, DMARC_NONE, "no DMARC record at %s or above it: receivers apply no DMARC",
			    a->subject);
	} else if (strength(o->published) == MXG_DMARC_POLICY_NONE) {
		ADD(a, DMARC_POLICY_NONE, "no record of its own; the one at _dmarc.%s gives it policy none",
		    o->policy_domain);
	}
	free(o);
}

int mxg_dmarc_audit(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
		    const char *domain, struct mxg_findings *out)
{
	static const struct mxg_dmarc_options defaults;
	struct audit a = { .r = r, .opt = opt ? opt : &defaults, .out = out };
	char org[MXG_DNS_NAME_MAX], why[160];

	if (mxg_dns_name_normalize(domain, a.domain, sizeof(a.domain)) < 0 || a.domain[0] == '\0')
		return 0;
	snprintf(a.subject, sizeof(a.subject), "_dmarc.%s", a.domain);
	a.f = malloc(sizeof(*a.f));
	struct dmarc_fetch *own = malloc(sizeof(*own));
	if (a.f == NULL || own == NULL) {
		free(a.f);
		free(own);
		return -1;
	}
	if (dmarc_fetch(r, a.opt->mode, a.domain, own) < 0) {
		ADD(&a, DMARC_LOOKUP_TEMPFAIL, "%s", own->why);
	} else if (own->count > 1) {
		ADD(&a, DMARC_MULTIPLE, "%zu records start with v=DMARC1: receivers discard them all", own->count);
		audit_inherited(&a);
	} else if (own->count == 0) {
		audit_inherited(&a);
	} else if (dmarc_org_lookup(r, a.opt, a.domain, org, sizeof(org), why, sizeof(why)) < 0) {
		ADD(&a, DMARC_LOOKUP_TEMPFAIL, "%s", why);
	} else {
		audit_record(&a, own, org);
	}
	free(a.f);
	free(own);
	return a.nomem ? -1 : 0;
}
