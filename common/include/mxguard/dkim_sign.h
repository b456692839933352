/* DKIM signing (RFC 6376 §5, RFC 8463, RFC 8301): private keys from PEM files, one
 * DKIM-Signature field per key over a message held in memory, and the DNS key record
 * that publishes a key. Canonicalization is the verifier's own. */
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

/* Signs a whole message (header fields, empty line, body; CRLF or LF line ends) with k.
 * h= lists the RFC 6376 §5.4.1 fields the message has and every once-only RFC 5322 field
 * one time more than it occurs (so one added later breaks the signature); never l=.
 * On success *field is the whole "DKIM-Signature: ..." field with its final line end, to be
 * put above the others (allocated). 0, or -1 with the reason in err. */
int mxg_dkim_sign_buffer(const struct mxg_dkim_signing_key *k, const struct mxg_dkim_sign_options *o,
			 const char *msg, size_t len, char **field, char *err, size_t errlen);

#endif
