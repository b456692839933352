/* bench/dkim: signed messages per CPU-second for mxguard's signer (the streaming signer the
 * milter and mxguard sign use), OpenDKIM's library (libopendkim) and the floor (SHA-256 of the
 * same bytes plus one OpenSSL signature per key), for RSA-2048, Ed25519 and both keys at once. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <opendkim/dkim.h>

#include "mxguard/dkim_sign.h"

#include "bench_util.h"

struct ctx {
	const char *msg;
	size_t len, hlen;                       /* hlen: header bytes, up to the empty line */
	size_t nkeys;
	const struct mxg_dkim_signing_key *mk[2];
	const char *sel[2];
	char *pem[2];                           /* for libopendkim */
	int ed[2];
	EVP_PKEY *pk[2];                        /* for the floor */
	DKIM_LIB *lib;
};

/* mxguard: header fields, then the body, into the streaming signer; one field per key. */
static int mxguard_once(void *arg)
{
	struct ctx *x = arg;
	struct mxg_dkim_signer *s = mxg_dkim_signer_new();
	struct mxg_dkim_sign_options o = { .domain = "bench.example", .now = 1796600000 };
	char *fields[2], err[256];
	int ok = s != NULL;

	for (size_t i = 0; ok && i < x->nkeys; i++) {
		o.selector = x->sel[i];
		ok = mxg_dkim_signer_add_key(s, x->mk[i], &o, err, sizeof(err)) == 0;
	}
	for (const char *p = x->msg, *end = x->msg + x->hlen; ok && p < end;) {
		const char *e = p;
		while (e < end && !(e[0] == '\r' && e[1] == '\n' && e[2] != ' ' && e[2] != '\t'))
			e++;
		ok = mxg_dkim_signer_header_raw(s, p, (size_t)(e - p)) == 0;
		p = e + 2;
	}
	ok = ok && mxg_dkim_signer_body(s, (const uint8_t *)x->msg + x->hlen + 4,
					x->len - x->hlen - 4) == 0;
	int n = ok ? mxg_dkim_signer_finish(s, fields, 2, err, sizeof(err)) : -1;
	for (int i = 0; i < n; i++)
		free(fields[i]);
	mxg_dkim_signer_free(s);
	return n == (int)x->nkeys;
}

/* libopendkim: one signing handle per key (it signs with one key per handle). */
static int opendkim_once(void *arg)
{
	struct ctx *x = arg;
	for (size_t i = 0; i < x->nkeys; i++) {
		DKIM_STAT st;
		DKIM *d = dkim_sign(x->lib, (const unsigned char *)"bench", NULL, (dkim_sigkey_t)x->pem[i],
				    (const unsigned char *)x->sel[i], (const unsigned char *)"bench.example",
				    DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
				    x->ed[i] ? DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256, -1, &st);
		u_char *hdr = NULL;
		size_t hl = 0;
		int ok = d != NULL && dkim_chunk(d, (u_char *)x->msg, x->len) == DKIM_STAT_OK &&
			 dkim_chunk(d, NULL, 0) == DKIM_STAT_OK && dkim_eom(d, NULL) == DKIM_STAT_OK &&
			 dkim_getsighdr_d(d, 16, &hdr, &hl) == DKIM_STAT_OK && hl > 0;
		if (d != NULL)
			dkim_free(d);
		if (!ok)
			return 0;
	}
	return 1;
}

/* The floor: per key, SHA-256 over the body and over the header bytes, and one signature. */
static int floor_once(void *arg)
{
	struct ctx *x = arg;
	unsigned char d[32], bh[32], sig[512];
	unsigned int n;
	int ok = 1;

	for (size_t i = 0; i < x->nkeys; i++) {
		size_t sl = sizeof(sig);
		EVP_Digest(x->msg + x->hlen, x->len - x->hlen, bh, &n, EVP_sha256(), NULL);
		EVP_Digest(x->msg, x->hlen, d, &n, EVP_sha256(), NULL);
		if (x->ed[i]) {
			EVP_MD_CTX *m = EVP_MD_CTX_new();
			ok &= EVP_DigestSignInit(m, NULL, NULL, NULL, x->pk[i]) == 1 &&
			      EVP_DigestSign(m, sig, &sl, d, 32) == 1;
			EVP_MD_CTX_free(m);
		} else {
			EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(x->pk[i], NULL);
			ok &= EVP_PKEY_sign_init(c) == 1 && EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) == 1 &&
			      EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1 &&
			      EVP_PKEY_sign(c, sig, &sl, d, 32) == 1;
			EVP_PKEY_CTX_free(c);
		}
	}
	return ok;
}

static void load_key(struct ctx *x, size_t i, const char *path, const char *sel)
{
	char err[256];
	size_t n;
	FILE *f = fopen(path, "r");

	x->mk[i] = mxg_dkim_signing_key_load(path, err, sizeof(err));
	x->pem[i] = slurp(path, &n);
	x->pk[i] = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	if (f != NULL)
		fclose(f);
	if (x->mk[i] == NULL || x->pk[i] == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		exit(2);
	}
	x->ed[i] = strcmp(mxg_dkim_signing_key_type(x->mk[i]), "ed25519") == 0;
	x->sel[i] = sel;
}

int main(int argc, char **argv)
{
	struct ctx x = { 0 };

	if (argc < 4) {
		fprintf(stderr, "usage: bench_sign MESSAGE SECONDS KEYFILE:SELECTOR [KEYFILE:SELECTOR]\n");
		return 2;
	}
	x.msg = slurp(argv[1], &x.len);
	const char *e = strstr(x.msg, "\r\n\r\n");
	if (e == NULL)
		return 2;
	x.hlen = (size_t)(e - x.msg);
	double secs = atof(argv[2]);
	for (int a = 3; a < argc && x.nkeys < 2; a++) {
		char *colon = strchr(argv[a], ':');
		if (colon == NULL)
			return 2;
		*colon = '\0';
		load_key(&x, x.nkeys++, argv[a], colon + 1);
	}
	x.lib = dkim_init(NULL, NULL);
	/* Rounds interleave the three; the best round of each counts. */
	int (*fns[3])(void *) = { mxguard_once, opendkim_once, floor_once };
	const char *names[3] = { "mxguard", "opendkim", "floor" };
	double best[3] = { 0, 0, 0 };
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 3; i++) {
			double r = bench_rate(names[i], "signing failed", secs / 3, fns[i], &x, 10);
			if (r > best[i])
				best[i] = r;
		}
	for (int i = 0; i < 3; i++)
		printf("%s %.0f\n", names[i], best[i]);
	dkim_close(x.lib);
	return 0;
}
