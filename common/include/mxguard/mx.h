/* MX analysis: a pure function over an MX RRset and what is known of each target,
 * plus a gatherer that fills that input through the resolver interface. */
#ifndef MXGUARD_MX_H
#define MXGUARD_MX_H

#include <stdint.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"

#define MXG_MX_MAX_TARGETS 32   /* hard cap on targets examined */
#define MXG_MX_MAX_ADDRS 16     /* addresses kept per family per target */

/* Thresholds for MX_TTL_LOW / MX_TTL_HIGH (seconds), documented in docs/findings.md. */
#define MXG_MX_TTL_LOW 300
#define MXG_MX_TTL_HIGH 604800

/* What was learnt of one address family of a target. */
enum mxg_mx_lookup {
	MXG_MX_UNKNOWN = 0, /* not looked up */
	MXG_MX_FOUND,       /* records of this family */
	MXG_MX_NODATA,      /* the name exists, no record of this family */
	MXG_MX_NXDOMAIN,
	MXG_MX_TEMPFAIL,    /* SERVFAIL or timeout */
};

struct mxg_mx_target {
	uint16_t pref;
	char name[MXG_DNS_NAME_MAX];       /* exchange; "" for a null MX (RFC 7505) */
	enum mxg_mx_lookup a_state;
	enum mxg_mx_lookup aaaa_state;
	int alias;                          /* a CNAME was met resolving the name */
	char alias_target[MXG_DNS_NAME_MAX];/* the canonical name, when alias */
	unsigned n_v4, n_v6;
	uint8_t v4[MXG_MX_MAX_ADDRS][4];
	uint8_t v6[MXG_MX_MAX_ADDRS][16];
};

struct mxg_mx_input {
	char domain[MXG_DNS_NAME_MAX];
	enum mxg_dns_rcode rcode;     /* of the MX query */
	enum mxg_dnssec security;     /* of the MX RRset */
	uint32_t ttl;                 /* of the MX RRset, as the zone publishes it */
	int ttl_unknown;              /* the published TTL could not be learnt: ttl is not judged */
	char ttl_why[160];            /* why, when ttl_unknown */
	unsigned count;               /* MX records present (capped at MXG_MX_MAX_TARGETS) */
	unsigned total;               /* MX records in the answer, before the cap */
	struct mxg_mx_target targets[MXG_MX_MAX_TARGETS];
	/* With no MX (count == 0, NOERROR): the domain's own addresses (implicit MX). */
	struct mxg_mx_target implicit;
};

/* Analyses in; appends findings to out (index = position in in->targets, or -1).
 * Pure: no DNS, no I/O. Returns 0, or -1 on ENOMEM. */
int mxg_mx_analyze(const struct mxg_mx_input *in, struct mxg_findings *out);

/* 1 if a target can take mail: an address of some family, not an alias,
 * not an IP literal, not only private/reserved addresses, not null. */
int mxg_mx_target_usable(const struct mxg_mx_target *t);

/* 1 if the name is written as an IPv4 or IPv6 literal ("192.0.2.1", "[192.0.2.1]"). */
int mxg_mx_name_is_ip_literal(const char *name);

/* Fills *in for domain with MX, A and AAAA lookups through r (at most max_targets
 * targets; 0 = MXG_MX_MAX_TARGETS). in->ttl is the TTL the zone publishes
 * (mxg_dns_published_ttl, each name server given MXG_DNS_AUTH_TIMEOUT_MS), never what is
 * left of a cached copy; when that cannot be learnt, in->ttl_unknown is set and in->ttl_why
 * says why. Returns 0, or -1 on a local error (reason in err). */
int mxg_mx_gather(struct mxg_resolver *r, const char *domain, unsigned max_targets,
		  struct mxg_mx_input *in, char *err, size_t errlen);

#endif
