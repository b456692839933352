/* DMARC evaluation: policy discovery and organisational domains by the RFC 9989 DNS tree walk
 * (or RFC 7489's PSL and one fallback query), identifier alignment, and the policy that applies. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"
#include "mxguard/str.h"

/* RFC 9989 §4.10: a From domain of 8 or more labels jumps to its last 7 after the first
 * query, so no walk makes more than 8 queries. */
#define WALK_SHORTCUT_LABELS 8
#define WALK_MAX 8
/* Distinct SPF/DKIM domains whose organisational domain one evaluation looks up. */
#define ORG_LOOKUPS_MAX 8

static size_t label_count(const char *name)
{
	size_t n = *name ? 1 : 0;

	for (; *name; name++)
		n += *name == '.';
	return n;
}

/* The last n labels of name. */
static const char *last_labels(const char *name, size_t n)
{
	size_t have = label_count(name);

	while (have > n) {
		name = strchr(name, '.') + 1;
		have--;
	}
	return name;
}

/* The first DMARC record is parsed in place (f->rec means something only when count is 1),
 * a later one only to learn that it is one: no copy of the large record per lookup. */
static void take_record(struct dmarc_fetch *f, enum mxg_dmarc_mode mode, const char *txt)
{
	struct mxg_dmarc_record later;
	struct mxg_dmarc_record *rec = f->count == 0 ? &f->rec : &later;
	char err[sizeof(f->problem)];

	int rc = mxg_dmarc_record_parse_mode(txt, mode, rec, err, sizeof(err));
	/* RFC 9989 §4.10 steps 2 and 6, RFC 7489 §6.6.3: a TXT record whose first tag is not
	 * exactly v=DMARC1 (v=DMARC10, v=DMARC2, v=dmarc1, "v=DMARC1 p=reject") is no DMARC
	 * record at all: it neither applies nor counts towards "several records". */
	if (!rec->usable)
		return;
	if (f->count++ == 0) {
		f->parse_ok = rc == 0;
		mxg_strlcpy(f->problem, rc == 0 ? "" : err, sizeof(f->problem));
		mxg_strlcpy(f->text, txt, sizeof(f->text));
	}
}

/* An empty result; the record and the text buffers are left alone (read only when count is 1;
 * clearing them cost more than the rest of a cached lookup). */
static void fetch_reset(struct dmarc_fetch *f)
{
	f->temp = 0;
	f->count = 0;
	f->parse_ok = 0;
	f->problem[0] = '\0';
	f->text[0] = '\0';
	f->why[0] = '\0';
}

int dmarc_fetch(struct mxg_resolver *r, enum mxg_dmarc_mode mode, const char *domain,
		struct dmarc_fetch *f)
{
	char name[MXG_DNS_NAME_MAX + 8];

	snprintf(name, sizeof(name), "_dmarc.%s", domain);
	return dmarc_fetch_at(r, mode, name, f);
}

int dmarc_fetch_at(struct mxg_resolver *r, enum mxg_dmarc_mode mode, const char *name,
		   struct dmarc_fetch *f)
{
	char txt[DMARC_TEXT_MAX];
	struct mxg_dns_answer *a = NULL;

	fetch_reset(f);
	if (strlen(name) > 253)
		return 0; /* no such name can exist */
	if (mxg_dns_lookup(r, name, MXG_DNS_TXT, &a, f->why, sizeof(f->why)) < 0) {
		f->temp = 1;
		return -1;
	}
	if (mxg_dns_is_temporary(a->rcode)) {
		f->temp = 1;
		snprintf(f->why, sizeof(f->why), "%s TXT: %s%s%s", name, mxg_dns_rcode_name(a->rcode),
			 a->why[0] ? ", " : "", a->why);
		mxg_dns_answer_free(a);
		return -1;
	}
	for (size_t i = 0; a->rcode == MXG_DNS_NOERROR && i < a->count; i++) {
		if (a->rrs[i].type != MXG_DNS_TXT || mxg_dns_txt_join(&a->rrs[i], txt, sizeof(txt)) < 0)
			continue;
		take_record(f, mode, txt);
	}
	mxg_dns_answer_free(a);
	return 0;
}

/* --- the RFC 9989 DNS tree walk --- */

struct walk_rec {
	char domain[MXG_DNS_NAME_MAX];
	struct mxg_dmarc_record rec;
};

