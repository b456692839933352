/* DKIM verification (RFC 6376, RFC 8463, RFC 8301): a streaming verifier that takes
 * header fields, then body chunks, then end of message, and gives one result per signature. */
#ifndef MXGUARD_DKIM_H
#define MXGUARD_DKIM_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"

/* Per-signature results, as RFC 8601 names them. */
enum mxg_dkim_result {
	MXG_DKIM_NONE = 0,   /* no signature (message-level only) */
	MXG_DKIM_PASS,
	MXG_DKIM_FAIL,
	MXG_DKIM_NEUTRAL,
	MXG_DKIM_POLICY,
	MXG_DKIM_TEMPERROR,
	MXG_DKIM_PERMERROR,
};

struct mxg_dkim_options {
	unsigned max_signatures;   /* evaluated per message; 0 = 10, at most 40; the rest get policy
				    * (and past max_signatures + 32 are not listed at all) */
	unsigned min_rsa_bits;     /* 0 = 1024 (RFC 8301) */
	time_t now;                /* 0 = time(NULL); for x=/t= checks and tests */
	size_t max_header_bytes;   /* 0 = 256 KiB; over it: every signature permerror */
	int seal_body;             /* also hash the body relaxed/SHA-256 for an ARC seal (arc_seal.h) */
};

/* Parsed public keys cached for their DNS TTL; shared between threads. */
struct mxg_dkim_key_cache;
struct mxg_dkim_key_cache *mxg_dkim_key_cache_new(size_t max_entries);
void mxg_dkim_key_cache_free(struct mxg_dkim_key_cache *c);

#define MXG_DKIM_REASON_MAX 160

struct mxg_dkim_sig_result {
	enum mxg_dkim_result result;
	char reason[MXG_DKIM_REASON_MAX];   /* "body hash mismatch", "key revoked", ... */
	char domain[MXG_DNS_NAME_MAX];      /* d= */
	char selector[MXG_DNS_NAME_MAX];    /* s= */
	char identity[MXG_DNS_NAME_MAX + 64]; /* i= (or @d) */
	char algorithm[24];                 /* a= */
	char b_prefix[16];                  /* first 12 characters of b=, for header.b */
	unsigned key_bits;                  /* RSA modulus bits, 256 for ed25519, 0 if unknown */
	int body_length_limited;            /* l= present */
	int body_has_unsigned_tail;         /* body longer than l= */
	int key_testing;                    /* key t=y */
};

struct mxg_dkim_verifier;

/* A verifier for one message. r is used at end of message for key lookups;
 * cache may be NULL. NULL on ENOMEM. */
struct mxg_dkim_verifier *mxg_dkim_verifier_new(struct mxg_resolver *r,
						struct mxg_dkim_key_cache *cache,
						const struct mxg_dkim_options *opt);
/* One header field as received, by length: name without the colon (blanks before the colon,
 * RFC 5322 obs-FWS, may stay: "From " is a From field), value exactly as it followed the colon
 * (leading space kept, folds as CRLF or LF). Either may hold NUL bytes, which make the field
 * invalid (RFC 5322 §2.2): a signature covering a field of that name fails, a DKIM-Signature
 * or ARC field holding one is not read. A name starting with a blank is a continuation line
 * that continues no field: every signature is then a permerror, and an ARC chain fails.
 * 0, or -1 on ENOMEM. */
int mxg_dkim_header_n(struct mxg_dkim_verifier *v, const char *name, size_t nlen,
		      const char *value, size_t vlen);
/* The same for C strings. */
int mxg_dkim_header(struct mxg_dkim_verifier *v, const char *name, const char *value);
/* A whole raw header field "Name: value\r\n\tmore" of len bytes (used by file readers). */
int mxg_dkim_header_raw(struct mxg_dkim_verifier *v, const char *field, size_t len);
int mxg_dkim_end_headers(struct mxg_dkim_verifier *v);
/* Body bytes in chunks of any size; bare LF is taken as CRLF. */
int mxg_dkim_body(struct mxg_dkim_verifier *v, const uint8_t *data, size_t len);
/* End of message: looks up keys and verifies. Returns the number of results. */
int mxg_dkim_finish(struct mxg_dkim_verifier *v);
size_t mxg_dkim_result_count(const struct mxg_dkim_verifier *v);
const struct mxg_dkim_sig_result *mxg_dkim_result_get(const struct mxg_dkim_verifier *v, size_t i);
void mxg_dkim_verifier_free(struct mxg_dkim_verifier *v);

/* Verifies a whole message held in memory (headers, blank line, body), split by length: NUL
 * bytes are content, never an end. */
struct mxg_dkim_verifier *mxg_dkim_verify_buffer(struct mxg_resolver *r,
						 struct mxg_dkim_key_cache *cache,
						 const struct mxg_dkim_options *opt,
						 const char *msg, size_t len);

const char *mxg_dkim_result_name(enum mxg_dkim_result r);

/* ARC (RFC 8617): the verifier also validates the chain of ARC sets it finds in the header,
 * with the same canonicalization, keys and key rules. Results as RFC 8601 names them, and
 * temperror when a key lookup failed temporarily (no verdict). */
enum mxg_arc_result_code {
	MXG_ARC_NONE = 0,   /* no ARC fields */
	MXG_ARC_PASS,
	MXG_ARC_FAIL,
	MXG_ARC_TEMPERROR,
};

struct mxg_arc_result {
	enum mxg_arc_result_code result;
	unsigned instances;                 /* ARC sets found (the newest i=), 0 with none */
	char reason[MXG_DKIM_REASON_MAX];   /* why it failed, "" on pass and none */
	char domain[MXG_DNS_NAME_MAX];      /* d= of the newest ARC-Seal, "" if unknown */
};

/* The chain's result after mxg_dkim_finish (before it: none). Never NULL. */
const struct mxg_arc_result *mxg_dkim_arc(const struct mxg_dkim_verifier *v);
const char *mxg_arc_result_name(enum mxg_arc_result_code r);

/* Findings from the results after finish: DKIM_BODY_LENGTH_LIMIT (body goes on past l=),
 * DKIM_KEY_WEAK, DKIM_KEY_REVOKED, DKIM_KEY_TESTING, DKIM_KEY_TEMPFAIL, one per signature
 * concerned (index = its position from the top, 0-based). 0, or -1 on ENOMEM. */
int mxg_dkim_result_findings(const struct mxg_dkim_verifier *v, struct mxg_findings *out);

/* Audits the key at selector._domainkey.domain: DKIM_KEY_* findings. 0 or -1 (ENOMEM). */
int mxg_dkim_audit_selector(struct mxg_resolver *r, const char *domain, const char *selector,
			    struct mxg_findings *out);

#endif
