/* Private pieces shared by the DKIM files: the tag-list walker, base64, the parsed
 * signature and key, canonicalization and the key cache's internal calls. Not installed. */
#ifndef MXGUARD_DKIM_INTERNAL_H
#define MXGUARD_DKIM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "mxguard/dkim.h"

/* Longest decoded b= we accept: an RSA-8192 signature. */
#define DKIM_SIG_MAX 1024
/* Longest decoded p= we accept: SubjectPublicKeyInfo of RSA-8192 plus slack. */
#define DKIM_KEY_DER_MAX 1200
/* Most h= entries one signature may list. */
#define DKIM_H_MAX 128
/* DNS TTL cap for cached keys, and the floor so a TTL of 0 still helps a burst. */
#define DKIM_CACHE_TTL_MAX 86400u

/* --- tag=value lists (RFC 6376 §3.2), dkim_sig.c --- */

/* One tag: name and value point into the walked text; the value has the
 * surrounding whitespace removed but keeps inner folding whitespace. */
struct dkim_tag {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	size_t value_off;   /* offset of the value's first byte in the walked text */
	size_t eq_off;      /* offset of the byte after '=' */
};

#define DKIM_TAGS_MAX 64

struct dkim_taglist {
	size_t count;
	struct dkim_tag tags[DKIM_TAGS_MAX];
};

/* Splits text into tags, checking the RFC 6376 grammar (names, VALCHARs, folding,
 * no duplicates). 0, or -1 with a reason in err. */
int dkim_tags_parse(const char *text, size_t len, struct dkim_taglist *out, char *err, size_t errlen);
const struct dkim_tag *dkim_tags_find(const struct dkim_taglist *l, const char *name);
/* 1 if the value equals s exactly (tags are case-sensitive; callers lower-case when needed). */
int dkim_tag_is(const struct dkim_tag *t, const char *s);

/* Decodes base64, skipping folding whitespace. Returns the length, or -1 on a bad
 * character, bad padding, or when the result exceeds outsize. */
long dkim_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsize);

/* --- the signature (dkim_sig.c) --- */

enum dkim_alg {
	DKIM_ALG_RSA_SHA256 = 0,
	DKIM_ALG_ED25519_SHA256,
	DKIM_ALG_RSA_SHA1,
};

enum dkim_canon {
	DKIM_CANON_SIMPLE = 0,
	DKIM_CANON_RELAXED,
};

enum dkim_keytype {
	DKIM_KEY_RSA = 0,
	DKIM_KEY_ED25519,
};

/* What a signature field is: a DKIM-Signature, or one of the two signed fields of an ARC set
 * (RFC 8617): ARC-Message-Signature (DKIM's tags less v=, i= the instance, any h=) or
 * ARC-Seal (a=, b=, cv=, d=, i=, s=, t=; no h=, no bh=; relaxed header canonicalization). */
enum dkim_sig_kind {
	DKIM_SIG_DKIM = 0,
	DKIM_SIG_AMS,
	DKIM_SIG_AS,
};

/* ARC-Seal cv= values. */
enum dkim_arc_cv {
	DKIM_ARC_CV_NONE = 0,
	DKIM_ARC_CV_PASS,
	DKIM_ARC_CV_FAIL,
};

const char *dkim_arc_cv_name(enum dkim_arc_cv cv);

/* Most ARC sets a chain may have (RFC 8617 §4.2.1). */
#define DKIM_ARC_MAX 50

struct dkim_sig {
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	char a[24];
	char d[MXG_DNS_NAME_MAX];
	char s[MXG_DNS_NAME_MAX];
	char i[MXG_DNS_NAME_MAX + 64];   /* decoded i=, or "@" d */
	size_t b_len;
	char b_prefix[16];
	uint8_t bh[EVP_MAX_MD_SIZE];
	size_t bh_len;
	int has_l;
	uint64_t l;
	int has_t, has_x;
	uint64_t t, x;
	size_t h_count;                  /* h= names, lower-cased, in order */
	char *h_store;                   /* owns the names */
	size_t b_value_start, b_value_end; /* b= value span in the field's value, for removal */
	unsigned instance;               /* ARC fields: i=, 1 to DKIM_ARC_MAX */
	enum dkim_arc_cv cv;             /* ARC-Seal: cv= */
	/* The two large arrays last: only their first b_len and h_count entries are read, so
	 * dkim_sig_reset() leaves them as they are. */
	uint8_t b[DKIM_SIG_MAX];
	char *h_names[DKIM_H_MAX];
};

/* Empties sig (as zeroed, without writing the large arrays it need not). */
void dkim_sig_reset(struct dkim_sig *sig);

