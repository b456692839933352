/* DKIM signing (RFC 6376 §5, RFC 8463, RFC 8301): private keys from PEM files, a streaming
 * signer giving one DKIM-Signature field per key, and the DNS key record that publishes a
 * key. Canonicalization is the verifier's own. */
#ifndef MXGUARD_DKIM_SIGN_H
#define MXGUARD_DKIM_SIGN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Smallest RSA key we sign with (RFC 8301 says 1024 may verify; we sign with 2048 or more). */
#define MXG_DKIM_SIGN_MIN_RSA_BITS 2048

/* A private key: RSA (2048 bits or more) or Ed25519. */
struct mxg_dkim_signing_key;

/* Loads a PEM private key. Refuses a file readable or writable by group or others, an
 * encrypted key, an RSA key under 2048 bits, and any other key type.
 * The key or NULL with the reason in err (never any key material). */
struct mxg_dkim_signing_key *mxg_dkim_signing_key_load(const char *path, char *err, size_t errlen);
void mxg_dkim_signing_key_free(struct mxg_dkim_signing_key *k);
/* RFC 8301's floor: signers MUST NOT use RSA keys under 1024 bits. */
#define MXG_DKIM_SIGN_FLOOR_RSA_BITS 1024
/* A key from PEM text in memory, for test vectors whose keys are smaller than ours: RSA keys of
 * min_rsa_bits or more (never under MXG_DKIM_SIGN_FLOOR_RSA_BITS), or Ed25519. No file mode to
 * check: daemons load keys from files. The key or NULL with the reason in err. */
struct mxg_dkim_signing_key *mxg_dkim_signing_key_from_pem(const char *pem, size_t len,
							   unsigned min_rsa_bits, char *err,
							   size_t errlen);
/* A new key: type "rsa2048", "rsa3072" or "ed25519". NULL on an unknown type or error. */
struct mxg_dkim_signing_key *mxg_dkim_signing_key_generate(const char *type);
/* Writes k as a PKCS#8 PEM file of mode 0600; refuses to replace an existing file.
 * 0, or -1 with the reason in err. */
int mxg_dkim_signing_key_save(const struct mxg_dkim_signing_key *k, const char *path, char *err,
			      size_t errlen);
/* "rsa" or "ed25519" (the key record's k=), and the size in bits (256 for Ed25519). */
const char *mxg_dkim_signing_key_type(const struct mxg_dkim_signing_key *k);
unsigned mxg_dkim_signing_key_bits(const struct mxg_dkim_signing_key *k);

/* The key record's text, "v=DKIM1; k=rsa; p=..." (p= the SubjectPublicKeyInfo for RSA,
 * the raw 32-byte key for Ed25519, RFC 8463). Allocated; NULL on error. */
char *mxg_dkim_key_record(const struct mxg_dkim_signing_key *k);

/* Whether the key published at selector._domainkey.domain is k's public key. */
enum mxg_dkim_published {
	MXG_DKIM_PUBLISHED_MATCH = 0,
	MXG_DKIM_PUBLISHED_MISMATCH,   /* a usable record with another key, or of another type */
	MXG_DKIM_PUBLISHED_MISSING,    /* no record, a revoked (p=) or unusable one */
	MXG_DKIM_PUBLISHED_TEMP,       /* the lookup failed temporarily */
};
struct mxg_resolver;
/* Looks the record up through r and compares it with k; the reason (never key material) in
 * why for anything but a match. */
enum mxg_dkim_published mxg_dkim_key_published(struct mxg_resolver *r, const struct mxg_dkim_signing_key *k,
					       const char *domain, const char *selector, char *why,
					       size_t whylen);
const char *mxg_dkim_published_name(enum mxg_dkim_published p);

enum mxg_dkim_canon {
	MXG_DKIM_CANON_RELAXED = 0,
	MXG_DKIM_CANON_SIMPLE,
};

struct mxg_dkim_sign_options {
	const char *domain;                /* d= */
	const char *selector;              /* s= */
	enum mxg_dkim_canon header_canon;  /* default relaxed */
	enum mxg_dkim_canon body_canon;    /* default relaxed */
	time_t now;                        /* t=; 0 = time(NULL) */
	unsigned long expire_after;        /* x= = t= + this many seconds; 0 = no x= */
	int lf;                            /* fold with bare LF (the message uses LF) */
};

/* The streaming signer: header fields, then the body in chunks of any size, then one
 * DKIM-Signature field per key. The header is kept (bounded by MXG_DKIM_SIGNER_HEADER_MAX);
 * the body is only hashed, once per body canonicalization, never held.
 * h= lists the RFC 6376 §5.4.1 fields the message has and every once-only RFC 5322 field
 * one time more than it occurs (so one added later breaks the signature); never l=. */
#define MXG_DKIM_SIGNER_KEYS_MAX 8
#define MXG_DKIM_SIGNER_HEADER_MAX (1024 * 1024)

struct mxg_dkim_signer;

/* An empty signer; NULL on ENOMEM. */
struct mxg_dkim_signer *mxg_dkim_signer_new(void);
void mxg_dkim_signer_free(struct mxg_dkim_signer *s);
/* Adds a key to sign with under o (domain and selector copied; k is borrowed and must outlive
 * the signer). Only before the first body chunk; at most MXG_DKIM_SIGNER_KEYS_MAX keys.
 * 0, or -1 with the reason in err. */
int mxg_dkim_signer_add_key(struct mxg_dkim_signer *s, const struct mxg_dkim_signing_key *k,
			    const struct mxg_dkim_sign_options *o, char *err, size_t errlen);
/* One header field as received: name without the colon, value exactly as it followed the
 * colon (folds as CRLF or LF, no final line end). 0, or -1 when the field cannot be signed
 * (malformed, NUL byte, header too large, ENOMEM): the reason is kept for finish. */
int mxg_dkim_signer_header(struct mxg_dkim_signer *s, const char *name, size_t nlen,
			   const char *value, size_t vlen);
/* A whole raw field "Name: value" (its final line end may be present). */
int mxg_dkim_signer_header_raw(struct mxg_dkim_signer *s, const char *field, size_t len);
/* Body bytes (CRLF or bare LF line ends), any chunking; ends the header. 0, or -1 (kept). */
int mxg_dkim_signer_body(struct mxg_dkim_signer *s, const uint8_t *data, size_t len);
/* Ends the message and signs: fields[i] is the whole "DKIM-Signature: ..." field of the i-th
 * key added, with its final line end (allocated; the caller frees each). All or none: the
 * number of fields (the number of keys), or -1 with the reason in err (nothing allocated). */
int mxg_dkim_signer_finish(struct mxg_dkim_signer *s, char **fields, size_t max, char *err,
			   size_t errlen);

/* Signs a whole message held in memory (header fields, empty line, body; CRLF or LF line
 * ends) with k, through the streaming signer. On success *field is the whole
 * "DKIM-Signature: ..." field with its final line end, to be put above the others
 * (allocated). 0, or -1 with the reason in err. */
int mxg_dkim_sign_buffer(const struct mxg_dkim_signing_key *k, const struct mxg_dkim_sign_options *o,
			 const char *msg, size_t len, char **field, char *err, size_t errlen);

#endif
