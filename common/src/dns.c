/* The resolver handle every check holds, and the answer structure backends fill:
 * records decoded from wire RDATA once, here, so no check parses RDATA itself. */
#include "mxguard/dns.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

/* An answer never holds more records than this (a 64 KiB message has fewer). */
#define ANSWER_MAX_RRS 4096

struct mxg_resolver {
	const struct mxg_resolver_ops *ops;
	void *ctx;
	atomic_ulong lookups;
};

struct mxg_resolver *mxg_resolver_new(const struct mxg_resolver_ops *ops, void *ctx)
{
	struct mxg_resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ops = ops;
	r->ctx = ctx;
	atomic_init(&r->lookups, 0);
	return r;
}

void mxg_resolver_free(struct mxg_resolver *r)
{
	if (r == NULL)
		return;
	if (r->ops->free != NULL)
		r->ops->free(r->ctx);
	free(r);
}

/* The backend context, for backend-specific calls (zone loading). */
void *mxg_resolver_ctx(struct mxg_resolver *r, const struct mxg_resolver_ops *ops)
{
	return (r != NULL && r->ops == ops) ? r->ctx : NULL;
}

int mxg_dns_lookup(struct mxg_resolver *r, const char *name, uint16_t type,
		   struct mxg_dns_answer **out, char *err, size_t errlen)
{
	char norm[MXG_DNS_NAME_MAX];

	*out = NULL;
	if (mxg_dns_name_normalize(name, norm, sizeof(norm)) < 0)
		return mxg_fail(err, errlen, "invalid DNS name '%.80s'", name);
	atomic_fetch_add(&r->lookups, 1);
	return r->ops->lookup(r->ctx, norm, type, out, err, errlen);
}

unsigned long mxg_resolver_lookups(const struct mxg_resolver *r)
{
	return atomic_load(&((struct mxg_resolver *)r)->lookups);
}

struct mxg_dns_answer *mxg_dns_answer_new(const char *name, uint16_t type)
{
	struct mxg_dns_answer *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	if (mxg_dns_name_normalize(name, a->qname, sizeof(a->qname)) < 0)
		mxg_strlcpy(a->qname, name, sizeof(a->qname));
	mxg_strlcpy(a->canonical, a->qname, sizeof(a->canonical));
	a->qtype = type;
	return a;
}

void mxg_dns_answer_free(struct mxg_dns_answer *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->count; i++)
		free(a->rrs[i].rdata);
	free(a->rrs);
	free(a);
}

/* A name filling exactly rdlen octets of RDATA. */
static int decode_name(const uint8_t *rdata, size_t rdlen, char *out)
{
	size_t used;

	if (mxg_dns_name_decode(rdata, rdlen, out, MXG_DNS_NAME_MAX, &used) < 0)
		return -1;
	return used == rdlen ? 0 : -1;
}

/* Character-strings must tile the RDATA exactly (RFC 1035 §3.3.14). */
static int check_strings(const uint8_t *rdata, size_t rdlen)
{
	size_t i = 0;

	if (rdlen == 0)
		return -1;
	while (i < rdlen)
		i += 1 + rdata[i];
	return i == rdlen ? 0 : -1;
}

static int decode_rr(struct mxg_dns_rr *rr, const uint8_t *rdata, size_t rdlen)
{
	switch (rr->type) {
	case MXG_DNS_A:
		if (rdlen != 4)
			return -1;
		memcpy(rr->addr, rdata, 4);
		return 0;
	case MXG_DNS_AAAA:
		if (rdlen != 16)
			return -1;
		memcpy(rr->addr, rdata, 16);
		return 0;
	case MXG_DNS_MX:
		if (rdlen < 3)
			return -1;
		rr->pref = (uint16_t)(rdata[0] << 8 | rdata[1]);
		return decode_name(rdata + 2, rdlen - 2, rr->target);
	case MXG_DNS_CNAME:
	case MXG_DNS_PTR:
	case MXG_DNS_NS:
		return decode_name(rdata, rdlen, rr->target);
	case MXG_DNS_TXT:
	case MXG_DNS_SPF:
		return check_strings(rdata, rdlen);
	default:
		return 0;
	}
}

int mxg_dns_answer_add(struct mxg_dns_answer *a, const char *owner, uint16_t type,
		       uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	struct mxg_dns_rr rr;

	if (a->count >= ANSWER_MAX_RRS || rdlen > 65535 || (rdlen > 0 && rdata == NULL))
		return -1;
	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.ttl = ttl;
	if (mxg_dns_name_normalize(owner, rr.owner, sizeof(rr.owner)) < 0)
		return -1;
	if (decode_rr(&rr, rdata, rdlen) < 0)
		return -1;
	rr.rdata = malloc(rdlen > 0 ? rdlen : 1);
	if (rr.rdata == NULL)
		return -1;
	if (rdlen > 0)
		memcpy(rr.rdata, rdata, rdlen);
	rr.rdlen = rdlen;
	struct mxg_dns_rr *grown = realloc(a->rrs, (a->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(rr.rdata);
		return -1;
	}
	a->rrs = grown;
	a->rrs[a->count] = rr;
	if (a->count == 0 || ttl < a->ttl)
		a->ttl = ttl;
	a->count++;
	return 0;
}

size_t mxg_dns_txt_count(const struct mxg_dns_rr *rr)
{
	size_t n = 0;

	for (size_t i = 0; i < rr->rdlen; i += 1 + rr->rdata[i])
		n++;
	return n;
}

const uint8_t *mxg_dns_txt_string(const struct mxg_dns_rr *rr, size_t i, size_t *len)
{
	size_t off = 0;

	for (size_t k = 0; off < rr->rdlen; k++) {
		size_t n = rr->rdata[off];
		if (off + 1 + n > rr->rdlen)
			return NULL;
		if (k == i) {
			*len = n;
			return rr->rdata + off + 1;
		}
		off += 1 + n;
	}
	return NULL;
}

long mxg_dns_txt_join(const struct mxg_dns_rr *rr, char *buf, size_t bufsize)
{
	size_t pos = 0, n;
	const uint8_t *s;

	if (bufsize == 0)
		return -1;
	for (size_t i = 0; (s = mxg_dns_txt_string(rr, i, &n)) != NULL; i++) {
		if (pos + n >= bufsize || memchr(s, '\0', n) != NULL)
			return -1;
		memcpy(buf + pos, s, n);
		pos += n;
	}
	buf[pos] = '\0';
	return (long)pos;
}
