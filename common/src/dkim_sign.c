/* The streaming DKIM signer (RFC 6376 §5, RFC 8463): header fields kept, the body hashed as it
 * comes (once per body canonicalization), then one DKIM-Signature field per key with once-only
 * fields oversigned. The header and body hashes come from the verifier's own canonicalization
 * and header-input code, so both agree by construction. */
#include "dkim_internal.h"
#include "mxguard/dkim_sign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include "mxguard/chars.h"
#include "mxguard/sbuf.h"
#include "mxguard/str.h"

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
/* Longest reason kept from a failed header or body call. */
#define WHY_MAX 160
/* Longest DKIM-Signature field we write (h= of DKIM_H_MAX names and an RSA-8192 b= fit). */
#define SIG_FIELD_MAX 16384

struct signer_key {
	const struct mxg_dkim_signing_key *k;
	struct mxg_dkim_sign_options o;
	char domain[MXG_DNS_NAME_MAX], selector[MXG_DNS_NAME_MAX];
};

struct mxg_dkim_signer {
	struct mxg_sbuf store;       /* the header fields, "Name:value" each, no line ends */
	struct dkim_hdr *h;
	size_t n, cap;
	struct signer_key keys[MXG_DKIM_SIGNER_KEYS_MAX];
	size_t nkeys;
	struct dkim_body_hash *body[2]; /* by dkim_canon; made for the keys that need it */
	int in_body;
	int failed;
	char why[WHY_MAX];
};

static int fail(struct mxg_dkim_signer *s, const char *why)
{
	if (!s->failed)
		mxg_strlcpy(s->why, why, sizeof(s->why));
	s->failed = 1;
	return -1;
}

struct mxg_dkim_signer *mxg_dkim_signer_new(void)
{
	struct mxg_dkim_signer *s = calloc(1, sizeof(struct mxg_dkim_signer));

	if (s != NULL)
		mxg_sbuf_heap(&s->store, MXG_DKIM_SIGNER_HEADER_MAX + 1);
	return s;
}

void mxg_dkim_signer_free(struct mxg_dkim_signer *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < 2; i++)
		dkim_body_hash_free(s->body[i]);
	mxg_sbuf_free(&s->store);
	free(s->h);
	free(s);
}

