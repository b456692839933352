/* The summary of received aggregate reports for one domain (report_summary.h): records grouped
 * by source address through the one hash table (mxguard/htable.h: growable, a source whose
 * window of INDEX_WINDOW slots stays full is counted with the sources past the bound, which
 * only addresses chosen to collide can cause), failure reasons worded from the reported
 * auth results, reverse names looked up through the resolver door, and hosted providers
 * recognised from the SPF provider table. */
#include "mxguard/clock.h"
#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "mxguard/report_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"
#include "mxguard/textfile.h"
#include "spf_internal.h"

/* The index: entries are positions in sources (uint32_t); it grows to stay half full. */
#define INDEX_FIRST 64
#define INDEX_MAX (4 * MXG_SUMMARY_SOURCES_MAX)
#define INDEX_WINDOW 32

struct source_key {
	const struct mxg_addr *addr;
	const struct mxg_summary_source *sources;
};

static int source_eq(const void *entry, const void *key)
{
	const struct source_key *k = key;
	const struct mxg_addr *a = &k->sources[*(const uint32_t *)entry].addr;

	return a->family == k->addr->family && memcmp(a->bytes, k->addr->bytes, 16) == 0;
}

static void index_free(struct mxg_summary *s)
{
	if (s->index != NULL)
		mxg_htable_fini(s->index);
	free(s->index);
	s->index = NULL;
}

int mxg_summary_init(struct mxg_summary *s, const char *domain)
{
	memset(s, 0, sizeof(*s));
	mxg_strlcpy(s->domain, domain, sizeof(s->domain));
	mxg_str_lower(s->domain);
	s->index = malloc(sizeof(*s->index));
	s->sources = calloc(MXG_SUMMARY_SOURCES_MAX, sizeof(*s->sources));
	if (s->index != NULL &&
	    mxg_htable_init(s->index, INDEX_FIRST, sizeof(uint32_t), INDEX_WINDOW, INDEX_MAX, source_eq) < 0) {
		free(s->index);
		s->index = NULL;
	}
	if (s->index == NULL || s->sources == NULL) {
		mxg_summary_free(s);
		return -1;
	}
	return 0;
}

void mxg_summary_free(struct mxg_summary *s)
{
	index_free(s);
	free(s->sources);
	memset(s, 0, sizeof(*s));
}

static uint64_t addr_hash(const struct mxg_addr *a)
{
	return mxg_hash_more(mxg_hash_bytes(a->bytes, 16), &a->family, sizeof(a->family));
}

/* The source of a, added when new; NULL past MXG_SUMMARY_SOURCES_MAX (or on ENOMEM, or when
 * its window stays full). */
static struct mxg_summary_source *source_of(struct mxg_summary *s, const struct mxg_addr *a)
{
	const struct source_key k = { a, s->sources };
	const uint64_t h = addr_hash(a);
	const uint32_t *i = mxg_htable_find(s->index, h, &k);
	int evicted;

	if (i != NULL)
		return &s->sources[*i];
	uint32_t *slot;
	if (s->source_count == MXG_SUMMARY_SOURCES_MAX ||
	    (slot = mxg_htable_add(s->index, h, NULL, NULL, &evicted)) == NULL)
		return NULL;
	struct mxg_summary_source *src = &s->sources[s->source_count];
	src->addr = *a;
	mxg_addr_format(a, src->ip, sizeof(src->ip));
	*slot = (uint32_t)s->source_count++;
	return src;
}

static void count_org(struct mxg_summary *s, const char *org, uint64_t n)
{
	for (size_t i = 0; i < s->org_count; i++)
		if (strcmp(s->orgs[i].name, org) == 0) {
			s->orgs[i].messages += n;
			return;
		}
	if (s->org_count == MXG_SUMMARY_ORGS_MAX) {
		s->other_orgs_messages += n;
		return;
	}
	mxg_strlcpy(s->orgs[s->org_count].name, org, sizeof(s->orgs[0].name));
	s->orgs[s->org_count++].messages = n;
}

