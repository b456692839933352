/* MX change alerts: a baseline file records, per domain, the facts that decide where mail goes
 * (MX records, the targets' addresses, TLSA at _25._tcp.<mx>, the MTA-STS id) as sorted text
 * lines; a later snapshot that differs is reported fact by fact as MX_CHANGED. */
#ifndef MXGUARD_BASELINE_H
#define MXGUARD_BASELINE_H

#include <stddef.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"
#include "mxguard/mx.h"

#define MXG_BASELINE_VERSION 1
#define MXG_BASELINE_FILE_MAX (4u << 20) /* bytes of a baseline file */
#define MXG_BASELINE_LINE_MAX 1200       /* bytes of one line, newline excluded */
#define MXG_BASELINE_DOMAINS_MAX 4096    /* domains in one file */
#define MXG_BASELINE_FACTS_MAX 512       /* facts of one domain */
#define MXG_BASELINE_TLSA_DATA_MAX 512   /* bytes of TLSA certificate data kept */
#define MXG_BASELINE_CHANGES_MAX 24      /* MX_CHANGED findings per domain before a summary */

/* One domain: its facts ("mx 10 mx1.example", "addr mx1.example 192.0.2.1",
 * "tlsa mx1.example 3 1 1 HEX", "mta-sts-id ID"), sorted, each owned. */
struct mxg_baseline_domain {
	char name[MXG_DNS_NAME_MAX];
	size_t count;
	char **facts;
};

struct mxg_baseline {
	size_t count;
	struct mxg_baseline_domain *domains; /* sorted by name */
};

/* Parses baseline text (name for messages). Returns 0, or -1 with "name:line: reason" in err
 * (the bad line, an unknown version, a limit passed); b is then empty. */
int mxg_baseline_parse(const char *name, const char *text, size_t len, struct mxg_baseline *b,
		       char *err, size_t errlen);
/* Reads path. Returns 1 with b filled, 0 when the file does not exist (b empty), -1 with the
 * reason in err (unreadable, too large, or as mxg_baseline_parse). */
int mxg_baseline_load(const char *path, struct mxg_baseline *b, char *err, size_t errlen);
/* Writes b to path atomically (a temporary file renamed over it). 0, or -1 with the reason. */
int mxg_baseline_save(const char *path, const struct mxg_baseline *b, char *err, size_t errlen);
void mxg_baseline_free(struct mxg_baseline *b);

/* The entry for domain (normalised name), or NULL. */
const struct mxg_baseline_domain *mxg_baseline_find(const struct mxg_baseline *b,
						    const char *domain);
/* Puts d into b, replacing an entry of the same name; b takes d's facts over (d is left
 * empty). 0, or -1 on ENOMEM or past MXG_BASELINE_DOMAINS_MAX (d then unchanged). */
int mxg_baseline_put(struct mxg_baseline *b, struct mxg_baseline_domain *d);
void mxg_baseline_domain_free(struct mxg_baseline_domain *d);

/* Adds one fact to d (printf-style; checked as the parser checks a line, duplicates dropped)
 * and keeps the facts sorted. 0, or -1 on ENOMEM, a malformed fact or past the limit. */
int mxg_baseline_add(struct mxg_baseline_domain *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Where a snapshot finds TLSA answers already looked up (mxg_probe_tlsa_answer over the
 * probe's input): the answer at _25._tcp.<host> (not owned), or NULL to ask r. */
typedef const struct mxg_dns_answer *(*mxg_baseline_known_fn)(const void *arg, const char *host);

/* Builds d for mx's domain from mx (gathered, NOERROR) and, through r, the TLSA records at
 * _25._tcp.<target> (those known(known_arg, target) gives are not asked again; known may be
 * NULL) and the id of the _mta-sts TXT record. Returns 1 with d filled, 0 when a lookup failed
 * temporarily (why says which; d is then not a snapshot), -1 on a local error. */
int mxg_baseline_snapshot(struct mxg_resolver *r, const struct mxg_mx_input *mx,
			  mxg_baseline_known_fn known, const void *known_arg,
			  struct mxg_baseline_domain *d, char *why, size_t whylen);

/* Appends MX_CHANGED for each fact of old missing from cur ("removed") and each fact of cur
 * missing from old ("added"), at most MXG_BASELINE_CHANGES_MAX and then one that counts the
 * rest. Pure. Returns the number of changed facts, or -1 on ENOMEM. */
int mxg_baseline_compare(const struct mxg_baseline_domain *old,
			 const struct mxg_baseline_domain *cur, struct mxg_findings *out);

#endif
