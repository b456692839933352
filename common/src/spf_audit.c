/* The SPF audit of `mxguard check`: the domain's record, its validation, a static count of
 * DNS-querying terms and void lookups through includes, and MX/SPF provider conflicts. */
#include "spf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/mx.h"
#include "mxguard/str.h"

#define AUDIT_TERMS_MAX 40 /* stop walking includes past this many terms */
#define AUDIT_DEPTH_MAX 10
#define AUDIT_NAMES_MAX 64
#define AUDIT_MX_HOSTS_MAX 10 /* check_host permerrors on more (§4.6.4) */

struct audit {
	struct spf_dns dns;
	struct mxg_findings *out;
	const char *domain;
	unsigned terms, voids;
	int oom;
	size_t nnames;
	char names[AUDIT_NAMES_MAX][MXG_DNS_NAME_MAX]; /* include and redirect targets */
};

static void finding(struct audit *a, enum mxg_finding_code code, const char *subject,
		    const char *fmt, const char *arg)
{
	if (mxg_findings_add(a->out, code, -1, subject, fmt, arg) < 0)
		a->oom = 1;
}

/* 1 if every lookup of name for the listed types is void; temporary failures count as not. */
static int all_void(struct audit *a, const char *name, const uint16_t *types, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct mxg_dns_answer *ans;
		if (spf_dns_lookup(&a->dns, name, types[i], &ans) != 0)
			return 0;
		int v = spf_answer_void(ans);
		mxg_dns_answer_free(ans);
		if (!v)
			return 0;
	}
	return 1;
}

/* The void lookups an mx term makes for any client it does not match (as check_host counts
 * them): the MX lookup, or else one per MX host with neither an A nor an AAAA record. A host
 * with addresses of one family only is void for clients of the other: not counted here. */
static unsigned mx_voids(struct audit *a, const char *name)
{
	static const uint16_t addr_types[] = { MXG_DNS_A, MXG_DNS_AAAA };
	struct mxg_dns_answer *ans;
	unsigned n = 0, hosts = 0;

	if (spf_dns_lookup(&a->dns, name, MXG_DNS_MX, &ans) != 0)
		return 0;
	if (spf_answer_void(ans)) {
		mxg_dns_answer_free(ans);
		return 1;
	}
	for (size_t i = 0; i < ans->count && hosts < AUDIT_MX_HOSTS_MAX; i++) {
		const char *host = ans->rrs[i].target;
		if (ans->rrs[i].type != MXG_DNS_MX || host[0] == '\0' || !spf_name_queryable(host))
			continue;
		hosts++;
		n += (unsigned)all_void(a, host, addr_types, 2);
	}
	mxg_dns_answer_free(ans);
	return n;
}

static void walk_record(struct audit *a, const char *text, size_t len, const char *domain,
			int depth);

static void follow(struct audit *a, const char *from, const char *target, const char *how,
		   int depth)
{
	char *text, msg[MXG_FINDING_TEXT_MAX];
	size_t len;
	unsigned count;
	int nx;

	if (a->nnames < AUDIT_NAMES_MAX)
		mxg_strlcpy(a->names[a->nnames++], target, MXG_DNS_NAME_MAX);
	if (depth > AUDIT_DEPTH_MAX)
		return;
	int rc = spf_fetch_record(&a->dns, target, &text, &len, &count, &nx);
	if (rc != 0) {
		finding(a, MXG_F_SPF_LOOKUP_TEMPFAIL, target, "%s", a->dns.problem);
		return;
	}
	snprintf(msg, sizeof(msg), "%s%s (in the record of %s)", how, target, from);
	if (count == 0)
		finding(a, MXG_F_SPF_INCLUDE_NONE, a->domain, "%s: no SPF record there", msg);
	else if (count > 1)
		finding(a, MXG_F_SPF_MULTIPLE, target, "%s: more than one SPF record", msg);
	else
		walk_record(a, text, len, target, depth);
	free(text);
}

