/* Gathers what each authoritative server of a domain's zone serves: the zone's NS set and their
 * addresses through the resolver, then the SOA, the MX RRset and the targets' A and AAAA asked
 * of every address directly (dns_auth.c), each query and the whole run bounded in time. */
#include "mxguard/authns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_auth_internal.h"
#include "mxguard/str.h"
#include "mxguard/clock.h"

/* The clock a gathering runs against. */
struct budget {
	uint64_t deadline_ms; /* on mxg_clock_ms() */
	unsigned timeout_ms;
};

static int out_of_time(const struct budget *b)
{
	return mxg_clock_ms() >= b->deadline_ms;
}

/* How an answer stands: authoritative with data or NODATA, authoritative NXDOMAIN, or neither. */
enum auth_kind { AUTH_NOT = 0, AUTH_NOERROR, AUTH_NXDOMAIN };

static enum auth_kind auth_kind(const ldns_pkt *p)
{
	if (!ldns_pkt_aa(p))
		return AUTH_NOT;
	if (ldns_pkt_get_rcode(p) == LDNS_RCODE_NOERROR)
		return AUTH_NOERROR;
	return ldns_pkt_get_rcode(p) == LDNS_RCODE_NXDOMAIN ? AUTH_NXDOMAIN : AUTH_NOT;
}

/* Asks srv within what is left of the budget; NULL with why when out of time or unanswered. */
static ldns_pkt *ask(const struct mxg_authns_server *srv, const char *name, uint16_t type,
		     const struct budget *b, char *why, size_t whylen)
{
	uint64_t now = mxg_clock_ms();

	if (now >= b->deadline_ms) {
		snprintf(why, whylen, "not asked: the %u s budget of the check ran out",
			 MXG_AUTHNS_BUDGET_MS / 1000);
		return NULL;
	}
	uint64_t left_ms = b->deadline_ms - now;
	unsigned wait = left_ms < b->timeout_ms ? (unsigned)left_ms : b->timeout_ms;
	return mxg_auth_query(&srv->addr, name, type, wait, why, whylen);
}

/* 1 when rr is owned by name (presentation form, normalised). */
static int owned_by(const ldns_rr *rr, const char *name)
{
	char *owner = ldns_rdf2str(ldns_rr_owner(rr));
	char norm[MXG_DNS_NAME_MAX];
	int same = owner != NULL && mxg_dns_name_normalize(owner, norm, sizeof(norm)) == 0 &&
		   strcmp(norm, name) == 0;

	LDNS_FREE(owner);
	return same;
}

/* A domain name field as a normalised presentation name; -1 when it is not one. */
static int rdf_name(const ldns_rdf *rdf, char *out, size_t outsize)
{
	char *text = rdf ? ldns_rdf2str(rdf) : NULL;
	int rc = text != NULL ? mxg_dns_name_normalize(text, out, outsize) : -1;

	LDNS_FREE(text);
	return rc;
}

/* Asks for the SOA at the apex: whether srv serves the zone, and its serial. */
static void ask_soa(struct mxg_authns_server *srv, const char *apex, const struct budget *b)
{
	char why[128];
	int late = out_of_time(b);
	ldns_pkt *p = ask(srv, apex, MXG_DNS_SOA, b, why, sizeof(why));

	if (p == NULL) {
		srv->state = late ? MXG_AUTHNS_NOT_ASKED : MXG_AUTHNS_NO_ANSWER;
		mxg_strlcpy(srv->why, why, sizeof(srv->why));
		return;
	}
	const ldns_rr_list *ans = ldns_pkt_answer(p);
	srv->state = MXG_AUTHNS_LAME;
	for (size_t i = 0; auth_kind(p) == AUTH_NOERROR && i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA || !owned_by(rr, apex) ||
		    ldns_rr_rd_count(rr) < 3)
			continue;
		srv->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
		srv->state = MXG_AUTHNS_ANSWERED;
		break;
	}
	if (srv->state == MXG_AUTHNS_LAME) {
		ldns_lookup_table *rc = ldns_lookup_by_id(ldns_rcodes, ldns_pkt_get_rcode(p));
		mxg_strcatf(srv->why, sizeof(srv->why), "answered %s%s with no SOA for %s",
			 rc ? rc->name : "?", ldns_pkt_aa(p) ? "" : " without the AA bit",
			 apex[0] ? apex : ".");
	}
	ldns_pkt_free(p);
}