int dkim_sign_valid_name(const char *s)
{
	if (s == NULL || s[0] == '\0' || strlen(s) >= MXG_DNS_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!(mxg_is_alnum(*s) || *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static enum dkim_canon canon_of(enum mxg_dkim_canon c)
{
	return c == MXG_DKIM_CANON_SIMPLE ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED;
}

int mxg_dkim_signer_add_key(struct mxg_dkim_signer *s, const struct mxg_dkim_signing_key *k,
			    const struct mxg_dkim_sign_options *o, char *err, size_t errlen)
{
	if (s->in_body || s->nkeys == MXG_DKIM_SIGNER_KEYS_MAX) {
		mxg_fail(err, errlen, s->in_body ? "keys go before the body" : "at most %d keys",
			 MXG_DKIM_SIGNER_KEYS_MAX);
		return -1;
	}
	if (!dkim_sign_valid_name(o->domain) || !dkim_sign_valid_name(o->selector)) {
		mxg_fail(err, errlen, "bad domain or selector");
		return -1;
	}
	enum dkim_canon bc = canon_of(o->body_canon);
	if (s->body[bc] == NULL && (s->body[bc] = dkim_body_hash_new(bc, dkim_sha256(), 0, 0)) == NULL) {
		mxg_fail(err, errlen, "out of memory");
		return -1;
	}
	struct signer_key *sk = &s->keys[s->nkeys++];
	sk->k = k;
	sk->o = *o;
	mxg_strlcpy(sk->domain, o->domain, sizeof(sk->domain));
	mxg_strlcpy(sk->selector, o->selector, sizeof(sk->selector));
	sk->o.domain = sk->domain;
	sk->o.selector = sk->selector;
	return 0;
}

/* --- the header --- */

int mxg_dkim_signer_header(struct mxg_dkim_signer *s, const char *name, size_t nlen,
			   const char *value, size_t vlen)
{
	if (s->failed)
		return -1;
	if (s->in_body)
		return fail(s, "header field after the body");
	if (nlen == 0 || mxg_is_wsp(name[0]) || memchr(name, ':', nlen) != NULL)
		return fail(s, "malformed header field");
	if (memchr(name, '\0', nlen) != NULL || memchr(value, '\0', vlen) != NULL)
		return fail(s, "header field holds a NUL byte");
	if (s->store.len + nlen + vlen + 1 > MXG_DKIM_SIGNER_HEADER_MAX)
		return fail(s, "header too large to sign");
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct dkim_hdr *p = realloc(s->h, cap * sizeof(*p));
		if (p == NULL)
			return fail(s, "out of memory");
		s->h = p;
		s->cap = cap;
	}
	struct dkim_hdr *h = &s->h[s->n++];
	h->off = s->store.len;
	h->len = nlen + 1 + vlen;
	h->value_off = nlen + 1;
	while (nlen > 0 && mxg_is_wsp(name[nlen - 1]))
		nlen--;
	h->name_len = nlen;
	h->nul = 0;
	mxg_sbuf_add(&s->store, name, h->value_off - 1);
	mxg_sbuf_addc(&s->store, ':');
	mxg_sbuf_add(&s->store, value, vlen);
	return s->store.overflow ? fail(s, "out of memory") : 0;
}

int mxg_dkim_signer_header_raw(struct mxg_dkim_signer *s, const char *field, size_t len)
{
	while (len > 0 && (field[len - 1] == '\n' || field[len - 1] == '\r'))
		len--;
	const char *colon = memchr(field, ':', len);
	if (colon == NULL)
		return fail(s, "malformed header field");
	size_t nl = (size_t)(colon - field);
	return mxg_dkim_signer_header(s, field, nl, colon + 1, len - nl - 1);
}

/* --- the body --- */

int mxg_dkim_signer_body(struct mxg_dkim_signer *s, const uint8_t *data, size_t len)
{
	if (s->failed)
		return -1;
	s->in_body = 1;
	for (size_t i = 0; i < 2; i++)
		if (s->body[i] != NULL && dkim_body_hash_update(s->body[i], data, len) != 0)
			return fail(s, "body hash failed (crypto error)");
	return 0;
}

/* --- the signature --- */

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
		mxg_fail(err, errlen, "the message needs exactly one From field to be signed");
		return -1;
	}
	sig->h_count = 0;
	for (size_t k = 0; k < N_ONCE + N_REPEAT; k++) {
		const char *name = k < N_ONCE ? once_only[k] : repeatable[k - N_ONCE];
		size_t times = count_of(hs, name) + (k < N_ONCE);
		if (sig->h_count + times > DKIM_H_MAX) {
			mxg_fail(err, errlen, "too many header fields to sign (h= holds %d)", DKIM_H_MAX);
			return -1;
		}
		for (; times > 0; times--)
			sig->h_names[sig->h_count++] = (char *)(uintptr_t)name;
	}
	return 0;
}

static int choose_fields(const struct mxg_dkim_signer *s, struct dkim_sig *sig, char *err,
			 size_t errlen)
{
	const struct dkim_headers hs = { s->store.p, s->h, s->n };

	return dkim_sign_choose(&hs, sig, err, errlen);
}

/* Appends h=, breaking the line after a colon once it grows past the fold width. */
static void put_h(struct mxg_sbuf *s, const struct dkim_sig *sig, const char *nl)
{
	size_t col = 3;

	mxg_sbuf_adds(s, "\th=");
	for (size_t j = 0; j < sig->h_count; j++) {
		size_t w = strlen(sig->h_names[j]) + 1;
		if (j > 0 && col + w > FOLD) {
			mxg_sbuf_adds(s, nl);
			mxg_sbuf_adds(s, "\t");
			col = 1;
		}
		mxg_sbuf_adds(s, sig->h_names[j]);
		mxg_sbuf_adds(s, j + 1 < sig->h_count ? ":" : ";");
		col += w;
	}
	mxg_sbuf_adds(s, nl);
}

