/* The TLS-RPT record (RFC 8460 §3) and its audit: a reporting address is asked for where
 * senders may refuse to deliver (DANE, MTA-STS), so that their failures are seen. */
#include <stdio.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/str.h"
#include "mxguard/tlsrpt.h"
#include "mxguard/txtrec.h"

/* Length of the version prefix "v=TLSRPTv1" *WSP ";" at txt, or 0 when it is not there. */
static size_t version_len(const char *txt)
{
	size_t i = 10;

	if (strncmp(txt, "v=TLSRPTv1", 10) != 0)
		return 0;
	while (mxg_is_wsp((unsigned char)txt[i]))
		i++;
	return txt[i] == ';' ? i + 1 : 0;
}

/* A report URI: mailto:local@domain or https://host[...]; printable, no ',' ';' or space. */
static int uri_ok(const char *u, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f || u[i] == ';' || u[i] == ',')
			return 0;
	if (n > 7 && mxg_strncaseeq(u, "mailto:", 7)) {
		const char *at = memchr(u + 7, '@', n - 7);
		return at != NULL && at > u + 7 && at < u + n - 1;
	}
	return n > 8 && mxg_strncaseeq(u, "https://", 8) && u[8] != '/';
}

/* The rua field's value into rec. Returns 0, -1 with why. */
static int add_rua(void *r, const char *v, size_t n, char *why, size_t whylen)
{
	struct mxg_tlsrpt_record *rec = r;
	const char *p = v, *end = v + n;

	if (n == 0) {
		mxg_strlcpy(why, "rua is empty", whylen);
		return -1;
	}
	while (p < end) {
		while (p < end && mxg_is_wsp((unsigned char)*p))
			p++;
		const char *u = p;
		while (p < end && *p != ',' && !mxg_is_wsp((unsigned char)*p))
			p++;
		size_t ul = (size_t)(p - u);
		if (!uri_ok(u, ul) || ul >= MXG_TLSRPT_URI_MAX)
			return mxg_fail(why, whylen, "rua \"%.*s\" is not a mailto: or https: URI",
					(int)(ul > 60 ? 60 : ul), u);
		if (rec->rua_count >= MXG_TLSRPT_RUA_MAX)
			return mxg_fail(why, whylen, "more than %d rua URIs", MXG_TLSRPT_RUA_MAX);
		memcpy(rec->rua[rec->rua_count], u, ul);
		rec->rua[rec->rua_count++][ul] = '\0';
		while (p < end && mxg_is_wsp((unsigned char)*p))
			p++;
		if (p < end && *p++ != ',') {
			mxg_strlcpy(why, "rua URIs must be separated by ','", whylen);
			return -1;
		}
		if (p == end && p[-1] == ',') {
			mxg_strlcpy(why, "rua ends with ','", whylen);
			return -1;
		}
	}
	return 0;
}

int mxg_tlsrpt_record_parse(const char *txt, struct mxg_tlsrpt_record *rec, char *why,
			    size_t whylen)
{
	size_t len = strnlen(txt, MXG_TLSRPT_RECORD_MAX + 1), vl = version_len(txt);

	memset(rec, 0, sizeof(*rec));
	if (len > MXG_TLSRPT_RECORD_MAX)
		return mxg_fail(why, whylen, "record longer than %d characters", MXG_TLSRPT_RECORD_MAX);
	if (vl == 0) {
		mxg_strlcpy(why, "record does not start with v=TLSRPTv1;", whylen);
		return -1;
	}
	/* From the ';' that ends the version field. */
	return mxg_txtrec_fields(txt + vl - 1, txt + len, 0, "rua", add_rua, rec, why, whylen);
}

static int belongs(const char *txt)
{
	return version_len(txt) > 0;
}

/* The record parser in the shape mxg_txtrec_lookup calls. */
static int parse_any(const char *text, void *rec, char *why, size_t whylen)
{
	return mxg_tlsrpt_record_parse(text, rec, why, whylen);
}

int mxg_tlsrpt_lookup(struct mxg_resolver *r, const char *domain, struct mxg_tlsrpt_record *rec,
		      char *why, size_t whylen)
{
	memset(rec, 0, sizeof(*rec));
	return mxg_txtrec_lookup(r, "_smtp._tls.", domain, belongs, "v=TLSRPTv1", parse_any, rec, why,
				 whylen);
}

/* 1 when _25._tcp.host has TLSA records, 0 when not (or the lookup failed), -1 local error. */
static int has_tlsa(struct mxg_resolver *r, const char *host)
{
	char name[MXG_DNS_NAME_MAX + 16], err[128];
	struct mxg_dns_answer *a = NULL;

	if ((size_t)snprintf(name, sizeof(name), "_25._tcp.%s", host) >= MXG_DNS_NAME_MAX - 1)
		return 0;
	if (mxg_dns_lookup(r, name, MXG_DNS_TLSA, &a, err, sizeof(err)) < 0)
		return -1;
	int n = 0;
	for (size_t i = 0; i < a->count; i++)
		n += a->rrs[i].type == MXG_DNS_TLSA;
	mxg_dns_answer_free(a);
	return n > 0;
}

int mxg_tlsrpt_gather(struct mxg_resolver *r, const char *domain, const char *const *mx,
		      size_t n_mx, int sts, struct mxg_tlsrpt_state *st)
{
	memset(st, 0, sizeof(*st));
	mxg_strlcpy(st->domain, domain, sizeof(st->domain));
	st->sts = sts;
	st->dns = mxg_tlsrpt_lookup(r, domain, &st->record, st->why, sizeof(st->why));
	if (st->dns < 0)
		return -1;
	for (size_t i = 0; i < n_mx && !st->dane; i++) {
		if (mx[i] == NULL || mx[i][0] == '\0')
			continue;
		int rc = has_tlsa(r, mx[i]);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			st->dane = 1;
			mxg_strlcpy(st->dane_host, mx[i], sizeof(st->dane_host));
		}
	}
	return 0;
}

int mxg_tlsrpt_analyze(const struct mxg_tlsrpt_state *st, struct mxg_findings *out)
{
	char subject[MXG_DNS_NAME_MAX + 16];

	snprintf(subject, sizeof(subject), "_smtp._tls.%s", st->domain);
	if (st->dns == MXG_TLSRPT_DNS_INVALID)
		return mxg_findings_add(out, MXG_F_TLSRPT_INVALID, -1, subject,
					"the TLS-RPT record is invalid: %s (no reports are sent)", st->why);
	if (st->dns != MXG_TLSRPT_DNS_NONE || (!st->dane && !st->sts))
		return 0;
	if (st->dane)
		return mxg_findings_add(out, MXG_F_TLSRPT_MISSING, -1, subject,
					"no TLS-RPT record although %s publishes DANE TLSA records: "
					"senders' TLS failures go unreported", st->dane_host);
	return mxg_findings_add(out, MXG_F_TLSRPT_MISSING, -1, subject,
				"no TLS-RPT record although %s publishes MTA-STS: senders' TLS "
				"failures go unreported", st->domain);
}
