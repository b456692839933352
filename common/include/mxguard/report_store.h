/* The DMARC report store: one API over two real databases, chosen by one string
 * ("sqlite:/path/dmarc.db", or "postgresql://..." through libpq). It holds the DMARC
 * evaluations the milter records (for aggregate reports out), the intervals already reported,
 * and the aggregate reports received from others (for import and summary). Versioned schema,
 * migrations applied at open, bounded waits, retention. Not thread-safe: one handle per thread. */
#ifndef MXGUARD_REPORT_STORE_H
#define MXGUARD_REPORT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/dns.h"

#define MXG_STORE_SPEC_MAX 1024     /* the store string */
#define MXG_STORE_DKIM_MAX 8        /* DKIM results kept per evaluation (the first ones) */
#define MXG_STORE_SELECTOR_MAX 64   /* a selector longer than this is cut */
#define MXG_STORE_RUA_MAX 1024      /* the rua tag as published */
#define MXG_STORE_BATCH_MAX 512     /* rows per mxg_store_insert call */
#define MXG_STORE_TEXT_MAX 256      /* free text (comments, reasons, org names) */
#define MXG_STORE_BUSY_MS 2000      /* SQLite: longest wait for a lock */
#define MXG_STORE_CONNECT_S 5       /* PostgreSQL: connect timeout */
#define MXG_STORE_STATEMENT_MS 10000 /* PostgreSQL: statement timeout */
#define MXG_STORE_SCHEMA_VERSION 2

struct mxg_store;

/* One DKIM signature's result as DMARC saw it. */
struct mxg_store_dkim {
	char domain[MXG_DNS_NAME_MAX];
	char selector[MXG_STORE_SELECTOR_MAX];
	char result[16];                     /* RFC 8601 name: pass, fail, neutral, ... */
};

/* One DMARC evaluation (one author domain of one message). Strings are "" when unknown. */
struct mxg_store_eval {
	int64_t time;                        /* Unix seconds */
	char source_ip[48];
	char env_from[MXG_DNS_NAME_MAX];     /* envelope (MAIL FROM) domain; "" for <> */
	char header_from[MXG_DNS_NAME_MAX];  /* RFC 5322 From domain */
	char policy_domain[MXG_DNS_NAME_MAX];/* where the DMARC record was found */
	char spf_result[16];                 /* RFC 8601 name, "none" when not run */
	char spf_domain[MXG_DNS_NAME_MAX];
	char spf_scope[12];                  /* "mfrom" or "helo" (RFC 7489 Appendix C) */
	size_t dkim_count;
	struct mxg_store_dkim dkim[MXG_STORE_DKIM_MAX];
	char dmarc_result[16];               /* pass, fail, none, temperror, permerror */
	int spf_aligned, dkim_aligned;       /* policy_evaluated spf/dkim: 1 pass, 0 fail */
	char p[12], sp[12], np[12];          /* published: none, quarantine, reject, "" unset */
	int adkim_strict, aspf_strict;
	int pct;                             /* 0..100; -1 when not published (RFC 9989) */
	int testing;                         /* t=y */
	char rua[MXG_STORE_RUA_MAX];         /* the rua URIs as published, comma-separated */
	char disposition[12];                /* applied: none, quarantine, reject */
	char override[24];                   /* why it differs from the policy: "" (it does not),
					      * sampled_out, local_policy, trusted_forwarder,
					      * forwarded, mailing_list, other (RFC 7489 names);
					      * testing mode is local_policy with comment
					      * "testing" */
	char override_comment[MXG_STORE_TEXT_MAX];
	/* Schema 2 (report send): */
	char envelope_to[MXG_DNS_NAME_MAX];  /* domain of the first RCPT TO; "" when unknown */
	int64_t ri;                          /* 7489 ri= seconds asked for (86400 by default) */
	char discovery[12];                  /* "psl" (RFC 7489) or "treewalk" (RFC 9989); "" */
};

/* One group of evaluations for an aggregate report: the same source and results, counted. */
struct mxg_store_group {
	struct mxg_store_eval e;             /* time is the earliest of the group */
	uint64_t count;
};

/* The policy and rua a domain published most recently in an interval, for the report's
 * <policy_published> and destination. */
struct mxg_store_domain {
	char policy_domain[MXG_DNS_NAME_MAX];
	struct mxg_store_eval latest;
	uint64_t count;                      /* evaluations in the interval */
};

