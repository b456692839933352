/* The TTL a zone publishes for an RRset. A caching resolver hands out what is left of its
 * cached copy, which counts down to nothing and starts again; a check that judges the TTL
 * must see the zone's own value. The zone backend answers with it; otherwise the zone's
 * name servers are found through the resolver and one of them is asked directly, without
 * recursion, with a bounded wait. */
#include "dns_auth_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "mxguard/str.h"

/* Name servers and addresses tried at most, so the wait stays bounded. */
#define AUTH_MAX_NS 4
#define AUTH_MAX_ADDRS 3

/* The parent of name ("" above a top-level name), or -1 at the root. */
static int parent_of(const char *name, char *out, size_t outsize)
{
	if (name[0] == '\0')
		return -1;
	const char *dot = strchr(name, '.');
	mxg_strlcpy(out, dot != NULL ? dot + 1 : "", outsize);
	return 0;
}

/* Keeps the max smallest names of the NS records in a, sorted: the same servers on every run,
 * whatever order the resolver rotates the RRset into. Returns how many. */
static int take_ns(const struct mxg_dns_answer *a, char (*ns)[MXG_DNS_NAME_MAX], int max)
{
	int n = 0;

	for (size_t i = 0; i < a->count; i++) {
		const char *t = a->rrs[i].target;
		if (a->rrs[i].type != MXG_DNS_NS || t[0] == '\0')
			continue;
		int at = n;
		while (at > 0 && strcmp(ns[at - 1], t) > 0)
			at--;
		if (at >= max || (at > 0 && strcmp(ns[at - 1], t) == 0))
			continue;
		int last = n < max ? n : max - 1;
		memmove(ns[at + 1], ns[at], (size_t)(last - at) * MXG_DNS_NAME_MAX);
		mxg_strlcpy(ns[at], t, MXG_DNS_NAME_MAX);
		n = n < max ? n + 1 : n;
	}
	return n;
}

int mxg_auth_zone_servers(struct mxg_resolver *r, const char *name, char *apex,
			  char (*ns)[MXG_DNS_NAME_MAX], int max, char *why, size_t whylen)
{
	char cur[MXG_DNS_NAME_MAX], up[MXG_DNS_NAME_MAX];
	struct mxg_dns_answer *a = NULL;

	mxg_strlcpy(cur, name, sizeof(cur));
	for (;;) {
		if (mxg_dns_lookup(r, cur, MXG_DNS_NS, &a, why, whylen) < 0)
			return -1;
		int n = a->rcode == MXG_DNS_NOERROR && a->cname_count == 0 ? take_ns(a, ns, max) : 0;
		enum mxg_dns_rcode rc = a->rcode;
		mxg_dns_answer_free(a);
		if (n > 0) {
			mxg_strlcpy(apex, cur, MXG_DNS_NAME_MAX);
			return n;
		}
		if (mxg_dns_is_temporary(rc)) {
			snprintf(why, whylen, "the NS lookup for %s failed (%s)", cur[0] ? cur : ".",
				 mxg_dns_rcode_name(rc));
			return 0;
		}
		if (parent_of(cur, up, sizeof(up)) < 0) {
			snprintf(why, whylen, "no zone with name servers holds %s", name);
			return 0;
		}
		mxg_strlcpy(cur, up, sizeof(cur));
	}
}

int mxg_auth_server_addrs(struct mxg_resolver *r, const char *host, struct mxg_addr *addrs,
			  size_t *n, size_t max, char *err, size_t errlen)
{
	static const uint16_t types[] = { MXG_DNS_A, MXG_DNS_AAAA };

	for (size_t t = 0; t < 2 && *n < max; t++) {
		struct mxg_dns_answer *a = NULL;
		if (mxg_dns_lookup(r, host, types[t], &a, err, errlen) < 0)
			return -1;
		for (size_t i = 0; i < a->count && *n < max; i++) {
			if (a->rrs[i].type != types[t])
				continue;
			addrs[*n].family = types[t] == MXG_DNS_A ? 4 : 6;
			memcpy(addrs[*n].bytes, a->rrs[i].addr, types[t] == MXG_DNS_A ? 4 : 16);
			(*n)++;
		}
		mxg_dns_answer_free(a);
	}
	return 0;
}

/* A one-server ldns resolver on port 53 that does not recurse and waits timeout_ms once. */
static ldns_resolver *one_server(const struct mxg_addr *addr, unsigned timeout_ms)
{
	ldns_resolver *res = ldns_resolver_new();
	ldns_rdf *ns = ldns_rdf_new_frm_data(addr->family == 4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA,
					     addr->family == 4 ? 4 : 16, addr->bytes);

	if (res == NULL || ns == NULL || ldns_resolver_push_nameserver(res, ns) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(ns);
		ldns_resolver_deep_free(res);
		return NULL;
	}
	ldns_rdf_deep_free(ns); /* push_nameserver keeps a copy */
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	ldns_resolver_set_port(res, 53);
	ldns_resolver_set_recursive(res, false);
	ldns_resolver_set_timeout(res, tv);
	ldns_resolver_set_retry(res, 1);
	ldns_resolver_set_retrans(res, 1);
	ldns_resolver_set_fallback(res, true); /* TCP when the UDP answer is truncated */
	return res;
}

/* The smallest TTL of the (name, type) records in an authoritative NOERROR answer;
 * 0 when p is not one (not authoritative, an error, or no such RRset). */
