/* MTA-STS (RFC 8461): the _mta-sts TXT record, the policy file, its HTTPS fetch and the audit
 * that ties the policy to the domain's MX hosts. The parsers are pure and bounded; the fetch
 * uses libcurl with the address pinned from mxguard's own resolver. */
#ifndef MXGUARD_MTASTS_H
#define MXGUARD_MTASTS_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"
#include "mxguard/txtrec.h"

#define MXG_MTASTS_ID_MAX 32          /* sts-id: 1*32(ALPHA / DIGIT), §3.1 */
#define MXG_MTASTS_RECORD_MAX 1024    /* longest TXT record examined */
#define MXG_MTASTS_POLICY_MAX 65536   /* largest policy body read (bytes) */
#define MXG_MTASTS_LINE_MAX 1024      /* longest policy line */
#define MXG_MTASTS_LINES_MAX 256      /* most policy lines */
#define MXG_MTASTS_MX_MAX 32          /* most mx: patterns kept */
#define MXG_MTASTS_MAX_AGE_MAX 31557600UL /* §3.2: at most one year */
#define MXG_MTASTS_MAX_AGE_LOW 604800UL   /* below a week: MTASTS_MAX_AGE_LOW (§3.2 "weeks") */
#define MXG_MTASTS_WHY_MAX 160

/* --- the TXT record (§3.1) --- */

struct mxg_mtasts_record {
	char id[MXG_MTASTS_ID_MAX + 1];
};

/* Parses one TXT string that starts with "v=STSv1". Returns 0 with rec->id set, or -1 with
 * the reason in why (an invalid record). Never reads past strlen(txt) or the named limits. */
int mxg_mtasts_record_parse(const char *txt, struct mxg_mtasts_record *rec, char *why,
			    size_t whylen);

enum mxg_mtasts_dns {
	MXG_MTASTS_DNS_NONE = MXG_TXTREC_ABSENT,  /* no record starting with v=STSv1 */
	MXG_MTASTS_DNS_FOUND = MXG_TXTREC_VALID,     /* exactly one, valid */
	MXG_MTASTS_DNS_INVALID = MXG_TXTREC_INVALID,   /* one that does not parse, or several (§3.1: no policy) */
	MXG_MTASTS_DNS_TEMPFAIL = MXG_TXTREC_FAILED,  /* the lookup failed temporarily */
};

/* Looks up _mta-sts.DOMAIN through r. Returns the state; why says what was wrong. -1 on a
 * local error (out of memory, name too long), reason in why. */
int mxg_mtasts_record_lookup(struct mxg_resolver *r, const char *domain,
			     struct mxg_mtasts_record *rec, char *why, size_t whylen);

/* --- the policy file (§3.2) --- */

enum mxg_mtasts_mode {
	MXG_MTASTS_MODE_NONE = 0,
	MXG_MTASTS_MODE_TESTING,
	MXG_MTASTS_MODE_ENFORCE,
};

struct mxg_mtasts_policy {
	enum mxg_mtasts_mode mode;
	unsigned long max_age;                      /* seconds */
	size_t mx_count;
	char mx[MXG_MTASTS_MX_MAX][MXG_DNS_NAME_MAX]; /* lower case: "mail.example.com", "*.example.net" */
};

/* Parses a policy body of len bytes (LF or CRLF lines "key: value"). Returns 0, or -1 with the
 * reason in why: missing or wrong version, mode or max_age, no mx with mode testing/enforce, a
 * bad pattern, a NUL byte, or a limit passed. Unknown keys are ignored (§3.2). */
int mxg_mtasts_policy_parse(const char *body, size_t len, struct mxg_mtasts_policy *pol,
			    char *why, size_t whylen);

/* 1 when host (an MX name) matches pattern as §4.1 says: equal, or "*.rest" with host one
 * label more than rest. Case-insensitive, a trailing dot ignored. */
int mxg_mtasts_mx_match(const char *pattern, const char *host);
/* 1 when any of pol's mx patterns matches host. */
int mxg_mtasts_policy_covers(const struct mxg_mtasts_policy *pol, const char *host);
const char *mxg_mtasts_mode_name(enum mxg_mtasts_mode m);

