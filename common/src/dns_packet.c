/* Turns a DNS response message (wire form) into an answer: follows the CNAME chain from
 * the question name through the answer section and keeps the records of the asked type. */
#include "mxguard/dns.h"

#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>

#include "mxguard/str.h"

static int rr_owner(const ldns_rr *rr, char *out)
{
	const ldns_rdf *o = ldns_rr_owner(rr);

	return o != NULL && mxg_dns_name_from_wire(ldns_rdf_data(o), ldns_rdf_size(o), out,
						   MXG_DNS_NAME_MAX) >= 0 ? 0 : -1;
}

/* The CNAME target of rr, or -1 when it is not a well-formed CNAME. */
static int cname_target(const ldns_rr *rr, char *out)
{
	const ldns_rdf *t = ldns_rr_rdf(rr, 0);

	return t != NULL && mxg_dns_name_from_wire(ldns_rdf_data(t), ldns_rdf_size(t), out,
						   MXG_DNS_NAME_MAX) >= 0 ? 0 : -1;
}

/* Adds every record of the asked type owned by name; returns how many, -1 on ENOMEM. */
static long take_rrset(struct mxg_dns_answer *a, const ldns_rr_list *list, const char *name,
		       ldns_buffer *buf)
{
	char owner[MXG_DNS_NAME_MAX];
	long added = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) != a->qtype || rr_owner(rr, owner) < 0 ||
		    strcmp(owner, name) != 0)
			continue;
		ldns_buffer_clear(buf);
		if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK)
			return -1;
		if (mxg_dns_answer_add(a, owner, a->qtype, ldns_rr_ttl(rr), ldns_buffer_begin(buf),
				       ldns_buffer_position(buf)) < 0) {
			mxg_strlcpy(a->why, "malformed record in the answer skipped", sizeof(a->why));
			continue;
		}
		added++;
	}
	return added;
}

/* The target of the CNAME owned by name, or NULL. */
static const char *find_cname(const ldns_rr_list *list, const char *name, char *target)
{
	char owner[MXG_DNS_NAME_MAX];

	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME && rr_owner(rr, owner) == 0 &&
		    strcmp(owner, name) == 0 && cname_target(rr, target) == 0)
			return target;
	}
	return NULL;
}

static int walk_chain(struct mxg_dns_answer *a, const ldns_rr_list *list, ldns_buffer *buf)
{
	char cur[MXG_DNS_NAME_MAX], next[MXG_DNS_NAME_MAX];

	mxg_strlcpy(cur, a->qname, sizeof(cur));
	for (;;) {
		long n = take_rrset(a, list, cur, buf);
		if (n != 0)
			return n < 0 ? -1 : 0;
		if (a->qtype == MXG_DNS_CNAME || find_cname(list, cur, next) == NULL)
			return 0;
		if (a->cname_count >= MXG_DNS_CNAME_MAX) {
			a->rcode = MXG_DNS_SERVFAIL;
			snprintf(a->why, sizeof(a->why), "CNAME chain longer than %d", MXG_DNS_CNAME_MAX);
			return 0;
		}
		mxg_strlcpy(a->cname_chain[a->cname_count++], next, MXG_DNS_NAME_MAX);
		mxg_strlcpy(a->canonical, next, sizeof(a->canonical));
		mxg_strlcpy(cur, next, sizeof(cur));
	}
}

int mxg_dns_answer_from_packet(struct mxg_dns_answer *a, const uint8_t *msg, size_t len)
{
	ldns_pkt *pkt = NULL;

	if (msg == NULL || len < 12 || ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK) {
		mxg_strlcpy(a->why, "malformed DNS message", sizeof(a->why));
		return -1;
	}
	ldns_buffer *buf = ldns_buffer_new(512);
	int rc = -1;
	if (buf != NULL)
		rc = walk_chain(a, ldns_pkt_answer(pkt), buf);
	ldns_buffer_free(buf);
	ldns_pkt_free(pkt);
	return rc;
}
