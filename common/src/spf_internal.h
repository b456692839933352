/* Private pieces of the SPF engine shared by its files: the parsed record, the macro
 * language, and the DNS helpers that apply the RFC 7208 limits. Not installed. */
#ifndef MXGUARD_SPF_INTERNAL_H
#define MXGUARD_SPF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/spf.h"

/* Longest record we evaluate (a TXT RRset cannot carry more than this). */
#define SPF_RECORD_MAX 65535
/* Longest macro expansion before truncation to a domain name. */
#define SPF_EXPAND_MAX 4096

enum spf_kind {
	SPF_ALL = 0,
	SPF_INCLUDE,
	SPF_A,
	SPF_MX,
	SPF_PTR,
	SPF_IP4,
	SPF_IP6,
	SPF_EXISTS,
	SPF_REDIRECT, /* modifiers from here */
	SPF_EXP,
	SPF_UNKNOWN_MOD,
};

struct spf_term {
	enum spf_kind kind;
	char qualifier;        /* '+', '-', '~', '?' (mechanisms only) */
	const char *text;      /* the whole term as written, for reports */
	size_t text_len;
	const char *arg;       /* domain-spec or modifier value; NULL when absent */
	size_t arg_len;
	unsigned cidr4, cidr6; /* a, mx, ip4, ip6: prefix lengths (32/128 when absent) */
	uint8_t net[16];       /* ip4 (first 4 bytes) / ip6 network */
};

struct spf_record {
	char *buf;             /* owned copy of the record text */
	size_t count;
	struct spf_term *terms;
	int redirect;          /* index of redirect=, or -1 */
	int exp;               /* index of exp=, or -1 */
	char error[160];       /* why it is invalid */
};

/* 1 if txt (len bytes) is an SPF version 1 record: "v=spf1" then a space or the end. */
int spf_is_v1(const char *txt, size_t len);

/* Parses and checks the whole record (RFC 7208 §4.6, §12). Returns 0; -1 on a syntax
 * error (reason in rec->error, rec is still freed by spf_record_free); -2 on ENOMEM. */
int spf_record_parse(const char *text, size_t len, struct spf_record *rec);
void spf_record_free(struct spf_record *rec);

/* --- the cache of parsed records (spf_cache.c) --- */

/* The parsed record of text (len bytes), from the shared cache or parsed now (and kept when
 * short enough). Read-only; give it back with spf_cache_release. NULL with *rc -1 on a syntax
 * error (reason in why), -2 on ENOMEM; *rc 0 otherwise. Thread-safe. */
const struct spf_record *spf_cache_get(const char *text, size_t len, int *rc, char *why,
				       size_t whylen);
void spf_cache_release(const struct spf_record *rec);
/* Records found in the cache, and records parsed, since the process started. */
void spf_cache_counts(unsigned long *hit, unsigned long *parsed);

/* Name of a term kind ("include", "redirect", ...). */
const char *spf_kind_name(enum spf_kind k);
/* 1 if the term makes DNS queries and counts against the limit of 10. */
int spf_kind_queries_dns(enum spf_kind k);

/* Validation findings for one record (spf_validate.c). longest: its longest published
 * string; count_terms: report the record's own lookup count. 1 valid, 0 not, -1 ENOMEM. */
int spf_validate(const char *text, size_t len, size_t longest, int count_terms,
		 const char *subject, struct mxg_findings *out);

/* --- macros (spf_macro.c) --- */

enum spf_macro_use {
	SPF_MACRO_DOMAIN = 0, /* domain-spec: letters s l o d i p h v */
	SPF_MACRO_MODIFIER,   /* unknown modifier value: same letters, no domain-end rule */
	SPF_MACRO_EXPLAIN,    /* explanation text: adds c r t and spaces */
};

/* Syntax check of a macro-string (and the domain-end rule for SPF_MACRO_DOMAIN).
 * Returns 0, or -1 with a reason in why. */
int spf_macro_check(const char *s, size_t len, enum spf_macro_use use, char *why, size_t whylen);

