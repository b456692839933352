/* The trusted-forwarder override (arc_override.h): the pure decision over a validated chain's
 * sets, and the reading of those sets from the verifier that validated them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc_internal.h"
#include "mxguard/arc_aar.h"
#include "mxguard/arc_override.h"
#include "mxguard/config.h"
#include "mxguard/str.h"

int mxg_arc_trust_parse(const char *list, struct mxg_arc_trust *t, char *err, size_t errlen)
{
	char tok[MXG_DNS_NAME_MAX + 1], name[MXG_DNS_NAME_MAX];
	char (*sealers)[MXG_DNS_NAME_MAX] = calloc(MXG_ARC_TRUST_MAX, MXG_DNS_NAME_MAX);
	size_t n = 0;
	int too_long;

	if (sealers == NULL)
		return mxg_fail(err, errlen, "out of memory");
	while ((list = mxg_config_list_next(list, tok, sizeof(tok), &too_long)) != NULL) {
		int bad = too_long || mxg_dns_name_normalize(tok, name, sizeof(name)) != 0 ||
			  name[0] == '\0' || strchr(name, '.') == NULL;
		if (bad || n == MXG_ARC_TRUST_MAX) {
			free(sealers);
			if (bad)
				return mxg_fail(err, errlen, "\"%.60s\" is not a domain name", tok);
			return mxg_fail(err, errlen, "at most %d sealers", MXG_ARC_TRUST_MAX);
		}
		mxg_strlcpy(sealers[n++], name, MXG_DNS_NAME_MAX);
	}
	memcpy(t->sealers, sealers, sizeof(t->sealers));
	t->count = n;
	free(sealers);
	return 0;
}

int mxg_arc_trust_has(const struct mxg_arc_trust *t, const char *domain)
{
	if (domain == NULL || domain[0] == '\0')
		return 0;
	for (size_t i = 0; i < t->count; i++)
		if (mxg_dns_name_equal(t->sealers[i], domain))
			return 1;
	return 0;
}

/* --- what one AAR says about the From domain --- */

struct vouch {
	const struct mxg_dmarc_outcome *dm;
	int dmarc_pass, dmarc_other;        /* dmarc results: pass for From; any other */
	char aligned[MXG_DNS_NAME_MAX + 32];  /* the first aligned dkim/spf pass */
};

/* d aligned with the From domain as the record asks: strict, the same name; relaxed, the
 * organisational domain or a name under it (RFC 7489 §3.1; the validator's org domain). */
