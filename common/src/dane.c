/* DANE for SMTP (RFC 7672): TLSA records decoded, and matched against the certificate chain
 * an MX presented. Pure: no DNS, no network (the chain is what the probe kept). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mxguard/probe.h"

enum { USAGE_DANE_TA = 2, USAGE_DANE_EE = 3 };
enum { SEL_CERT = 0, SEL_SPKI = 1 };
enum { MATCH_FULL = 0, MATCH_SHA256 = 1, MATCH_SHA512 = 2 };

int mxg_tlsa_parse(const uint8_t *rdata, size_t len, struct mxg_tlsa *out)
{
	memset(out, 0, sizeof(*out));
	if (rdata == NULL || len < 4 || len > MXG_PROBE_CERT_MAX + 3)
		return -1;
	out->usage = rdata[0];
	out->selector = rdata[1];
	out->mtype = rdata[2];
	out->len = len - 3;
	out->data = malloc(out->len);
	if (out->data == NULL)
		return -1;
	memcpy(out->data, rdata + 3, out->len);
	return 0;
}

void mxg_tlsa_free(struct mxg_tlsa *t)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

static int usable(const struct mxg_tlsa *t)
{
	return (t->usage == USAGE_DANE_TA || t->usage == USAGE_DANE_EE) &&
	       (t->selector == SEL_CERT || t->selector == SEL_SPKI) && t->mtype <= MATCH_SHA512;
}

/* The octets selector picks of a certificate (the whole DER, or its SubjectPublicKeyInfo)
 * into a heap buffer; NULL when the certificate does not parse. */
static unsigned char *selected(const struct mxg_probe_cert *c, uint8_t selector, int *len)
{
	const unsigned char *p = c->der;
	unsigned char *out = NULL;

	if (selector == SEL_CERT) {
		out = malloc(c->len);
		if (out != NULL)
			memcpy(out, c->der, c->len);
		*len = (int)c->len;
		return out;
	}
	X509 *x = d2i_X509(NULL, &p, (long)c->len);
	if (x == NULL)
		return NULL;
	*len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &out);
	X509_free(x);
	return *len > 0 ? out : NULL;
}

static int matches(const struct mxg_tlsa *t, const struct mxg_probe_cert *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int len = 0, ok = 0;
	unsigned char *sel = selected(c, t->selector, &len);

	if (sel == NULL)
		return 0;
	if (t->mtype == MATCH_FULL)
		ok = (size_t)len == t->len && memcmp(sel, t->data, t->len) == 0;
	else if (EVP_Digest(sel, (size_t)len, md, &mdlen,
			    t->mtype == MATCH_SHA256 ? EVP_sha256() : EVP_sha512(), NULL) == 1)
		ok = mdlen == t->len && memcmp(md, t->data, mdlen) == 0;
	if (t->selector == SEL_CERT)
		free(sel);
	else
		OPENSSL_free(sel);
	return ok;
}

int mxg_dane_match(const struct mxg_tlsa *rr, size_t count, const struct mxg_probe_cert *chain,
		   size_t chain_count)
{
	int any = 0;

	for (size_t i = 0; i < count; i++) {
		if (!usable(&rr[i]))
			continue;
		any = 1;
		/* DANE-EE names the leaf; DANE-TA any certificate the server sent (RFC 7671 §5.2). */
		size_t last = rr[i].usage == USAGE_DANE_EE ? 1 : chain_count;
		for (size_t k = 0; k < last && k < chain_count; k++)
			if (matches(&rr[i], &chain[k]))
				return 1;
	}
	return any ? 0 : -1;
}
