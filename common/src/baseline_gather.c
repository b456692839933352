/* The snapshot of a domain for its baseline: the MX records and addresses already gathered,
 * plus the TLSA records at _25._tcp.<target> (unless the probe has them) and the _mta-sts TXT
 * record's id, asked through the resolver. A lookup that fails temporarily makes no snapshot:
 * never a false change. */
#include "mxguard/baseline.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/addr.h"
#include "mxguard/str.h"

/* Longest TXT record read for the MTA-STS id. */
#define STS_TXT_MAX 1024

/* TLSA answers already looked up (mxg_baseline_snapshot's known and known_arg). */
struct known {
	mxg_baseline_known_fn fn;
	const void *arg;
};

/* 1 when answer a to (name, type) can be used, 0 when it failed temporarily (why filled). */
static int usable(const char *name, uint16_t type, const struct mxg_dns_answer *a, char *why,
		  size_t whylen)
{
	if (!mxg_dns_is_temporary(a->rcode))
		return 1;
	snprintf(why, whylen, "%s %s: %s", name, mxg_dns_type_name(type), mxg_dns_rcode_name(a->rcode));
	return 0;
}

/* Looks up (name, type); 1 with *a, 0 when it failed temporarily (why filled), -1 local. */
static int lookup(struct mxg_resolver *r, const char *name, uint16_t type,
		  struct mxg_dns_answer **a, char *why, size_t whylen)
{
	if (mxg_dns_lookup(r, name, type, a, why, whylen) < 0)
		return -1;
	if (usable(name, type, *a, why, whylen))
		return 1;
	mxg_dns_answer_free(*a);
	*a = NULL;
	return 0;
}

static int add_tlsa(struct mxg_baseline_domain *d, const char *host, const struct mxg_dns_rr *rr)
{
	char hex[2 * MXG_BASELINE_TLSA_DATA_MAX + 1];
	size_t n = rr->rdlen > 3 ? rr->rdlen - 3 : 0;

	if (n == 0 || n > MXG_BASELINE_TLSA_DATA_MAX)
		return 0; /* not a TLSA record one can keep: left out */
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", rr->rdata[3 + i]);
	return mxg_baseline_add(d, "tlsa %s %u %u %u %s", host, rr->rdata[0], rr->rdata[1],
				rr->rdata[2], hex);
}

/* The TLSA facts of host: from the answer known has for it, else looked up through r. */
static int target_tlsa(struct mxg_resolver *r, const struct known *k, struct mxg_baseline_domain *d,
		       const char *host, char *why, size_t whylen)
{
	char name[MXG_DNS_NAME_MAX];
	struct mxg_dns_answer *own = NULL;

	if ((size_t)snprintf(name, sizeof(name), "_25._tcp.%s", host) >= sizeof(name))
		return 1; /* no such name can exist */
	const struct mxg_dns_answer *a = k->fn != NULL ? k->fn(k->arg, host) : NULL;
	int rc = a != NULL ? usable(name, MXG_DNS_TLSA, a, why, whylen)
			   : lookup(r, name, MXG_DNS_TLSA, &own, why, whylen);
	if (a == NULL)
		a = own;
	for (size_t i = 0; rc == 1 && i < a->count; i++)
		if (a->rrs[i].type == MXG_DNS_TLSA && add_tlsa(d, host, &a->rrs[i]) < 0)
			rc = -1;
	mxg_dns_answer_free(own);
	return rc;
}