/* Parses a DKIM-Signature value into sig (which owns h_store afterwards; release with
 * dkim_sig_clear). Fills what it could even on error (d=, s=, a= for reporting).
 * 0, or -1 with the permerror reason in err. */
int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig, char *err, size_t errlen);
/* The same for the signature fields of ARC (kind DKIM_SIG_AMS or DKIM_SIG_AS). */
int dkim_sig_parse_kind(enum dkim_sig_kind kind, const char *value, size_t len, struct dkim_sig *sig,
			char *err, size_t errlen);
/* The instance of an ARC field's value: i= of a seal or message signature (kind AMS or AS;
 * the tag list must parse), or the leading "i=N;" of an ARC-Authentication-Results (kind
 * DKIM). 1 to DKIM_ARC_MAX, or 0 when absent or malformed. */
unsigned dkim_arc_instance(enum dkim_sig_kind kind, const char *value, size_t len);
void dkim_sig_clear(struct dkim_sig *sig);

/* --- the key record (dkim_key.c) --- */

struct dkim_key {
	enum dkim_keytype type;
	int revoked;           /* p= empty */
	int testing;           /* t=y */
	int strict;            /* t=s: i= domain must equal d= */
	int sha1_ok, sha256_ok; /* from h=, both 1 when absent */
	int email_ok;          /* s= includes * or email (or absent) */
	unsigned bits;
	EVP_PKEY *pkey;        /* NULL when revoked */
};

/* Parses a key record's text. 0, or -1 with a reason (a permerror). The caller
 * frees key->pkey with dkim_key_clear. */
int dkim_key_parse(const char *txt, size_t len, struct dkim_key *key, char *err, size_t errlen);
void dkim_key_clear(struct dkim_key *key);

/* Result of a key fetch: a pass-through verdict when there is no usable key. */
enum dkim_fetch {
	DKIM_FETCH_OK = 0,
	DKIM_FETCH_PERM,       /* no key record, or a bad one */
	DKIM_FETCH_TEMP,       /* DNS trouble */
	DKIM_FETCH_NOMEM,
};

/* The first TXT record of a that parses as a key (OK), or PERM with the first reason. */
enum dkim_fetch dkim_key_from_answer(const struct mxg_dns_answer *a, struct dkim_key *key,
				     char *err, size_t errlen);
/* Looks the key up at selector._domainkey.domain through the cache (may be NULL).
 * On OK, key is filled and key->pkey holds a reference the caller drops with dkim_key_clear. */
enum dkim_fetch dkim_key_fetch(struct mxg_resolver *r, struct mxg_dkim_key_cache *cache,
			       const char *selector, const char *domain, time_t now,
			       struct dkim_key *key, char *err, size_t errlen);

/* --- checking one signature field over the kept header fields (dkim_sig_verify.c), for the
 * DKIM verifier and ARC alike --- */

/* The header fields a verifier keeps: each "Name:value" as received, no line end, in buf.
 * name_len is the field name as the verifier matches it everywhere (h=, signature and ARC
 * fields, once-only counts): without the blanks obs-FWS allows before the colon (RFC 5322
 * §4.5.3) and cut at a NUL. value_off is where the value starts, past the colon. */
struct dkim_hdr {
	size_t off, len, name_len, value_off;
	int nul;   /* a NUL byte in the name or value: the field is invalid (RFC 5322 §2.2) */
};
struct dkim_headers {
	const char *buf;
	const struct dkim_hdr *h;
	size_t n;
};

/* The header hash input of a signature (RFC 6376 §3.7): the h= fields picked bottom-up, then
 * the signature's own field (index sig_hdr) with b= emptied and no line end. 0, or -1 on ENOMEM. */
int dkim_header_input(const struct dkim_headers *hs, const struct dkim_sig *sig, size_t sig_hdr,
		      char **buf, size_t *blen, size_t *bcap);
/* Only the h= part of that input: the fields picked bottom-up. 0, or -1 on ENOMEM. */
int dkim_header_fields_input(const struct dkim_headers *hs, const struct dkim_sig *sig, char **buf,
			     size_t *blen, size_t *bcap);
/* Whether the fields sig's h= covers can be trusted (RFC 6376 §8.15, RFC 5322 §3.6): no
 * instance of a covered name holds a NUL, and a once-only field (From, Subject, To, ...) that
 * h= lists has no more instances than h= lists it, so no unsigned one sits beside the signed.
 * 0, or -1 with the reason in why (the signature then fails). */
int dkim_header_check(const struct dkim_headers *hs, const struct dkim_sig *sig, char *why,
		      size_t whylen);
