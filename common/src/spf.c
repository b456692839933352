/* check_host() of RFC 7208 §4-§6: record selection, mechanisms in order, redirect and exp,
 * with the §4.6.4 limits counted as the RFC sets them (terms, MX/PTR names, void lookups). */
#include "spf_internal.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mxguard/clock.h"
#include "mxguard/str.h"

#define SPF_NAMES_MAX 10

enum { M_NOMATCH = 0, M_MATCH = 1, M_TEMP = -1, M_PERM = -2 };

struct spf_eval {
	struct spf_dns dns;
	unsigned max_terms, max_void, max_names;
	struct mxg_addr ip;
	const char *sender, *local, *sdomain, *helo, *receiver, *default_exp;
	unsigned terms, voids;
	struct mxg_spf_outcome *out;
	/* The validated names of ip (§5.5), found once for ptr and %{p}. */
	int ptr_state; /* 0 not yet, 1 known, -1 the PTR lookup failed */
	int ptr_void;
	size_t ptr_count;
	const char *cur_domain;
	/* Last: only the first ptr_count are set, so a new evaluation zeroes what comes before. */
	char ptr_names[SPF_NAMES_MAX][MXG_DNS_NAME_MAX];
};

/* Records why evaluation stopped (the first reason wins: it is the innermost). */
static void note(struct spf_eval *e, const char *domain, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct spf_eval *e, const char *domain, const char *fmt, ...)
{
	va_list ap;

	if (e->out->problem[0])
		return;
	va_start(ap, fmt);
	vsnprintf(e->out->problem, sizeof(e->out->problem), fmt, ap);
	va_end(ap);
	mxg_strlcpy(e->out->domain, domain, sizeof(e->out->domain));
}

static void ptr_validate(struct spf_eval *e)
{
	char rev[80];
	struct mxg_dns_answer *a, *h;

	if (e->ptr_state != 0)
		return;
	e->ptr_state = -1;
	if (spf_reverse_name(&e->ip, rev, sizeof(rev)) < 0 ||
	    spf_dns_lookup(&e->dns, rev, MXG_DNS_PTR, &a) != 0)
		return;
	e->ptr_state = 1;
	e->ptr_void = spf_answer_void(a);
	size_t seen = 0;
	uint16_t type = e->ip.family == 4 ? MXG_DNS_A : MXG_DNS_AAAA;
	for (size_t i = 0; i < a->count && seen < e->max_names; i++) {
		const char *name = a->rrs[i].target;
		if (a->rrs[i].type != MXG_DNS_PTR)
			continue;
		seen++;
		/* A name whose address lookup fails is skipped (§5.5). */
		if (!spf_name_queryable(name) || spf_dns_lookup(&e->dns, name, type, &h) != 0)
			continue;
		if (spf_answer_matches(h, &e->ip, 32, 128) && e->ptr_count < SPF_NAMES_MAX)
			mxg_strlcpy(e->ptr_names[e->ptr_count++], name, MXG_DNS_NAME_MAX);
		mxg_dns_answer_free(h);
	}
	mxg_dns_answer_free(a);
}

/* %{p}: the validated name, preferring <domain> itself, then a name under it (§7.3). */
static const char *ptr_macro(void *arg)
{
	struct spf_eval *e = arg;

	ptr_validate(e);
	if (e->ptr_state != 1 || e->ptr_count == 0)
		return "unknown";
	for (size_t i = 0; i < e->ptr_count; i++)
		if (mxg_dns_name_equal(e->ptr_names[i], e->cur_domain))
			return e->ptr_names[i];
	for (size_t i = 0; i < e->ptr_count; i++)
		if (mxg_dns_name_is_sub(e->ptr_names[i], e->cur_domain))
			return e->ptr_names[i];
	return e->ptr_names[0];
}

static void macro_vars(struct spf_eval *e, const char *domain, struct spf_macro_vars *v)
{
	memset(v, 0, sizeof(*v));
	v->sender = e->sender;
	v->local = e->local;
	v->sdomain = e->sdomain;
	v->domain = domain;
	v->helo = e->helo;
	v->receiver = e->receiver;
	v->ip = &e->ip;
	v->ptr_name = ptr_macro;
	v->ptr_arg = e;
	v->now = (long long)time(NULL);
	e->cur_domain = domain;
}