/* Received aggregate reports (written by `mxguard report import`). */
struct mxg_store_rr_report {
	char org_name[MXG_STORE_TEXT_MAX];
	char email[MXG_STORE_TEXT_MAX];
	char report_id[MXG_STORE_TEXT_MAX];
	char domain[MXG_DNS_NAME_MAX];       /* policy_published domain */
	int64_t begin, end;
	char p[12], sp[12], np[12];
	int adkim_strict, aspf_strict, pct;  /* pct -1 when absent */
	int64_t received;                    /* when imported */
};
struct mxg_store_rr_record {
	char source_ip[48];
	uint64_t count;
	char disposition[12];
	char dkim_eval[8], spf_eval[8];      /* policy_evaluated: pass or fail */
	char override[24];
	char header_from[MXG_DNS_NAME_MAX];
	char env_from[MXG_DNS_NAME_MAX];
	size_t dkim_count;
	struct mxg_store_dkim dkim[MXG_STORE_DKIM_MAX];
	char spf_domain[MXG_DNS_NAME_MAX];
	char spf_result[16];
	char spf_scope[12];
};

/* Opens the store spec names and brings its schema to MXG_STORE_SCHEMA_VERSION (creating it,
 * or applying each migration in one transaction). A schema newer than this program knows is
 * refused. NULL with a reason in err (bad spec, cannot connect, migration failed). */
struct mxg_store *mxg_store_open(const char *spec, char *err, size_t errlen);
/* The same, migrating to version (1 .. MXG_STORE_SCHEMA_VERSION) only: an older store as a
 * previous release made it, for the tests of migrations. */
struct mxg_store *mxg_store_open_version(const char *spec, int version, char *err, size_t errlen);
void mxg_store_close(struct mxg_store *s);
/* "sqlite" or "postgresql". */
const char *mxg_store_backend(const struct mxg_store *s);
/* The schema version the store holds (after open: MXG_STORE_SCHEMA_VERSION). -1 on error. */
int mxg_store_schema_version(struct mxg_store *s, char *err, size_t errlen);

/* Inserts n (<= MXG_STORE_BATCH_MAX) evaluations in one transaction: all or none.
 * 0, or -1 with a reason. */
int mxg_store_insert(struct mxg_store *s, const struct mxg_store_eval *rows, size_t n,
		     char *err, size_t errlen);

/* The policy domains with evaluations in [begin, end) that publish a rua, each with the most
 * recent evaluation (its policy and rua). fn's non-zero return stops the walk and is returned;
 * 0 when all were passed; -1 with a reason on a store error. */
typedef int (*mxg_store_domain_fn)(void *arg, const struct mxg_store_domain *d);
int mxg_store_domains(struct mxg_store *s, int64_t begin, int64_t end, mxg_store_domain_fn fn,
		      void *arg, char *err, size_t errlen);
/* The evaluations of policy_domain in [begin, end), grouped by source address, From and
 * envelope domains, results and disposition, with counts (at most limit groups; more is an
 * error, so a report is never silently cut). Same return convention. */
typedef int (*mxg_store_group_fn)(void *arg, const struct mxg_store_group *g);
int mxg_store_groups(struct mxg_store *s, const char *policy_domain, int64_t begin, int64_t end,
		     size_t limit, mxg_store_group_fn fn, void *arg, char *err, size_t errlen);
/* The earliest evaluation time in the store: 0 with *out set, 1 when there is none, -1. */
int mxg_store_first_time(struct mxg_store *s, int64_t *out, char *err, size_t errlen);

/* Marks [begin, end) of policy_domain reported under report_id. 0 when marked now, 1 when it
 * was already marked (nothing changed: an interval is reported once), -1 on error. */
int mxg_store_mark_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			    int64_t end, const char *report_id, char *err, size_t errlen);
/* Removes the mark of the interval starting at begin (a report claimed by marking it first
 * whose delivery then failed, to be tried again). 0 or -1. */
int mxg_store_unmark_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			      char *err, size_t errlen);
/* 1 if the interval starting at begin was reported for policy_domain, 0 if not, -1. */
int mxg_store_is_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			  char *err, size_t errlen);

/* Per-destination delivery of a reported interval (schema 2): a report claimed by
 * mxg_store_mark_reported gets one row per rua destination; a destination that failed for now
 * stays "pending" and the next run sends the same report to it alone. */