struct walk {
	char start[MXG_DNS_NAME_MAX];
	size_t count;                  /* records found, longest name first */
	struct walk_rec recs[WALK_MAX];
	char why[160];                 /* set when the walk failed temporarily */
};

/* Walks from start towards the root. Returns 0, or -1 on temporary DNS trouble. */
static int tree_walk(struct mxg_resolver *r, const char *start, struct walk *w)
{
	struct dmarc_fetch *f = malloc(sizeof(*f));
	const char *d = start;
	int rc = 0;

	if (f == NULL) {
		mxg_strlcpy(w->why, "out of memory", sizeof(w->why));
		return -1;
	}
	/* recs[] is read only below count: not cleared (it is most of the walk's size). */
	w->count = 0;
	w->why[0] = '\0';
	mxg_strlcpy(w->start, start, sizeof(w->start));
	for (size_t q = 0; q < WALK_MAX && *d; q++) {
		if (dmarc_fetch(r, MXG_DMARC_MODE_9989, d, f) < 0) {
			mxg_strlcpy(w->why, f->why, sizeof(w->why));
			rc = -1;
			break;
		}
		if (f->count == 1) {
			struct walk_rec *wr = &w->recs[w->count++];
			mxg_strlcpy(wr->domain, d, sizeof(wr->domain));
			wr->rec = f->rec;
			/* Steps 2 and 6: a psd=n or psd=y record ends the walk, at the starting name
			 * as anywhere else (a PSD's own mail is not judged by names above it). */
			if (f->rec.psd == 'n' || f->rec.psd == 'y')
				break;
		}
		size_t x = label_count(d);
		if (x <= 1)
			break;
		d = last_labels(d, x < WALK_SHORTCUT_LABELS ? x - 1 : WALK_SHORTCUT_LABELS - 1);
	}
	free(f);
	return rc;
}

/* RFC 9989 §4.10.2, longest name first: psd=n marks the org domain; psd=y on a name other than
 * the start marks the name one label below it on the way to the start (so a PSD is never the
 * org domain of a name under it, and each registrant below it is its own); else the shortest
 * name with a record (a psd=y start that ended the walk alone is thus its own); without
 * records, the start itself. */
static void walk_org(const struct walk *w, char *out, size_t outsize)
{
	for (size_t i = 0; i < w->count; i++) {
		const struct walk_rec *wr = &w->recs[i];
		if (wr->rec.psd == 'n') {
			mxg_strlcpy(out, wr->domain, outsize);
			return;
		}
		if (wr->rec.psd == 'y' && strcmp(wr->domain, w->start) != 0) {
			mxg_strlcpy(out, last_labels(w->start, label_count(wr->domain) + 1), outsize);
			return;
		}
	}
	mxg_strlcpy(out, w->count ? w->recs[w->count - 1].domain : w->start, outsize);
}

/* --- organisational domains --- */

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct mxg_psl *builtin_psl;

static void load_builtin(void)
{
	char err[128];
	builtin_psl = mxg_psl_load(NULL, err, sizeof(err));
}

static const struct mxg_psl *options_psl(const struct mxg_dmarc_options *opt)
{
	if (opt->psl != NULL)
		return opt->psl;
	pthread_once(&builtin_once, load_builtin);
	return builtin_psl;
}

int dmarc_org_lookup(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
		     const char *domain, char *out, size_t outsize, char *why, size_t whylen)
{
	if (opt->mode == MXG_DMARC_MODE_7489) {
		/* A public suffix itself (or a name the list cannot place) is its own org domain. */
		if (mxg_psl_org_domain(options_psl(opt), domain, out, outsize) < 0)
			mxg_strlcpy(out, domain, outsize);
		return 0;
	}
	struct walk *w = malloc(sizeof(*w));
	if (w == NULL) {
		mxg_strlcpy(why, "out of memory", whylen);
		return -1;
	}
	int rc = tree_walk(r, domain, w);
	if (rc == 0)
		walk_org(w, out, outsize);
	else
		mxg_strlcpy(why, w->why, whylen);
	free(w);
	return rc;
}