/* Adds name to the target union unless it is there or the union is full. */
static void note_target(struct mxg_authns_input *in, const char *name)
{
	for (unsigned i = 0; i < in->n_targets; i++)
		if (strcmp(in->targets[i], name) == 0)
			return;
	if (in->n_targets < MXG_AUTHNS_MAX_TARGETS)
		mxg_strlcpy(in->targets[in->n_targets++], name, MXG_DNS_NAME_MAX);
}

static void take_mx(struct mxg_authns_input *in, struct mxg_authns_server *srv, const ldns_rr *rr)
{
	struct mxg_authns_mx *m;

	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_MX || !owned_by(rr, in->domain) ||
	    ldns_rr_rd_count(rr) < 2 || srv->mx_count >= MXG_AUTHNS_MAX_MX)
		return;
	m = &srv->mx[srv->mx_count];
	if (rdf_name(ldns_rr_rdf(rr, 1), m->name, sizeof(m->name)) < 0)
		return;
	m->pref = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
	if (srv->mx_count == 0 || ldns_rr_ttl(rr) < srv->mx_ttl)
		srv->mx_ttl = ldns_rr_ttl(rr);
	srv->mx_count++;
	if (m->name[0] != '\0')
		note_target(in, m->name);
}

static void ask_mx(struct mxg_authns_input *in, struct mxg_authns_server *srv,
		   const struct budget *b)
{
	char why[128];
	ldns_pkt *p = ask(srv, in->domain, MXG_DNS_MX, b, why, sizeof(why));
	enum auth_kind kind = p ? auth_kind(p) : AUTH_NOT;

	if (kind != AUTH_NOT) {
		srv->mx_known = 1;
		srv->mx_nxdomain = kind == AUTH_NXDOMAIN;
		const ldns_rr_list *ans = ldns_pkt_answer(p);
		for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++)
			take_mx(in, srv, ldns_rr_list_rr(ans, i));
	}
	ldns_pkt_free(p);
}

/* Adds the type records of name in an authoritative answer to a; 0 when p is none. */
static int take_addrs(struct mxg_authns_addrs *a, const ldns_pkt *p, const char *name,
		      uint16_t type)
{
	enum auth_kind kind = p ? auth_kind(p) : AUTH_NOT;
	const ldns_rr_list *ans = p ? ldns_pkt_answer(p) : NULL;
	size_t len = type == MXG_DNS_A ? 4 : 16;

	if (kind == AUTH_NOT)
		return 0;
	a->nxdomain |= kind == AUTH_NXDOMAIN;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ans) && a->count < MXG_AUTHNS_MAX_ADDRS; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		const ldns_rdf *rd = ldns_rr_rd_count(rr) ? ldns_rr_rdf(rr, 0) : NULL;
		if (ldns_rr_get_type(rr) != type || rd == NULL || ldns_rdf_size(rd) != len ||
		    !owned_by(rr, name))
			continue;
		struct mxg_addr *x = &a->addrs[a->count++];
		memset(x, 0, sizeof(*x));
		x->family = type == MXG_DNS_A ? 4 : 6;
		memcpy(x->bytes, ldns_rdf_data(rd), len);
	}
	return 1;
}

/* A and AAAA of target t from srv; known only when both answers are authoritative (a target
 * outside the zone gets a referral or a refusal, and is not compared). */