static void source_org(struct mxg_summary_source *src, const char *org)
{
	for (size_t i = 0; i < src->org_count; i++)
		if (strncmp(src->orgs[i], org, sizeof(src->orgs[i]) - 1) == 0)
			return;
	if (src->org_count < MXG_SUMMARY_SOURCE_ORGS_MAX)
		mxg_strlcpy(src->orgs[src->org_count++], org, sizeof(src->orgs[0]));
}

static void source_from(struct mxg_summary_source *src, const char *from)
{
	for (size_t i = 0; i < src->from_count; i++)
		if (strcmp(src->froms[i], from) == 0)
			return;
	if (src->from_count < MXG_SUMMARY_SOURCE_FROMS_MAX)
		mxg_strlcpy(src->froms[src->from_count++], from, sizeof(src->froms[0]));
}

static void count_from(struct mxg_summary *s, const char *from, uint64_t n, int passed)
{
	struct mxg_summary_from *f = NULL;
	for (size_t i = 0; i < s->from_count && f == NULL; i++)
		if (strcmp(s->froms[i].name, from) == 0)
			f = &s->froms[i];
	if (f == NULL && s->from_count == MXG_SUMMARY_ORGS_MAX) {
		s->other_froms_messages += n;
		return;
	}
	if (f == NULL) {
		f = &s->froms[s->from_count++];
		mxg_strlcpy(f->name, from, sizeof(f->name));
	}
	f->messages += n;
	f->passed += passed ? n : 0;
}

/* The record's SPF results in words: all of them (the version 1 single result when the
 * record has no list), a pass that did not align and a HELO result said as such. */
static void why_spf(const struct mxg_store_rr_record *r, char *out, size_t size)
{
	if (r->spf_count == 0 && r->spf_result[0] == '\0') {
		mxg_strcatf(out, size, "no SPF result");
		return;
	}
	struct mxg_store_spf one;
	const struct mxg_store_spf *list = r->spf;
	size_t n = r->spf_count;
	if (n == 0) {
		mxg_strlcpy(one.domain, r->spf_domain, sizeof(one.domain));
		mxg_strlcpy(one.scope, r->spf_scope, sizeof(one.scope));
		mxg_strlcpy(one.result, r->spf_result, sizeof(one.result));
		list = &one;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct mxg_store_spf *f = &list[i];
		int helo = strcmp(f->scope, "helo") == 0, pass = strcmp(f->result, "pass") == 0;
		mxg_strcatf(out, size, "%sSPF %s for %s%s", i > 0 ? ", " : "", f->result, f->domain,
			    helo ? " (HELO, not used by DMARC)" : pass ? ", not aligned" : "");
	}
}

/* Why a record's mail failed DMARC, in words, from its reported auth results and reasons. */
static void why_failed(const struct mxg_store_rr_record *r, char *out, size_t size)
{
	out[0] = '\0';
	why_spf(r, out, size);
	if (r->dkim_count == 0)
		mxg_strcatf(out, size, "; no DKIM signature");
	for (size_t i = 0; i < r->dkim_count && i < 2; i++) {
		const struct mxg_store_dkim *d = &r->dkim[i];
		mxg_strcatf(out, size, "; DKIM %s d=%s s=%s%s", d->result, d->domain,
			    d->selector[0] ? d->selector : "-",
			    strcmp(d->result, "pass") == 0 ? ", not aligned" : "");
	}
	if (r->reason_count == 0 && r->override[0])
		mxg_strcatf(out, size, "; reported as %s", r->override);
	for (size_t i = 0; i < r->reason_count; i++)
		mxg_strcatf(out, size, "%s %s%s%s", i == 0 ? "; reported as" : ",",
			    r->reasons[i].type, r->reasons[i].comment[0] ? ": " : "",
			    r->reasons[i].comment);
}