/* The field up to and including "b=" (what the header hash covers of it). */
static void put_prefix(struct mxg_sbuf *s, const struct signer_key *sk, const struct dkim_sig *sig,
		       time_t t, const char *bh64)
{
	const struct mxg_dkim_sign_options *o = &sk->o;
	const char *nl = o->lf ? "\n" : "\r\n";
	char line[600];

	snprintf(line, sizeof(line), "DKIM-Signature: v=1; a=%s-sha256; c=%s/%s; d=%s; s=%s;%s",
		 mxg_dkim_signing_key_type(sk->k), sig->hcanon == DKIM_CANON_SIMPLE ? "simple" : "relaxed",
		 sig->bcanon == DKIM_CANON_SIMPLE ? "simple" : "relaxed", o->domain, o->selector, nl);
	mxg_sbuf_adds(s, line);
	if (o->expire_after)
		snprintf(line, sizeof(line), "\tt=%lld; x=%lld;%s", (long long)t,
			 (long long)t + (long long)o->expire_after, nl);
	else
		snprintf(line, sizeof(line), "\tt=%lld;%s", (long long)t, nl);
	mxg_sbuf_adds(s, line);
	put_h(s, sig, nl);
	snprintf(line, sizeof(line), "\tbh=%s;%s\tb=", bh64, nl);
	mxg_sbuf_adds(s, line);
}

/* Appends b= folded: the value starts right after "b=" (no blank), so the verifier's removal
 * of the value leaves exactly the prefix that was hashed. */
static void put_b(struct mxg_sbuf *s, const char *b64v, const char *nl)
{
	size_t len = strlen(b64v), first = FOLD - 3;

	for (size_t k = 0; k < len;) {
		size_t take = k == 0 ? first : FOLD - 1;
		if (take > len - k)
			take = len - k;
		if (k > 0) {
			mxg_sbuf_adds(s, nl);
			mxg_sbuf_adds(s, "\t");
		}
		mxg_sbuf_add(s, b64v + k, take);
		k += take;
	}
	mxg_sbuf_adds(s, nl);
}

/* The header hash's digest over the h= fields and the signature's prefix. */
static int header_digest(const struct mxg_dkim_signer *s, const struct dkim_sig *sig,
			 const struct mxg_sbuf *prefix, uint8_t *digest, unsigned *dlen)
{
	struct mxg_sbuf joined;
	struct dkim_hdr *h = malloc((s->n + 1) * sizeof(*h));
	char *buf = NULL;
	size_t blen = 0, bcap = 0;
	int ok = 0;

	if (h == NULL)
		return -1;
	if (s->n > 0)
		memcpy(h, s->h, s->n * sizeof(*h));
	mxg_sbuf_heap(&joined, s->store.len + prefix->len + 1);
	mxg_sbuf_add(&joined, s->store.p != NULL ? s->store.p : "", s->store.len);
	h[s->n] = (struct dkim_hdr){ .off = s->store.len, .len = prefix->len, .name_len = 14,
				     .value_off = 15 };
	mxg_sbuf_add(&joined, prefix->p, prefix->len);
	struct dkim_headers hs = { .buf = joined.p, .h = h, .n = s->n + 1 };
	ok = !joined.overflow && dkim_header_input(&hs, sig, s->n, &buf, &blen, &bcap) == 0 &&
	     EVP_Digest(buf, blen, digest, dlen, dkim_sha256(), NULL) == 1;
	free(buf);
	mxg_sbuf_free(&joined);
	free(h);
	return ok ? 0 : -1;
}

/* Signs the digest: Ed25519 over the SHA-256 digest (RFC 8463 §3), RSA PKCS#1 v1.5. */
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