static int aligned(const struct mxg_dmarc_outcome *dm, const char *d, int strict)
{
	if (d == NULL || d[0] == '\0' || d[strspn(d, "abcdefghijklmnopqrstuvwxyz"
						 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] != '\0')
		return 0;  /* only a plain host name can be compared (it reaches logs and reports) */
	if (mxg_dns_name_equal(d, dm->from_domain))
		return 1;
	return !strict && dm->org_domain[0] != '\0' && mxg_dns_name_is_sub(d, dm->org_domain);
}

static const char *domain_of(const char *v)
{
	const char *at = v != NULL ? strrchr(v, '@') : NULL;

	return at != NULL ? at + 1 : v;
}

static int one_result(void *arg, const struct mxg_aar_result *r)
{
	struct vouch *w = arg;
	int pass = strcmp(r->result, "pass") == 0;

	if (strcmp(r->method, "dmarc") == 0) {
		const char *from = mxg_aar_prop(r, "header.from");
		if (pass && from != NULL && mxg_dns_name_equal(from, w->dm->from_domain))
			w->dmarc_pass = 1;
		else
			w->dmarc_other = 1;  /* a fail, or a result about another or no From domain */
		return 0;
	}
	if (!pass || w->aligned[0] != '\0')
		return 0;
	if (strcmp(r->method, "dkim") == 0) {
		const char *d = mxg_aar_prop(r, "header.d");
		if (d == NULL)
			d = domain_of(mxg_aar_prop(r, "header.i"));
		if (aligned(w->dm, d, w->dm->record.adkim_strict))
			snprintf(w->aligned, sizeof(w->aligned), "dkim=pass header.d=%s", d);
	} else if (strcmp(r->method, "spf") == 0) {
		const char *d = domain_of(mxg_aar_prop(r, "smtp.mailfrom"));
		if (aligned(w->dm, d, w->dm->record.aspf_strict))
			snprintf(w->aligned, sizeof(w->aligned), "spf=pass smtp.mailfrom=%s", d);
	}
	return 0;
}

/* 1 if set's AAR vouches for the From domain (basis filled), else 0 (why filled). */
static int aar_vouches(const struct mxg_arc_set_view *set, const struct mxg_dmarc_outcome *dm,
		       char *basis, size_t bsize, char *why, size_t wsize)
{
	struct vouch w = { .dm = dm };
	char authserv[MXG_DNS_NAME_MAX], err[120];
	unsigned inst = 0;

	if (set->aar == NULL ||
	    mxg_aar_parse(set->aar, set->aar_len, &inst, authserv, sizeof(authserv), one_result, &w,
			  err, sizeof(err)) != 0) {
		snprintf(why, wsize, "ARC-Authentication-Results i=%u unreadable: %.80s", set->instance,
			 set->aar == NULL ? "missing" : err);
		return 0;
	}
	if (inst != set->instance || w.dmarc_other) {
		snprintf(why, wsize, "ARC-Authentication-Results i=%u %s", set->instance,
			 inst != set->instance ? "has another instance" :
			 "has a dmarc result other than pass for this From domain");
		return 0;
	}
	if (w.dmarc_pass) {
		snprintf(basis, bsize, "dmarc=pass");
		return 1;
	}
	if (w.aligned[0] != '\0') {
		mxg_strlcpy(basis, w.aligned, bsize);
		return 1;
	}
	snprintf(why, wsize, "ARC-Authentication-Results i=%u vouch for nothing aligned with %.60s",
		 set->instance, dm->from_domain);
	return 0;
}

/* --- the decision --- */

static void no(struct mxg_arc_override *out, const char *why)
{
	out->status = MXG_ARC_OVERRIDE_NO;
	mxg_strlcpy(out->why_not, why, sizeof(out->why_not));
}

/* The preconditions on the message and the chain; NULL when they hold, else why not. */
static const char *precondition(const struct mxg_arc_trust *t, const struct mxg_arc_override_input *in)
{
	const struct mxg_dmarc_outcome *dm = in->dmarc;
	const struct mxg_arc_result *arc = in->arc;

	if (t->count == 0 || dm == NULL || dm->result != MXG_DMARC_FAIL ||
	    (dm->policy != MXG_DMARC_POLICY_REJECT && dm->policy != MXG_DMARC_POLICY_QUARANTINE) ||
	    arc == NULL || arc->result == MXG_ARC_NONE)
		return "";
	if (in->from_status != MXG_FROM_OK || in->from_domain_count != 1)
		return "the From field does not name exactly one author";
	if (arc->result == MXG_ARC_FAIL)
		return "the ARC chain does not validate";
	if (arc->instances == 0 || arc->instances > MXG_ARC_OVERRIDE_SETS_MAX ||
	    in->set_count != arc->instances)
		return "the ARC sets could not be read";
	/* The d= read here must be the one the validator checked the newest seal against. */
	const char *newest = in->sets[in->set_count - 1].sealer;
	if (!mxg_arc_trust_has(t, newest) || !mxg_dns_name_equal(newest, arc->domain))
		return "the newest ARC-Seal is not by a trusted sealer";
	if (!in->newest_signs_from)
		return "the newest ARC-Message-Signature does not cover From";
	return NULL;
}

void mxg_arc_override_decide(const struct mxg_arc_trust *t, const struct mxg_arc_override_input *in,
			     struct mxg_arc_override *out)
{
	char why[sizeof(out->why_not)] = "";
	const char *pre = precondition(t, in);

	memset(out, 0, sizeof(*out));
	if (pre != NULL) {
		no(out, pre);
		return;
	}
	/* Newest first, while the custody stays with trusted sealers. */
	for (size_t k = in->set_count; k > 0 && mxg_arc_trust_has(t, in->sets[k - 1].sealer); k--) {
		const struct mxg_arc_set_view *s = &in->sets[k - 1];
		if (s->instance != k) {
			no(out, "the ARC sets are not in order");
			return;
		}
		if (!aar_vouches(s, in->dmarc, out->basis, sizeof(out->basis), why, sizeof(why)))
			continue;
		out->status = in->arc->result == MXG_ARC_PASS ? MXG_ARC_OVERRIDE_YES : MXG_ARC_OVERRIDE_DOUBT;
		out->disposition = t->disposition == MXG_DMARC_POLICY_QUARANTINE ?
				   MXG_DMARC_POLICY_QUARANTINE : MXG_DMARC_POLICY_NONE;
		mxg_strlcpy(out->sealer, s->sealer, sizeof(out->sealer));
		out->instance = s->instance;
		return;
	}
	no(out, why[0] != '\0' ? why : "no trusted sealer's ARC-Authentication-Results vouch for From");
}

/* --- reading the sets from the verifier --- */

enum { PART_AAR, PART_AS };

static int field_is(const struct dkim_headers *hs, size_t i, const char *name)
{
	const struct dkim_hdr *h = &hs->h[i];

	return h->name_len == strlen(name) && mxg_strncaseeq(hs->buf + h->off, name, h->name_len);
}

/* The d= of an ARC-Seal value into out ("" when it does not parse). */
static void seal_domain(const char *val, size_t len, char *out, size_t size)
{
	struct dkim_taglist tags;
	char err[100];
	const struct dkim_tag *d;

	out[0] = '\0';
	if (dkim_tags_parse(val, len, &tags, err, sizeof(err)) < 0 ||
	    (d = dkim_tags_find(&tags, "d")) == NULL || d->value_len >= size)
		return;
	memcpy(out, d->value, d->value_len);
	out[d->value_len] = '\0';
}

/* Files each AAR and seal under its instance; a repeat or an instance past n empties the
 * view (the override then says no). 0, or -1. */
static int read_sets(const struct dkim_headers *hs, struct mxg_arc_set_view *sets, size_t n)
{
	int seen[MXG_ARC_OVERRIDE_SETS_MAX][2] = { { 0 } };

	for (size_t i = 0; i < hs->n; i++) {
		int aar = field_is(hs, i, "ARC-Authentication-Results");
		if (!aar && !field_is(hs, i, "ARC-Seal"))
			continue;
		const struct dkim_hdr *h = &hs->h[i];
		const char *val = hs->buf + h->off + h->value_off;
		size_t len = h->len - h->value_off;
		unsigned inst = dkim_arc_instance(aar ? DKIM_SIG_DKIM : DKIM_SIG_AS, val, len);
		if (inst == 0 || inst > n || seen[inst - 1][aar ? PART_AAR : PART_AS]++)
			return -1;
		struct mxg_arc_set_view *s = &sets[inst - 1];
		s->instance = inst;
		if (aar) {
			s->aar = val;
			s->aar_len = len;
		} else {
			seal_domain(val, len, s->sealer, sizeof(s->sealer));
		}
	}
	return 0;
}

static int signs_from(const struct dkim_sig *ams)
{
	for (size_t i = 0; ams != NULL && i < ams->h_count; i++)
		if (strcmp(ams->h_names[i], "from") == 0)
			return 1;
	return 0;
}

/* Only a chain the decision could grant on is worth reading. */
static int worth_reading(const struct mxg_arc_trust *t, const struct mxg_dmarc_outcome *dm,
			 const struct mxg_arc_result *arc)
{
	return t->count > 0 && dm != NULL && dm->result == MXG_DMARC_FAIL &&
	       (arc->result == MXG_ARC_PASS || arc->result == MXG_ARC_TEMPERROR) &&
	       arc->instances > 0 && arc->instances <= MXG_ARC_OVERRIDE_SETS_MAX;
}

void mxg_arc_override_judge(const struct mxg_arc_trust *t, const struct mxg_dkim_verifier *v,
			    const struct mxg_dmarc_outcome *dmarc, enum mxg_from_status from_status,
			    size_t from_domain_count, struct mxg_arc_override *out)
{
	struct mxg_arc_override_input in = { dmarc, from_status, from_domain_count, mxg_dkim_arc(v),
					     NULL, 0, 0 };
	struct dkim_headers hs;
	const struct dkim_arc *arc;
	struct mxg_arc_set_view *sets = NULL;
	size_t n = in.arc->instances;

	if (worth_reading(t, dmarc, in.arc) && dkim_verifier_arc_view(v, &hs, &arc) == 0 &&
	    (sets = calloc(n, sizeof(*sets))) != NULL && read_sets(&hs, sets, n) == 0) {
		in.sets = sets;
		in.set_count = n;
		in.newest_signs_from = signs_from(dkim_arc_body_sig(arc));
	}
	mxg_arc_override_decide(t, &in, out);
	free(sets);
}
