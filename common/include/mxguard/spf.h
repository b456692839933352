/* SPF (RFC 7208): check_host() with every mechanism, modifier, macro and limit,
 * the HELO and MAIL FROM identities, and record validation for the audit. */
#ifndef MXGUARD_SPF_H
#define MXGUARD_SPF_H

#include <stddef.h>

#include "mxguard/addr.h"
#include "mxguard/dns.h"
#include "mxguard/finding.h"

struct mxg_mx_input;

/* The seven results of RFC 7208 §2.6. */
enum mxg_spf_result {
	MXG_SPF_NONE = 0,
	MXG_SPF_NEUTRAL,
	MXG_SPF_PASS,
	MXG_SPF_FAIL,
	MXG_SPF_SOFTFAIL,
	MXG_SPF_TEMPERROR,
	MXG_SPF_PERMERROR,
};

struct mxg_spf_options {
	unsigned max_dns_terms;   /* 0 = 10 (RFC 7208 §4.6.4) */
	unsigned max_void;        /* 0 = 2 */
	unsigned max_mx_ptr;      /* 0 = 10 names per mx/ptr term */
	unsigned long budget_ms;  /* whole evaluation time budget; 0 = none. Over it: temperror */
	const char *receiver;     /* %{r}: the checking host's name; NULL = "unknown" */
	const char *default_exp;  /* explanation (macros allowed) on fail without a usable exp=;
				     NULL = none (explanation left "") */
};

#define MXG_SPF_TEXT_MAX 512

struct mxg_spf_outcome {
	enum mxg_spf_result result;
	char identity[16];                 /* "mailfrom" or "helo" */
	char sender[MXG_SPF_TEXT_MAX];     /* <sender> as checked (postmaster@helo for <>) */
	char domain[MXG_DNS_NAME_MAX];     /* the domain whose policy gave the result */
	char mechanism[MXG_SPF_TEXT_MAX];  /* the term that matched, "" when none (default) */
	char explanation[MXG_SPF_TEXT_MAX];/* exp= text on fail, else "" */
	char problem[MXG_SPF_TEXT_MAX];    /* why permerror/temperror, else "" */
	char comment[MXG_SPF_TEXT_MAX];    /* a sentence for Received-SPF/A-R comments */
	unsigned dns_terms;                /* DNS-querying terms counted */
	unsigned void_lookups;
};

/* check_host(ip, domain, sender) of RFC 7208 §4 with helo for %{h}.
 * Always fills *out; returns the result. opt may be NULL for defaults. */
enum mxg_spf_result mxg_spf_check_host(struct mxg_resolver *r, const struct mxg_spf_options *opt,
				       const struct mxg_addr *ip, const char *domain,
				       const char *sender, const char *helo,
				       struct mxg_spf_outcome *out);

/* The MAIL FROM identity (§2.4): mail_from is the reverse-path without <>;
 * "" (null reverse-path) checks postmaster@helo. */
enum mxg_spf_result mxg_spf_check_mailfrom(struct mxg_resolver *r, const struct mxg_spf_options *opt,
					   const struct mxg_addr *ip, const char *mail_from,
					   const char *helo, struct mxg_spf_outcome *out);

/* The HELO identity (§2.3): none when helo is not a domain name (e.g. an address literal). */
enum mxg_spf_result mxg_spf_check_helo(struct mxg_resolver *r, const struct mxg_spf_options *opt,
				       const struct mxg_addr *ip, const char *helo,
				       struct mxg_spf_outcome *out);

/* "pass", "fail", ... as RFC 7208 and RFC 8601 spell them. */
const char *mxg_spf_result_name(enum mxg_spf_result r);
/* Parses a result name (case-insensitive); -1 if unknown. */
int mxg_spf_result_parse(const char *s);

/* The value of a Received-SPF header field (RFC 7208 §9.1) for out.
 * Returns 0, or -1 if it does not fit. */
int mxg_spf_received_spf(const struct mxg_spf_outcome *out, const struct mxg_addr *ip,
			 const char *helo, const char *receiver, char *buf, size_t bufsize);

/* Validates one record's syntax and static shape (no DNS); appends findings
 * about subject (SPF_SYNTAX, SPF_PASS_ALL, SPF_NEUTRAL_ALL_ONLY, SPF_PTR_USED, ...).
 * Returns 1 if the record is syntactically valid, 0 if not, -1 on ENOMEM. */
int mxg_spf_record_validate(const char *record, const char *subject, struct mxg_findings *out);

/* Hosted mail providers (data/spf-providers.tsv, docs/spf-providers.md): MX names under
 * any of mx[] mean the provider receives the domain's mail; an include: equal to or under
 * any of include[] authorises its outgoing servers. */
#define MXG_SPF_PROVIDER_NAMES 8
#define MXG_SPF_PROVIDERS_MAX 128

struct mxg_spf_provider {
	char name[64];
	size_t mx_count, include_count;
	char mx[MXG_SPF_PROVIDER_NAMES][MXG_DNS_NAME_MAX];
	char include[MXG_SPF_PROVIDER_NAMES][MXG_DNS_NAME_MAX];
};

struct mxg_spf_providers {
	size_t count;
	struct mxg_spf_provider *items;
};

/* Reads a provider table. Returns 0, or -1 with "path:line: reason" in err. */
int mxg_spf_providers_load(const char *path, struct mxg_spf_providers *out, char *err,
			   size_t errlen);
void mxg_spf_providers_free(struct mxg_spf_providers *p);
/* The installed table: $MXGUARD_DATADIR/spf-providers.tsv when that is set, else the one
 * under the DATADIR mxguard was built for. Returns the path written to buf. */
const char *mxg_spf_providers_path(char *buf, size_t bufsize);

/* The audit of domain for `mxguard check`: record lookup, validation, lookup count over
 * includes, and MX/SPF provider conflicts (mx may be NULL) against providers (NULL: no
 * provider check; mxguard check always passes the installed table). 0 or -1 (ENOMEM). */
int mxg_spf_audit_with(struct mxg_resolver *r, const char *domain, const struct mxg_mx_input *mx,
		       const struct mxg_spf_providers *providers, struct mxg_findings *out);

#endif