/* The name a term targets: its expanded domain-spec, or <domain>. */
static int target_name(struct spf_eval *e, const struct spf_term *t, const char *domain,
		       char *out, size_t outsize)
{
	struct spf_macro_vars v;
	char why[128];

	if (t->arg == NULL) {
		mxg_strlcpy(out, domain, outsize);
		return 0;
	}
	macro_vars(e, domain, &v);
	if (spf_macro_expand(&v, t->arg, t->arg_len, SPF_MACRO_DOMAIN, out, outsize, why,
			     sizeof(why)) < 0) {
		note(e, domain, "'%.*s': %s", (int)t->text_len, t->text, why);
		return -1;
	}
	spf_domain_truncate(out);
	return 0;
}

static int count_term(struct spf_eval *e, const char *domain)
{
	if (++e->terms <= e->max_terms)
		return 0;
	note(e, domain, "more than %u DNS-querying terms", e->max_terms);
	return -1;
}

/* One query of name that came back NXDOMAIN or empty (§4.6.4). Counted: the lookup of each
 * a, mx, ptr and exists term, and each address lookup of an MX host (names the publisher
 * chose). Not counted: the address lookups of PTR names (the client's data, §5.5 skips
 * them), %{p}, exp= (§6.2). docs/spf.md gives the reasons. */
static int void_lookup(struct spf_eval *e, const char *domain, const char *name)
{
	if (++e->voids <= e->max_void)
		return M_NOMATCH;
	note(e, domain, "more than %u void lookups (the last: %s)", e->max_void, name);
	return M_PERM;
}

static int temp(struct spf_eval *e, const char *domain)
{
	note(e, domain, "%s", e->dns.problem);
	return M_TEMP;
}

/* Looks up name's addresses of the client's family and compares them with ip; an empty
 * answer is a void lookup, for an a term and for each MX host alike. */
static int match_addr(struct spf_eval *e, const char *domain, const char *name,
		      const struct spf_term *t)
{
	struct mxg_dns_answer *a;

	if (spf_dns_lookup(&e->dns, name, e->ip.family == 4 ? MXG_DNS_A : MXG_DNS_AAAA, &a))
		return temp(e, domain);
	int m;
	if (spf_answer_void(a))
		m = void_lookup(e, domain, name);
	else
		m = spf_answer_matches(a, &e->ip, t->cidr4, t->cidr6);
	mxg_dns_answer_free(a);
	return m;
}

/* The usable MX hosts of a in preference order, then by name: with each empty address
 * lookup a void lookup and the search stopping at the first match, the order decides the
 * result, so it is the data's, not the order the server happened to send. */
static size_t mx_hosts(const struct mxg_dns_answer *a, const struct mxg_dns_rr **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < a->count && n < max; i++) {
		const struct mxg_dns_rr *rr = &a->rrs[i];
		if (rr->type != MXG_DNS_MX || rr->target[0] == '\0' || !spf_name_queryable(rr->target))
			continue; /* null MX or an unusable name */
		size_t j = n++;
		for (; j > 0 && (out[j - 1]->pref > rr->pref ||
				 (out[j - 1]->pref == rr->pref &&
				  strcasecmp(out[j - 1]->target, rr->target) > 0)); j--)
			out[j] = out[j - 1];
		out[j] = rr;
	}
	return n;
}

static int match_mx(struct spf_eval *e, const char *domain, const char *name,
		    const struct spf_term *t)
{
	const struct mxg_dns_rr *hosts[SPF_NAMES_MAX];
	struct mxg_dns_answer *a;
	size_t n = 0;
	int m = M_NOMATCH;

	if (spf_dns_lookup(&e->dns, name, MXG_DNS_MX, &a))
		return temp(e, domain);
	if (spf_answer_void(a)) {
		mxg_dns_answer_free(a);
		return void_lookup(e, domain, name);
	}
	for (size_t i = 0; i < a->count; i++)
		n += a->rrs[i].type == MXG_DNS_MX;
	if (n > e->max_names) {
		note(e, domain, "%s has %zu MX records (limit %u)", name, n, e->max_names);
		mxg_dns_answer_free(a);
		return M_PERM;
	}
	n = mx_hosts(a, hosts, SPF_NAMES_MAX);
	for (size_t i = 0; i < n && m == M_NOMATCH; i++)
		m = match_addr(e, domain, hosts[i]->target, t);
	mxg_dns_answer_free(a);
	return m;
}