static void count_why(struct mxg_summary_source *src, const struct mxg_store_rr_record *r)
{
	char text[MXG_SUMMARY_TEXT_MAX];
	why_failed(r, text, sizeof(text));
	for (size_t i = 0; i < src->why_count; i++)
		if (strcmp(src->why[i].text, text) == 0) {
			src->why[i].count += r->count;
			return;
		}
	if (src->why_count == MXG_SUMMARY_WHY_MAX) {
		src->why_other += r->count;
		return;
	}
	mxg_strlcpy(src->why[src->why_count].text, text, sizeof(src->why[0].text));
	src->why[src->why_count++].count = r->count;
}

/* Remembers a DKIM pass that was not aligned: the signer a provider would have to change. */
static void note_unaligned_dkim(struct mxg_summary_source *src, const struct mxg_store_rr_record *r)
{
	if (src->dkim_domain[0] != '\0' || strcmp(r->dkim_eval, "pass") == 0)
		return;
	for (size_t i = 0; i < r->dkim_count; i++)
		if (strcmp(r->dkim[i].result, "pass") == 0) {
			mxg_strlcpy(src->dkim_domain, r->dkim[i].domain, sizeof(src->dkim_domain));
			mxg_strlcpy(src->dkim_selector, r->dkim[i].selector, sizeof(src->dkim_selector));
			return;
		}
}

int mxg_summary_add(struct mxg_summary *s, const char *org, const struct mxg_store_rr_record *r)
{
	struct mxg_addr a;
	if (s->index == NULL || mxg_addr_parse(r->source_ip, &a, 1) != 0)
		return -1;
	int spf = strcmp(r->spf_eval, "pass") == 0, dkim = strcmp(r->dkim_eval, "pass") == 0;
	s->records++;
	s->total += r->count;
	s->spf_aligned += spf ? r->count : 0;
	s->dkim_aligned += dkim ? r->count : 0;
	s->passed += (spf || dkim) ? r->count : 0;
	count_org(s, org, r->count);
	char from[MXG_DNS_NAME_MAX];
	mxg_strlcpy(from, r->header_from[0] ? r->header_from : s->domain, sizeof(from));
	mxg_str_lower(from);
	count_from(s, from, r->count, spf || dkim);
	struct mxg_summary_source *src = source_of(s, &a);
	if (src == NULL) {
		s->other_sources_messages += r->count;
		return 0;
	}
	src->total += r->count;
	src->spf_aligned += spf ? r->count : 0;
	src->dkim_aligned += dkim ? r->count : 0;
	src->passed += (spf || dkim) ? r->count : 0;
	source_org(src, org);
	source_from(src, from);
	note_unaligned_dkim(src, r);
	if (!spf && !dkim)
		count_why(src, r);
	return 0;
}

/* --- finish: order, reverse names, providers --- */