/* Checks sig's b= over the SHA-256 digest with key: 1 verified, 0 not. */
int dkim_crypto_verify(const struct dkim_key *key, const struct dkim_sig *sig, const uint8_t *digest,
		       size_t dlen);
/* Whether key may verify sig (its tags, k= against a=, RFC 8301's size floor): MXG_DKIM_NONE
 * when it may, else the result it gives, with the reason in why. */
enum mxg_dkim_result dkim_key_check(const struct dkim_key *key, const struct dkim_sig *sig,
				    unsigned min_rsa_bits, char *why, size_t whylen);

/* --- the verifier's views for the ARC sealer and the trusted-forwarder override (dkim.c) --- */

/* The ARC chain a verifier found (arc_internal.h). */
struct dkim_arc;

/* What a seal over a verified message needs from the verifier (after mxg_dkim_finish, made
 * with opt.seal_body): its header fields, the ARC fields it found, and the relaxed/SHA-256 body
 * hash. The hash length, or -1 with the reason in err (header too large or malformed, no hash). */
int dkim_verifier_seal_view(const struct mxg_dkim_verifier *v, struct dkim_headers *hs,
			    const struct dkim_arc **arc, const uint8_t **bh, char *err, size_t errlen);

/* The header fields and ARC chain the verifier read, for the trusted-forwarder override
 * (arc_override.c), after mxg_dkim_finish. 0, or -1 when there is none to read (not finished,
 * header too large or malformed). */
int dkim_verifier_arc_view(const struct mxg_dkim_verifier *v, struct dkim_headers *hs,
			   const struct dkim_arc **arc);

/* Length of the header field starting at p (through its last line end; continuation lines
 * start with WSP), or 0 at the empty line or the end (dkim_msg.c). */
size_t dkim_field_len(const char *p, size_t left);

/* --- signing pieces the ARC sealer shares (dkim_sign.c; dkim_b64_encode below) --- */

struct mxg_dkim_signing_key;
/* Signs a SHA-256 digest with k (RSA PKCS#1 v1.5, or Ed25519 over the digest as RFC 8463
 * says) into out (*olen its size, then the signature's length). 0, or -1. */
int dkim_sign_digest(const struct mxg_dkim_signing_key *k, const uint8_t *digest, size_t dlen,
		     uint8_t *out, size_t *olen);
/* The signer's h= choice over hs into sig's h= list (names point to static strings; do not
 * dkim_sig_clear them): once-only fields one time more than present. 0, or -1 with why. */
int dkim_sign_choose(const struct dkim_headers *hs, struct dkim_sig *sig, char *err, size_t errlen);
/* 1 when s is a usable d= or s= (letters, digits, '.', '-', '_'; shorter than a DNS name). */
int dkim_sign_valid_name(const char *s);

/* --- canonicalization (dkim_canon.c) --- */

/* SHA-256, fetched from the provider once (thread-safe); never NULL. */
const EVP_MD *dkim_sha256(void);

/* Appends the canonical form of one header field ("Name:value" as received, folds
 * as CRLF or LF, no final line end) to *buf/len/cap, growing it. With crlf, ends
 * it with CRLF. 0, or -1 on ENOMEM. */
int dkim_canon_header(enum dkim_canon c, const char *field, size_t len, int crlf,
		      char **buf, size_t *blen, size_t *bcap);

/* A streaming body hash for one (canonicalization, hash, l=) combination. */
struct dkim_body_hash;
struct dkim_body_hash *dkim_body_hash_new(enum dkim_canon c, const EVP_MD *md, int has_l, uint64_t l);
/* Feeds raw body bytes (line ends CRLF or bare LF, any chunking). 0 or -1 (crypto error). */
int dkim_body_hash_update(struct dkim_body_hash *h, const uint8_t *data, size_t len);
/* Ends the body; writes the digest. Returns its length, or -1. */
int dkim_body_hash_final(struct dkim_body_hash *h, uint8_t *out);
/* Length of the whole canonical body seen (for l= reporting); valid after final. */
uint64_t dkim_body_hash_total(const struct dkim_body_hash *h);
int dkim_body_hash_matches(const struct dkim_body_hash *h, enum dkim_canon c, const EVP_MD *md,
			   int has_l, uint64_t l);
void dkim_body_hash_free(struct dkim_body_hash *h);

/* --- signing (dkim_sign_key.c, dkim_sign.c) --- */

struct mxg_dkim_signing_key {
	EVP_PKEY *pkey;
	int ed25519;
	unsigned bits;
};
/* base64 of n bytes (RFC 4648, no line breaks), allocated; NULL on ENOMEM. */
char *dkim_b64_encode(const uint8_t *in, size_t n);

#endif