static int match_ptr(struct spf_eval *e, const char *domain, const char *target)
{
	ptr_validate(e);
	if (e->ptr_state != 1)
		return M_NOMATCH; /* a PTR lookup error makes ptr not match (§5.5) */
	if (e->ptr_void) {
		char rev[80];
		if (spf_reverse_name(&e->ip, rev, sizeof(rev)) < 0)
			rev[0] = '\0';
		return void_lookup(e, domain, rev);
	}
	for (size_t i = 0; i < e->ptr_count; i++)
		if (mxg_dns_name_is_sub(e->ptr_names[i], target))
			return M_MATCH;
	return M_NOMATCH;
}

static int match_exists(struct spf_eval *e, const char *domain, const char *name)
{
	struct mxg_dns_answer *a;

	if (spf_dns_lookup(&e->dns, name, MXG_DNS_A, &a))
		return temp(e, domain);
	int isvoid = spf_answer_void(a);
	mxg_dns_answer_free(a);
	return isvoid ? void_lookup(e, domain, name) : M_MATCH;
}

static enum mxg_spf_result eval_domain(struct spf_eval *e, const char *domain, int final);

static int match_include(struct spf_eval *e, const char *domain, const char *target)
{
	switch (eval_domain(e, target, 0)) {
	case MXG_SPF_PASS:
		return M_MATCH;
	case MXG_SPF_TEMPERROR:
		return M_TEMP;
	case MXG_SPF_PERMERROR:
		return M_PERM;
	case MXG_SPF_NONE:
		note(e, domain, "include:%s: no SPF record there", target);
		return M_PERM;
	default:
		return M_NOMATCH;
	}
}

static int match_term(struct spf_eval *e, const struct spf_term *t, const char *domain)
{
	char target[SPF_EXPAND_MAX];

	switch (t->kind) {
	case SPF_ALL:
		return M_MATCH;
	case SPF_IP4:
		return e->ip.family == 4 && mxg_addr_bits_equal(t->net, e->ip.bytes, t->cidr4);
	case SPF_IP6:
		return e->ip.family == 6 && mxg_addr_bits_equal(t->net, e->ip.bytes, t->cidr6);
	default:
		break;
	}
	if (count_term(e, domain) < 0 || target_name(e, t, domain, target, sizeof(target)) < 0)
		return M_PERM;
	if (t->kind == SPF_INCLUDE)
		return match_include(e, domain, target);
	/* A name no query can be made for matches nothing (as a non-existent one, §4.3). */
	if (!spf_name_queryable(target))
		return M_NOMATCH;
	switch (t->kind) {
	case SPF_A:
		return match_addr(e, domain, target, t);
	case SPF_MX:
		return match_mx(e, domain, target, t);
	case SPF_PTR:
		return match_ptr(e, domain, target);
	default:
		return match_exists(e, domain, target);
	}
}

/* The explanation from exp= (§6.2): any problem means "as if no exp= was given". */
static int explain_from_dns(struct spf_eval *e, const struct spf_term *t, const char *domain)
{
	char target[SPF_EXPAND_MAX], text[SPF_EXPAND_MAX], why[128];
	struct mxg_dns_answer *a;
	struct spf_macro_vars v;
	const struct mxg_dns_rr *rr = NULL;
	size_t n = 0, len;

	macro_vars(e, domain, &v);
	if (spf_macro_expand(&v, t->arg, t->arg_len, SPF_MACRO_DOMAIN, target, sizeof(target),
			     why, sizeof(why)) < 0)
		return -1;
	spf_domain_truncate(target);
	if (!spf_name_queryable(target) || spf_dns_lookup(&e->dns, target, MXG_DNS_TXT, &a))
		return -1;
	for (size_t i = 0; i < a->count; i++)
		if (a->rrs[i].type == MXG_DNS_TXT && n++ == 0)
			rr = &a->rrs[i];
	char *txt = n == 1 ? spf_txt_join(rr, &len) : NULL;
	mxg_dns_answer_free(a);
	if (txt == NULL)
		return -1;
	macro_vars(e, domain, &v);
	long r = spf_macro_expand(&v, txt, len, SPF_MACRO_EXPLAIN, text, sizeof(text), why,
				  sizeof(why));
	free(txt);
	if (r < 0)
		return -1;
	mxg_strlcpy(e->out->explanation, text, sizeof(e->out->explanation));
	return 0;
}