static int by_total(const void *a, const void *b)
{
	const struct mxg_summary_source *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

static int by_messages(const void *a, const void *b)
{
	const struct mxg_summary_org *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void resolve(struct mxg_summary *s, struct mxg_summary_source *src, struct mxg_resolver *r)
{
	char rev[80], err[160];
	struct mxg_dns_answer *a = NULL;
	if (spf_reverse_name(&src->addr, rev, sizeof(rev)) != 0)
		return;
	s->resolved++;
	if (mxg_dns_lookup(r, rev, MXG_DNS_PTR, &a, err, sizeof(err)) != 0) {
		s->resolve_failed++;
		return;
	}
	if (a->rcode != MXG_DNS_NOERROR && a->rcode != MXG_DNS_NXDOMAIN)
		s->resolve_failed++;
	for (size_t i = 0; i < a->count; i++)
		if (a->rrs[i].type == MXG_DNS_PTR && a->rrs[i].target[0] != '\0') {
			mxg_strlcpy(src->reverse, a->rrs[i].target, sizeof(src->reverse));
			break;
		}
	mxg_dns_answer_free(a);
}

/* name is equal to or under base, or under base's parent when base has three labels or more
 * (the PTR of a provider's outgoing host sits beside its include, not under it). */
static int name_near(const char *name, const char *base)
{
	if (name[0] == '\0' || base[0] == '\0')
		return 0;
	if (mxg_dns_name_is_sub(name, base))
		return 1;
	const char *dot = strchr(base, '.');
	return dot != NULL && strchr(dot + 1, '.') != NULL && mxg_dns_name_is_sub(name, dot + 1);
}

static int provider_has(const struct mxg_spf_provider *p, const char *name)
{
	for (size_t i = 0; i < p->include_count; i++)
		if (name_near(name, p->include[i]))
			return 1;
	for (size_t i = 0; i < p->mx_count; i++)
		if (name_near(name, p->mx[i]))
			return 1;
	return 0;
}

static void advise(const struct mxg_summary *s, struct mxg_summary_source *src,
		   const struct mxg_spf_providers *providers)
{
	const struct mxg_spf_provider *p = NULL;
	for (size_t i = 0; i < providers->count && p == NULL; i++)
		if (provider_has(&providers->items[i], src->reverse) ||
		    provider_has(&providers->items[i], src->dkim_domain))
			p = &providers->items[i];
	if (p == NULL)
		return;
	mxg_strlcpy(src->provider, p->name, sizeof(src->provider));
	if (src->spf_aligned < src->total && p->include_count > 0)
		mxg_strlcpy(src->spf_needs, p->include[0], sizeof(src->spf_needs));
	if (src->dkim_aligned < src->total && src->dkim_selector[0] != '\0')
		snprintf(src->dkim_needs, sizeof(src->dkim_needs), "%s._domainkey.%s",
			 src->dkim_selector, s->domain);
}

static int by_rdomain(const void *a, const void *b)
{
	const struct mxg_summary_rdomain *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int by_from(const void *a, const void *b)
{
	const struct mxg_summary_from *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Counts src under the registered domain of its reverse name. */
static void count_rdomain(struct mxg_summary *s, const struct mxg_summary_source *src,
			  const struct mxg_psl *psl)
{
	char name[MXG_DNS_NAME_MAX];
	if (src->reverse[0] == '\0') {
		s->no_reverse_messages += src->total;
		return;
	}
	if (psl == NULL || mxg_psl_org_domain(psl, src->reverse, name, sizeof(name)) != 0)
		mxg_strlcpy(name, src->reverse, sizeof(name));
	struct mxg_summary_rdomain *d = NULL;
	for (size_t i = 0; i < s->rdomain_count && d == NULL; i++)
		if (strcmp(s->rdomains[i].name, name) == 0)
			d = &s->rdomains[i];
	if (d == NULL && s->rdomain_count == MXG_SUMMARY_ORGS_MAX) {
		s->other_rdomains_messages += src->total;
		return;
	}
	if (d == NULL) {
		d = &s->rdomains[s->rdomain_count++];
		mxg_strlcpy(d->name, name, sizeof(d->name));
	}
	d->sources++;
	d->messages += src->total;
	d->passed += src->passed;
}

void mxg_summary_finish(struct mxg_summary *s, struct mxg_resolver *r,
			const struct mxg_spf_providers *providers, const struct mxg_psl *psl)
{
	qsort(s->sources, s->source_count, sizeof(*s->sources), by_total);
	qsort(s->orgs, s->org_count, sizeof(*s->orgs), by_messages);
	qsort(s->froms, s->from_count, sizeof(*s->froms), by_from);
	index_free(s);  /* the order changed: the index is stale and no longer needed */
	uint64_t deadline = mxg_clock_us() + (uint64_t)MXG_SUMMARY_RESOLVE_BUDGET_MS * 1000;
	for (size_t i = 0; i < s->source_count; i++) {
		struct mxg_summary_source *src = &s->sources[i];
		if (r != NULL && i < MXG_SUMMARY_RESOLVE_MAX && mxg_clock_us() < deadline)
			resolve(s, src, r);
		else if (r != NULL && i < MXG_SUMMARY_RESOLVE_MAX)
			s->resolve_skipped++;
		count_rdomain(s, src, psl);
		if (providers != NULL && src->passed < src->total)
			advise(s, src, providers);
	}
	qsort(s->rdomains, s->rdomain_count, sizeof(*s->rdomains), by_rdomain);
}