static void ask_target(const struct mxg_authns_input *in, struct mxg_authns_server *srv,
		       unsigned t, const struct budget *b)
{
	static const uint16_t types[] = { MXG_DNS_A, MXG_DNS_AAAA };
	struct mxg_authns_addrs *a = &srv->targets[t];
	char why[128];
	int both = 1;

	memset(a, 0, sizeof(*a));
	for (size_t i = 0; i < 2 && both; i++) {
		ldns_pkt *p = ask(srv, in->targets[t], types[i], b, why, sizeof(why));
		both = take_addrs(a, p, in->targets[t], types[i]);
		ldns_pkt_free(p);
	}
	a->known = both;
}

/* Servers in name, then address order: the same output on every run, whatever order the
 * resolver hands the NS RRset out in. */
static int server_cmp(const void *x, const void *y)
{
	const struct mxg_authns_server *a = x, *b = y;
	int c = strcmp(a->ns, b->ns);

	if (c != 0)
		return c;
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	return memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
}

/* The server list: up to MXG_AUTHNS_ADDRS_PER_NS addresses per NS name. */
static int list_servers(struct mxg_resolver *r, struct mxg_authns_input *in, char *why,
			size_t whylen)
{
	char ns[MXG_AUTHNS_MAX_NS][MXG_DNS_NAME_MAX];
	int n_ns = mxg_auth_zone_servers(r, in->domain, in->zone, ns, MXG_AUTHNS_MAX_NS, why,
					 whylen);

	for (int i = 0; i < n_ns && in->n_servers < MXG_AUTHNS_MAX_SERVERS; i++) {
		struct mxg_addr addrs[MXG_AUTHNS_ADDRS_PER_NS];
		size_t n = 0;
		if (mxg_auth_server_addrs(r, ns[i], addrs, &n, MXG_AUTHNS_ADDRS_PER_NS, why,
					  whylen) < 0)
			return -1;
		for (size_t j = 0; j < n && in->n_servers < MXG_AUTHNS_MAX_SERVERS; j++) {
			struct mxg_authns_server *s = &in->servers[in->n_servers++];
			mxg_strlcpy(s->ns, ns[i], sizeof(s->ns));
			s->addr = addrs[j];
		}
	}
	qsort(in->servers, in->n_servers, sizeof(in->servers[0]), server_cmp);
	if (n_ns > 0 && in->n_servers == 0)
		mxg_strcatf(why, whylen, "the name servers of %s have no address",
			 in->zone[0] ? in->zone : ".");
	return n_ns < 0 ? -1 : 0;
}

int mxg_authns_gather(struct mxg_resolver *r, const char *domain, unsigned timeout_ms,
		      struct mxg_authns_input *in, char *why, size_t whylen)
{
	struct budget b;

	memset(in, 0, sizeof(*in));
	why[0] = '\0';
	if (mxg_dns_name_normalize(domain, in->domain, sizeof(in->domain)) < 0)
		return mxg_fail(why, whylen, "invalid domain name '%.80s'", domain);
	if (list_servers(r, in, why, whylen) < 0)
		return -1;
	if (in->n_servers == 0)
		return 0;
	b.timeout_ms = timeout_ms ? timeout_ms : MXG_DNS_AUTH_TIMEOUT_MS;
	b.deadline_ms = mxg_clock_ms() + MXG_AUTHNS_BUDGET_MS;
	for (unsigned i = 0; i < in->n_servers; i++) {
		ask_soa(&in->servers[i], in->zone, &b);
		if (in->servers[i].state == MXG_AUTHNS_ANSWERED)
			ask_mx(in, &in->servers[i], &b);
	}
	for (unsigned i = 0; i < in->n_servers; i++)
		for (unsigned t = 0; in->servers[i].state == MXG_AUTHNS_ANSWERED && t < in->n_targets;
		     t++)
			ask_target(in, &in->servers[i], t, &b);
	return 1;
}
