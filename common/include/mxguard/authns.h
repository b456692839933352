/* The zone's own servers: what each authoritative name server of a domain's zone serves for the
 * MX RRset, the MX targets' addresses and the SOA serial, asked of each one directly, and a pure
 * analysis of where they disagree (a stale secondary, a migration half done, a lame server). */
#ifndef MXGUARD_AUTHNS_H
#define MXGUARD_AUTHNS_H

#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/dns.h"
#include "mxguard/finding.h"

#define MXG_AUTHNS_MAX_NS 8        /* NS names of the zone taken */
#define MXG_AUTHNS_MAX_SERVERS 8   /* server addresses asked (over all NS names) */
#define MXG_AUTHNS_ADDRS_PER_NS 2  /* addresses taken per NS name */
#define MXG_AUTHNS_MAX_MX 16       /* MX records kept per server */
#define MXG_AUTHNS_MAX_TARGETS 16  /* distinct MX target names compared */
#define MXG_AUTHNS_MAX_ADDRS 8     /* addresses kept per target and server */
#define MXG_AUTHNS_BUDGET_MS 20000 /* the whole gathering, whatever the per-query wait */

enum mxg_authns_state {
	MXG_AUTHNS_ANSWERED = 0, /* an authoritative SOA answer for the zone */
	MXG_AUTHNS_NO_ANSWER,    /* nothing came back in time */
	MXG_AUTHNS_LAME,         /* it answered, but not authoritatively for the zone */
	MXG_AUTHNS_NOT_ASKED,    /* the time budget ran out first */
};

struct mxg_authns_mx {
	uint16_t pref;
	char name[MXG_DNS_NAME_MAX]; /* "" for a null MX */
};

/* One server's addresses for one target name. */
struct mxg_authns_addrs {
	int known;          /* 1: an authoritative answer (NOERROR or NXDOMAIN) for A and AAAA */
	int nxdomain;
	unsigned count;     /* capped at MXG_AUTHNS_MAX_ADDRS */
	struct mxg_addr addrs[MXG_AUTHNS_MAX_ADDRS];
};

struct mxg_authns_server {
	char ns[MXG_DNS_NAME_MAX];   /* the NS name */
	struct mxg_addr addr;        /* the address asked */
	enum mxg_authns_state state;
	char why[160];               /* when not answered: what happened */
	uint32_t serial;             /* SOA serial, when answered */
	int mx_known;                /* an authoritative answer for the MX question */
	int mx_nxdomain;             /* ... that says the domain does not exist */
	uint32_t mx_ttl;             /* TTL of the MX RRset, when mx_count > 0 */
	unsigned mx_count;           /* capped at MXG_AUTHNS_MAX_MX */
	struct mxg_authns_mx mx[MXG_AUTHNS_MAX_MX];
	struct mxg_authns_addrs targets[MXG_AUTHNS_MAX_TARGETS]; /* index as input's target[] */
};

struct mxg_authns_input {
	char domain[MXG_DNS_NAME_MAX];
	char zone[MXG_DNS_NAME_MAX];          /* the apex whose NS set was asked */
	unsigned n_servers;
	struct mxg_authns_server servers[MXG_AUTHNS_MAX_SERVERS];
	unsigned n_targets;                   /* union of the MX targets all servers gave */
	char targets[MXG_AUTHNS_MAX_TARGETS][MXG_DNS_NAME_MAX];
};

/* Appends the findings on in: MX_NS_INCONSISTENT per RRset the answering servers disagree on
 * (the MX set, its TTL, a target's addresses), NS_SERIAL_MISMATCH, NS_UNREACHABLE and NS_LAME
 * per server. Pure: no DNS, no I/O. Returns 0, or -1 on ENOMEM or counts over the limits. */
int mxg_authns_analyze(const struct mxg_authns_input *in, struct mxg_findings *out);

/* How many servers of in answered authoritatively. */
unsigned mxg_authns_answered(const struct mxg_authns_input *in);

/* Fills *in for domain: the NS set of the zone holding domain (the closest enclosing name with
 * NS records, found through r) and their addresses (through r), then asks each address
 * directly on port 53, recursion off, for the SOA, the MX RRset and every target's A and AAAA,
 * each query waiting at most timeout_ms (0 = MXG_DNS_AUTH_TIMEOUT_MS) and all of it at most
 * MXG_AUTHNS_BUDGET_MS. Returns 1 with servers asked; 0 when no server could be found (why
 * says why; in->n_servers is 0); -1 on a local error (reason in why). */
int mxg_authns_gather(struct mxg_resolver *r, const char *domain, unsigned timeout_ms,
		      struct mxg_authns_input *in, char *why, size_t whylen);

#endif