/* --- the HTTPS fetch (§3.3) --- */

#define MXG_MTASTS_CONNECT_TIMEOUT_MS 5000
#define MXG_MTASTS_TOTAL_TIMEOUT_MS 10000

struct mxg_mtasts_fetch_opts {
	struct mxg_resolver *resolver; /* resolves mta-sts.DOMAIN (required) */
	const char *ca_file;           /* trusted CAs instead of the system's, or NULL */
	unsigned connect_timeout_ms;   /* 0: MXG_MTASTS_CONNECT_TIMEOUT_MS */
	unsigned total_timeout_ms;     /* 0: MXG_MTASTS_TOTAL_TIMEOUT_MS */
};

enum mxg_mtasts_fetch_status {
	MXG_MTASTS_FETCH_OK = 0,     /* 200, text/plain, within the size cap: body set */
	MXG_MTASTS_FETCH_NO_HOST,    /* mta-sts.DOMAIN has no address (NXDOMAIN or no A/AAAA) */
	MXG_MTASTS_FETCH_NOT_FOUND,  /* HTTP 404 or 410: the server has no policy */
	MXG_MTASTS_FETCH_FAILED,     /* DNS tempfail, connection, TLS, certificate, timeout, other status, redirect, size */
	MXG_MTASTS_FETCH_BAD_TYPE,   /* 200 but not text/plain */
};

/* The result of a fetch; body is the caller's (free()), NUL-terminated, len bytes. */
struct mxg_mtasts_fetch {
	enum mxg_mtasts_fetch_status status;
	long http_status;
	char *body;
	size_t len;
	char why[MXG_MTASTS_WHY_MAX];
};

/* Fetches https://mta-sts.DOMAIN/.well-known/mta-sts.txt: the name's A/AAAA from o->resolver
 * pinned for the connection, the certificate verified for mta-sts.DOMAIN, no redirects
 * followed, at most MXG_MTASTS_POLICY_MAX bytes, within o's timeouts. Thread-safe. Returns 0
 * with out filled (failures are statuses), -1 on a local error (reason in out->why). */
int mxg_mtasts_fetch(const struct mxg_mtasts_fetch_opts *o, const char *domain,
		     struct mxg_mtasts_fetch *out);
void mxg_mtasts_fetch_clear(struct mxg_mtasts_fetch *f);

/* --- the audit --- */

/* What was learnt about a domain's MTA-STS; zero-initialise. */
struct mxg_mtasts_state {
	char domain[MXG_DNS_NAME_MAX];
	int dns;                                 /* enum mxg_mtasts_dns */
	char dns_why[MXG_MTASTS_WHY_MAX];
	struct mxg_mtasts_record record;
	int fetched;                             /* a fetch was made: fetch_status valid */
	enum mxg_mtasts_fetch_status fetch_status;
	char fetch_why[MXG_MTASTS_WHY_MAX];
	int policy_valid;                        /* policy parsed */
	char policy_why[MXG_MTASTS_WHY_MAX];
	struct mxg_mtasts_policy policy;
};

/* Fills st for domain: the TXT record through r, then, when it exists and fo is not NULL,
 * the policy fetched and parsed. With fo NULL nothing is fetched. Returns 0, -1 on a local
 * error (out of memory). */
int mxg_mtasts_gather(struct mxg_resolver *r, const struct mxg_mtasts_fetch_opts *fo,
		      const char *domain, struct mxg_mtasts_state *st);

/* Pure: appends the MTASTS_* findings st calls for, judging the n_mx MX host names (the
 * domain's MX targets) against the policy. Returns 0, -1 on ENOMEM. */
int mxg_mtasts_analyze(const struct mxg_mtasts_state *st, const char *const *mx, size_t n_mx,
		       struct mxg_findings *out);

/* 1 when st holds a valid enforce-mode policy whose mx patterns cover host: a sender that
 * enforces MTA-STS then requires a valid certificate for host (MX_TLS_CERT_UNTRUSTED is an
 * error there). 0 otherwise, and for a NULL st. */
int mxg_mtasts_enforces(const struct mxg_mtasts_state *st, const char *host);

#endif