static int target_facts(struct mxg_resolver *r, const struct known *k, struct mxg_baseline_domain *d,
			const struct mxg_mx_target *t, char *why, size_t whylen)
{
	const char *host = t->name[0] ? t->name : ".";
	struct mxg_addr x;
	char text[64];

	if (mxg_baseline_add(d, "mx %u %s", t->pref, host) < 0)
		return -1;
	if (t->a_state == MXG_MX_TEMPFAIL || t->aaaa_state == MXG_MX_TEMPFAIL) {
		snprintf(why, whylen, "the addresses of %s could not be looked up", host);
		return 0;
	}
	for (unsigned i = 0; i < t->n_v4 + t->n_v6; i++) {
		memset(&x, 0, sizeof(x));
		x.family = i < t->n_v4 ? 4 : 6;
		memcpy(x.bytes, i < t->n_v4 ? t->v4[i] : t->v6[i - t->n_v4], x.family == 4 ? 4 : 16);
		if (mxg_addr_format(&x, text, sizeof(text)) == 0 &&
		    mxg_baseline_add(d, "addr %s %s", host, text) < 0)
			return -1;
	}
	if (t->name[0] == '\0' || mxg_mx_name_is_ip_literal(t->name))
		return 1;
	return target_tlsa(r, k, d, t->name, why, whylen);
}

/* The id= of an MTA-STS TXT record (RFC 8461 §3.1), or "" when txt is not one. */
static void sts_id(const char *txt, char *id, size_t idlen)
{
	id[0] = '\0';
	if (strncmp(txt, "v=STSv1", 7) != 0 || (txt[7] != ';' && txt[7] != ' ' && txt[7] != '\0'))
		return;
	for (const char *p = txt; (p = strstr(p, "id=")) != NULL; p += 3) {
		if (p != txt && p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t')
			continue;
		size_t n = strcspn(p + 3, "; \t");
		if (n == 0 || n > 64 || n >= idlen) {
			mxg_strlcpy(id, "invalid", idlen);
			return;
		}
		memcpy(id, p + 3, n);
		id[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if (id[i] < 0x21 || id[i] > 0x7e)
				mxg_strlcpy(id, "invalid", idlen);
		return;
	}
}

static int sts_facts(struct mxg_resolver *r, struct mxg_baseline_domain *d, char *why,
		     size_t whylen)
{
	char name[MXG_DNS_NAME_MAX], txt[STS_TXT_MAX], id[80];
	struct mxg_dns_answer *a = NULL;

	if ((size_t)snprintf(name, sizeof(name), "_mta-sts.%s", d->name) >= sizeof(name))
		return 1;
	int rc = lookup(r, name, MXG_DNS_TXT, &a, why, whylen);
	for (size_t i = 0; rc == 1 && i < a->count; i++) {
		if (a->rrs[i].type != MXG_DNS_TXT || mxg_dns_txt_join(&a->rrs[i], txt, sizeof(txt)) < 0)
			continue;
		sts_id(txt, id, sizeof(id));
		if (id[0] != '\0' && mxg_baseline_add(d, "mta-sts-id %s", id) < 0)
			rc = -1;
	}
	mxg_dns_answer_free(a);
	return rc;
}

int mxg_baseline_snapshot(struct mxg_resolver *r, const struct mxg_mx_input *mx,
			  mxg_baseline_known_fn known, const void *known_arg,
			  struct mxg_baseline_domain *d, char *why, size_t whylen)
{
	const struct known k = { known, known_arg };
	int rc = 1;

	memset(d, 0, sizeof(*d));
	mxg_strlcpy(d->name, mx->domain, sizeof(d->name));
	why[0] = '\0';
	if (mx->rcode != MXG_DNS_NOERROR && mx->rcode != MXG_DNS_NXDOMAIN) {
		snprintf(why, whylen, "the MX lookup failed (%s)", mxg_dns_rcode_name(mx->rcode));
		return 0;
	}
	if (mx->total > mx->count) {
		snprintf(why, whylen, "more MX records than examined (--max-targets)");
		return 0;
	}
	for (unsigned i = 0; rc == 1 && i < mx->count; i++)
		rc = target_facts(r, &k, d, &mx->targets[i], why, whylen);
	if (rc == 1)
		rc = sts_facts(r, d, why, whylen);
	if (rc != 1)
		mxg_baseline_domain_free(d);
	return rc;
}