static void explain(struct spf_eval *e, const struct spf_record *rec, const char *domain)
{
	struct spf_macro_vars v;
	char why[128];

	if (rec->exp >= 0 && explain_from_dns(e, &rec->terms[rec->exp], domain) == 0)
		return;
	if (e->default_exp == NULL)
		return;
	macro_vars(e, domain, &v);
	if (spf_macro_expand(&v, e->default_exp, strlen(e->default_exp), SPF_MACRO_EXPLAIN,
			     e->out->explanation, sizeof(e->out->explanation), why, sizeof(why)) < 0)
		mxg_strlcpy(e->out->explanation, e->default_exp, sizeof(e->out->explanation));
}

static enum mxg_spf_result qualifier_result(char q)
{
	switch (q) {
	case '-': return MXG_SPF_FAIL;
	case '~': return MXG_SPF_SOFTFAIL;
	case '?': return MXG_SPF_NEUTRAL;
	default: return MXG_SPF_PASS;
	}
}

static enum mxg_spf_result eval_redirect(struct spf_eval *e, const struct spf_record *rec,
					 const char *domain, int final)
{
	const struct spf_term *t = &rec->terms[rec->redirect];
	char target[SPF_EXPAND_MAX];

	if (count_term(e, domain) < 0 || target_name(e, t, domain, target, sizeof(target)) < 0)
		return MXG_SPF_PERMERROR;
	enum mxg_spf_result res = eval_domain(e, target, final);
	if (res == MXG_SPF_NONE) {
		note(e, domain, "redirect=%s: no SPF record there", target);
		return MXG_SPF_PERMERROR;
	}
	return res;
}

/* final: this record's result is the overall one (not inside an include). */
static enum mxg_spf_result eval_record(struct spf_eval *e, const struct spf_record *rec,
				       const char *domain, int final)
{
	for (size_t i = 0; i < rec->count; i++) {
		const struct spf_term *t = &rec->terms[i];
		if (t->kind >= SPF_REDIRECT)
			continue;
		int m = match_term(e, t, domain);
		if (m == M_TEMP)
			return MXG_SPF_TEMPERROR;
		if (m == M_PERM)
			return MXG_SPF_PERMERROR;
		if (m == M_NOMATCH)
			continue;
		enum mxg_spf_result res = qualifier_result(t->qualifier);
		if (final) {
			mxg_strlcpy(e->out->domain, domain, sizeof(e->out->domain));
			spf_copyn(e->out->mechanism, sizeof(e->out->mechanism), t->text, t->text_len);
			if (res == MXG_SPF_FAIL)
				explain(e, rec, domain);
		}
		return res;
	}
	if (rec->redirect >= 0)
		return eval_redirect(e, rec, domain, final);
	if (final)
		mxg_strlcpy(e->out->domain, domain, sizeof(e->out->domain));
	return MXG_SPF_NEUTRAL;
}

static enum mxg_spf_result eval_domain(struct spf_eval *e, const char *domain, int final)
{
	char *text;
	size_t len;
	unsigned count;
	int nx;
	char why[sizeof(((struct spf_record *)0)->error)];

