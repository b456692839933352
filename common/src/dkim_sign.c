/* The DKIM signer (RFC 6376 §5, RFC 8463): PEM private keys, the h= choice with once-only
 * fields oversigned, and one DKIM-Signature field per call. The header and body hashes come
 * from the verifier's own canonicalization and header-input code, so both agree by construction. */
#include "dkim_internal.h"
#include "mxguard/dkim_sign.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mxguard/str.h"

struct mxg_dkim_signing_key {
	EVP_PKEY *pkey;
	int ed25519;
	unsigned bits;
};

/* Fields RFC 5322 §3.6 allows once at most: signed one time more than present. */
static const char *const once_only[] = {
	"from", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to", "references",
	"subject", "date",
};
/* The rest of RFC 6376 §5.4.1's set, and the MIME fields that say how to read the body:
 * signed as often as present. */
static const char *const repeatable[] = {
	"resent-date", "resent-from", "resent-to", "resent-cc", "list-id", "list-help",
	"list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive",
	"mime-version", "content-type", "content-transfer-encoding",
};

#define N_ONCE (sizeof(once_only) / sizeof(once_only[0]))
#define N_REPEAT (sizeof(repeatable) / sizeof(repeatable[0]))
/* Width the signature field is folded at. */
#define FOLD 76

