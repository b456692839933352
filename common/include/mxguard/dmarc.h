/* DMARC (RFC 9989 by default, RFC 7489 mode on request): record parsing, policy discovery,
 * identifier alignment, the policy that applies, and the RFC 5322 From rules. */
#ifndef MXGUARD_DMARC_H
#define MXGUARD_DMARC_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/dkim.h"
#include "mxguard/dns.h"
#include "mxguard/finding.h"
#include "mxguard/spf.h"

enum mxg_dmarc_mode {
	MXG_DMARC_MODE_9989 = 0, /* DNS tree walk (DMARCbis) */
	MXG_DMARC_MODE_7489,     /* Public Suffix List organisational domain, pct sampling */
};

enum mxg_dmarc_result {
	MXG_DMARC_NONE = 0,
	MXG_DMARC_PASS,
	MXG_DMARC_FAIL,
	MXG_DMARC_TEMPERROR,
	MXG_DMARC_PERMERROR,
};

enum mxg_dmarc_policy {
	MXG_DMARC_POLICY_UNSET = 0,
	MXG_DMARC_POLICY_NONE,
	MXG_DMARC_POLICY_QUARANTINE,
	MXG_DMARC_POLICY_REJECT,
};

#define MXG_DMARC_URI_MAX 8
#define MXG_DMARC_RI_DEFAULT 86400 /* RFC 7489 ri default: one report a day */

struct mxg_dmarc_record {
	enum mxg_dmarc_policy p, sp, np;
	int adkim_strict, aspf_strict;
	unsigned pct;            /* 0..100, default 100 */
	uint32_t ri;             /* 7489 ri= seconds, default MXG_DMARC_RI_DEFAULT (9989: not a tag) */
	int testing;             /* t=y */
	char psd;                /* 'y', 'n' or 'u' (unset) */
	size_t rua_count, ruf_count;
	char rua[MXG_DMARC_URI_MAX][256];
	char ruf[MXG_DMARC_URI_MAX][256];
	uint64_t rua_max_size[MXG_DMARC_URI_MAX]; /* RFC 7489 "!size" taken off each URI, bytes; */
	uint64_t ruf_max_size[MXG_DMARC_URI_MAX]; /* 0 when none */
	/* Set even when parsing returns -1 (receivers keep using such records): */
	int usable;              /* v=DMARC1 came first; invalid tags fell back to defaults */
	int policy_invalid;      /* p invalid (or absent in 7489 mode), or sp/np invalid:
				    p=none if rua holds a valid URI, else no DMARC (RFC 9989 §4.10.1) */
	size_t rua_invalid, ruf_invalid; /* URIs dropped as invalid */
	char invalid_uri[256];   /* the first of them */
};

/* Parses a DMARC TXT record (RFC 9989 rules). Returns 0, or -1 with a reason
 * (invalid records); out is filled either way (see usable). */
int mxg_dmarc_record_parse(const char *txt, struct mxg_dmarc_record *out, char *err, size_t errlen);
/* The same under either mode: RFC 7489 wants p right after v and knows pct, rf, ri;
 * RFC 9989 knows psd, np, t and ignores pct, rf, ri. */
int mxg_dmarc_record_parse_mode(const char *txt, enum mxg_dmarc_mode mode,
				struct mxg_dmarc_record *out, char *err, size_t errlen);

struct mxg_psl;  /* a loaded Public Suffix List (libpsl) */
/* Loads the list at path, or the built-in list when path is NULL. NULL with a reason. */
struct mxg_psl *mxg_psl_load(const char *path, char *err, size_t errlen);
void mxg_psl_free(struct mxg_psl *p);
/* The registrable (organisational) domain by the PSL; -1 if there is none. */
int mxg_psl_org_domain(const struct mxg_psl *p, const char *domain, char *out, size_t outsize);

struct mxg_dmarc_options {
	enum mxg_dmarc_mode mode;
	const struct mxg_psl *psl;  /* required in 7489 mode; NULL = built-in list */
	int apply_pct;              /* 7489 mode: sample by pct (1) or treat pct as 100 (0) */
};

/* What DMARC needs of the message: the RFC 5322 From domain and the other results. */
struct mxg_dmarc_dkim_input {
	enum mxg_dkim_result result;
	const char *domain;        /* d= */
};
struct mxg_dmarc_input {
	const char *from_domain;   /* from mxg_from_domain() */
	enum mxg_spf_result spf;   /* MAIL FROM result (HELO result is not used) */
	const char *spf_domain;    /* MAIL FROM domain (or HELO for <>) */
	size_t dkim_count;
	const struct mxg_dmarc_dkim_input *dkim;
};