int mxg_dmarc_org_domain(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
			 const char *domain, char *out, size_t outsize)
{
	static const struct mxg_dmarc_options defaults;
	char name[MXG_DNS_NAME_MAX];
	char why[160];

	if (mxg_dns_name_normalize(domain, name, sizeof(name)) < 0 || name[0] == '\0')
		return -1;
	return dmarc_org_lookup(r, opt ? opt : &defaults, name, out, outsize, why, sizeof(why));
}

/* --- evaluation --- */

struct org_cache {
	size_t count;
	char domain[ORG_LOOKUPS_MAX][MXG_DNS_NAME_MAX];
	char org[ORG_LOOKUPS_MAX][MXG_DNS_NAME_MAX];
};

struct eval {
	struct mxg_resolver *r;
	const struct mxg_dmarc_options *opt;
	struct mxg_dmarc_outcome *out;
	struct org_cache cache;
	int temp;            /* an alignment check could not be made */
	char why[160];
};

/* 1 aligned, 0 not, -1 could not tell (DNS trouble). */
static int aligned(struct eval *ev, const char *raw, int strict)
{
	char d[MXG_DNS_NAME_MAX];
	char org[MXG_DNS_NAME_MAX];
	struct org_cache *c = &ev->cache;

	if (raw == NULL || mxg_dns_name_normalize(raw, d, sizeof(d)) < 0 || d[0] == '\0')
		return 0;
	if (strcmp(d, ev->out->from_domain) == 0)
		return 1;
	if (strict)
		return 0;
	for (size_t i = 0; i < c->count; i++)
		if (strcmp(c->domain[i], d) == 0)
			return strcmp(c->org[i], ev->out->org_domain) == 0;
	if (c->count >= ORG_LOOKUPS_MAX)
		return 0; /* more distinct domains than any honest message carries */
	if (dmarc_org_lookup(ev->r, ev->opt, d, org, sizeof(org), ev->why, sizeof(ev->why)) < 0) {
		ev->temp = 1;
		return -1;
	}
	mxg_strlcpy(c->domain[c->count], d, sizeof(c->domain[0]));
	mxg_strlcpy(c->org[c->count++], org, sizeof(c->org[0]));
	return strcmp(org, ev->out->org_domain) == 0;
}

static void check_alignment(struct eval *ev, const struct mxg_dmarc_input *in)
{
	struct mxg_dmarc_outcome *out = ev->out;

	if (in->spf == MXG_SPF_PASS && aligned(ev, in->spf_domain, out->record.aspf_strict) == 1)
		out->spf_aligned = 1;
	for (size_t i = 0; i < in->dkim_count && in->dkim != NULL; i++) {
		if (in->dkim[i].result != MXG_DKIM_PASS)
			continue;
		if (aligned(ev, in->dkim[i].domain, out->record.adkim_strict) == 1) {
			out->dkim_aligned = 1;
			mxg_dns_name_normalize(in->dkim[i].domain, out->aligned_dkim_domain,
					       sizeof(out->aligned_dkim_domain));
			break;
		}
	}
}

static enum mxg_dmarc_result finish(struct mxg_dmarc_outcome *out, enum mxg_dmarc_result res,
				    const char *reason)
{
	out->result = res;
	if (reason != NULL)
		mxg_strlcpy(out->reason, reason, sizeof(out->reason));
	return res;
}

/* Policy discovery of RFC 9989 §4.10.1 over one walk from the From domain. */
static int discover_9989(struct eval *ev, struct walk *w)
{
	struct mxg_dmarc_outcome *out = ev->out;

	if (tree_walk(ev->r, out->from_domain, w) < 0) {
		mxg_strlcpy(ev->why, w->why, sizeof(ev->why));
		return -1;
	}
	walk_org(w, out->org_domain, sizeof(out->org_domain));
	const struct walk_rec *use = NULL;
	if (w->count > 0 && strcmp(w->recs[0].domain, out->from_domain) == 0)
		use = &w->recs[0];
	for (size_t i = 0; use == NULL && i < w->count; i++)
		if (strcmp(w->recs[i].domain, out->org_domain) == 0)
			use = &w->recs[i];
	for (size_t i = 0; use == NULL && i < w->count; i++)
		if (w->recs[i].rec.psd == 'y')
			use = &w->recs[i];
	if (use == NULL)
		return 0;
	out->have_record = 1;
	out->record = use->rec;
	mxg_strlcpy(out->policy_domain, use->domain, sizeof(out->policy_domain));
	return 0;
}

