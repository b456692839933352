/* The probe's DNS side, through the resolver door: the reverse name of every probed address
 * and whether it leads back (forward-confirmed), and the TLSA RRset of every MX host with the
 * DNSSEC status the resolver gave it (RFC 7672 §2.2). */
#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"
#include "mxguard/probe.h"

#define PTR_NAMES_MAX 4 /* reverse names followed back per address */

/* The in-addr.arpa or ip6.arpa name of a. */
static void reverse_name(const struct mxg_addr *a, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\0';
	if (a->family == 4) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", a->bytes[3], a->bytes[2], a->bytes[1],
			 a->bytes[0]);
		return;
	}
	for (int i = 15; i >= 0; i--)
		mxg_strcatf(out, size, "%c.%c.", hex[a->bytes[i] & 15], hex[a->bytes[i] >> 4]);
	mxg_strlcat(out, "ip6.arpa", size);
}

/* 1 when name has a as an address, 0 when not, -1 on a temporary failure or local error. */
static int leads_back(struct mxg_resolver *r, const char *name, const struct mxg_addr *a)
{
	struct mxg_dns_answer *ans = NULL;
	char err[128];
	int found = 0;

	if (mxg_dns_lookup(r, name, a->family == 4 ? MXG_DNS_A : MXG_DNS_AAAA, &ans, err,
			   sizeof(err)) < 0)
		return -1;
	if (mxg_dns_is_temporary(ans->rcode))
		found = -1;
	for (size_t i = 0; i < ans->count && found == 0; i++)
		found = memcmp(ans->rrs[i].addr, a->bytes, a->family == 4 ? 4 : 16) == 0;
	mxg_dns_answer_free(ans);
	return found;
}

static int check_ptr(struct mxg_resolver *r, struct mxg_probe_result *res, char *err,
		     size_t errlen)
{
	struct mxg_dns_answer *ans = NULL;
	char name[80];
	int temp = 0;

	reverse_name(&res->addr, name, sizeof(name));
	if (mxg_dns_lookup(r, name, MXG_DNS_PTR, &ans, err, errlen) < 0)
		return -1;
	res->ptr = mxg_dns_is_temporary(ans->rcode) ? MXG_PTR_UNKNOWN : MXG_PTR_NONE;
	for (size_t i = 0; i < ans->count && i < PTR_NAMES_MAX; i++) {
		if (ans->rrs[i].type != MXG_DNS_PTR)
			continue;
		if (res->ptr_name[0] == '\0')
			mxg_strlcpy(res->ptr_name, ans->rrs[i].target, sizeof(res->ptr_name));
		int back = leads_back(r, ans->rrs[i].target, &res->addr);
		if (back == 1) {
			res->ptr = MXG_PTR_MATCH;
			mxg_strlcpy(res->ptr_name, ans->rrs[i].target, sizeof(res->ptr_name));
			break;
		}
		temp |= back < 0;
		res->ptr = MXG_PTR_MISMATCH;
	}
	if (res->ptr == MXG_PTR_MISMATCH && temp)
		res->ptr = MXG_PTR_UNKNOWN; /* a name that might lead back could not be asked */
	mxg_dns_answer_free(ans);
	return 0;
}

static int get_tlsa(struct mxg_resolver *r, const char *host, struct mxg_probe_tlsa_set *set,
		    char *err, size_t errlen)
{
	struct mxg_dns_answer *ans = NULL;
	char name[MXG_DNS_NAME_MAX + 16];

	snprintf(name, sizeof(name), "_25._tcp.%s", host);
	if (mxg_dns_lookup(r, name, MXG_DNS_TLSA, &ans, err, errlen) < 0)
		return -1;
	set->rcode = ans->rcode;
	set->security = ans->security;
	for (size_t i = 0; i < ans->count && set->count < MXG_PROBE_TLSA_MAX; i++)
		if (ans->rrs[i].type == MXG_DNS_TLSA &&
		    mxg_tlsa_parse(ans->rrs[i].rdata, ans->rrs[i].rdlen, &set->rr[set->count]) == 0)
			set->count++;
	mxg_dns_answer_free(set->answer);
	set->answer = ans;
	return 0;
}

const struct mxg_dns_answer *mxg_probe_tlsa_answer(const void *in, const char *host)
{
	const struct mxg_probe_input *p = in;

	for (size_t h = 0; h < p->host_count; h++)
		if (strcmp(p->hosts[h], host) == 0)
			return p->tlsa[h].answer;
	return NULL;
}

int mxg_probe_dns(struct mxg_resolver *r, struct mxg_probe_input *in, char *err, size_t errlen)
{
	for (size_t i = 0; i < in->count; i++)
		if (check_ptr(r, &in->results[i], err, errlen) < 0)
			return -1;
	for (size_t h = 0; h < in->host_count; h++) {
		const char *host = in->hosts[h];
		if (host[0] == '\0' || mxg_mx_name_is_ip_literal(host))
			continue;
		if (get_tlsa(r, host, &in->tlsa[h], err, errlen) < 0)
			return -1;
	}
	return 0;
}