struct mxg_dmarc_outcome {
	enum mxg_dmarc_result result;
	enum mxg_dmarc_policy policy;         /* what applies after sp/np, t, pct */
	enum mxg_dmarc_policy published;      /* p/sp/np as published for this domain */
	char from_domain[MXG_DNS_NAME_MAX];
	char policy_domain[MXG_DNS_NAME_MAX]; /* where the record was found */
	char org_domain[MXG_DNS_NAME_MAX];
	int spf_aligned;
	int dkim_aligned;
	char aligned_dkim_domain[MXG_DNS_NAME_MAX];
	int sampled_out;                      /* 7489 pct excluded this message */
	int testing;
	char reason[256];
	struct mxg_dmarc_record record;
	int have_record;
};

/* Evaluates DMARC. Always fills *out; returns out->result. */
enum mxg_dmarc_result mxg_dmarc_evaluate(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
					 const struct mxg_dmarc_input *in,
					 struct mxg_dmarc_outcome *out);

/* The organisational domain of domain under the mode (tree walk or PSL). */
int mxg_dmarc_org_domain(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
			 const char *domain, char *out, size_t outsize);

/* RFC 5322 From: the outcome of extracting the author domain. */
enum mxg_from_status {
	MXG_FROM_OK = 0,
	MXG_FROM_MISSING,            /* no From field */
	MXG_FROM_MULTIPLE_FIELDS,    /* more than one From field */
	MXG_FROM_MULTIPLE_ADDRESSES, /* one field, several mailboxes */
	MXG_FROM_GROUP,              /* group syntax */
	MXG_FROM_INVALID,            /* unparseable, or no domain */
};
/* From the value of the one From field, the domain of its single mailbox. A value with control
 * characters (NUL, a bare CR or LF, ...) or over 16 KiB is invalid. */
enum mxg_from_status mxg_from_domain(const char *value, char *domain, size_t size);
/* The same for a value of len bytes (which may hold NUL: then invalid). */
enum mxg_from_status mxg_from_domain_n(const char *value, size_t len, char *domain, size_t size);
/* Lenient extraction for values that do not parse: the host name after every '@', in the raw
 * value and inside every RFC 2047 encoded word, lower-cased, each passed to fn (repeats
 * included). Stops at fn's first non-zero return and returns it; 0 when all were passed. */
typedef int (*mxg_from_domain_fn)(void *arg, const char *domain);
int mxg_from_lenient_domains(const char *value, size_t len, mxg_from_domain_fn fn, void *arg);
/* The same over every From field of a message (count 0: missing, over 1: multiple fields). */
enum mxg_from_status mxg_from_fields(const char *const *values, size_t count, char *domain,
				     size_t size);
const char *mxg_from_status_name(enum mxg_from_status s);

const char *mxg_dmarc_result_name(enum mxg_dmarc_result r);
const char *mxg_dmarc_policy_name(enum mxg_dmarc_policy p);

/* A mailto: report URI taken apart: "mailto:a@b.example!10m" (RFC 7489 §6.2). */
struct mxg_dmarc_mailto {
	char address[320];             /* a@b.example, without ?headers */
	char host[MXG_DNS_NAME_MAX];   /* b.example, normalised */
	uint64_t max_size;             /* the !size limit in bytes, 0 when none */
};
/* 0, or -1 when uri is not a usable mailto: URI (other schemes, no '@', a bad size). */
int mxg_dmarc_mailto_parse(const char *uri, struct mxg_dmarc_mailto *out);

/* May reports about domain go to host (RFC 7489 §7.1, RFC 9990 §3)? Yes when host is in domain
 * or in its organisation (policy_org; NULL: looked up), else only when
 * <domain>._report._dmarc.<host> holds a v=DMARC1 record. why says why not. */
enum mxg_dmarc_dest {
	MXG_DMARC_DEST_OK = 0,
	MXG_DMARC_DEST_UNAUTHORIZED,   /* outside the organisation, no authorisation record */
	MXG_DMARC_DEST_TEMPFAIL,       /* a lookup failed: ask again later */
};
enum mxg_dmarc_dest mxg_dmarc_report_destination(struct mxg_resolver *r,
						 const struct mxg_dmarc_options *opt,
						 const char *domain, const char *policy_org,
						 const char *host, char *why, size_t whylen);

/* Audit of domain: DMARC_* findings. 0 or -1 (ENOMEM). */
int mxg_dmarc_audit(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
		    const char *domain, struct mxg_findings *out);

#endif