#define MXG_STORE_DEST_MAX 512              /* a destination URI as published */
#define MXG_STORE_STALE_CLAIM_S 3600        /* a "sending" claim older than this is retaken */
struct mxg_store_delivery {
	char policy_domain[MXG_DNS_NAME_MAX];
	int64_t begin, end;                  /* the interval reported */
	char destination[MXG_STORE_DEST_MAX];
	char format[12];                     /* the report format, rfc7489 or dmarcbis */
	char state[12];                      /* pending, sending, sent, refused, expired */
	int attempts;
	int64_t first_try, last_try;
	char last_error[MXG_STORE_TEXT_MAX];
};
/* Adds the destination of a just-claimed interval as "pending" (nothing if it is there).
 * 0 or -1. */
int mxg_store_delivery_add(struct mxg_store *s, const struct mxg_store_delivery *d, char *err,
			   size_t errlen);
/* Claims one pending destination for sending at now (state "sending", one more attempt):
 * 0 claimed, 1 not (another run has it, or it is no longer pending), -1. */
int mxg_store_delivery_claim(struct mxg_store *s, const char *policy_domain, int64_t begin,
			     const char *destination, int64_t now, char *err, size_t errlen);
/* Sets the outcome of a claimed destination: state and the reason (may be ""). 0 or -1. */
int mxg_store_delivery_set(struct mxg_store *s, const char *policy_domain, int64_t begin,
			   const char *destination, const char *state, const char *why,
			   char *err, size_t errlen);
/* Every destination in state pending (or sending, claimed before now -
 * MXG_STORE_STALE_CLAIM_S), oldest interval first; at most limit. fn's non-zero return stops
 * the walk and is returned; 0, or -1 with a reason. */
typedef int (*mxg_store_delivery_fn)(void *arg, const struct mxg_store_delivery *d);
int mxg_store_delivery_due(struct mxg_store *s, int64_t now, size_t limit,
			   mxg_store_delivery_fn fn, void *arg, char *err, size_t errlen);
/* The end of the last interval reported for policy_domain: 0 with *end set, 1 when none, -1. */
int mxg_store_reported_until(struct mxg_store *s, const char *policy_domain, int64_t *end,
			     char *err, size_t errlen);
/* The time of policy_domain's first evaluation at or after from: 0 with *out set, 1 when there
 * is none, -1. */
int mxg_store_domain_next_time(struct mxg_store *s, const char *policy_domain, int64_t from,
			       int64_t *out, char *err, size_t errlen);
/* The latest evaluation of policy_domain in [begin, end) with how many there are:
 * 0 with *out and *count set, 1 when there is none, -1. */
int mxg_store_domain_latest(struct mxg_store *s, const char *policy_domain, int64_t begin,
			    int64_t end, struct mxg_store_domain *out, char *err, size_t errlen);

/* Retention: deletes evaluations, reported-interval marks and received reports older than
 * now - keep seconds. The number of evaluations deleted in *deleted (may be NULL). 0 or -1. */
int mxg_store_prune(struct mxg_store *s, int64_t now, int64_t keep, uint64_t *deleted,
		    char *err, size_t errlen);

/* Stores one received report and its n records in one transaction. 0 when stored, 1 when a
 * report with the same org_name and report_id is already there (nothing stored), -1. */
int mxg_store_rr_insert(struct mxg_store *s, const struct mxg_store_rr_report *rep,
			const struct mxg_store_rr_record *recs, size_t n, char *err, size_t errlen);
/* The records of received reports on domain whose interval ends at or after since, each with
 * its report. Same return convention as mxg_store_domains. */
typedef int (*mxg_store_rr_fn)(void *arg, const struct mxg_store_rr_report *rep,
			       const struct mxg_store_rr_record *rec);
int mxg_store_rr_records(struct mxg_store *s, const char *domain, int64_t since,
			 mxg_store_rr_fn fn, void *arg, char *err, size_t errlen);

/* "31d", "12h", "30m", "45s", "2w" or plain seconds to seconds (1 s .. 10 years).
 * 0, or -1 if it is not such a duration. */
int mxg_store_parse_duration(const char *text, int64_t *out);

/* DKIM results to and from their stored form "result:domain:selector ..." (message order).
 * Format: 0, or -1 if it does not fit. Parse: 0, or -1 if malformed (count set to what was
 * read). */
int mxg_store_dkim_format(const struct mxg_store_dkim *d, size_t n, char *out, size_t size);
int mxg_store_dkim_parse(const char *text, struct mxg_store_dkim *d, size_t max, size_t *count);

#endif
