/* DNS for the SPF engine: lookups under the time budget with temporary failures kept apart,
 * void answers, address matching, TXT record selection (§4.5) and reverse names. */
#include "spf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/clock.h"
#include "mxguard/str.h"

int spf_name_queryable(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] != '.') {
			if (++label > 63)
				return 0;
			continue;
		}
		if (label == 0)
			return 0;
		label = 0;
	}
	return label > 0;
}

int spf_domain_valid(const char *name)
{
	if (!spf_name_queryable(name) || name[0] == '[')
		return 0;
	const char *dot = strchr(name, '.');
	if (dot == NULL || dot[1] == '\0')
		return 0;
	/* An all-numeric last label is an address, not a domain. */
	size_t n = strlen(name);
	if (name[n - 1] == '.')
		n--;
	size_t i = n;
	while (i > 0 && name[i - 1] != '.')
		i--;
	for (size_t k = i; k < n; k++)
		if (name[k] < '0' || name[k] > '9')
			return 1;
	return 0;
}

int spf_dns_lookup(struct spf_dns *d, const char *name, uint16_t type,
		   struct mxg_dns_answer **out)
{
	char err[160];

	*out = NULL;
	if (d->deadline_ms && mxg_clock_ms() > d->deadline_ms) {
		snprintf(d->problem, sizeof(d->problem), "time budget exceeded before %s/%s",
			 name, mxg_dns_type_name(type));
		return 1;
	}
	err[0] = '\0';
	if (mxg_dns_lookup(d->r, name, type, out, err, sizeof(err)) < 0) {
		snprintf(d->problem, sizeof(d->problem), "lookup of %s/%s failed: %s", name,
			 mxg_dns_type_name(type), err);
		*out = NULL;
		return -1;
	}
	if (mxg_dns_is_temporary((*out)->rcode)) {
		snprintf(d->problem, sizeof(d->problem), "lookup of %s/%s: %s", name,
			 mxg_dns_type_name(type), mxg_dns_rcode_name((*out)->rcode));
		mxg_dns_answer_free(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

int spf_answer_void(const struct mxg_dns_answer *a)
{
	if (a->rcode == MXG_DNS_NXDOMAIN)
		return 1;
	for (size_t i = 0; i < a->count; i++)
		if (a->rrs[i].type == a->qtype)
			return 0;
	return 1;
}

int spf_answer_matches(const struct mxg_dns_answer *a, const struct mxg_addr *ip,
		       unsigned cidr4, unsigned cidr6)
{
	uint16_t want = ip->family == 4 ? MXG_DNS_A : MXG_DNS_AAAA;

	for (size_t i = 0; i < a->count; i++) {
		if (a->rrs[i].type != want)
			continue;
		if (mxg_addr_bits_equal(a->rrs[i].addr, ip->bytes, ip->family == 4 ? cidr4 : cidr6))
			return 1;
	}
	return 0;
}

char *spf_txt_join(const struct mxg_dns_rr *rr, size_t *len)
{
	char *buf = malloc(rr->rdlen + 1);
	size_t n = 0;

	if (buf == NULL)
		return NULL;
	for (size_t i = 0; i < mxg_dns_txt_count(rr); i++) {
		size_t sl;
		const uint8_t *s = mxg_dns_txt_string(rr, i, &sl);
		if (s == NULL || n + sl > rr->rdlen)
			break;
		memcpy(buf + n, s, sl);
		n += sl;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int spf_fetch_record(struct spf_dns *d, const char *name, char **rec_text, size_t *rec_len,
		     unsigned *count, int *nxdomain)
{
	struct mxg_dns_answer *a;

	*rec_text = NULL;
	*rec_len = 0;
	*count = 0;
	*nxdomain = 0;
	int rc = spf_dns_lookup(d, name, MXG_DNS_TXT, &a);
	if (rc != 0)
		return rc;
	*nxdomain = a->rcode == MXG_DNS_NXDOMAIN;
	for (size_t i = 0; i < a->count; i++) {
		if (a->rrs[i].type != MXG_DNS_TXT)
			continue;
		size_t len;
		char *txt = spf_txt_join(&a->rrs[i], &len);
		if (txt == NULL) {
			free(*rec_text);
			*rec_text = NULL;
			mxg_dns_answer_free(a);
			mxg_strlcpy(d->problem, "out of memory", sizeof(d->problem));
			return -1;
		}
		if (!spf_is_v1(txt, len)) {
			free(txt);
			continue;
		}
		if (++*count == 1) {
			*rec_text = txt;
			*rec_len = len;
		} else {
			free(txt);
		}
	}
	mxg_dns_answer_free(a);
	if (*count > 1) {
		free(*rec_text);
		*rec_text = NULL;
		*rec_len = 0;
	}
	return 0;
}

int spf_reverse_name(const struct mxg_addr *ip, char *out, size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *b = ip->bytes;

	if (ip->family == 4) {
		int n = snprintf(out, outsize, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
		return (n < 0 || (size_t)n >= outsize) ? -1 : 0;
	}
	if (outsize < 73)
		return -1;
	size_t k = 0;
	for (int i = 15; i >= 0; i--) {
		out[k++] = hex[b[i] & 15];
		out[k++] = '.';
		out[k++] = hex[b[i] >> 4];
		out[k++] = '.';
	}
	memcpy(out + k, "ip6.arpa", 9);
	return 0;
}
