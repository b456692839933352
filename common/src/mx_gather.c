/* Gathers the input of MX analysis through the resolver interface: the MX RRset,
 * then A and AAAA of each distinct target (or of the domain itself when there is no MX). */
#include "mxguard/mx.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"

static enum mxg_mx_lookup lookup_state(const struct mxg_dns_answer *a)
{
	if (mxg_dns_is_temporary(a->rcode))
		return MXG_MX_TEMPFAIL;
	if (a->rcode == MXG_DNS_NXDOMAIN)
		return MXG_MX_NXDOMAIN;
	return a->count > 0 ? MXG_MX_FOUND : MXG_MX_NODATA;
}

/* Looks up one address family of t->name and records state, addresses and aliases. */
static int gather_family(struct mxg_resolver *r, struct mxg_mx_target *t, uint16_t type,
			 char *err, size_t errlen)
{
	struct mxg_dns_answer *a = NULL;

	if (mxg_dns_lookup(r, t->name, type, &a, err, errlen) < 0)
		return -1;
	enum mxg_mx_lookup state = lookup_state(a);
	if (a->cname_count > 0) {
		t->alias = 1;
		mxg_strlcpy(t->alias_target, a->canonical, sizeof(t->alias_target));
	}
	for (size_t i = 0; i < a->count; i++) {
		const struct mxg_dns_rr *rr = &a->rrs[i];
		if (rr->type == MXG_DNS_A && type == MXG_DNS_A && t->n_v4 < MXG_MX_MAX_ADDRS)
			memcpy(t->v4[t->n_v4++], rr->addr, 4);
		else if (rr->type == MXG_DNS_AAAA && type == MXG_DNS_AAAA && t->n_v6 < MXG_MX_MAX_ADDRS)
			memcpy(t->v6[t->n_v6++], rr->addr, 16);
	}
	if (type == MXG_DNS_A)
		t->a_state = state;
	else
		t->aaaa_state = state;
	mxg_dns_answer_free(a);
	return 0;
}

static int gather_target(struct mxg_resolver *r, struct mxg_mx_target *t, char *err, size_t errlen)
{
	if (t->name[0] == '\0' || mxg_mx_name_is_ip_literal(t->name))
		return 0;
	if (gather_family(r, t, MXG_DNS_A, err, errlen) < 0)
		return -1;
	return gather_family(r, t, MXG_DNS_AAAA, err, errlen);
}

/* Copies what an earlier target with the same name learnt, so each name is looked up once. */
static int reuse_earlier(struct mxg_mx_input *in, unsigned i)
{
	for (unsigned j = 0; j < i; j++) {
		if (!mxg_dns_name_equal(in->targets[j].name, in->targets[i].name))
			continue;
		uint16_t pref = in->targets[i].pref;
		in->targets[i] = in->targets[j];
		in->targets[i].pref = pref;
		return 1;
	}
	return 0;
}

static void take_mx_records(struct mxg_mx_input *in, const struct mxg_dns_answer *a, unsigned max)
{
	for (size_t i = 0; i < a->count; i++) {
		if (a->rrs[i].type != MXG_DNS_MX)
			continue;
		in->total++;
		if (in->count >= max)
			continue;
		struct mxg_mx_target *t = &in->targets[in->count++];
		t->pref = a->rrs[i].pref;
		mxg_strlcpy(t->name, a->rrs[i].target, sizeof(t->name));
	}
}

/* Replaces the TTL of the answer, which a cache may have counted down, with the one the
 * zone publishes for the MX RRset at owner (the end of any CNAME chain). */
static int published_ttl(struct mxg_resolver *r, const char *owner, struct mxg_mx_input *in,
			 char *err, size_t errlen)
{
	uint32_t ttl = 0;

	int rc = mxg_dns_published_ttl(r, owner, MXG_DNS_MX, 0, &ttl, in->ttl_why,
				       sizeof(in->ttl_why));
	if (rc < 0)
		return mxg_fail(err, errlen, "%s", in->ttl_why);
	if (rc == 0) {
		in->ttl_unknown = 1;
		return 0;
	}
	in->ttl = ttl;
	in->ttl_why[0] = '\0';
	return 0;
}

int mxg_mx_gather(struct mxg_resolver *r, const char *domain, unsigned max_targets,
		  struct mxg_mx_input *in, char *err, size_t errlen)
{
	struct mxg_dns_answer *a = NULL;

	memset(in, 0, sizeof(*in));
	if (max_targets == 0 || max_targets > MXG_MX_MAX_TARGETS)
		max_targets = MXG_MX_MAX_TARGETS;
	if (mxg_dns_name_normalize(domain, in->domain, sizeof(in->domain)) < 0)
		return mxg_fail(err, errlen, "invalid domain name '%s'", domain);
	if (mxg_dns_lookup(r, in->domain, MXG_DNS_MX, &a, err, errlen) < 0)
		return -1;
	in->rcode = a->rcode;
	in->security = a->security;
	in->ttl = a->ttl;
	char owner[MXG_DNS_NAME_MAX];
	mxg_strlcpy(owner, a->canonical, sizeof(owner));
	take_mx_records(in, a, max_targets);
	mxg_dns_answer_free(a);
	if (in->rcode != MXG_DNS_NOERROR)
		return 0;
	/* The zone backend's answer already carries the published TTL. */
	if (in->count > 0 && !mxg_resolver_publishes_ttls(r) &&
	    published_ttl(r, owner, in, err, errlen) < 0)
		return -1;
	if (in->count == 0) {
		mxg_strlcpy(in->implicit.name, in->domain, sizeof(in->implicit.name));
		return gather_target(r, &in->implicit, err, errlen);
	}
	for (unsigned i = 0; i < in->count; i++)
		if (!reuse_earlier(in, i) && gather_target(r, &in->targets[i], err, errlen) < 0)
			return -1;
	return 0;
}
