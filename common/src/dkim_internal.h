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

struct dkim_sig {
	enum dkim_alg alg;
	enum dkim_canon hcanon, bcanon;
	char a[24];
	char d[MXG_DNS_NAME_MAX];
	char s[MXG_DNS_NAME_MAX];
	char i[MXG_DNS_NAME_MAX + 64];   /* decoded i=, or "@" d */
	uint8_t b[DKIM_SIG_MAX];
	size_t b_len;
	char b_prefix[16];
	uint8_t bh[EVP_MAX_MD_SIZE];
	size_t bh_len;
	int has_l;
	uint64_t l;
	int has_t, has_x;
	uint64_t t, x;
	size_t h_count;                  /* h= names, lower-cased, in order */
	char *h_names[DKIM_H_MAX];
	char *h_store;                   /* owns the names */
	size_t b_value_start, b_value_end; /* b= value span in the field's value, for removal */
};

/* Parses a DKIM-Signature value into sig (which owns h_store afterwards; release with
 * dkim_sig_clear). Fills what it could even on error (d=, s=, a= for reporting).
 * 0, or -1 with the permerror reason in err. */
int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig, char *err, size_t errlen);
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

#endif