	if (!spf_domain_valid(domain))
		return MXG_SPF_NONE;
	int rc = spf_fetch_record(&e->dns, domain, &text, &len, &count, &nx);
	if (rc != 0) {
		note(e, domain, "%s", e->dns.problem);
		return MXG_SPF_TEMPERROR;
	}
	if (count == 0)
		return MXG_SPF_NONE;
	if (count > 1) {
		note(e, domain, "%s publishes %u SPF records", domain, count);
		return MXG_SPF_PERMERROR;
	}
	const struct spf_record *rec = spf_cache_get(text, len, &rc, why, sizeof(why));
	free(text);
	if (rec == NULL) {
		note(e, domain, "%s: %s", domain, why);
		return rc == -2 ? MXG_SPF_TEMPERROR : MXG_SPF_PERMERROR;
	}
	enum mxg_spf_result res = eval_record(e, rec, domain, final);
	spf_cache_release(rec);
	return res;
}

/* Splits sender into local-part and domain; an empty local-part becomes "postmaster" (§4.3). */
static void split_sender(const char *sender, const char *domain, struct mxg_spf_outcome *out,
			 char *local, size_t llen, char *sdomain, size_t dlen)
{
	const char *at = sender ? strrchr(sender, '@') : NULL;

	if (at == NULL) {
		mxg_strlcpy(local, "postmaster", llen);
		mxg_strlcpy(sdomain, sender && *sender ? sender : domain, dlen);
	} else {
		spf_copyn(local, llen, sender, (size_t)(at - sender));
		if (local[0] == '\0')
			mxg_strlcpy(local, "postmaster", llen);
		mxg_strlcpy(sdomain, at + 1, dlen);
	}
	spf_join(out->sender, sizeof(out->sender), local, "@", sdomain, NULL);
}

static void unmap_v4(const struct mxg_addr *in, struct mxg_addr *out)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	*out = *in;
	if (in->family == 6 && memcmp(in->bytes, prefix, 12) == 0) {
		memset(out, 0, sizeof(*out));
		out->family = 4;
		memcpy(out->bytes, in->bytes + 12, 4);
	}
}

enum mxg_spf_result mxg_spf_check_host(struct mxg_resolver *r, const struct mxg_spf_options *opt,
				       const struct mxg_addr *ip, const char *domain,
				       const char *sender, const char *helo,
				       struct mxg_spf_outcome *out)
{
	static const struct mxg_spf_options defaults;
	struct spf_eval *e = malloc(sizeof(*e));
	char local[MXG_SPF_TEXT_MAX], sdomain[MXG_SPF_TEXT_MAX], dom[MXG_DNS_NAME_MAX];

	memset(out, 0, sizeof(*out));
	mxg_strlcpy(out->identity, "mailfrom", sizeof(out->identity));
	if (opt == NULL)
		opt = &defaults;
	if (e == NULL) {
		mxg_strlcpy(out->problem, "out of memory", sizeof(out->problem));
		out->result = MXG_SPF_TEMPERROR;
		return out->result;
	}
	memset(e, 0, offsetof(struct spf_eval, ptr_names));
	mxg_strlcpy(dom, domain ? domain : "", sizeof(dom));
	spf_domain_truncate(dom);
	split_sender(sender, dom, out, local, sizeof(local), sdomain, sizeof(sdomain));
	e->dns.r = r;
	e->dns.deadline_ms = opt->budget_ms ? mxg_clock_ms() + opt->budget_ms : 0;
	e->max_terms = opt->max_dns_terms ? opt->max_dns_terms : 10;
	e->max_void = opt->max_void ? opt->max_void : 2;
	e->max_names = opt->max_mx_ptr ? opt->max_mx_ptr : SPF_NAMES_MAX;
	if (e->max_names > SPF_NAMES_MAX)
		e->max_names = SPF_NAMES_MAX;
	unmap_v4(ip, &e->ip);
	e->sender = out->sender;
	e->local = local;
	e->sdomain = sdomain;
	e->helo = helo ? helo : "";
	e->receiver = opt->receiver ? opt->receiver : "unknown";
	e->default_exp = opt->default_exp;
	e->out = out;
	out->result = eval_domain(e, dom, 1);
	out->dns_terms = e->terms;
	out->void_lookups = e->voids;
	if (out->domain[0] == '\0')
		mxg_strlcpy(out->domain, dom, sizeof(out->domain));
	free(e);
	spf_outcome_comment(out, ip);
	return out->result;
}