/* Counts one term and follows or probes its target when it has no macros. */
static void walk_term(struct audit *a, const struct spf_term *t, const char *domain, int depth)
{
	static const uint16_t a_types[] = { MXG_DNS_A, MXG_DNS_AAAA };
	char target[MXG_DNS_NAME_MAX];

	a->terms++;
	if (t->arg)
		snprintf(target, sizeof(target), "%.*s", (int)t->arg_len, t->arg);
	else
		mxg_strlcpy(target, domain, sizeof(target));
	spf_domain_truncate(target);
	if (strchr(target, '%')) {
		/* Depends on the sender: not followed, but its literal text still shows
		 * which provider it names ("%{i}._spf.example.iphmx.com"). */
		if ((t->kind == SPF_INCLUDE || t->kind == SPF_REDIRECT) && a->nnames < AUDIT_NAMES_MAX)
			mxg_strlcpy(a->names[a->nnames++], target, MXG_DNS_NAME_MAX);
		return;
	}
	if (!spf_name_queryable(target))
		return;
	switch (t->kind) {
	case SPF_INCLUDE:
		follow(a, domain, target, "include:", depth + 1);
		break;
	case SPF_REDIRECT:
		follow(a, domain, target, "redirect=", depth + 1);
		break;
	case SPF_A:
		a->voids += all_void(a, target, a_types, 2);
		break;
	case SPF_MX:
		a->voids += mx_voids(a, target);
		break;
	case SPF_EXISTS:
		a->voids += all_void(a, target, a_types, 1);
		break;
	default:
		break;
	}
}

static void walk_record(struct audit *a, const char *text, size_t len, const char *domain,
			int depth)
{
	struct spf_record rec;
	int has_all = 0;

	int rc = spf_record_parse(text, len, &rec);
	if (rc < 0) {
		if (rc == -2)
			a->oom = 1;
		else if (depth > 0 && mxg_findings_add(a->out, MXG_F_SPF_SYNTAX, -1, domain, "%s: %s",
						       domain, rec.error) < 0)
			a->oom = 1;
		spf_record_free(&rec);
		return;
	}
	for (size_t i = 0; i < rec.count; i++)
		has_all |= rec.terms[i].kind == SPF_ALL;
	for (size_t i = 0; i < rec.count && a->terms <= AUDIT_TERMS_MAX && !a->oom; i++) {
		const struct spf_term *t = &rec.terms[i];
		if (spf_kind_queries_dns(t->kind) && !(t->kind == SPF_REDIRECT && has_all))
			walk_term(a, t, domain, depth);
	}
	spf_record_free(&rec);
}

/* Octets of the UDP answer carrying the TXT RRset (names compressed to pointers). */
static size_t answer_size(const char *name, const struct mxg_dns_answer *ans)
{
	size_t n = 12 + strlen(name) + 2 + 4;

	for (size_t i = 0; i < ans->count; i++)
		if (ans->rrs[i].type == MXG_DNS_TXT)
			n += 2 + 10 + ans->rrs[i].rdlen;
	return n;
}

/* The domain's v=spf1 record: *text (heap) and its longest string; returns the count
 * of records, or -1 after reporting a temporary failure or when the domain does not
 * exist (the MX audit reports that). */
static int top_record(struct audit *a, char **text, size_t *len, size_t *longest)
{
	struct mxg_dns_answer *ans;
	int count = 0;

	*text = NULL;
	if (spf_dns_lookup(&a->dns, a->domain, MXG_DNS_TXT, &ans) != 0) {
		finding(a, MXG_F_SPF_LOOKUP_TEMPFAIL, a->domain, "%s", a->dns.problem);
		return -1;
	}
	if (ans->rcode == MXG_DNS_NXDOMAIN) {
		mxg_dns_answer_free(ans);
		return -1;
	}
	for (size_t i = 0; i < ans->count; i++) {
		size_t l;
		char *t = ans->rrs[i].type == MXG_DNS_TXT ? spf_txt_join(&ans->rrs[i], &l) : NULL;
		if (t == NULL || !spf_is_v1(t, l) || ++count > 1) {
			free(t);
			continue;
		}
		*text = t;
		*len = l;
		*longest = 0;
		for (size_t k = 0; k < mxg_dns_txt_count(&ans->rrs[i]); k++) {
			size_t sl;
			if (mxg_dns_txt_string(&ans->rrs[i], k, &sl) && sl > *longest)
				*longest = sl;
		}
	}
	if (count > 0 && answer_size(a->domain, ans) > 512) {
		if (mxg_findings_add(a->out, MXG_F_SPF_RECORD_TOO_LONG, -1, a->domain,
				     "%s: the TXT answer takes %zu octets (512 fit in a plain UDP answer)",
				     a->domain, answer_size(a->domain, ans)) < 0)
			a->oom = 1;
	}
	mxg_dns_answer_free(ans);
	return count;
}

