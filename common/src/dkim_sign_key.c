/* DKIM signing keys (dkim_sign.h): PEM private keys loaded with their file mode checked,
 * generated and saved mode 0600, and the key record that publishes one. */
#include "dkim_internal.h"
#include "mxguard/dkim_sign.h"
#include "mxguard/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

static int no_passphrase(char *buf, int size, int rw, void *u)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)u;
	return -1;
}

static struct mxg_dkim_signing_key *wrap(EVP_PKEY *pkey, char *err, size_t errlen)
{
	struct mxg_dkim_signing_key *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		mxg_fail(err, errlen, "out of memory");
		EVP_PKEY_free(pkey);
		return NULL;
	}
	k->pkey = pkey;
	k->ed25519 = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
	k->bits = k->ed25519 ? 256 : (unsigned)EVP_PKEY_get_bits(pkey);
	return k;
}

/* The key's type and size are ones we sign with (RSA of min_bits or more). */
static int usable(EVP_PKEY *pkey, const char *path, unsigned min_bits, char *err, size_t errlen)
{
	int id = EVP_PKEY_get_base_id(pkey);

	if (id == EVP_PKEY_ED25519)
		return 1;
	if (id != EVP_PKEY_RSA) {
		mxg_fail(err, errlen, "%s: not an RSA or Ed25519 key", path);
		return 0;
	}
	if (EVP_PKEY_get_bits(pkey) > 8 * DKIM_SIG_MAX) {
		mxg_fail(err, errlen, "%s: RSA key of %d bits; at most %d", path, EVP_PKEY_get_bits(pkey),
		    8 * DKIM_SIG_MAX);
		return 0;
	}
	if (EVP_PKEY_get_bits(pkey) < (int)min_bits) {
		mxg_fail(err, errlen, "%s: RSA key of %d bits; signing needs %u bits or more (RFC 8301)",
		    path, EVP_PKEY_get_bits(pkey), min_bits);
		return 0;
	}
	return 1;
}

struct mxg_dkim_signing_key *mxg_dkim_signing_key_load(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* a FIFO must not block us */

	if (fd < 0) {
		mxg_fail(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		mxg_fail(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		mxg_fail(err, errlen, "%s: private key readable or writable by group or others (mode %04o); "
			"make it mode 0600", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		mxg_fail(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	fclose(f);
	if (pkey == NULL) {
		mxg_fail(err, errlen, "%s: not an unencrypted PEM private key", path);
		return NULL;
	}
	if (!usable(pkey, path, MXG_DKIM_SIGN_MIN_RSA_BITS, err, errlen)) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return wrap(pkey, err, errlen);
}

struct mxg_dkim_signing_key *mxg_dkim_signing_key_from_pem(const char *pem, size_t len,
							   unsigned min_rsa_bits, char *err,
							   size_t errlen)
{
	BIO *bio = len <= INT_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
	EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;

	BIO_free(bio);
	if (pkey == NULL) {
		mxg_fail(err, errlen, "not an unencrypted PEM private key");
		return NULL;
	}
	if (min_rsa_bits < MXG_DKIM_SIGN_FLOOR_RSA_BITS)
		min_rsa_bits = MXG_DKIM_SIGN_FLOOR_RSA_BITS;
	if (!usable(pkey, "key", min_rsa_bits, err, errlen)) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return wrap(pkey, err, errlen);
}

struct mxg_dkim_signing_key *mxg_dkim_signing_key_generate(const char *type)
{
	EVP_PKEY *pkey = NULL;
	char err[64];

	if (strcmp(type, "rsa2048") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (strcmp(type, "rsa3072") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
	else if (strcmp(type, "ed25519") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return pkey != NULL ? wrap(pkey, err, sizeof(err)) : NULL;
}

int mxg_dkim_signing_key_save(const struct mxg_dkim_signing_key *k, const char *path, char *err,
			      size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		mxg_fail(err, errlen, "%s: %s", path, errno == EEXIST ? "exists; not replacing it" : strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		mxg_fail(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	int ok = fchmod(fd, 0600) == 0 && PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fflush(f) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		mxg_fail(err, errlen, "%s: could not write the key", path);
		unlink(path);
		return -1;
	}
	return 0;
}

void mxg_dkim_signing_key_free(struct mxg_dkim_signing_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *mxg_dkim_signing_key_type(const struct mxg_dkim_signing_key *k)
{
	return k->ed25519 ? "ed25519" : "rsa";
}

unsigned mxg_dkim_signing_key_bits(const struct mxg_dkim_signing_key *k)
{
	return k->bits;
}

char *dkim_b64_encode(const uint8_t *in, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out != NULL)
		EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	return out;
}

char *mxg_dkim_key_record(const struct mxg_dkim_signing_key *k)
{
	uint8_t raw[DKIM_KEY_DER_MAX];
	size_t n = sizeof(raw);

	if (k->ed25519) {
		if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1)
			return NULL;
	} else {
		int len = i2d_PUBKEY(k->pkey, NULL);
		unsigned char *p = raw;
		if (len <= 0 || (size_t)len > sizeof(raw) || i2d_PUBKEY(k->pkey, &p) != len)
			return NULL;
		n = (size_t)len;
	}
	char *p64 = dkim_b64_encode(raw, n);
	if (p64 == NULL)
		return NULL;
	size_t size = strlen(p64) + 32;
	char *rec = malloc(size);
	if (rec != NULL)
		snprintf(rec, size, "v=DKIM1; k=%s; p=%s", mxg_dkim_signing_key_type(k), p64);
	free(p64);
	return rec;
}

enum mxg_dkim_published mxg_dkim_key_published(struct mxg_resolver *r, const struct mxg_dkim_signing_key *k,
					       const char *domain, const char *selector, char *why,
					       size_t whylen)
{
	struct dkim_key key;
	char err[256];

	switch (dkim_key_fetch(r, NULL, selector, domain, time(NULL), &key, err, sizeof(err))) {
	case DKIM_FETCH_OK:
		break;
	case DKIM_FETCH_TEMP:
		mxg_fail(why, whylen, "%s._domainkey.%s: %s", selector, domain, err);
		return MXG_DKIM_PUBLISHED_TEMP;
	default:
		mxg_fail(why, whylen, "%s._domainkey.%s: %s", selector, domain, err);
		return MXG_DKIM_PUBLISHED_MISSING;
	}
	enum mxg_dkim_published p = MXG_DKIM_PUBLISHED_MATCH;
	if (key.revoked || key.pkey == NULL) {
		mxg_fail(why, whylen, "%s._domainkey.%s: the key is revoked (empty p=)", selector, domain);
		p = MXG_DKIM_PUBLISHED_MISSING;
	} else if (EVP_PKEY_eq(key.pkey, k->pkey) != 1) {
		mxg_fail(why, whylen, "%s._domainkey.%s: the published %s key is not the public half of"
			 " the private %s key", selector, domain, key.type == DKIM_KEY_ED25519 ? "ed25519" : "rsa",
			 mxg_dkim_signing_key_type(k));
		p = MXG_DKIM_PUBLISHED_MISMATCH;
	}
	dkim_key_clear(&key);
	return p;
}

const char *mxg_dkim_published_name(enum mxg_dkim_published p)
{
	static const char *const names[] = { "match", "mismatch", "missing", "temperror" };

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}
