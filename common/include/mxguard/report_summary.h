/* Who sends mail as a domain, from the aggregate reports received about it: records added one
 * by one are grouped by source address, with SPF and DKIM alignment rates, the reporting
 * organisations, why failing mail failed and, for a source of a known hosted provider (the SPF
 * provider table), the SPF include or DKIM selector it needs. Bounded in sources and lookups. */
#ifndef MXGUARD_REPORT_SUMMARY_H
#define MXGUARD_REPORT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/report_store.h"
#include "mxguard/spf.h"

#define MXG_SUMMARY_SOURCES_MAX 8192    /* distinct source addresses; more are counted apart */
#define MXG_SUMMARY_ORGS_MAX 64         /* reporting organisations listed (more: "other") */
#define MXG_SUMMARY_SOURCE_ORGS_MAX 4   /* organisations named per source */
#define MXG_SUMMARY_SOURCE_FROMS_MAX 4  /* From domains named per source */
#define MXG_SUMMARY_WHY_MAX 3           /* distinct failure reasons kept per source */
#define MXG_SUMMARY_RESOLVE_MAX 256     /* reverse lookups: the largest sources first */
#define MXG_SUMMARY_RESOLVE_BUDGET_MS 60000 /* no lookup starts after this long */
#define MXG_SUMMARY_TEXT_MAX 320

struct mxg_summary_why {
	char text[MXG_SUMMARY_TEXT_MAX];        /* "SPF fail for a.example; DKIM none" */
	uint64_t count;
};

struct mxg_summary_source {
	struct mxg_addr addr;
	char ip[64];
	char reverse[MXG_DNS_NAME_MAX];         /* the PTR name ("" when none or not looked up) */
	uint64_t total, spf_aligned, dkim_aligned, passed; /* passed: either aligned */
	size_t org_count;
	char orgs[MXG_SUMMARY_SOURCE_ORGS_MAX][64];
	size_t from_count;                      /* the From domains it sent as (the domain or */
	char froms[MXG_SUMMARY_SOURCE_FROMS_MAX][MXG_DNS_NAME_MAX]; /* subdomains of it) */
	size_t why_count;
	struct mxg_summary_why why[MXG_SUMMARY_WHY_MAX];
	uint64_t why_other;                     /* failing messages of further reasons */
	char dkim_domain[MXG_DNS_NAME_MAX];     /* a DKIM pass seen that was not aligned */
	char dkim_selector[MXG_STORE_SELECTOR_MAX];
	char provider[64];                      /* the hosted provider it belongs to, or "" */
	char spf_needs[MXG_DNS_NAME_MAX];       /* the include: the domain's SPF record lacks */
	char dkim_needs[MXG_DNS_NAME_MAX * 2];  /* "SELECTOR._domainkey.DOMAIN" to publish */
};

struct mxg_summary_org {
	char name[64];
	uint64_t messages;
};

/* The mail of one From domain (the summary's domain or a subdomain of it). */
struct mxg_summary_from {
	char name[MXG_DNS_NAME_MAX];
	uint64_t messages, passed;
};

/* The sources whose reverse names share a registered domain (by the Public Suffix List). */
struct mxg_summary_rdomain {
	char name[MXG_DNS_NAME_MAX];
	size_t sources;
	uint64_t messages, passed;
};

struct mxg_htable;

struct mxg_summary {
	char domain[MXG_DNS_NAME_MAX];
	uint64_t total, spf_aligned, dkim_aligned, passed;
	uint64_t records;
	size_t source_count;
	struct mxg_summary_source *sources;     /* sorted by total, largest first, after finish */
	uint64_t other_sources_messages;        /* from sources past MXG_SUMMARY_SOURCES_MAX */
	size_t org_count;
	struct mxg_summary_org orgs[MXG_SUMMARY_ORGS_MAX];
	uint64_t other_orgs_messages;
	size_t from_count;                      /* after finish, most messages first */
	struct mxg_summary_from froms[MXG_SUMMARY_ORGS_MAX];
	uint64_t other_froms_messages;          /* past MXG_SUMMARY_ORGS_MAX From domains */
	size_t rdomain_count;                   /* after finish, most messages first */
	struct mxg_summary_rdomain rdomains[MXG_SUMMARY_ORGS_MAX];
	uint64_t other_rdomains_messages;       /* past MXG_SUMMARY_ORGS_MAX domains */
	uint64_t no_reverse_messages;           /* from sources without a reverse name */
	unsigned resolved, resolve_failed;      /* reverse lookups done; of those that failed */
	unsigned resolve_skipped;               /* not looked up: past the time budget */
	struct mxg_htable *index;               /* private: the address hash */
};

/* Starts an empty summary of domain. 0, or -1 on ENOMEM. */
int mxg_summary_init(struct mxg_summary *s, const char *domain);
/* Adds one record of a report from org (before finish), counted under its header_from (the
 * summary's domain when the record has none). Alignment is the reporter's own verdict
 * (policy_evaluated); the auth results only word why mail failed: every SPF result is named,
 * a HELO one marked as not used by DMARC (RFC 7489 section 3.1.2 aligns the MAIL FROM
 * identity). 0, or -1 when the source address does not parse or after finish (the record is
 * then not counted). */
int mxg_summary_add(struct mxg_summary *s, const char *org, const struct mxg_store_rr_record *rec);
/* Sorts the sources and organisations (most messages first), looks up the reverse names of
 * the largest MXG_SUMMARY_RESOLVE_MAX sources through r within MXG_SUMMARY_RESOLVE_BUDGET_MS
 * (NULL: none looked up; a failed or skipped lookup leaves the name empty), groups the sources by the registered domain of their reverse name
 * under psl (NULL: the whole name), and names the provider of each failing source with what
 * it needs (providers may be NULL). */
void mxg_summary_finish(struct mxg_summary *s, struct mxg_resolver *r,
			const struct mxg_spf_providers *providers, const struct mxg_psl *psl);
void mxg_summary_free(struct mxg_summary *s);

#endif
