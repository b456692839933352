/* The zone backend's answering rules, as an authoritative server applies them: NXDOMAIN
 * vs NODATA, empty non-terminals, CNAME chasing, RFC 4592 wildcards, faults and DNSSEC marks. */
#include "mxguard/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_zone_internal.h"
#include "mxguard/str.h"

/* Negative TTL when no loaded SOA covers a name (RFC 2308 suggests 1-3 hours; tests want short). */
#define ZONE_DEFAULT_NEG_TTL 300

/* The fault set on (name, type), the latest one winning; -1 when none. */
static int fault_for(const struct zone *z, const char *name, uint16_t type)
{
	for (size_t i = z->nfaults; i-- > 0;)
		if ((z->faults[i].type == 0 || z->faults[i].type == type) &&
		    strcmp(z->faults[i].name, name) == 0)
			return (int)z->faults[i].rcode;
	return -1;
}

/* The mark of the closest marked apex at or above name; unmarked data is insecure. */
static enum mxg_dnssec mark_for(const struct zone *z, const char *name)
{
	size_t best = 0;
	enum mxg_dnssec s = MXG_DNSSEC_INSECURE;

	for (size_t i = 0; i < z->nmarks; i++) {
		size_t len = strlen(z->marks[i].apex) + 1;
		if (len > best && mxg_dns_name_is_sub(name, z->marks[i].apex)) {
			best = len;
			s = z->marks[i].status;
		}
	}
	return s;
}

/* An answer is as secure as the weakest name it went through. */
static enum mxg_dnssec answer_security(const struct zone *z, const struct mxg_dns_answer *a)
{
	enum mxg_dnssec s = mark_for(z, a->qname);

	for (size_t i = 0; i < a->cname_count && s != MXG_DNSSEC_BOGUS; i++) {
		enum mxg_dnssec t = mark_for(z, a->cname_chain[i]);
		if (t == MXG_DNSSEC_BOGUS || (t == MXG_DNSSEC_INSECURE && s == MXG_DNSSEC_SECURE))
			s = t;
	}
	return s;
}

/* Bogus answers look as a validating resolver gives them: SERVFAIL, no records. */
static void mark_answer(const struct zone *z, struct mxg_dns_answer *a)
{
	a->security = answer_security(z, a);
	if (a->security != MXG_DNSSEC_BOGUS)
		return;
	for (size_t i = 0; i < a->count; i++)
		free(a->rrs[i].rdata);
	a->count = 0;
	a->rcode = MXG_DNS_SERVFAIL;
	mxg_strlcpy(a->why, "DNSSEC bogus (zone mark)", sizeof(a->why));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 2308 §5: the negative TTL is the lesser of the SOA's TTL and its MINIMUM field. */
static uint32_t negative_ttl(const struct zone *z, const char *name)
{
	for (const char *p = name; p != NULL; p = mxg_zone_parent(p)) {
		const struct znode *n = mxg_zone_find(z, p);
		const struct zrec *soa = n != NULL ? mxg_zone_find_type(n, MXG_DNS_SOA) : NULL;
		if (soa == NULL || soa->rdlen < 20)
			continue;
		uint32_t min = get32(soa->rdata + soa->rdlen - 4);
		return min < soa->ttl ? min : soa->ttl;
	}
	return ZONE_DEFAULT_NEG_TTL;
}

/* RFC 4592: a name that does not exist matches "*.<closest encloser>" when that exists. */
static const struct znode *wildcard_for(const struct zone *z, const char *name)
{
	char src[MXG_DNS_NAME_MAX + 2];

	for (const char *p = mxg_zone_parent(name); p != NULL; p = mxg_zone_parent(p)) {
		if (!mxg_zone_exists(z, mxg_zone_find(z, p)))
			continue;
		if ((size_t)snprintf(src, sizeof(src), "*.%s", p) >= sizeof(src))
			return NULL;
		const struct znode *w = mxg_zone_find(z, src);
		return mxg_zone_exists(z, w) ? w : NULL;
	}
	return NULL;
}

/* Adds the records of type at n to a under owner; returns how many, or -1 on ENOMEM. */
static long add_records(struct mxg_dns_answer *a, const struct znode *n, const char *owner,
			uint16_t type)
{
	long added = 0;

	for (size_t i = 0; i < n->count; i++) {
		const struct zrec *r = &n->recs[i];
		if (r->type != type && type != 255)
			continue;
		if (mxg_dns_answer_add(a, owner, r->type, r->ttl, r->rdata, r->rdlen) < 0)
			return -1;
		added++;
	}
	return added;
}

/* Follows the chain from a->qname. Returns 0 with a filled in, or -1 on ENOMEM. */
static int resolve(const struct zone *z, struct mxg_dns_answer *a)
{
	const char *cur = a->qname;

	for (;;) {
		int f = fault_for(z, cur, a->qtype);
		if (f >= 0) {
			a->rcode = (enum mxg_dns_rcode)f;
			mxg_strlcpy(a->why, "fault set on this name", sizeof(a->why));
			return 0;
		}
		const struct znode *n = mxg_zone_find(z, cur);
		if (!mxg_zone_exists(z, n))
			n = wildcard_for(z, cur);
		if (n == NULL) {
			a->rcode = MXG_DNS_NXDOMAIN;
			a->ttl = negative_ttl(z, cur);
			return 0;
		}
		long added = add_records(a, n, cur, a->qtype);
		if (added != 0)
			return added < 0 ? -1 : 0;
		const struct zrec *cn = mxg_zone_find_type(n, MXG_DNS_CNAME);
		if (cn == NULL || a->qtype == MXG_DNS_CNAME) {
			a->ttl = negative_ttl(z, cur); /* NODATA */
			return 0;
		}
		if (a->cname_count >= MXG_DNS_CNAME_MAX) {
			a->rcode = MXG_DNS_SERVFAIL;
			snprintf(a->why, sizeof(a->why), "CNAME chain longer than %d (a loop?)",
				 MXG_DNS_CNAME_MAX);
			return 0;
		}
		char *next = a->cname_chain[a->cname_count++];
		if (mxg_dns_name_from_wire(cn->rdata, cn->rdlen, next, MXG_DNS_NAME_MAX) < 0)
			return -1; /* cannot happen: validated when added */
		mxg_strlcpy(a->canonical, next, sizeof(a->canonical));
		cur = next;
	}
}

int mxg_zone_answer(const struct zone *z, struct mxg_dns_answer *a)
{
	if (resolve(z, a) < 0)
		return -1;
	mark_answer(z, a);
	return 0;
}