/* RFC 7489 §6.6.3: the From domain, then its PSL organisational domain; several records stop it. */
static int discover_7489(struct eval *ev, struct dmarc_fetch *f)
{
	struct mxg_dmarc_outcome *out = ev->out;

	dmarc_org_lookup(ev->r, ev->opt, out->from_domain, out->org_domain, sizeof(out->org_domain),
			 ev->why, sizeof(ev->why));
	const char *at = out->from_domain;
	if (dmarc_fetch(ev->r, MXG_DMARC_MODE_7489, at, f) < 0)
		goto temp;
	if (f->count == 0 && strcmp(out->org_domain, out->from_domain) != 0) {
		at = out->org_domain;
		if (dmarc_fetch(ev->r, MXG_DMARC_MODE_7489, at, f) < 0)
			goto temp;
	}
	if (f->count != 1) {
		if (f->count > 1)
			(void)mxg_strcatf(out->reason, sizeof(out->reason),
					  "several DMARC records at _dmarc.%s", at);
		return 0;
	}
	out->have_record = 1;
	out->record = f->rec;
	mxg_strlcpy(out->policy_domain, at, sizeof(out->policy_domain));
	return 0;
temp:
	mxg_strlcpy(ev->why, f->why, sizeof(ev->why));
	return -1;
}

/* RFC 9989 §3.2.13 and Appendix A.4: a domain does not exist only when a query for it gets
 * NXDOMAIN (RFC 8020); any record of any type, or records below it (an empty non-terminal,
 * NOERROR/NODATA), make it exist. The query asks for CNAME because no resolver follows an
 * alias for that type, so the rcode speaks of the From domain itself and not of the end of
 * a chain (an alias to a missing name still exists). 1 missing, 0 exists, -1 could not tell:
 * SERVFAIL or a timeout is never taken as NXDOMAIN, the caller makes it a temperror. */
static int domain_missing(struct mxg_resolver *r, const char *domain, char *why, size_t whylen)
{
	struct mxg_dns_answer *a = NULL;

	if (mxg_dns_lookup(r, domain, MXG_DNS_CNAME, &a, why, whylen) < 0)
		return -1;
	enum mxg_dns_rcode rc = a->rcode;
	mxg_dns_answer_free(a);
	if (!mxg_dns_is_temporary(rc))
		return rc == MXG_DNS_NXDOMAIN;
	why[0] = '\0';
	(void)mxg_strcatf(why, whylen, "existence of %s for np: %s", domain, mxg_dns_rcode_name(rc));
	return -1;
}

/* p for the policy domain itself; sp, or np for a domain that does not exist, below it. */
static int published_policy(struct eval *ev)
{
	struct mxg_dmarc_outcome *out = ev->out;
	const struct mxg_dmarc_record *rec = &out->record;

	if (rec->policy_invalid) {
		out->published = MXG_DMARC_POLICY_NONE; /* RFC 9989 §4.10.1 with a valid rua */
		return 0;
	}
	if (strcmp(out->policy_domain, out->from_domain) == 0) {
		out->published = rec->p;
		return 0;
	}
	enum mxg_dmarc_policy sub = rec->sp != MXG_DMARC_POLICY_UNSET ? rec->sp : rec->p;
	out->published = sub;
	if (rec->np == MXG_DMARC_POLICY_UNSET || rec->np == sub)
		return 0;
	int missing = domain_missing(ev->r, out->from_domain, ev->why, sizeof(ev->why));
	if (missing < 0)
		return -1;
	if (missing)
		out->published = rec->np;
	return 0;
}

/* The next milder policy: reject to quarantine, quarantine (or none) to none. */
static enum mxg_dmarc_policy one_level_down(enum mxg_dmarc_policy p)
{
	if (p == MXG_DMARC_POLICY_REJECT)
		return MXG_DMARC_POLICY_QUARANTINE;
	return p == MXG_DMARC_POLICY_UNSET ? p : MXG_DMARC_POLICY_NONE;
}

/* RFC 7489 §6.6.4: a message outside the pct sample gets the next milder policy. */
static enum mxg_dmarc_policy sample(struct eval *ev, enum mxg_dmarc_policy p)
{
	unsigned pct = ev->out->record.pct;

