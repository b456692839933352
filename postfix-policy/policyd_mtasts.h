/* Outbound MTA-STS for Postfix: the socketmap map "mta-sts" answers smtp_tls_policy_maps
 * lookups with "secure match=..." for domains whose enforce-mode policy was fetched, validated
 * and cached (bounded, refreshed when the TXT id changes, served stale within max_age). */
#ifndef POLICYD_MTASTS_H
#define POLICYD_MTASTS_H

#include <stddef.h>
#include <time.h>

#include "mxguard/dns.h"

#define POLICYD_MTASTS_ANSWER_MAX 2048 /* a "secure match=..." value */

struct policyd_mtasts;

/* A cache of at most capacity policies, fetched through res (which it does not own) with the
 * CAs of ca_file ("" or NULL: the system's) and fetch_timeout_ms per fetch. NULL on ENOMEM. */
struct policyd_mtasts *policyd_mtasts_new(struct mxg_resolver *res, size_t capacity,
					  const char *ca_file, unsigned long fetch_timeout_ms);
void policyd_mtasts_free(struct policyd_mtasts *m);

enum policyd_mtasts_result {
	POLICYD_STS_NONE = 0,   /* no enforce policy: NOTFOUND (Postfix's own TLS settings apply) */
	POLICYD_STS_SECURE,     /* answer holds the smtp_tls_policy_maps value */
	POLICYD_STS_TEMP,       /* a local error: TEMP (Postfix defers) */
};

/* The policy for the next-hop domain key at time now: looks up _mta-sts.key, serves the cached
 * policy while its id is current and max_age has not run out, fetches otherwise, and keeps a
 * cached policy on fetch failure until it expires (RFC 8461 §5.1). May block (DNS, HTTPS):
 * call it from a worker. Thread-safe. why gets a short reason for the log line. */
enum policyd_mtasts_result policyd_mtasts_lookup(struct policyd_mtasts *m, const char *key,
						 time_t now, char *answer, size_t answerlen,
						 char *why, size_t whylen);

/* The Postfix policy value for an enforce-mode policy's mx patterns: "secure match=A:B
 * servername=hostname", "*.example.com" written as Postfix's ".example.com". Returns 0, or -1
 * when it does not fit. */
struct mxg_mtasts_policy;
int policyd_mtasts_postfix_value(const struct mxg_mtasts_policy *p, char *out, size_t outlen);

/* The socketmap reply netstring for one "mta-sts KEY" request (payload KEY, klen bytes):
 * "OK value", "NOTFOUND " or "TEMP reason". Returns bytes written or -1 if out is too small. */
long policyd_mtasts_socketmap(struct policyd_mtasts *m, const char *key, size_t klen, char *out,
			      size_t outsize, char *logbuf, size_t loglen);

#endif
