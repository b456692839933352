/* Checking one signature field, DKIM-Signature or the two of an ARC set, over the header fields
 * a verifier keeps (dkim_internal.h): the header hash input (RFC 6376 §3.7), the trust check on
 * the fields h= covers, the key's restrictions and the signature itself. dkim.c and
 * arc_verify.c both build on it, so neither needs the other's internals. */
#include "dkim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

#include "mxguard/str.h"

/* Two h= names (both lower-cased) are the same; the first byte decides most pairs. */
static int same_name(const char *a, const char *b)
{
	return a[0] == b[0] && strcmp(a, b) == 0;
}

int dkim_header_fields_input(const struct dkim_headers *hs, const struct dkim_sig *sig, char **buf,
			     size_t *blen, size_t *bcap)
{
	size_t pos[DKIM_H_MAX];
	size_t n = sig->h_count;

	for (size_t j = 0; j < n; j++) {
		const char *name = sig->h_names[j];
		size_t start = hs->n;
		for (size_t k = j; k-- > 0;)
			if (same_name(sig->h_names[k], name)) {
				start = pos[k];
				break;
			}
		size_t nl = strlen(name), i = start;
		pos[j] = 0;
		while (i-- > 0) {
			const struct dkim_hdr *h = &hs->h[i];
			if (h->name_len == nl && mxg_strncaseeq(hs->buf + h->off, name, nl)) {
				if (dkim_canon_header(sig->hcanon, hs->buf + h->off, h->len, 1, buf, blen, bcap) < 0)
					return -1;
				pos[j] = i;
				break;
			}
		}
	}
	return 0;
}

int dkim_header_input(const struct dkim_headers *hs, const struct dkim_sig *sig, size_t sig_hdr,
		      char **buf, size_t *blen, size_t *bcap)
{
	if (dkim_header_fields_input(hs, sig, buf, blen, bcap) < 0)
		return -1;
	const struct dkim_hdr *h = &hs->h[sig_hdr];
	size_t vstart = h->value_off;
	size_t cut_a = vstart + sig->b_value_start, cut_b = vstart + sig->b_value_end;
	char *tmp = malloc(h->len);
	if (tmp == NULL)
		return -1;
	memcpy(tmp, hs->buf + h->off, cut_a);
	memcpy(tmp + cut_a, hs->buf + h->off + cut_b, h->len - cut_b);
	int rc = dkim_canon_header(sig->hcanon, tmp, h->len - (cut_b - cut_a), 0, buf, blen, bcap);
	free(tmp);
	return rc;
}

/* The fields RFC 5322 §3.6 allows once at most, spelt as reasons name them. A second instance
 * that the signer left unsigned could be the one a mail reader shows (RFC 6376 §8.15). */
static const char *const once_only[] = {
	"From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To", "References",
	"Subject", "Date",
};

static const char *once_only_name(const char *name)
{
	for (size_t k = 0; k < sizeof(once_only) / sizeof(once_only[0]); k++)
		if (mxg_strcaseeq(once_only[k], name))
			return once_only[k];
	return NULL;
}

/* How often h= lists h_names[j]; 0 when an earlier entry already named it. */
static size_t h_listed(const struct dkim_sig *sig, size_t j)
{
	size_t count = 0;

	for (size_t k = 0; k < sig->h_count; k++)
		if (same_name(sig->h_names[k], sig->h_names[j])) {
			if (k < j)
				return 0;
			count++;
		}
	return count;
}

int dkim_header_check(const struct dkim_headers *hs, const struct dkim_sig *sig, char *why,
		      size_t whylen)
{
	for (size_t j = 0; j < sig->h_count; j++) {
		const char *name = sig->h_names[j];
		size_t listed = h_listed(sig, j), nl = strlen(name), found = 0;
		int nul = 0;
		if (listed == 0)
			continue;
		for (size_t i = 0; i < hs->n; i++) {
			const struct dkim_hdr *h = &hs->h[i];
			if (h->name_len == nl && mxg_strncaseeq(hs->buf + h->off, name, nl)) {
				found++;
				nul |= h->nul;
			}
		}
		if (!nul && found <= listed) /* the common case: no need to name the field */
			continue;
		const char *once = once_only_name(name);
		if (nul)
			return mxg_fail(why, whylen, "signed %s field holds a NUL byte", once ? once : name);
		if (once != NULL)
			return mxg_fail(why, whylen, "unsigned extra %s field", once);
	}
	return 0;
}

int dkim_crypto_verify(const struct dkim_key *key, const struct dkim_sig *sig,
			 const uint8_t *digest, size_t dlen)
{
	int ok = 0;

	if (key->type == DKIM_KEY_ED25519) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		ok = m != NULL && EVP_DigestVerifyInit(m, NULL, NULL, NULL, key->pkey) == 1 &&
		     EVP_DigestVerify(m, sig->b, sig->b_len, digest, dlen) == 1;
		EVP_MD_CTX_free(m);
		return ok;
	}
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(key->pkey, NULL);
	ok = c != NULL && EVP_PKEY_verify_init(c) == 1 &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
	     EVP_PKEY_CTX_set_signature_md(c, dkim_sha256()) == 1 &&
	     EVP_PKEY_verify(c, sig->b, sig->b_len, digest, dlen) == 1;
	EVP_PKEY_CTX_free(c);
	return ok;
}

static enum mxg_dkim_result why_not(enum mxg_dkim_result r, const char *text, char *why, size_t whylen)
{
	mxg_strlcpy(why, text, whylen);
	return r;
}

/* Key tags that restrict its use (RFC 6376 §3.6.1), and RFC 8301's floor on RSA size. The
 * i= rule of t=s concerns DKIM signatures only (an ARC field's i= is its instance). */
enum mxg_dkim_result dkim_key_check(const struct dkim_key *key, const struct dkim_sig *sig,
				    unsigned min_rsa_bits, char *why, size_t whylen)
{
	if (key->revoked)
		return why_not(MXG_DKIM_FAIL, "key revoked", why, whylen);
	if ((key->type == DKIM_KEY_ED25519) != (sig->alg == DKIM_ALG_ED25519_SHA256))
		return why_not(MXG_DKIM_PERMERROR, "key type (k=) does not match a=", why, whylen);
	if (!key->sha256_ok)
		return why_not(MXG_DKIM_PERMERROR, "key h= does not allow sha256", why, whylen);
	if (!key->email_ok)
		return why_not(MXG_DKIM_PERMERROR, "key service type (s=) excludes email", why, whylen);
	if (key->strict && sig->instance == 0) {
		const char *at = strrchr(sig->i, '@');
		if (at == NULL || !mxg_dns_name_equal(at + 1, sig->d))
			return why_not(MXG_DKIM_PERMERROR, "key t=s requires the i= domain to equal d=",
				       why, whylen);
	}
	if (key->type == DKIM_KEY_RSA && key->bits < min_rsa_bits) {
		snprintf(why, whylen, "RSA key of %u bits is under %u (RFC 8301)", key->bits, min_rsa_bits);
		return MXG_DKIM_POLICY;
	}
	return MXG_DKIM_NONE;
}
