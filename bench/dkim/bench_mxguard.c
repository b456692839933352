/* bench/dkim: verified messages per second for mxguard's verifier (key cache warm, and with
 * no cache: every message decodes its keys), and the floor: SHA-256 of the same bytes plus the raw verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mxguard/dkim.h"
#include "mxguard/dns.h"

#include "bench_util.h"

/* Key table lines "owner TXT-value" into a zone resolver. */
static struct mxg_resolver *load_keys(const char *path)
{
	struct mxg_resolver *z = mxg_resolver_zone_new();
	FILE *f = fopen(path, "r");
	char line[4096];

	if (z == NULL || f == NULL)
		exit(2);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *v = strchr(line, ' ');
		if (v == NULL)
			continue;
		*v++ = '\0';
		uint8_t rd[4096];
		size_t n = 0, len = strlen(v);
		for (size_t k = 0; k < len; k += 255) {
			size_t part = len - k > 255 ? 255 : len - k;
			rd[n++] = (uint8_t)part;
			memcpy(rd + n, v + k, part);
			n += part;
		}
		if (mxg_zone_add_rr(z, line, MXG_DNS_TXT, 3600, rd, n) < 0)
			exit(2);
	}
	fclose(f);
	return z;
}

static int verify_once(struct mxg_resolver *z, struct mxg_dkim_key_cache *c, const char *msg, size_t len)
{
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(z, c, NULL, msg, len);
	int ok = v != NULL && mxg_dkim_result_count(v) > 0;
	for (size_t i = 0; ok && i < mxg_dkim_result_count(v); i++)
		ok = mxg_dkim_result_get(v, i)->result == MXG_DKIM_PASS;
	mxg_dkim_verifier_free(v);
	return ok;
}

/* The floor for one message: SHA-256 of the body once (the signatures here share its form),
 * then per signature SHA-256 over the header bytes it signs and one public-key verify with
 * an already decoded key. What any verifier must do, done minimally: the digest fetched once,
 * the signed fields as they are (canonicalization left out), and the key's verify context
 * made per message as a verifier shared by threads must. */
struct floor_key {
	EVP_PKEY *pk;
	int ed;
	unsigned char sig[512];
	size_t siglen;
	char hdr[8192]; /* the signed fields and the signature field without its b= value */
	size_t hlen;
};

static const EVP_MD *floor_md;

static int floor_once(const struct floor_key *k, size_t nkeys, const char *msg, size_t len)
{
	const char *body = strstr(msg, "\r\n\r\n");
	size_t hlen = body ? (size_t)(body - msg) : len;
	unsigned char d[32], bh[32];
	unsigned int n;
	int ok = EVP_Digest(msg + hlen, len - hlen, bh, &n, floor_md, NULL) == 1;

	for (size_t i = 0; i < nkeys; i++) {
		EVP_Digest(k[i].hdr, k[i].hlen, d, &n, floor_md, NULL);
		if (k[i].ed) {
			EVP_MD_CTX *m = EVP_MD_CTX_new();
			EVP_DigestVerifyInit(m, NULL, NULL, NULL, k[i].pk);
			ok &= EVP_DigestVerify(m, k[i].sig, k[i].siglen, d, 32) == 1;
			EVP_MD_CTX_free(m);
		} else {
			EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k[i].pk, NULL);
			EVP_PKEY_verify_init(c);
			EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
			EVP_PKEY_CTX_set_signature_md(c, floor_md);
			ok &= EVP_PKEY_verify(c, k[i].sig, k[i].siglen, d, 32) == 1;
			EVP_PKEY_CTX_free(c);
		}
	}
	return ok;
}

/* Length of the header field starting at f: up to its last line's CRLF (not included). */
static size_t field_len(const char *f)
{
	const char *e = f;

	while ((e = strstr(e, "\r\n")) != NULL && (e[2] == ' ' || e[2] == '\t'))
		e += 2;
	return e != NULL ? (size_t)(e - f) : strlen(f);
}

static void floor_add(struct floor_key *k, const char *p, size_t n)
{
	if (k->hlen + n > sizeof(k->hdr))
		exit(2);
	memcpy(k->hdr + k->hlen, p, n);
	k->hlen += n;
}

/* The header bytes the signature at sig signs: each field its h= names (the first of that
 * name, with its CRLF), then the signature field with the b= value left out. */
static void floor_header(struct floor_key *k, const char *msg, const char *sig)
{
	size_t slen = field_len(sig);
	const char *h = strstr(sig, " h=");
	const char *b = strstr(sig, " b=");

	k->hlen = 0;
	for (const char *q = h != NULL ? h + 3 : sig + slen; q < sig + slen && *q != ';';) {
		size_t nl = strcspn(q, ":; \r\n\t");
		for (const char *f = msg; nl > 0 && f != NULL; f = strstr(f, "\r\n"), f = f ? f + 2 : f)
			if (strncasecmp(f, q, nl) == 0 && f[nl] == ':') {
				floor_add(k, f, field_len(f) + 2);
				break;
			}
		q += nl;
		q += strspn(q, ": \r\n\t");
	}
	if (b == NULL || b > sig + slen)
		b = sig + slen - 3;
	floor_add(k, sig, (size_t)(b - sig) + 3);
	const char *semi = memchr(b, ';', (size_t)(sig + slen - b));
	if (semi != NULL)
		floor_add(k, semi, (size_t)(sig + slen - semi));
}