struct spf_macro_vars {
	const char *sender;   /* s */
	const char *local;    /* l */
	const char *sdomain;  /* o */
	const char *domain;   /* d */
	const char *helo;     /* h */
	const char *receiver; /* r */
	const struct mxg_addr *ip;
	/* p: the validated name of ip, computed on first use (may do DNS); never NULL result. */
	const char *(*ptr_name)(void *arg);
	void *ptr_arg;
	long long now;        /* t */
};

/* Expands s into out (NUL-terminated). Returns the length, or -1 with a reason in why
 * (syntax, or a result longer than outsize - 1). */
long spf_macro_expand(const struct spf_macro_vars *v, const char *s, size_t len,
		      enum spf_macro_use use, char *out, size_t outsize, char *why, size_t whylen);
/* Turns an expanded domain-spec into a lookup name: drops one trailing dot and removes
 * leftmost labels until it is at most 253 characters (§7.3). In place. */
void spf_domain_truncate(char *name);
/* The dotted form of %{i}: a.b.c.d, or 32 dot-separated hex nibbles for IPv6. */
int spf_ip_dotted(const struct mxg_addr *ip, char *out, size_t outsize);

/* --- names and DNS (spf_dns.c); names are compared with dns_name.c's codec --- */

/* 1 if name can be put in a DNS query: labels of 1-63 octets, at most 253 in all. */
int spf_name_queryable(const char *name);
/* 1 if name is a usable <domain> for check_host (§4.3): queryable, at least two labels,
 * not an address literal. */
int spf_domain_valid(const char *name);

struct spf_dns {
	struct mxg_resolver *r;
	uint64_t deadline_ms; /* mxg_clock_ms(); 0 = none */
	char problem[MXG_SPF_TEXT_MAX];
};

/* Looks (name, type) up. Returns 0 with *out set; 1 when the lookup failed temporarily
 * (timeout, SERVFAIL, time budget; problem set; *out NULL); -1 on a local error (problem set). */
int spf_dns_lookup(struct spf_dns *d, const char *name, uint16_t type,
		   struct mxg_dns_answer **out);
/* 1 if the answer is void (§4.6.4): NXDOMAIN, or NOERROR with no record of the type. */
int spf_answer_void(const struct mxg_dns_answer *a);
/* 1 if any address record in a matches ip under the prefix for its family. */
int spf_answer_matches(const struct mxg_dns_answer *a, const struct mxg_addr *ip,
		       unsigned cidr4, unsigned cidr6);
/* The TXT RRset's SPF version 1 records at name. Returns 0 with *rec_text (heap, NUL-terminated,
 * *rec_len bytes, may hold NUL) and *count records found; count 0 = none (NXDOMAIN or no
 * record); 1 temporary failure; -1 local error. When count > 1 no text is returned. */
int spf_fetch_record(struct spf_dns *d, const char *name, char **rec_text, size_t *rec_len,
		     unsigned *count, int *nxdomain);
/* Joins the strings of a TXT record (heap, NUL-terminated; *len may include NUL bytes). */
char *spf_txt_join(const struct mxg_dns_rr *rr, size_t *len);
/* Reverse-lookup name of ip: a.b.c.d.in-addr.arpa or the nibbles under ip6.arpa. */
int spf_reverse_name(const struct mxg_addr *ip, char *out, size_t outsize);

/* --- the outcome (spf_outcome.c) --- */

/* dst (size > 0) = the strings up to the NULL, joined and cut to size like snprintf would:
 * the per-evaluation texts without a format to parse. */
void spf_join(char *dst, size_t size, ...) __attribute__((sentinel));
/* dst (size > 0) = the first n bytes of s (fewer at a NUL), cut to size. */
void spf_copyn(char *dst, size_t size, const char *s, size_t n);

/* Fills out->comment from the result, sender, domain and problem. */
void spf_outcome_comment(struct mxg_spf_outcome *out, const struct mxg_addr *ip);

#endif