static void check_type99(struct audit *a)
{
	struct mxg_dns_answer *ans;

	if (spf_dns_lookup(&a->dns, a->domain, MXG_DNS_SPF, &ans) != 0)
		return;
	if (!spf_answer_void(ans))
		finding(a, MXG_F_SPF_RR_TYPE_SPF, a->domain, "%s has a type SPF (99) record",
			a->domain);
	mxg_dns_answer_free(ans);
}

static int authorised(const struct audit *a, const struct mxg_spf_provider *p)
{
	for (size_t i = 0; i < a->nnames; i++)
		for (size_t k = 0; k < p->include_count; k++)
			if (mxg_dns_name_is_sub(a->names[i], p->include[k]))
				return 1;
	return 0;
}

static const char *provider_mx(const struct mxg_mx_input *mx, const struct mxg_spf_provider *p)
{
	for (unsigned i = 0; i < mx->count; i++)
		for (size_t k = 0; k < p->mx_count; k++)
			if (mx->targets[i].name[0] && mxg_dns_name_is_sub(mx->targets[i].name, p->mx[k]))
				return mx->targets[i].name;
	return NULL;
}

static void check_providers(struct audit *a, const struct mxg_mx_input *mx,
			    const struct mxg_spf_providers *prov)
{
	for (size_t i = 0; i < prov->count && !a->oom; i++) {
		const struct mxg_spf_provider *p = &prov->items[i];
		const char *host = provider_mx(mx, p);
		if (host == NULL || authorised(a, p))
			continue;
		if (mxg_findings_add(a->out, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED, -1, a->domain,
				     "MX %s is %s, but the SPF record of %s does not include %s",
				     host, p->name, a->domain, p->include[0]) < 0)
			a->oom = 1;
	}
}

static void count_findings(struct audit *a)
{
	char msg[96];

	if (a->terms > 10) {
		snprintf(msg, sizeof(msg), "%s%u DNS-querying terms, counted through includes",
			 a->terms > AUDIT_TERMS_MAX ? "more than " : "",
			 a->terms > AUDIT_TERMS_MAX ? AUDIT_TERMS_MAX : a->terms);
		if (mxg_findings_add(a->out, MXG_F_SPF_TOO_MANY_LOOKUPS, -1, a->domain,
				     "%s: evaluation needs %s (limit 10)", a->domain, msg) < 0)
			a->oom = 1;
	}
	if (a->voids > 2) {
		if (mxg_findings_add(a->out, MXG_F_SPF_TOO_MANY_VOID, -1, a->domain,
				     "%s: %u lookups find no records (limit 2 void lookups)",
				     a->domain, a->voids) < 0)
			a->oom = 1;
	}
}

static void audit_run(struct audit *a, const struct mxg_mx_input *mx,
		      const struct mxg_spf_providers *prov)
{
	char *text;
	size_t len = 0, longest = 0;

	int count = top_record(a, &text, &len, &longest);
	if (count < 0)
		return;
	check_type99(a);
	if (count != 1) {
		free(text);
		finding(a, count ? MXG_F_SPF_MULTIPLE : MXG_F_SPF_NONE, a->domain,
			count ? "%s publishes more than one v=spf1 TXT record"
			      : "%s publishes no v=spf1 TXT record", a->domain);
		return;
	}
	int valid = spf_validate(text, len, longest, 0, a->domain, a->out);
	if (valid == 1)
		walk_record(a, text, len, a->domain, 0);
	free(text);
	if (valid < 0) {
		a->oom = 1;
		return;
	}
	if (valid == 0)
		return;
	count_findings(a);
	if (prov && mx && mx->rcode == MXG_DNS_NOERROR)
		check_providers(a, mx, prov);
}

int mxg_spf_audit_with(struct mxg_resolver *r, const char *domain, const struct mxg_mx_input *mx,
		       const struct mxg_spf_providers *providers, struct mxg_findings *out)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return -1;
	a->dns.r = r;
	a->out = out;
	a->domain = domain;
	audit_run(a, mx, providers);
	int oom = a->oom;
	free(a);
	return oom ? -1 : 0;
}