static int rrset_ttl(const ldns_pkt *p, const ldns_rdf *name, uint16_t type, uint32_t *ttl)
{
	const ldns_rr_list *ans = ldns_pkt_answer(p);
	int found = 0;

	if (!ldns_pkt_aa(p) || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR || ans == NULL)
		return 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ans); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ans, i);
		if (ldns_rr_get_type(rr) != type || ldns_dname_compare(ldns_rr_owner(rr), name) != 0)
			continue;
		if (!found || ldns_rr_ttl(rr) < *ttl)
			*ttl = ldns_rr_ttl(rr);
		found = 1;
	}
	return found;
}

ldns_pkt *mxg_auth_query(const struct mxg_addr *addr, const char *name, uint16_t type,
			unsigned timeout_ms, char *why, size_t whylen)
{
	ldns_resolver *res = one_server(addr, timeout_ms);
	ldns_rdf *qname = ldns_dname_new_frm_str(name[0] ? name : ".");
	ldns_pkt *q = qname ? ldns_pkt_query_new(qname, (ldns_rr_type)type, LDNS_RR_CLASS_IN, 0)
			    : NULL;
	ldns_pkt *p = NULL;

	if (res == NULL || q == NULL) {
		if (q == NULL)
			ldns_rdf_deep_free(qname);
		snprintf(why, whylen, "cannot build a query for %s", name);
		goto out;
	}
	ldns_pkt_set_rd(q, false);
	ldns_pkt_set_random_id(q);
	ldns_status s = ldns_resolver_send_pkt(&p, res, q);
	if (s != LDNS_STATUS_OK || p == NULL) {
		snprintf(why, whylen, "no answer within %u ms (%s)", timeout_ms,
			 ldns_get_errorstr_by_id(s));
		ldns_pkt_free(p);
		p = NULL;
	}
out:
	ldns_pkt_free(q);
	ldns_resolver_deep_free(res);
	return p;
}

/* Asks one server for (name, type) with RD clear. 1 with *ttl, 0 when it gave no
 * authoritative answer holding the RRset (reason in why). */
static int ask_server(const struct mxg_addr *addr, const char *name, uint16_t type,
		      unsigned timeout_ms, uint32_t *ttl, char *why, size_t whylen)
{
	char reason[128];
	ldns_pkt *p = mxg_auth_query(addr, name, type, timeout_ms, reason, sizeof(reason));
	ldns_rdf *qname = p ? ldns_dname_new_frm_str(name[0] ? name : ".") : NULL;
	int found = 0;

	if (p == NULL) {
		snprintf(why, whylen, "a name server gave %s", reason);
		return 0;
	}
	found = qname != NULL && rrset_ttl(p, qname, type, ttl);
	if (!found)
		snprintf(why, whylen, "a name server gave no authoritative %s answer for %s",
			 mxg_dns_type_name(type), name);
	ldns_rdf_deep_free(qname);
	ldns_pkt_free(p);
	return found;
}

/* Published TTL from the zone's own servers, asked one address after another. */
static int ask_authority(struct mxg_resolver *r, const char *name, uint16_t type,
			 unsigned timeout_ms, uint32_t *ttl, char *why, size_t whylen)
{
	char ns[AUTH_MAX_NS][MXG_DNS_NAME_MAX], apex[MXG_DNS_NAME_MAX];
	struct mxg_addr addrs[AUTH_MAX_ADDRS];
	size_t n_addrs = 0;

	int n_ns = mxg_auth_zone_servers(r, name, apex, ns, AUTH_MAX_NS, why, whylen);
	if (n_ns <= 0)
		return n_ns;
	for (int i = 0; i < n_ns && n_addrs < AUTH_MAX_ADDRS; i++)
		if (mxg_auth_server_addrs(r, ns[i], addrs, &n_addrs, AUTH_MAX_ADDRS, why, whylen) < 0)
			return -1;
	if (n_addrs == 0) {
		snprintf(why, whylen, "the name servers of %s have no address", name);
		return 0;
	}
	for (size_t i = 0; i < n_addrs; i++)
		if (ask_server(&addrs[i], name, type, timeout_ms, ttl, why, whylen))
			return 1;
	return 0;
}

int mxg_dns_published_ttl(struct mxg_resolver *r, const char *name, uint16_t type,
			  unsigned timeout_ms, uint32_t *ttl, char *why, size_t whylen)
{
	char norm[MXG_DNS_NAME_MAX];

	why[0] = '\0';
	if (mxg_dns_name_normalize(name, norm, sizeof(norm)) < 0)
		return mxg_fail(why, whylen, "invalid DNS name '%.80s'", name);
	if (timeout_ms == 0)
		timeout_ms = MXG_DNS_AUTH_TIMEOUT_MS;
	if (!mxg_resolver_publishes_ttls(r))
		return ask_authority(r, norm, type, timeout_ms, ttl, why, whylen);
	struct mxg_dns_answer *a = NULL;
	if (mxg_dns_lookup(r, norm, type, &a, why, whylen) < 0)
		return -1;
	int found = a->rcode == MXG_DNS_NOERROR && a->count > 0;
	if (found)
		*ttl = a->ttl;
	else
		snprintf(why, whylen, "%s has no %s records", norm, mxg_dns_type_name(type));
	mxg_dns_answer_free(a);
	return found;
}