	if (ev->opt->mode != MXG_DMARC_MODE_7489 || !ev->opt->apply_pct || pct >= 100)
		return p;
	if (pct > 0 && arc4random_uniform(100) < pct)
		return p;
	ev->out->sampled_out = 1;
	return one_level_down(p);
}

static void outcome_init(struct mxg_dmarc_outcome *out)
{
	memset(out, 0, sizeof(*out));
	out->record.pct = 100;
	out->record.psd = 'u';
}

static enum mxg_dmarc_result decide(struct eval *ev, const struct mxg_dmarc_input *in)
{
	struct mxg_dmarc_outcome *out = ev->out;

	check_alignment(ev, in);
	if (out->spf_aligned || out->dkim_aligned) {
		/* Nothing to apply: the published policy is shown without asking whether
		 * the domain exists (np), which only a failing message needs. */
		const struct mxg_dmarc_record *rec = &out->record;
		int own = strcmp(out->policy_domain, out->from_domain) == 0;
		out->published = rec->policy_invalid ? MXG_DMARC_POLICY_NONE
			       : own || rec->sp == MXG_DMARC_POLICY_UNSET ? rec->p : rec->sp;
		out->policy = MXG_DMARC_POLICY_NONE;
		return finish(out, MXG_DMARC_PASS,
			      out->dkim_aligned ? "aligned DKIM pass" : "aligned SPF pass");
	}
	if (ev->temp)
		return finish(out, MXG_DMARC_TEMPERROR, ev->why);
	if (published_policy(ev) < 0)
		return finish(out, MXG_DMARC_TEMPERROR, ev->why);
	out->policy = sample(ev, out->published);
	/* RFC 9989 §4.7 (t) and Appendix A.6: t=y is the old pct=0, the owner expects failing
	 * mail to get the policy one level below the published one. */
	if (out->testing)
		out->policy = one_level_down(out->policy);
	return finish(out, MXG_DMARC_FAIL, "no aligned SPF or DKIM pass");
}

enum mxg_dmarc_result mxg_dmarc_evaluate(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
					 const struct mxg_dmarc_input *in,
					 struct mxg_dmarc_outcome *out)
{
	static const struct mxg_dmarc_options defaults;
	struct eval ev = { r, opt ? opt : &defaults, out, { 0 }, 0, "" };

	outcome_init(out);
	if (in == NULL || in->from_domain == NULL ||
	    mxg_dns_name_normalize(in->from_domain, out->from_domain, sizeof(out->from_domain)) < 0 ||
	    out->from_domain[0] == '\0')
		return finish(out, MXG_DMARC_PERMERROR, "no single valid RFC5322.From domain");
	int rc;
	if (ev.opt->mode == MXG_DMARC_MODE_7489) {
		struct dmarc_fetch *f = malloc(sizeof(*f));
		rc = f ? discover_7489(&ev, f) : -1;
		free(f);
	} else {
		struct walk *w = malloc(sizeof(*w));
		rc = w ? discover_9989(&ev, w) : -1;
		free(w);
	}
	if (rc < 0)
		return finish(out, MXG_DMARC_TEMPERROR, ev.why[0] ? ev.why : "out of memory");
	if (!out->have_record)
		return finish(out, MXG_DMARC_NONE, out->reason[0] ? NULL : "no DMARC record");
	if (out->record.policy_invalid && out->record.rua_count == 0) {
		out->have_record = 0;
		return finish(out, MXG_DMARC_NONE, "DMARC record with an invalid policy and no valid rua");
	}
	/* t is an RFC 9989 tag; RFC 7489 has pct instead (the 7489 parser never sets testing). */
	out->testing = ev.opt->mode == MXG_DMARC_MODE_9989 && out->record.testing;
	return decide(&ev, in);
}

const char *mxg_dmarc_result_name(enum mxg_dmarc_result r)
{
	static const char *const names[] = { "none", "pass", "fail", "temperror", "permerror" };
	if ((unsigned)r >= sizeof(names) / sizeof(names[0]))
		return "permerror";
	return names[r];
}

const char *mxg_dmarc_policy_name(enum mxg_dmarc_policy p)
{
	static const char *const names[] = { "unset", "none", "quarantine", "reject" };
	if ((unsigned)p >= sizeof(names) / sizeof(names[0]))
		return "unset";
	return names[p];
}