/* Floor keys: a 2048-bit RSA key or an Ed25519 key per signature the message carries, with a
 * real signature over the digest of its header bytes (a malformed one would be refused early,
 * too cheaply). */
static size_t floor_keys(const char *msg, struct floor_key *k)
{
	size_t n = 0;
	unsigned char d[32];
	unsigned int dl;

	for (const char *p = msg; (p = strstr(p, "DKIM-Signature:")) != NULL && n < 4; p++) {
		const char *a = strstr(p, "a=");
		k[n].ed = a != NULL && strncmp(a + 2, "ed25519", 7) == 0;
		k[n].siglen = sizeof(k[n].sig);
		floor_header(&k[n], msg, p);
		EVP_Digest(k[n].hdr, k[n].hlen, d, &dl, floor_md, NULL);
		if (k[n].ed) {
			EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
			k[n].pk = NULL;
			EVP_PKEY_keygen_init(c);
			EVP_PKEY_keygen(c, &k[n].pk);
			EVP_PKEY_CTX_free(c);
			EVP_MD_CTX *m = EVP_MD_CTX_new();
			EVP_DigestSignInit(m, NULL, NULL, NULL, k[n].pk);
			EVP_DigestSign(m, k[n].sig, &k[n].siglen, d, 32);
			EVP_MD_CTX_free(m);
		} else {
			k[n].pk = EVP_RSA_gen(2048);
			EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k[n].pk, NULL);
			EVP_PKEY_sign_init(c);
			EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING);
			EVP_PKEY_CTX_set_signature_md(c, floor_md);
			EVP_PKEY_sign(c, k[n].sig, &k[n].siglen, d, 32);
			EVP_PKEY_CTX_free(c);
		}
		n++;
	}
	return n;
}

struct ctx {
	struct mxg_resolver *z;
	struct mxg_dkim_key_cache *c;
	const char *msg;
	size_t len;
	struct floor_key k[4];
	size_t nk;
};

static int run_cached(void *a) { struct ctx *x = a; return verify_once(x->z, x->c, x->msg, x->len); }
static int run_nocache(void *a) { struct ctx *x = a; return verify_once(x->z, NULL, x->msg, x->len); }
static int run_floor(void *a) { struct ctx *x = a; return floor_once(x->k, x->nk, x->msg, x->len); }

/* Runs the contender called name exactly n times (callgrind counts the difference between two n). */
static int count_runs(const char *name, const char *const *names, int (*const *fns)(void *), int nfns,
		      int n, void *x)
{
	for (int i = 0; i < nfns; i++) {
		if (strcmp(name, names[i]) != 0)
			continue;
		for (int k = 0; k < n; k++)
			if (!fns[i](x))
				return 1;
		return 0;
	}
	fprintf(stderr, "no contender %s\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	struct ctx x;
	double secs = argc > 3 ? atof(argv[3]) : 2.0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_mxguard KEYTABLE MESSAGE [SECONDS [ONLY-THIS]] (SECONDS -N: N runs of ONLY-THIS)\n");
		return 2;
	}
	x.z = load_keys(argv[1]);
	x.c = mxg_dkim_key_cache_new(16);
	x.msg = slurp(argv[2], &x.len);
	floor_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	x.nk = floor_keys(x.msg, x.k);
	if (getenv("BENCH_FLOOR_SHOW") != NULL) /* what the floor hashes per signature */
		for (size_t i = 0; i < x.nk; i++)
			printf("floor header %zu: %zu bytes\n%.*s\n", i, x.k[i].hlen, (int)x.k[i].hlen, x.k[i].hdr);
	/* Rounds interleave the three so that load from elsewhere on the machine hits them alike;
	 * the best round of each counts. */
	double best[3] = { 0, 0, 0 };
	int (*fns[3])(void *) = { run_cached, run_nocache, run_floor };
	const char *names[3] = { "mxguard-cached", "mxguard-nocache", "floor" };
	const char *only = argc > 4 ? argv[4] : NULL;
	if (secs < 0 && only != NULL) /* -N ONLY: exactly N runs of one, for instruction counts */
		return count_runs(only, names, fns, 3, (int)-secs, &x);
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 3; i++) {
			if (only != NULL && strcmp(only, names[i]) != 0)
				continue;
			double r = bench_rate(names[i], "verification did not pass", secs / 3, fns[i], &x, 50);
			if (r > best[i])
				best[i] = r;
		}
	for (int i = 0; i < 3; i++)
		printf("%s %.0f\n", names[i], best[i]);
	return 0;
}