/* The whole field of one key, allocated; NULL with the reason in err. */
static char *sign_one(const struct mxg_dkim_signer *s, const struct signer_key *sk,
		      const char *bh64, char *err, size_t errlen)
{
	struct dkim_sig sig;
	struct mxg_sbuf f;
	uint8_t digest[EVP_MAX_MD_SIZE], b[DKIM_SIG_MAX];
	unsigned dlen = 0;
	size_t blen = sizeof(b);

	memset(&sig, 0, sizeof(sig));
	sig.hcanon = canon_of(sk->o.header_canon);
	sig.bcanon = canon_of(sk->o.body_canon);
	if (choose_fields(s, &sig, err, errlen) < 0)
		return NULL;
	mxg_sbuf_heap(&f, SIG_FIELD_MAX);
	put_prefix(&f, sk, &sig, sk->o.now ? sk->o.now : time(NULL), bh64);
	sig.b_value_start = sig.b_value_end = f.len - 15;
	char *b64v = NULL;
	if (!f.overflow && header_digest(s, &sig, &f, digest, &dlen) == 0 &&
	    (size_t)EVP_PKEY_get_size(sk->k->pkey) <= sizeof(b) &&
	    dkim_sign_digest(sk->k, digest, dlen, b, &blen) == 0)
		b64v = dkim_b64_encode(b, blen);
	if (b64v == NULL) {
		mxg_fail(err, errlen, "signing failed (crypto error or out of memory)");
		mxg_sbuf_free(&f);
		return NULL;
	}
	put_b(&f, b64v, sk->o.lf ? "\n" : "\r\n");
	free(b64v);
	char *field = mxg_sbuf_take(&f);
	if (field == NULL)
		mxg_fail(err, errlen, "out of memory");
	return field;
}

/* The base64 body hashes, by canonicalization (NULL where no key needs one). */
static int body_hashes(struct mxg_dkim_signer *s, char *bh64[2], char *err, size_t errlen)
{
	for (size_t i = 0; i < 2; i++) {
		uint8_t bh[EVP_MAX_MD_SIZE];
		int n;
		bh64[i] = NULL;
		if (s->body[i] == NULL)
			continue;
		n = dkim_body_hash_final(s->body[i], bh);
		if (n <= 0 || (bh64[i] = dkim_b64_encode(bh, (size_t)n)) == NULL) {
			mxg_fail(err, errlen, "body hash failed");
			free(bh64[0]);
			return -1;
		}
	}
	return 0;
}

int mxg_dkim_signer_finish(struct mxg_dkim_signer *s, char **fields, size_t max, char *err,
			   size_t errlen)
{
	char *bh64[2];
	size_t i;

	if (s->failed) {
		mxg_fail(err, errlen, "%s", s->why);
		return -1;
	}
	if (s->nkeys == 0 || s->nkeys > max) {
		mxg_fail(err, errlen, s->nkeys == 0 ? "no key to sign with" : "too many keys for the result");
		return -1;
	}
	if (body_hashes(s, bh64, err, errlen) < 0)
		return -1;
	for (i = 0; i < s->nkeys; i++) {
		fields[i] = sign_one(s, &s->keys[i], bh64[canon_of(s->keys[i].o.body_canon)], err, errlen);
		if (fields[i] == NULL)
			break;
	}
	free(bh64[0]);
	free(bh64[1]);
	if (i == s->nkeys)
		return (int)i;
	while (i > 0)
		free(fields[--i]);
	return -1;
}

/* --- a message in memory --- */

int mxg_dkim_sign_buffer(const struct mxg_dkim_signing_key *k, const struct mxg_dkim_sign_options *o,
			 const char *msg, size_t len, char **field, char *err, size_t errlen)
{
	struct mxg_dkim_signer *s = mxg_dkim_signer_new();
	size_t pos = 0, n;
	int rc = -1;

	*field = NULL;
	if (s == NULL) {
		mxg_fail(err, errlen, "out of memory");
		return -1;
	}
	if (mxg_dkim_signer_add_key(s, k, o, err, errlen) < 0)
		goto out;
	while ((n = dkim_field_len(msg + pos, len - pos)) > 0) {
		(void)mxg_dkim_signer_header_raw(s, msg + pos, n);
		pos += n;
	}
	if (pos < len)
		pos += msg[pos] == '\r' ? 2 : 1;
	if (pos > len)
		pos = len;
	(void)mxg_dkim_signer_body(s, (const uint8_t *)msg + pos, len - pos);
	rc = mxg_dkim_signer_finish(s, field, 1, err, errlen) == 1 ? 0 : -1;
out:
	mxg_dkim_signer_free(s);
	return rc;
}
