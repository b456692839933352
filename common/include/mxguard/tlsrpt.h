/* SMTP TLS Reporting (RFC 8460): the _smtp._tls TXT record, and the audit that asks for one
 * where the domain publishes DANE (TLSA at _25._tcp.<mx>) or MTA-STS. */
#ifndef MXGUARD_TLSRPT_H
#define MXGUARD_TLSRPT_H

#include <stddef.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"
#include "mxguard/txtrec.h"

#define MXG_TLSRPT_RECORD_MAX 2048   /* longest TXT record examined */
#define MXG_TLSRPT_RUA_MAX 8         /* report URIs kept */
#define MXG_TLSRPT_URI_MAX 256
#define MXG_TLSRPT_WHY_MAX 160

struct mxg_tlsrpt_record {
	size_t rua_count;
	char rua[MXG_TLSRPT_RUA_MAX][MXG_TLSRPT_URI_MAX];
};

/* Parses one TXT string "v=TLSRPTv1; rua=URI[,URI]..." (§3): rua required, each URI mailto:
 * with an '@' or https:// with a host; extension fields checked for syntax and ignored.
 * Returns 0, or -1 with the reason in why. Bounded by the limits above. */
int mxg_tlsrpt_record_parse(const char *txt, struct mxg_tlsrpt_record *rec, char *why,
			    size_t whylen);

enum mxg_tlsrpt_dns {
	MXG_TLSRPT_DNS_NONE = MXG_TXTREC_ABSENT,  /* no record starting with v=TLSRPTv1 */
	MXG_TLSRPT_DNS_FOUND = MXG_TXTREC_VALID,
	MXG_TLSRPT_DNS_INVALID = MXG_TXTREC_INVALID,   /* it does not parse, or more than one (§3: no reporting) */
	MXG_TLSRPT_DNS_TEMPFAIL = MXG_TXTREC_FAILED,
};

/* What the audit learnt; zero-initialise. */
struct mxg_tlsrpt_state {
	char domain[MXG_DNS_NAME_MAX];
	int dns;                      /* enum mxg_tlsrpt_dns */
	char why[MXG_TLSRPT_WHY_MAX];
	struct mxg_tlsrpt_record record;
	int dane;                     /* some MX host has TLSA at _25._tcp */
	char dane_host[MXG_DNS_NAME_MAX];
	int sts;                      /* the domain publishes an MTA-STS record */
};

/* Looks up _smtp._tls.DOMAIN. Returns the state (why says what was wrong), -1 on a local error. */
int mxg_tlsrpt_lookup(struct mxg_resolver *r, const char *domain, struct mxg_tlsrpt_record *rec,
		      char *why, size_t whylen);

/* Fills st: the record, and whether any of the n_mx MX hosts has a TLSA RRset at _25._tcp
 * (presence only; DNSSEC validation is the DANE audit's). sts says whether MTA-STS is
 * published. Returns 0, -1 on a local error. */
int mxg_tlsrpt_gather(struct mxg_resolver *r, const char *domain, const char *const *mx,
		      size_t n_mx, int sts, struct mxg_tlsrpt_state *st);

/* Pure: TLSRPT_INVALID for a bad record, TLSRPT_MISSING when none is published but DANE or
 * MTA-STS is. Returns 0, -1 on ENOMEM. */
int mxg_tlsrpt_analyze(const struct mxg_tlsrpt_state *st, struct mxg_findings *out);

#endif