static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* --- keys --- */

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
		say(err, errlen, "out of memory");
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
		say(err, errlen, "%s: not an RSA or Ed25519 key", path);
		return 0;
	}
	if (EVP_PKEY_get_bits(pkey) > 8 * DKIM_SIG_MAX) {
		say(err, errlen, "%s: RSA key of %d bits; at most %d", path, EVP_PKEY_get_bits(pkey),
		    8 * DKIM_SIG_MAX);
		return 0;
	}
	if (EVP_PKEY_get_bits(pkey) < (int)min_bits) {
		say(err, errlen, "%s: RSA key of %d bits; signing needs %u bits or more (RFC 8301)",
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
		say(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) {
		say(err, errlen, "%s: private key readable or writable by group or others (mode %04o); "
			"make it mode 0600", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (f == NULL) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, no_passphrase, NULL);
	fclose(f);
	if (pkey == NULL) {
		say(err, errlen, "%s: not an unencrypted PEM private key", path);
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
		say(err, errlen, "not an unencrypted PEM private key");
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
		say(err, errlen, "%s: %s", path, errno == EEXIST ? "exists; not replacing it" : strerror(errno));
		return -1;
	}
	FILE *f = fdopen(fd, "w");
	if (f == NULL) {
		say(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	int ok = fchmod(fd, 0600) == 0 && PEM_write_PrivateKey(f, k->pkey, NULL, NULL, 0, NULL, NULL) == 1;
	ok = fflush(f) == 0 && ok;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		say(err, errlen, "%s: could not write the key", path);
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

/* base64 of n bytes, allocated. */
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

/* --- the message's header --- */

struct sbuf {
	char *p;
	size_t len, cap;
	int failed;
};

static void sb_add(struct sbuf *s, const char *data, size_t n)
{
	if (s->failed)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		while (cap < s->len + n + 1)
			cap *= 2;
		char *p = realloc(s->p, cap);
		if (p == NULL) {
			s->failed = 1;
			return;
		}
		s->p = p;
		s->cap = cap;
	}
	memcpy(s->p + s->len, data, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void sb_str(struct sbuf *s, const char *str)
{
	sb_add(s, str, strlen(str));
}

struct header {
	struct sbuf store;
	struct dkim_hdr *h;
	size_t n, cap;
	size_t body;   /* offset of the body in the message */
};

static int add_field(struct header *hd, const char *f, size_t len, char *err, size_t errlen)
{
	while (len > 0 && (f[len - 1] == '\n' || f[len - 1] == '\r'))
		len--;
	const char *colon = memchr(f, ':', len);
	if (colon == NULL || f[0] == ' ' || f[0] == '\t' || memchr(f, '\0', len) != NULL) {
		say(err, errlen, "malformed header field: %.40s", f);
		return -1;
	}
	if (hd->n == hd->cap) {
		size_t cap = hd->cap ? hd->cap * 2 : 32;
		struct dkim_hdr *p = realloc(hd->h, cap * sizeof(*p));
		if (p == NULL) {
			say(err, errlen, "out of memory");
			return -1;
		}
		hd->h = p;
		hd->cap = cap;
	}
	size_t nl = (size_t)(colon - f);
	struct dkim_hdr *h = &hd->h[hd->n++];
	h->off = hd->store.len;
	h->len = len;
	h->value_off = nl + 1;
	while (nl > 0 && (f[nl - 1] == ' ' || f[nl - 1] == '\t'))
		nl--;
	h->name_len = nl;
	h->nul = 0;
	sb_add(&hd->store, f, len);
	return 0;
}

static int read_header(struct header *hd, const char *msg, size_t len, char *err, size_t errlen)
{
	size_t pos = 0, n;

	while ((n = dkim_field_len(msg + pos, len - pos)) > 0) {
		if (add_field(hd, msg + pos, n, err, errlen) < 0)
			return -1;
		pos += n;
	}
	if (pos < len)
		pos += msg[pos] == '\r' ? 2 : 1;
	hd->body = pos < len ? pos : len;
	if (hd->store.failed) {
		say(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static size_t count_of(const struct dkim_headers *hs, const char *name)
{
	size_t c = 0, nl = strlen(name);

	for (size_t i = 0; i < hs->n; i++)
		c += hs->h[i].name_len == nl && mxg_strncaseeq(hs->buf + hs->h[i].off, name, nl);
	return c;
}

/* Fills sig's h= list: once-only fields one time more than present, the rest as present. */
int dkim_sign_choose(const struct dkim_headers *hs, struct dkim_sig *sig, char *err, size_t errlen)
{
	if (count_of(hs, "from") != 1) {
		say(err, errlen, "the message needs exactly one From field to be signed");
		return -1;
	}
	sig->h_count = 0;
	for (size_t k = 0; k < N_ONCE + N_REPEAT; k++) {
		const char *name = k < N_ONCE ? once_only[k] : repeatable[k - N_ONCE];
		size_t times = count_of(hs, name) + (k < N_ONCE);
		if (sig->h_count + times > DKIM_H_MAX) {
			say(err, errlen, "too many header fields to sign (h= holds %d)", DKIM_H_MAX);
			return -1;
		}
		for (; times > 0; times--)
			sig->h_names[sig->h_count++] = (char *)(uintptr_t)name;
	}
	return 0;
}

/* --- the signature --- */

static int body_hash(const struct dkim_sig *sig, const char *body, size_t len, uint8_t *out)
{
	struct dkim_body_hash *h = dkim_body_hash_new(sig->bcanon, dkim_sha256(), 0, 0);
	int n = -1;

	if (h != NULL && dkim_body_hash_update(h, (const uint8_t *)body, len) == 0)
		n = dkim_body_hash_final(h, out);
	dkim_body_hash_free(h);
	return n;
}

int dkim_sign_valid_name(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) >= MXG_DNS_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

/* Appends h=, breaking the line after a colon once it grows past the fold width. */
static void put_h(struct sbuf *s, const struct dkim_sig *sig, const char *nl)
{
	size_t col = 3;

	sb_str(s, "\th=");
	for (size_t j = 0; j < sig->h_count; j++) {
		size_t w = strlen(sig->h_names[j]) + 1;
		if (j > 0 && col + w > FOLD) {
			sb_str(s, nl);
			sb_str(s, "\t");
			col = 1;
		}
		sb_str(s, sig->h_names[j]);
		sb_str(s, j + 1 < sig->h_count ? ":" : ";");
		col += w;
	}
	sb_str(s, nl);
}

/* The field up to and including "b=" (what the header hash covers of it). */
static void put_prefix(struct sbuf *s, const struct mxg_dkim_signing_key *k, const struct dkim_sig *sig,
		       const struct mxg_dkim_sign_options *o, time_t t, const char *bh64)
{
	const char *nl = o->lf ? "\n" : "\r\n";
	char line[600];

	snprintf(line, sizeof(line), "DKIM-Signature: v=1; a=%s-sha256; c=%s/%s; d=%s; s=%s;%s",
		 mxg_dkim_signing_key_type(k), sig->hcanon == DKIM_CANON_SIMPLE ? "simple" : "relaxed",
		 sig->bcanon == DKIM_CANON_SIMPLE ? "simple" : "relaxed", o->domain, o->selector, nl);
	sb_str(s, line);
	if (o->expire_after)
		snprintf(line, sizeof(line), "\tt=%lld; x=%lld;%s", (long long)t,
			 (long long)t + (long long)o->expire_after, nl);
	else
		snprintf(line, sizeof(line), "\tt=%lld;%s", (long long)t, nl);
	sb_str(s, line);
	put_h(s, sig, nl);
	snprintf(line, sizeof(line), "\tbh=%s;%s\tb=", bh64, nl);
	sb_str(s, line);
}

/* Appends b= folded: the value starts right after "b=" (no blank), so the verifier's removal
 * of the value leaves exactly the prefix that was hashed. */
static void put_b(struct sbuf *s, const char *b64v, const char *nl)
{
	size_t len = strlen(b64v), first = FOLD - 3;

	for (size_t k = 0; k < len;) {
		size_t take = k == 0 ? first : FOLD - 1;
		if (take > len - k)
			take = len - k;
		if (k > 0) {
			sb_str(s, nl);
			sb_str(s, "\t");
		}
		sb_add(s, b64v + k, take);
		k += take;
	}
	sb_str(s, nl);
}

/* The header hash over the h= fields and the prefix, then the signature itself. */
static int sign_digest(const struct mxg_dkim_signing_key *k, const struct header *hd,
		       const struct dkim_sig *sig, const struct sbuf *prefix, uint8_t *out, size_t *olen)
{
	struct sbuf joined = { 0 };
	struct dkim_hdr *h = malloc((hd->n + 1) * sizeof(*h));
	char *buf = NULL;
	size_t blen = 0, bcap = 0, dlen = 0;
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;
	int ok = 0;

	if (h == NULL)
		return -1;
	memcpy(h, hd->h, hd->n * sizeof(*h));
	sb_add(&joined, hd->store.p, hd->store.len);
	h[hd->n] = (struct dkim_hdr){ .off = hd->store.len, .len = prefix->len, .name_len = 14,
				      .value_off = 15 };
	sb_add(&joined, prefix->p, prefix->len);
	struct dkim_headers hs = { .buf = joined.p, .h = h, .n = hd->n + 1 };
	if (!joined.failed && dkim_header_input(&hs, sig, hd->n, &buf, &blen, &bcap) == 0 &&
	    EVP_Digest(buf, blen, digest, &dl, dkim_sha256(), NULL) == 1) {
		dlen = dl;
		ok = 1;
	}
	free(buf);
	free(joined.p);
	free(h);
	if (!ok)
		return -1;
	return dkim_sign_digest(k, digest, dlen, out, olen);
}

int dkim_sign_digest(const struct mxg_dkim_signing_key *k, const uint8_t *digest, size_t dlen,
		     uint8_t *out, size_t *olen)
{
	int ok;

	if ((size_t)EVP_PKEY_get_size(k->pkey) > *olen)
		return -1;
	if (k->ed25519) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		ok = m != NULL && EVP_DigestSignInit(m, NULL, NULL, NULL, k->pkey) == 1 &&
		     EVP_DigestSign(m, out, olen, digest, dlen) == 1;
		EVP_MD_CTX_free(m);
		return ok ? 0 : -1;
	}
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
	ok = c != NULL && EVP_PKEY_sign_init(c) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(c, dkim_sha256()) == 1 &&
	     EVP_PKEY_sign(c, out, olen, digest, dlen) == 1;
	EVP_PKEY_CTX_free(c);
	return ok ? 0 : -1;
}

static int finish_field(const struct mxg_dkim_signing_key *k, const struct header *hd,
			const struct dkim_sig *sig, struct sbuf *s, const char *nl, char *err,
			size_t errlen)
{
	uint8_t b[DKIM_SIG_MAX];
	size_t blen = sizeof(b);

	if (s->failed) {
		say(err, errlen, "out of memory");
		return -1;
	}
	if ((size_t)EVP_PKEY_get_size(k->pkey) > sizeof(b) || sign_digest(k, hd, sig, s, b, &blen) < 0) {
		say(err, errlen, "signing failed (crypto error)");
		return -1;
	}
	char *b64v = dkim_b64_encode(b, blen);
	if (b64v == NULL) {
		say(err, errlen, "out of memory");
		return -1;
	}
	put_b(s, b64v, nl);
	free(b64v);
	if (s->failed) {
		say(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int mxg_dkim_sign_buffer(const struct mxg_dkim_signing_key *k, const struct mxg_dkim_sign_options *o,
			 const char *msg, size_t len, char **field, char *err, size_t errlen)
{
	struct header hd = { 0 };
	struct dkim_sig sig;
	struct sbuf s = { 0 };
	uint8_t bh[EVP_MAX_MD_SIZE];
	int rc = -1;

	*field = NULL;
	memset(&sig, 0, sizeof(sig));
	if (!dkim_sign_valid_name(o->domain) || !dkim_sign_valid_name(o->selector)) {
		say(err, errlen, "bad domain or selector");
		return -1;
	}
	sig.hcanon = o->header_canon == MXG_DKIM_CANON_SIMPLE ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
	sig.bcanon = o->body_canon == MXG_DKIM_CANON_SIMPLE ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
	if (read_header(&hd, msg, len, err, errlen) < 0)
		goto out;
	struct dkim_headers view = { hd.store.p, hd.h, hd.n };
	if (dkim_sign_choose(&view, &sig, err, errlen) < 0)
		goto out;
	int bhl = body_hash(&sig, msg + hd.body, len - hd.body, bh);
	char *bh64 = bhl > 0 ? dkim_b64_encode(bh, (size_t)bhl) : NULL;
	if (bh64 == NULL) {
		say(err, errlen, "body hash failed");
		goto out;
	}
	put_prefix(&s, k, &sig, o, o->now ? o->now : time(NULL), bh64);
	free(bh64);
	sig.b_value_start = sig.b_value_end = s.len - 15;
	if (finish_field(k, &hd, &sig, &s, o->lf ? "\n" : "\r\n", err, errlen) < 0)
		goto out;
	*field = s.p;
	s.p = NULL;
	rc = 0;
out:
	free(s.p);
	free(hd.store.p);
	free(hd.h);
	return rc;
}
