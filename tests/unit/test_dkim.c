/* Unit tests of the DKIM verifier: tag lists, signature and key records, canonicalization
 * (RFC 6376 §3.4.6), chunked body hashing, RFC 8301 rules, caps, the key cache; keys from the zone backend. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "../../common/src/dkim_internal.h"
#include "data/dkim_data.h"
#include "rfc8463.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"

/* RFC 8463 Appendix A: the rsa-1024 key "test" and its signature (the ed25519 half: rfc8463.h). */
static const char test_key[] =
	"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdO"
	"Kb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYL"
	"zBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";
/* A 512-bit RSA key (Mail::DKIM's corpus uses it): RFC 8301 forbids it. */
static const char weak_key[] =
	"v=DKIM1; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBALgSoqXVSEmfcIsOzw7oRuCCOwsmtX/SJnTWxYyj2leFxfS/AVJ+d"
	"YfY+hXqMsT7l+MZvvh/R1WzN4MO/kI/7XsCAwEAAQ==";

#define SIG_RSA                                                                                  \
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"                              \
	" d=football.example.com; i=@football.example.com;\r\n"                                  \
	" q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n"                          \
	" date : message-id : from : subject : date;\r\n"                                        \
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"                                  \
	" b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n"                        \
	" DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n"                        \
	" dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"

static struct mxg_resolver *zone;

static void add_key(const char *owner, const char *txt)
{
	uint8_t rd[2048];
	size_t n = 0, len = strlen(txt);

	for (size_t k = 0; k < len || n == 0; k += 255) {
		size_t part = len - k > 255 ? 255 : len - k;
		rd[n++] = (uint8_t)part;
		memcpy(rd + n, txt + k, part);
		n += part;
	}
	assert_int_equal(mxg_zone_add_rr(zone, owner, MXG_DNS_TXT, 600, rd, n), 0);
}

static int setup(void **state)
{
	(void)state;
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	add_key("brisbane._domainkey.football.example.com", brisbane_key);
	add_key("test._domainkey.football.example.com", test_key);
	/* tests/unit/data/dkim_data.h: one RSA-2048 key published in both forms. */
	add_key("spki._domainkey.example.net", DATA_KEY_SPKI);
	add_key("pkcs1._domainkey.example.net", DATA_KEY_PKCS1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_resolver_free(zone);
	return 0;
}

static struct mxg_dkim_verifier *verify(const char *msg, const struct mxg_dkim_options *o,
					struct mxg_dkim_key_cache *c)
{
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(zone, c, o, msg, strlen(msg));
	assert_non_null(v);
	return v;
}

static enum mxg_dkim_result result(const struct mxg_dkim_verifier *v, size_t i)
{
	const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, i);
	assert_non_null(r);
	return r->result;
}

/* Verifies msg (which may hold NUL bytes: its length is given), expects one signature with
 * result want and, when why is not NULL, a reason that contains it. */
static void expect_one(const char *msg, size_t len, enum mxg_dkim_result want, const char *why)
{
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(zone, NULL, NULL, msg, len);
	assert_non_null(v);
	assert_int_equal(mxg_dkim_result_count(v), 1);
	const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, 0);
	if (r->result != want || (why != NULL && strstr(r->reason, why) == NULL))
		fail_msg("got %s (%s), want %s (%s)", mxg_dkim_result_name(r->result), r->reason,
			 mxg_dkim_result_name(want), why ? why : "any reason");
	mxg_dkim_verifier_free(v);
}

#define EXPECT(msg, want, why) expect_one(msg, sizeof(msg) - 1, want, why)

/* --- tag lists --- */

static int tags_ok(const char *s, struct dkim_taglist *l)
{
	char err[128];
	return dkim_tags_parse(s, strlen(s), l, err, sizeof(err));
}

static void test_tags_grammar(void **state)
{
	struct dkim_taglist l;
	(void)state;

	assert_int_equal(tags_ok(" a = b c ;\r\n\tx_1=\r\n yy ; ", &l), 0);
	assert_int_equal(l.count, 2);
	assert_true(dkim_tag_is(dkim_tags_find(&l, "a"), "b c"));
	assert_true(dkim_tag_is(dkim_tags_find(&l, "x_1"), "yy"));
	assert_int_equal(tags_ok("", &l), 0);
	assert_int_equal(l.count, 0);
	assert_int_equal(tags_ok("a=1;a=2", &l), -1);       /* duplicate */
	assert_int_equal(tags_ok("a=1;;b=2", &l), -1);      /* empty tag-spec */
	assert_int_equal(tags_ok("a=1; b", &l), -1);        /* no '=' */
	assert_int_equal(tags_ok("1a=1", &l), -1);          /* name starts with a digit */
	assert_int_equal(tags_ok("a=1;\r\nb=2", &l), -1);   /* a line break that is not a fold */
	assert_int_equal(tags_ok("a=x;y", &l), -1);
	assert_int_equal(tags_ok("a=\xc3\xa9", &l), -1);    /* 8-bit value */
	assert_true(tags_ok("A=1; a=2", &l) == 0 && l.count == 2); /* names are case-sensitive */
}

static void test_base64(void **state)
{
	uint8_t out[16];
	(void)state;

	assert_int_equal(dkim_b64_decode("aGVs\r\n bG8=", 11, out, sizeof(out)), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(dkim_b64_decode("aGVsbA==", 8, out, sizeof(out)), 4);
	assert_int_equal(dkim_b64_decode("aGVsbA=", 7, out, sizeof(out)), -1);
	assert_int_equal(dkim_b64_decode("aGV*bA==", 8, out, sizeof(out)), -1);
	assert_int_equal(dkim_b64_decode("a", 1, out, sizeof(out)), -1);
	assert_int_equal(dkim_b64_decode("aGVsbG8gd29ybGQhISEh", 20, out, 8), -1); /* too long */
}

/* --- signature tags --- */

static int sig_parse(const char *s, char *err, size_t errlen)
{
	struct dkim_sig sig;
	int rc = dkim_sig_parse(s, strlen(s), &sig, err, errlen);
	dkim_sig_clear(&sig);
	return rc;
}

#define BASE "v=1; a=rsa-sha256; d=example.com; s=sel; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA; "

static void expect_sig_error(const char *tags, const char *reason)
{
	char err[160] = "";
	assert_int_equal(sig_parse(tags, err, sizeof(err)), -1);
	if (strstr(err, reason) == NULL)
		fail_msg("'%s': reason '%s', want '%s'", tags, err, reason);
}

static void test_sig_tags(void **state)
{
	char err[160];
	struct dkim_sig sig;
	(void)state;

	assert_int_equal(sig_parse(BASE "h=From:To", err, sizeof(err)), 0);
	expect_sig_error(BASE "h=to", "From");
	expect_sig_error("v=2; a=rsa-sha256; d=example.com; s=sel; bh=AAAA; b=AAAA; h=from", "version");
	expect_sig_error("a=rsa-sha256; d=example.com; s=sel; bh=AAAA; b=AAAA; h=from", "v=");
	expect_sig_error("v=1; a=rsa-md5; d=example.com; s=sel; bh=AAAA; b=AAAA; h=from", "algorithm");
	expect_sig_error(BASE "h=from; c=relaxed/foo", "canonicalization");
	expect_sig_error(BASE "h=from; i=joe@example.org", "subdomain");
	assert_int_equal(sig_parse(BASE "h=from; i=joe@mail.example.com", err, sizeof(err)), 0);
	expect_sig_error(BASE "h=from; q=http", "dns/txt");
	assert_int_equal(sig_parse(BASE "h=from; q=foo:dns/txt", err, sizeof(err)), 0);
	expect_sig_error(BASE "h=from; t=200; x=100", "earlier");
	expect_sig_error(BASE "h=from; l=12a", "l=");
	expect_sig_error(BASE "h=from::to", "field name");
	expect_sig_error("v=1; a=rsa-sha256; d=exa(mple.com; s=sel; bh=AAAA; b=AAAA; h=from", "d=");
	expect_sig_error(BASE "h=from; bh=AAAA", "twice");
	expect_sig_error("v=1; a=rsa-sha256; d=example.com; s=sel; bh=AAAA; b=AAAA; h=from", "bh=");
	/* Values: i= quoted-printable, h= lower-cased with folding, b= span for removal. */
	const char *s = BASE "h=From :\r\n\tSubject; i=j=3Doe@example.com; l=42";
	assert_int_equal(dkim_sig_parse(s, strlen(s), &sig, err, sizeof(err)), 0);
	assert_string_equal(sig.i, "j=oe@example.com");
	assert_int_equal(sig.h_count, 2);
	assert_string_equal(sig.h_names[1], "subject");
	assert_true(sig.has_l && sig.l == 42);
	assert_int_equal(strncmp(s + sig.b_value_start, "AAAA;", 5), 0);
	assert_int_equal(sig.b_value_end - sig.b_value_start, 4);
	dkim_sig_clear(&sig);
}

/* --- canonicalization: the example of RFC 6376 §3.4.6 --- */

static void canon_fields(enum dkim_canon c, const char *want)
{
	static const char *const fields[] = { "A: X", "B : Y\t\r\n\tZ  " };
	char *buf = NULL;
	size_t len = 0, cap = 0;

	for (size_t i = 0; i < 2; i++)
		assert_int_equal(dkim_canon_header(c, fields[i], strlen(fields[i]), 1, &buf, &len, &cap), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	free(buf);
}

static void body_digest(enum dkim_canon c, const char *body, size_t chunk, int has_l, uint64_t l,
			uint8_t *out)
{
	struct dkim_body_hash *h = dkim_body_hash_new(c, EVP_sha256(), has_l, l);
	size_t len = strlen(body);

	assert_non_null(h);
	for (size_t k = 0; k < len; k += chunk)
		assert_int_equal(dkim_body_hash_update(h, (const uint8_t *)body + k,
						       len - k < chunk ? len - k : chunk), 0);
	assert_int_equal(dkim_body_hash_final(h, out), 32);
	dkim_body_hash_free(h);
}

static void expect_body(enum dkim_canon c, const char *body, const char *canonical)
{
	uint8_t got[32], want[32];
	unsigned int n;

	EVP_Digest(canonical, strlen(canonical), want, &n, EVP_sha256(), NULL);
	for (size_t chunk = 1; chunk <= strlen(body) + 1; chunk++) {
		body_digest(c, body, chunk, 0, 0, got);
		assert_memory_equal(got, want, 32);
	}
}

static void test_canon_rfc6376_example(void **state)
{
	(void)state;
	canon_fields(DKIM_CANON_RELAXED, "a:X\r\nb:Y Z\r\n");
	canon_fields(DKIM_CANON_SIMPLE, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
	expect_body(DKIM_CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n");
	expect_body(DKIM_CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n");
}

static void test_canon_body_edges(void **state)
{
	(void)state;
	/* Empty bodies: simple is one CRLF, relaxed is empty. */
	expect_body(DKIM_CANON_SIMPLE, "", "\r\n");
	expect_body(DKIM_CANON_SIMPLE, "\r\n\r\n", "\r\n");
	expect_body(DKIM_CANON_RELAXED, "", "");
	expect_body(DKIM_CANON_RELAXED, " \r\n\t\r\n", "");
	/* A last line without its line end gets one; bare LF counts as CRLF at any chunking. */
	expect_body(DKIM_CANON_SIMPLE, "a\nb", "a\r\nb\r\n");
	expect_body(DKIM_CANON_RELAXED, "a  \n\n \nb \t", "a\r\n\r\n\r\nb\r\n");
	/* Single spaces between words are copied in bulk; runs and tabs still collapse. */
	expect_body(DKIM_CANON_RELAXED, "a b  c d\te f \r\n x y\n", "a b c d e f\r\n x y\r\n");
	expect_body(DKIM_CANON_SIMPLE, "a b  c d\te f \r\n x y\n", "a b  c d\te f \r\n x y\r\n");
	/* A lone CR is content, also when it ends a chunk. */
	expect_body(DKIM_CANON_SIMPLE, "a\rb\r\n", "a\rb\r\n");
	expect_body(DKIM_CANON_SIMPLE, "x\r", "x\r\r\n");
}

static void test_body_length_limit(void **state)
{
	uint8_t got[32], want[32];
	unsigned int n;
	(void)state;

	EVP_Digest("abc\r\nd", 6, want, &n, EVP_sha256(), NULL);
	for (size_t chunk = 1; chunk < 12; chunk++) {
		struct dkim_body_hash *h = dkim_body_hash_new(DKIM_CANON_SIMPLE, EVP_sha256(), 1, 6);
		const char *body = "abc\ndef\n\n";
		for (size_t k = 0; k < strlen(body); k += chunk)
			dkim_body_hash_update(h, (const uint8_t *)body + k,
					      strlen(body) - k < chunk ? strlen(body) - k : chunk);
		assert_int_equal(dkim_body_hash_final(h, got), 32);
		assert_memory_equal(got, want, 32);
		assert_int_equal(dkim_body_hash_total(h), 10);
		dkim_body_hash_free(h);
	}
}

/* l= (RFC 6376 §3.5, §8.2): a body longer than l= still passes, flagged and with a reason
 * naming the unsigned bytes; a body exactly l= long is not flagged; the flag is a fact about
 * the message, also set when the signature does not pass. */
static void test_body_length_tail(void **state)
{
	struct mxg_dkim_verifier *v;
	const struct mxg_dkim_sig_result *r;
	struct mxg_findings f = { 0 };
	(void)state;

	v = verify(DATA_SIG_LENGTH DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	r = mxg_dkim_result_get(v, 0);
	assert_int_equal(r->result, MXG_DKIM_PASS);
	assert_true(r->body_length_limited);
	assert_false(r->body_has_unsigned_tail);
	assert_string_equal(r->reason, "");
	assert_int_equal(mxg_dkim_result_findings(v, &f), 0);
	assert_int_equal(f.count, 0);
	mxg_dkim_verifier_free(v);
	/* Trailing empty lines are not body content (§3.4.3, §3.4.4). */
	v = verify(DATA_SIG_LENGTH DATA_HEADERS "\r\n" DATA_BODY "\r\n\r\n", NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	assert_false(mxg_dkim_result_get(v, 0)->body_has_unsigned_tail);
	mxg_dkim_verifier_free(v);
	v = verify(DATA_SIG_LENGTH DATA_HEADERS "\r\n" DATA_BODY "Appended.\r\n", NULL, NULL);
	r = mxg_dkim_result_get(v, 0);
	assert_int_equal(r->result, MXG_DKIM_PASS);
	assert_true(r->body_length_limited && r->body_has_unsigned_tail);
	assert_string_equal(r->reason, "l= leaves 11 body bytes unsigned");
	assert_int_equal(mxg_dkim_result_findings(v, &f), 0);
	assert_true(f.count == 1 && mxg_findings_has(&f, MXG_F_DKIM_BODY_LENGTH_LIMIT));
	mxg_findings_clear(&f);
	mxg_dkim_verifier_free(v);
	/* Without l= nothing is flagged, however long the body. */
	v = verify(DATA_SIG_SPKI DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_false(mxg_dkim_result_get(v, 0)->body_length_limited);
	assert_false(mxg_dkim_result_get(v, 0)->body_has_unsigned_tail);
	mxg_dkim_verifier_free(v);
	/* Not passing: a missing key, an extra Subject, a changed signed part, a malformed header. */
	static const char *const broken[] = {
		"DKIM-Signature: v=1; a=rsa-sha256; d=example.net; s=gone; h=from; l=3;"
		" bh=bmvjrEdtuOXMNfeapCfn2HS1BwlpwHv11B1yhObNK40=; b=AAAA\r\n" DATA_HEADERS "\r\n" DATA_BODY,
		"Subject: forged\r\n" DATA_SIG_LENGTH DATA_HEADERS "\r\n" DATA_BODY "Appended.\r\n",
		DATA_SIG_LENGTH DATA_HEADERS "\r\nNumbers detached.\r\n\r\nAlice\r\nAppended.\r\n",
		" stray\r\n" DATA_SIG_LENGTH DATA_HEADERS "\r\n" DATA_BODY "Appended.\r\n",
	};
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		v = verify(broken[i], NULL, NULL);
		r = mxg_dkim_result_get(v, 0);
		assert_int_not_equal(r->result, MXG_DKIM_PASS);
		assert_true(r->body_length_limited && r->body_has_unsigned_tail);
		assert_null(strstr(r->reason, "l= leaves"));
		mxg_dkim_verifier_free(v);
	}
}

/* --- key records --- */

static int key_parse(const char *txt, struct dkim_key *k, char *err, size_t errlen)
{
	return dkim_key_parse(txt, strlen(txt), k, err, errlen);
}

static void test_key_records(void **state)
{
	struct dkim_key k;
	char err[160];
	(void)state;

	assert_int_equal(key_parse(test_key, &k, err, sizeof(err)), 0);
	assert_int_equal(k.type, DKIM_KEY_RSA);
	assert_int_equal(k.bits, 1024);
	assert_true(k.sha256_ok && k.email_ok && !k.testing && !k.revoked);
	dkim_key_clear(&k);
	assert_int_equal(key_parse(brisbane_key, &k, err, sizeof(err)), 0);
	assert_int_equal(k.type, DKIM_KEY_ED25519);
	dkim_key_clear(&k);
	assert_int_equal(key_parse("k=rsa; t=y:s:z; h=sha1; s=email; p=", &k, err, sizeof(err)), 0);
	assert_true(k.revoked && k.testing && k.strict && k.sha1_ok && !k.sha256_ok && k.pkey == NULL);
	assert_int_equal(key_parse("s=tlsrpt; p=", &k, err, sizeof(err)), 0);
	assert_false(k.email_ok);
	assert_int_equal(key_parse("k=rsa; v=DKIM1; p=", &k, err, sizeof(err)), -1);  /* v= not first */
	assert_int_equal(key_parse("v=DKIM1:; p=", &k, err, sizeof(err)), -1);
	assert_int_equal(key_parse("k=ed25519-sha256; p=", &k, err, sizeof(err)), -1);
	assert_int_equal(key_parse("v=DKIM1; k=rsa", &k, err, sizeof(err)), -1);       /* no p= */
	/* RFC 8463: an Ed25519 p= is the raw key; a SubjectPublicKeyInfo (44 bytes) is refused. */
	assert_int_equal(key_parse("k=ed25519; p=MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE=",
				   &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "32 bytes"));
	/* An RSA SubjectPublicKeyInfo is required; the Ed25519 raw key is not one. */
	assert_int_equal(key_parse("k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &k, err, sizeof(err)), -1);
	assert_int_equal(key_parse(weak_key, &k, err, sizeof(err)), 0);
	assert_int_equal(k.bits, 512);
	dkim_key_clear(&k);
}

/* A key record "v=DKIM1; k=rsa; p=..." whose p= is the PKCS#1 RSAPublicKey of the RSA key in
 * the SubjectPublicKeyInfo record spki, with extra bytes of garbage appended to the DER. */
static void pkcs1_record(const char *spki, size_t extra, char *out, size_t outsize)
{
	uint8_t der[DKIM_KEY_DER_MAX];
	const char *p = strstr(spki, "p=") + 2;
	long n = dkim_b64_decode(p, strlen(p), der, sizeof(der));
	const unsigned char *dp = der;
	assert_true(n > 0);
	EVP_PKEY *pk = d2i_PUBKEY(NULL, &dp, n);
	assert_non_null(pk);
	unsigned char *pkcs1 = NULL;
	int len = i2d_PublicKey(pk, &pkcs1);
	assert_true(len > 0 && (size_t)len + extra <= sizeof(der));
	memcpy(der, pkcs1, (size_t)len);
	memset(der + len, 0, extra);
	OPENSSL_free(pkcs1);
	EVP_PKEY_free(pk);
	unsigned char b64[2 * DKIM_KEY_DER_MAX];
	assert_true(EVP_EncodeBlock(b64, der, len + (int)extra) > 0);
	snprintf(out, outsize, "v=DKIM1; k=rsa; p=%s", b64);
}

/* RFC 6376 §3.6.1 names the RSAPublicKey (PKCS#1) for p=, signers publish the
 * SubjectPublicKeyInfo (erratum 3017): both are keys, anything else is refused. */
static void test_key_pkcs1(void **state)
{
	struct dkim_key k;
	char err[160], rec[2 * DKIM_KEY_DER_MAX + 32];
	(void)state;

	assert_int_equal(key_parse(DATA_KEY_PKCS1, &k, err, sizeof(err)), 0);
	assert_int_equal(k.type, DKIM_KEY_RSA);
	assert_int_equal(k.bits, 2048);
	dkim_key_clear(&k);
	assert_int_equal(key_parse(DATA_KEY_SPKI, &k, err, sizeof(err)), 0);
	assert_int_equal(k.bits, 2048);
	dkim_key_clear(&k);
	/* The RFC 8463 and 512-bit keys converted: same sizes as their SubjectPublicKeyInfo. */
	pkcs1_record(test_key, 0, rec, sizeof(rec));
	assert_int_equal(key_parse(rec, &k, err, sizeof(err)), 0);
	assert_int_equal(k.bits, 1024);
	dkim_key_clear(&k);
	pkcs1_record(weak_key, 0, rec, sizeof(rec));
	assert_int_equal(key_parse(rec, &k, err, sizeof(err)), 0);
	assert_int_equal(k.bits, 512);
	dkim_key_clear(&k);
	/* Trailing bytes, a truncated key, a bare INTEGER, junk: refused. */
	pkcs1_record(test_key, 1, rec, sizeof(rec));
	assert_int_equal(key_parse(rec, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "RSAPublicKey"));
	assert_int_equal(key_parse("k=rsa; p=MIGJAoGBAOQeU5CgFPNZ", &k, err, sizeof(err)), -1);
	assert_int_equal(key_parse("k=rsa; p=AgEB", &k, err, sizeof(err)), -1);
	assert_int_equal(key_parse("k=rsa; p=AAAAAAAA", &k, err, sizeof(err)), -1);
	/* An Ed25519 SubjectPublicKeyInfo under k=rsa is no RSA key. */
	assert_int_equal(key_parse("k=rsa; p=MCowBQYDK2VwAyEA3SUqa9UbfciWkk7tlcJ9P1VD5pXAasg0JUn/OgjVbKE=",
				   &k, err, sizeof(err)), -1);
}

/* dkimpy's signatures over one message, verified with the key as SubjectPublicKeyInfo and as
 * PKCS#1; RFC 8301's floor and broken records apply to the PKCS#1 form too. */
static void test_verify_pkcs1(void **state)
{
	char rec[2 * DKIM_KEY_DER_MAX + 32];
	(void)state;

	EXPECT(DATA_SIG_SPKI DATA_HEADERS "\r\n" DATA_BODY, MXG_DKIM_PASS, "");
	EXPECT(DATA_SIG_PKCS1 DATA_HEADERS "\r\n" DATA_BODY, MXG_DKIM_PASS, "");
	struct mxg_dkim_verifier *v = verify(DATA_SIG_PKCS1 DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_result_get(v, 0)->key_bits, 2048);
	mxg_dkim_verifier_free(v);
	EXPECT(DATA_SIG_PKCS1 DATA_HEADERS "\r\n" DATA_BODY "more\r\n", MXG_DKIM_FAIL, "body hash");

	/* The RFC 8463 vectors with their 1024-bit key in PKCS#1 form: pass, under a 2048-bit
	 * floor policy. */
	struct mxg_resolver *saved = zone;
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	pkcs1_record(test_key, 0, rec, sizeof(rec));
	add_key("test._domainkey.football.example.com", rec);
	v = verify(SIG_RSA HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	assert_int_equal(mxg_dkim_result_get(v, 0)->key_bits, 1024);
	mxg_dkim_verifier_free(v);
	struct mxg_dkim_options o = { .min_rsa_bits = 2048 };
	v = verify(SIG_RSA HEADERS "\r\n" BODY, &o, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_POLICY);
	mxg_dkim_verifier_free(v);
	mxg_resolver_free(zone);

	/* Garbage after the PKCS#1 key: permerror. */
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	pkcs1_record(test_key, 2, rec, sizeof(rec));
	add_key("test._domainkey.football.example.com", rec);
	v = verify(SIG_RSA HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_PERMERROR);
	assert_non_null(strstr(mxg_dkim_result_get(v, 0)->reason, "RSAPublicKey"));
	mxg_dkim_verifier_free(v);
	mxg_resolver_free(zone);
	zone = saved;
}

/* --- whole messages --- */

static void test_rfc8463_vectors(void **state)
{
	(void)state;
	struct mxg_dkim_verifier *v = verify(SIG_ED SIG_RSA HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_result_count(v), 2);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	assert_int_equal(result(v, 1), MXG_DKIM_PASS);
	const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, 0);
	assert_string_equal(r->domain, "football.example.com");
	assert_string_equal(r->selector, "brisbane");
	assert_string_equal(r->b_prefix, "/gCrinpcQOoI");
	assert_int_equal(r->key_bits, 256);
	assert_int_equal(mxg_dkim_result_get(v, 1)->key_bits, 1024);
	mxg_dkim_verifier_free(v);
	/* One changed body byte, then one changed header byte. */
	v = verify(SIG_ED SIG_RSA HEADERS "\r\n" "Hi!\r\n", NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_string_equal(mxg_dkim_result_get(v, 1)->reason, "body hash mismatch");
	mxg_dkim_verifier_free(v);
	v = verify(SIG_ED SIG_RSA "From: Joe SixPack <joe@football.example.org>\r\n"
		   "To: Suzie Q <suzie@shopping.example.net>\r\n"
		   "Subject: Is dinner ready?\r\n"
		   "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
		   "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_string_equal(mxg_dkim_result_get(v, 1)->reason, "signature did not verify");
	mxg_dkim_verifier_free(v);
}

/* Oversigned fields (h= lists from, subject, date twice): adding any of them breaks the
 * signature, wherever it goes; a second From at the top does too. */
static void test_oversigned(void **state)
{
	(void)state;
	struct mxg_dkim_verifier *v = verify(SIG_ED HEADERS "Subject: appended\r\n\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	mxg_dkim_verifier_free(v);
	v = verify("From: evil@example.org\r\n" SIG_ED HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	mxg_dkim_verifier_free(v);
	/* An unsigned field (Received, not in h=) changes nothing. */
	v = verify("Received: from x by y\r\n" SIG_ED HEADERS "X-Extra: 1\r\n\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	mxg_dkim_verifier_free(v);
}

/* The dkimpy-signed message of tests/unit/data/dkim_data.h. */
#define DATA_MSG DATA_SIG_SPKI DATA_HEADERS "\r\n" DATA_BODY

/* Hands the header text to v field by field through mxg_dkim_header_raw. */
static void feed_headers(struct mxg_dkim_verifier *v, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		const char *end = p;
		do {
			end = strstr(end, "\r\n") + 2;
		} while (*end == ' ' || *end == '\t');
		assert_int_equal(mxg_dkim_header_raw(v, p, (size_t)(end - p)), 0);
		p = end;
	}
}

/* Verifies msg with the first occurrence of find changed: its byte at offset at becomes c. */
static void expect_patched(const char *msg, const char *find, size_t at, char c,
			   enum mxg_dkim_result want, const char *why)
{
	size_t len = strlen(msg);
	char *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, msg, len);
	const char *hit = strstr(msg, find);
	assert_non_null(hit);
	copy[(size_t)(hit - msg) + at] = c;
	expect_one(copy, len, want, why);
	free(copy);
}

/* RFC 6376 §8.15 with RFC 5322 §3.6: for every once-only field h= lists, an instance more
 * than h= lists is one the signer did not sign, and the signature fails, wherever it is. */
static void test_once_only(void **state)
{
	static const char *const fields[] = {
		"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
		"In-Reply-To", "References",
	};
	char msg[8192], want[64];
	(void)state;

	EXPECT(DATA_MSG, MXG_DKIM_PASS, "");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(want, sizeof(want), "unsigned extra %s field", fields[i]);
		/* On top, at the bottom of the header, with another case in the name. */
		snprintf(msg, sizeof(msg), "%s: forged\r\n" DATA_MSG, fields[i]);
		expect_one(msg, strlen(msg), MXG_DKIM_FAIL, want);
		snprintf(msg, sizeof(msg), DATA_SIG_SPKI DATA_HEADERS "%s: forged\r\n\r\n" DATA_BODY, fields[i]);
		expect_one(msg, strlen(msg), MXG_DKIM_FAIL, want);
		snprintf(msg, sizeof(msg), "%s: forged\r\n" DATA_MSG, fields[i]);
		for (char *p = msg; *p != ':'; p++)
			if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')
				*p ^= 0x20;
		expect_one(msg, strlen(msg), MXG_DKIM_FAIL, want);
	}
	/* Fields h= does not list, once-only or not, may repeat: Bcc, Received, Keywords. */
	EXPECT("Bcc: x@example.org\r\nReceived: a\r\nReceived: b\r\nKeywords: k\r\n" DATA_SIG_SPKI
	       DATA_HEADERS "Keywords: l\r\n\r\n" DATA_BODY, MXG_DKIM_PASS, "");
	/* RFC 8463's signatures list Subject twice but To once: one Subject passes, an extra To
	 * fails both signatures; a second From (listed twice) still breaks the hash. */
	struct mxg_dkim_verifier *v = verify("To: forged@example.org\r\n" SIG_ED SIG_RSA HEADERS "\r\n" BODY,
					     NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_int_equal(result(v, 1), MXG_DKIM_FAIL);
	assert_string_equal(mxg_dkim_result_get(v, 1)->reason, "unsigned extra To field");
	mxg_dkim_verifier_free(v);
	v = verify("Message-ID: <forged@example.org>\r\n" SIG_ED HEADERS "\r\n" BODY, NULL, NULL);
	assert_string_equal(mxg_dkim_result_get(v, 0)->reason, "unsigned extra Message-ID field");
	mxg_dkim_verifier_free(v);
	v = verify("From: forged@example.org\r\n" SIG_ED HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_string_equal(mxg_dkim_result_get(v, 0)->reason, "signature did not verify");
	mxg_dkim_verifier_free(v);
}

/* The newest ARC-Message-Signature gets the same guard as a DKIM signature. */
static void test_once_only_arc(void **state)
{
	struct mxg_dkim_verifier *v;
	(void)state;

	v = verify(DATA_ARC DATA_AR DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_PASS);
	mxg_dkim_verifier_free(v);
	v = verify("Subject: forged\r\n" DATA_ARC DATA_AR DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_FAIL);
	assert_string_equal(mxg_dkim_arc(v)->reason,
			    "ARC-Message-Signature i=1: unsigned extra Subject field");
	mxg_dkim_verifier_free(v);
	v = verify(DATA_ARC DATA_AR "Received: x\r\n" DATA_HEADERS "Bcc: y@example.org\r\n\r\n" DATA_BODY,
		   NULL, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_PASS);
	mxg_dkim_verifier_free(v);
}

/* RFC 5322 §2.2 and §4.1: a NUL makes a field invalid. The header is split by length, so the
 * NUL never cuts it short; a signature covering a field name with a NUL in any instance
 * fails, a DKIM-Signature holding one is a permerror, other fields do not matter. */
static void test_header_nul(void **state)
{
	(void)state;

	expect_patched(DATA_MSG, "Subject: Quarterly", 9, '\0', MXG_DKIM_FAIL, "signed Subject field holds a NUL");
	expect_patched(DATA_MSG, "To: Dave", 4, '\0', MXG_DKIM_FAIL, "signed To field holds a NUL");
	expect_patched(DATA_MSG, "Subject: Quarterly", 18, '\0', MXG_DKIM_FAIL, "NUL");
	/* The NUL in the name: the field is known by the name up to it. */
	EXPECT("Subject\0x: forged\r\n" DATA_MSG, MXG_DKIM_FAIL, "signed Subject field holds a NUL");
	EXPECT("X-Note\0Subject: forged\r\n" DATA_MSG, MXG_DKIM_PASS, "");
	EXPECT("X-Note: a\0b\r\nBcc: \0\r\n" DATA_MSG, MXG_DKIM_PASS, "");
	EXPECT(DATA_SIG_SPKI DATA_HEADERS "Comments: \0\0\r\n\r\n" DATA_BODY, MXG_DKIM_PASS, "");
	expect_patched(DATA_MSG, "v=1;", 4, '\0', MXG_DKIM_PERMERROR, "DKIM-Signature field holds a NUL byte");
	expect_patched(DATA_MSG, "DKIM-Signature:", 14, '\0', MXG_DKIM_PERMERROR, "NUL");
	/* Through mxg_dkim_header_n; the result still names the signer. */
	struct mxg_dkim_verifier *v = mxg_dkim_verifier_new(zone, NULL, NULL);
	assert_non_null(v);
	assert_int_equal(mxg_dkim_header_n(v, "Subject", 7, " a\0b", 4), 0);
	feed_headers(v, DATA_SIG_SPKI DATA_HEADERS);
	assert_int_equal(mxg_dkim_body(v, (const uint8_t *)DATA_BODY, strlen(DATA_BODY)), 0);
	assert_int_equal(mxg_dkim_finish(v), 1);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_string_equal(mxg_dkim_result_get(v, 0)->reason, "signed Subject field holds a NUL byte");
	assert_string_equal(mxg_dkim_result_get(v, 0)->domain, "example.net");
	mxg_dkim_verifier_free(v);
	/* An ARC field holding a NUL: the chain fails. */
	static const char arc[] = DATA_ARC DATA_AR DATA_HEADERS "\r\n" DATA_BODY;
	char copy[sizeof(arc)];
	memcpy(copy, arc, sizeof(arc));
	strstr(copy, "i=1; mx.example.net")[4] = '\0';
	v = mxg_dkim_verify_buffer(zone, NULL, NULL, copy, sizeof(copy) - 1);
	assert_non_null(v);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_FAIL);
	assert_string_equal(mxg_dkim_arc(v)->reason, "ARC-Authentication-Results holds a NUL byte");
	mxg_dkim_verifier_free(v);
}

/* Blanks before the colon (obs-FWS, RFC 5322 §4.5.3) do not change a field's name: "From :"
 * is signed as From, counted as From, and a "DKIM-Signature :" field is a signature. */
static void test_header_obs_fws(void **state)
{
	(void)state;

	EXPECT(DATA_SIG_SPKI "From : Alice <alice@example.net>\r\n" DATA_HEADERS "\r\n" DATA_BODY,
	       MXG_DKIM_FAIL, "unsigned extra From field");
	EXPECT("Subject : forged\r\n" DATA_MSG, MXG_DKIM_FAIL, "unsigned extra Subject field");
	EXPECT("Subject\t \t: forged\r\n" DATA_MSG, MXG_DKIM_FAIL, "unsigned extra Subject field");
	EXPECT("DKIM-Signature : v=1; a=rsa-sha256; d=example.net; s=spki; h=from; bh=AAAA; b=AAAA\r\n"
	       "From : Alice <alice@example.net>\r\n\r\n" DATA_BODY, MXG_DKIM_PERMERROR, NULL);
	/* Relaxed canonicalization drops the blanks, so the rewritten fields still verify. */
	char msg[8192];
	snprintf(msg, sizeof(msg), "%s", DATA_MSG);
	char *from = strstr(msg, "\r\nFrom: Alice");
	memmove(from + 7, from + 6, strlen(from + 6) + 1);
	from[6] = ' ';
	expect_one(msg, strlen(msg), MXG_DKIM_PASS, "");
	char *sig = strstr(msg, "DKIM-Signature:");
	memmove(sig + 15, sig + 14, strlen(sig + 14) + 1);
	sig[14] = '\t';
	expect_one(msg, strlen(msg), MXG_DKIM_PASS, "");
	/* Simple canonicalization keeps the blanks: the field is found, its bytes differ. */
	snprintf(msg, sizeof(msg), "%s", DATA_SIG_SIMPLE DATA_HEADERS "\r\n" DATA_BODY);
	expect_one(msg, strlen(msg), MXG_DKIM_PASS, "");
	from = strstr(msg, "\r\nFrom: Alice");
	memmove(from + 7, from + 6, strlen(from + 6) + 1);
	from[6] = ' ';
	expect_one(msg, strlen(msg), MXG_DKIM_FAIL, "signature did not verify");
	/* The streaming entry points agree. */
	struct mxg_dkim_verifier *v = mxg_dkim_verifier_new(zone, NULL, NULL);
	assert_non_null(v);
	assert_int_equal(mxg_dkim_header(v, "Subject ", " forged"), 0);
	feed_headers(v, DATA_SIG_SPKI DATA_HEADERS);
	assert_int_equal(mxg_dkim_body(v, (const uint8_t *)DATA_BODY, strlen(DATA_BODY)), 0);
	assert_int_equal(mxg_dkim_finish(v), 1);
	assert_string_equal(mxg_dkim_result_get(v, 0)->reason, "unsigned extra Subject field");
	mxg_dkim_verifier_free(v);
}

/* A header section whose first line is a continuation (it starts with a blank) is malformed:
 * every signature is a permerror and an ARC chain fails. A fold further down is no fault. */
static void test_header_continuation(void **state)
{
	struct mxg_dkim_verifier *v;
	(void)state;

	EXPECT(" stray\r\n" DATA_MSG, MXG_DKIM_PERMERROR, "continuation line");
	EXPECT("\tFrom: x\r\n" DATA_MSG, MXG_DKIM_PERMERROR, "continuation line");
	EXPECT("X-Folded: a\r\n b\r\n\tc\r\n" DATA_MSG, MXG_DKIM_PASS, "");
	v = verify(" stray\r\n" SIG_ED SIG_RSA HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_result_count(v), 2);
	assert_int_equal(result(v, 0), MXG_DKIM_PERMERROR);
	assert_int_equal(result(v, 1), MXG_DKIM_PERMERROR);
	assert_string_equal(mxg_dkim_result_get(v, 1)->domain, "football.example.com");
	mxg_dkim_verifier_free(v);
	v = verify("\r\n" DATA_MSG, NULL, NULL); /* an empty header: no signature at all */
	assert_int_equal(mxg_dkim_result_count(v), 0);
	mxg_dkim_verifier_free(v);
	v = verify(" stray\r\n" DATA_ARC DATA_AR DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_FAIL);
	assert_non_null(strstr(mxg_dkim_arc(v)->reason, "continuation line"));
	mxg_dkim_verifier_free(v);
	v = verify(" stray\r\n" DATA_HEADERS "\r\n" DATA_BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_NONE);
	mxg_dkim_verifier_free(v);
}

/* The streaming API with LF-only folds and the body one byte at a time. */
static void test_streaming(void **state)
{
	(void)state;
	struct mxg_dkim_verifier *v = mxg_dkim_verifier_new(zone, NULL, NULL);
	assert_non_null(v);
	assert_int_equal(mxg_dkim_header(v, "DKIM-Signature",
		" v=1; a=ed25519-sha256; c=relaxed/relaxed;\n d=football.example.com; i=@football.example.com;\n"
		" q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n subject : date : message-id : from : subject : date;\n"
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
		" Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="), 0);
	mxg_dkim_header(v, "From", " Joe SixPack <joe@football.example.com>");
	mxg_dkim_header(v, "To", " Suzie Q <suzie@shopping.example.net>");
	mxg_dkim_header(v, "Subject", " Is dinner ready?");
	mxg_dkim_header(v, "Date", " Fri, 11 Jul 2003 21:00:37 -0700 (PDT)");
	mxg_dkim_header(v, "Message-ID", " <20030712040037.46341.5F8J@football.example.com>");
	assert_int_equal(mxg_dkim_end_headers(v), 0);
	const char *body = "Hi.\n\nWe lost the game.  Are you hungry yet?\n\nJoe.\n\n\n\n";
	for (size_t k = 0; body[k]; k++)
		assert_int_equal(mxg_dkim_body(v, (const uint8_t *)body + k, 1), 0);
	assert_int_equal(mxg_dkim_finish(v), 1);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	mxg_dkim_verifier_free(v);
}

/* RFC 8301: rsa-sha1 and RSA keys under 1024 bits never pass; policy with a reason. */
static void test_rfc8301(void **state)
{
	struct mxg_dkim_options o = { 0 };
	(void)state;

	add_key("weak._domainkey.football.example.com", weak_key);
	unsigned long before = mxg_resolver_lookups(zone);
	struct mxg_dkim_verifier *v = verify(
		"DKIM-Signature: v=1; a=rsa-sha1; d=football.example.com; s=test; h=from; bh=AAAAAAAAAAAAAAAAAAAAAAAAAAA=; b=AAAA\r\n"
		"DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=weak; h=from; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
		HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_POLICY);
	assert_non_null(strstr(mxg_dkim_result_get(v, 0)->reason, "rsa-sha1"));
	assert_int_equal(result(v, 1), MXG_DKIM_POLICY);
	assert_non_null(strstr(mxg_dkim_result_get(v, 1)->reason, "512 bits"));
	assert_int_equal(mxg_resolver_lookups(zone) - before, 1); /* no key lookup for rsa-sha1 */
	struct mxg_findings f = { 0 };
	assert_int_equal(mxg_dkim_result_findings(v, &f), 0);
	assert_true(f.count == 1 && f.items[0].code == MXG_F_DKIM_KEY_WEAK && f.items[0].index == 1);
	mxg_findings_clear(&f);
	mxg_dkim_verifier_free(v);
	/* The floor is configurable: the RFC 8463 1024-bit key under a 2048-bit floor. */
	o.min_rsa_bits = 2048;
	v = verify(SIG_ED SIG_RSA HEADERS "\r\n" BODY, &o, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_PASS);
	assert_int_equal(result(v, 1), MXG_DKIM_POLICY);
	mxg_dkim_verifier_free(v);
}

static void test_signature_cap(void **state)
{
	struct mxg_dkim_options o = { .max_signatures = 3 };
	char *msg = malloc(20 * sizeof(SIG_ED) + sizeof(HEADERS BODY) + 8);
	(void)state;

	msg[0] = '\0';
	for (int i = 0; i < 20; i++)
		strcat(msg, SIG_ED);
	strcat(msg, HEADERS "\r\n" BODY);
	unsigned long before = mxg_resolver_lookups(zone);
	struct mxg_dkim_verifier *v = verify(msg, &o, NULL);
	assert_int_equal(mxg_dkim_result_count(v), 20);
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(result(v, i), i < 3 ? MXG_DKIM_PASS : MXG_DKIM_POLICY);
	assert_int_equal(mxg_resolver_lookups(zone) - before, 3);
	mxg_dkim_verifier_free(v);
	free(msg);
}

static void test_header_limit(void **state)
{
	struct mxg_dkim_options o = { .max_header_bytes = 600 };
	(void)state;

	struct mxg_dkim_verifier *v = verify(SIG_ED SIG_RSA HEADERS "\r\n" BODY, &o, NULL);
	assert_int_equal(mxg_dkim_result_count(v), 2);
	assert_int_equal(result(v, 0), MXG_DKIM_PERMERROR);
	assert_int_equal(result(v, 1), MXG_DKIM_PERMERROR);
	assert_non_null(strstr(mxg_dkim_result_get(v, 1)->reason, "600 bytes"));
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_NONE);
	mxg_dkim_verifier_free(v);

	/* ARC fields in a header too large to keep: the chain cannot be checked, so it fails. */
	v = verify("ARC-Seal: i=1; cv=none; a=rsa-sha256; d=football.example.com; s=test; b=AAAA\r\n"
		   SIG_ED SIG_RSA HEADERS "\r\n" BODY, &o, NULL);
	assert_int_equal(mxg_dkim_arc(v)->result, MXG_ARC_FAIL);
	assert_non_null(strstr(mxg_dkim_arc(v)->reason, "too large"));
	mxg_dkim_verifier_free(v);
}

static void test_times_and_dns(void **state)
{
	struct mxg_dkim_options o = { .now = 1528637909 + 86400 };
	(void)state;

	/* x= in the past fails before any key lookup; t= far ahead is refused; a missing key is
	 * a permerror and a key lookup that times out a temperror. */
	assert_int_equal(mxg_zone_set_fault(zone, "slow._domainkey.football.example.com", 0, MXG_DNS_TIMEOUT), 0);
	struct mxg_dkim_verifier *v = verify(
		"DKIM-Signature: v=1; a=ed25519-sha256; d=football.example.com; s=brisbane; h=from; x=1528637910;"
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
		"DKIM-Signature: v=1; a=ed25519-sha256; d=football.example.com; s=brisbane; h=from; t=1999999999;"
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
		"DKIM-Signature: v=1; a=ed25519-sha256; d=football.example.com; s=gone; h=from;"
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
		"DKIM-Signature: v=1; a=ed25519-sha256; d=football.example.com; s=slow; h=from;"
		" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"
		HEADERS "\r\n" BODY, &o, NULL);
	assert_int_equal(result(v, 0), MXG_DKIM_FAIL);
	assert_non_null(strstr(mxg_dkim_result_get(v, 0)->reason, "expired"));
	assert_int_equal(result(v, 1), MXG_DKIM_PERMERROR);
	assert_int_equal(result(v, 2), MXG_DKIM_PERMERROR);
	assert_int_equal(result(v, 3), MXG_DKIM_TEMPERROR);
	struct mxg_findings f = { 0 };
	assert_int_equal(mxg_dkim_result_findings(v, &f), 0);
	assert_true(f.count == 1 && f.items[0].code == MXG_F_DKIM_KEY_TEMPFAIL && f.items[0].index == 3);
	mxg_findings_clear(&f);
	mxg_dkim_verifier_free(v);
}

/* --- ARC (RFC 8617): tags, instances and the chain's structure; the signatures themselves
 * are checked by the ValiMail suite and the dkimpy differential test. --- */

static int arc_parse(enum dkim_sig_kind kind, const char *value, char *err, size_t errlen)
{
	struct dkim_sig sig;
	int rc = dkim_sig_parse_kind(kind, value, strlen(value), &sig, err, errlen);
	dkim_sig_clear(&sig);
	return rc;
}

#define AMS_TAGS "a=rsa-sha256; d=football.example.com; s=test; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA"
#define AS_TAGS "a=rsa-sha256; d=football.example.com; s=test; b=AAAA"

static void test_arc_tags(void **state)
{
	char err[MXG_DKIM_REASON_MAX];
	(void)state;

	assert_int_equal(arc_parse(DKIM_SIG_AMS, "i=1; h=; " AMS_TAGS, err, sizeof(err)), 0);
	assert_int_equal(arc_parse(DKIM_SIG_AMS, "i=50; h=subject; " AMS_TAGS, err, sizeof(err)), 0);
	assert_int_equal(arc_parse(DKIM_SIG_AMS, "i=51; h=from; " AMS_TAGS, err, sizeof(err)), -1);
	assert_int_equal(arc_parse(DKIM_SIG_AMS, "i=0; h=from; " AMS_TAGS, err, sizeof(err)), -1);
	assert_int_equal(arc_parse(DKIM_SIG_AMS, "h=from; " AMS_TAGS, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "i="));
	assert_int_equal(arc_parse(DKIM_SIG_AMS, "i=1; h=from:ARC-Seal; " AMS_TAGS, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ARC-Seal"));
	assert_int_equal(arc_parse(DKIM_SIG_AS, "i=1; cv=none; " AS_TAGS, err, sizeof(err)), 0);
	assert_int_equal(arc_parse(DKIM_SIG_AS, "i=2; cv=Pass; " AS_TAGS, err, sizeof(err)), 0);
	assert_int_equal(arc_parse(DKIM_SIG_AS, "i=1; cv=maybe; " AS_TAGS, err, sizeof(err)), -1);
	assert_int_equal(arc_parse(DKIM_SIG_AS, "i=1; " AS_TAGS, err, sizeof(err)), -1);
	assert_int_equal(arc_parse(DKIM_SIG_AS, "i=1; cv=none; h=from; " AS_TAGS, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "h="));
	/* A DKIM signature still needs v=1 and From in h=. */
	assert_int_equal(arc_parse(DKIM_SIG_DKIM, "v=1; h=subject; " AMS_TAGS, err, sizeof(err)), -1);

	/* The instance of ARC-Authentication-Results: a leading "i=N;" only. */
	static const struct { const char *v; unsigned want; } aar[] = {
		{ " i=1; mx.example; spf=pass", 1 }, { " i = 12 ; mx", 12 }, { "\r\n\ti=3;mx", 3 },
		{ " mx.example; i=1;", 0 },         { " i=1 mx.example", 0 }, { " i=51; mx", 0 },
		{ " i=; mx", 0 },                    { "", 0 },
	};
	for (size_t k = 0; k < sizeof(aar) / sizeof(aar[0]); k++)
		assert_int_equal(dkim_arc_instance(DKIM_SIG_DKIM, aar[k].v, strlen(aar[k].v)), aar[k].want);
	assert_int_equal(dkim_arc_instance(DKIM_SIG_AS, " i=7; cv=pass", 13), 7);
	assert_int_equal(dkim_arc_instance(DKIM_SIG_AS, " i=7; i=8", 9), 0); /* duplicate tag */
}

static const struct mxg_arc_result *arc_of(struct mxg_dkim_verifier **v, const char *msg)
{
	*v = verify(msg, NULL, NULL);
	return mxg_dkim_arc(*v);
}

static void test_arc_chain(void **state)
{
	struct mxg_dkim_verifier *v;
	const struct mxg_arc_result *a;
	(void)state;

#define ARC_SET(i, cv, sel)                                                                       \
	"ARC-Seal: i=" #i "; cv=" cv "; a=rsa-sha256; d=football.example.com; s=" sel "; b=AAAA\r\n" \
	"ARC-Message-Signature: i=" #i "; a=rsa-sha256; d=football.example.com; s=" sel "; h=from;"  \
	" bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=AAAA\r\n"                              \
	"ARC-Authentication-Results: i=" #i "; mx.example; spf=pass\r\n"

	a = arc_of(&v, HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_NONE);
	assert_int_equal(a->instances, 0);
	mxg_dkim_verifier_free(v);

	/* Signatures that do not verify fail the chain, naming the newest seal. */
	a = arc_of(&v, ARC_SET(2, "pass", "test") ARC_SET(1, "none", "test") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_FAIL);
	assert_int_equal(a->instances, 2);
	assert_string_equal(a->domain, "football.example.com");
	assert_non_null(strstr(a->reason, "ARC-Seal i=2"));
	mxg_dkim_verifier_free(v);

	/* A gap, a repeated instance, a first seal that does not say none: structure fails first. */
	a = arc_of(&v, ARC_SET(2, "pass", "test") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_FAIL);
	assert_non_null(strstr(a->reason, "i=1 is missing"));
	mxg_dkim_verifier_free(v);
	a = arc_of(&v, ARC_SET(1, "none", "test") ARC_SET(1, "none", "test") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_FAIL);
	assert_non_null(strstr(a->reason, "two ARC-Seal fields with i=1"));
	mxg_dkim_verifier_free(v);
	a = arc_of(&v, ARC_SET(1, "pass", "test") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_FAIL);
	assert_non_null(strstr(a->reason, "cv=pass"));
	mxg_dkim_verifier_free(v);

	/* A key that cannot be looked up now gives no verdict: temperror, never fail. */
	assert_int_equal(mxg_zone_set_fault(zone, "late._domainkey.football.example.com", 0, MXG_DNS_TIMEOUT), 0);
	a = arc_of(&v, ARC_SET(1, "none", "late") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_TEMPERROR);
	assert_string_equal(mxg_arc_result_name(a->result), "temperror");
	mxg_dkim_verifier_free(v);
	/* A missing key is a permanent failure. */
	a = arc_of(&v, ARC_SET(1, "none", "gone") HEADERS "\r\n" BODY);
	assert_int_equal(a->result, MXG_ARC_FAIL);
	assert_non_null(strstr(a->reason, "gone._domainkey"));
	mxg_dkim_verifier_free(v);
#undef ARC_SET
}

static void test_key_cache(void **state)
{
	struct mxg_dkim_options o = { .now = 2000000000 };
	struct mxg_dkim_key_cache *c = mxg_dkim_key_cache_new(1);
	(void)state;

	assert_non_null(c);
	unsigned long before = mxg_resolver_lookups(zone);
	for (int i = 0; i < 3; i++) {
		struct mxg_dkim_verifier *v = verify(SIG_ED HEADERS "\r\n" BODY, &o, c);
		assert_int_equal(result(v, 0), MXG_DKIM_PASS);
		mxg_dkim_verifier_free(v);
	}
	assert_int_equal(mxg_resolver_lookups(zone) - before, 1);
	/* Past the record's TTL (600 s) the key is fetched again. */
	o.now += 601;
	mxg_dkim_verifier_free(verify(SIG_ED HEADERS "\r\n" BODY, &o, c));
	assert_int_equal(mxg_resolver_lookups(zone) - before, 2);
	/* One slot: two selectors in turn evict each other; results stay right. */
	for (int i = 0; i < 2; i++) {
		struct mxg_dkim_verifier *v = verify(SIG_ED SIG_RSA HEADERS "\r\n" BODY, &o, c);
		assert_int_equal(result(v, 0), MXG_DKIM_PASS);
		assert_int_equal(result(v, 1), MXG_DKIM_PASS);
		mxg_dkim_verifier_free(v);
	}
	assert_int_equal(mxg_resolver_lookups(zone) - before, 5);
	mxg_dkim_key_cache_free(c);
}

static void test_no_signature(void **state)
{
	(void)state;
	struct mxg_dkim_verifier *v = verify(HEADERS "\r\n" BODY, NULL, NULL);
	assert_int_equal(mxg_dkim_result_count(v), 0);
	assert_null(mxg_dkim_result_get(v, 0));
	mxg_dkim_verifier_free(v);
	assert_string_equal(mxg_dkim_result_name(MXG_DKIM_TEMPERROR), "temperror");
}

/* Threads sharing one small cache, evicting each other's keys: every verify still passes. */
struct thread_arg {
	struct mxg_dkim_key_cache *cache;
	struct mxg_resolver *r;
	int passes;
};

static void *verify_loop(void *p)
{
	struct thread_arg *a = p;
	static const char msg[] = SIG_ED SIG_RSA HEADERS "\r\n" BODY;

	for (int i = 0; i < 40; i++) {
		struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(a->r, a->cache, NULL, msg, strlen(msg));
		if (v != NULL && mxg_dkim_result_count(v) == 2 &&
		    mxg_dkim_result_get(v, 0)->result == MXG_DKIM_PASS &&
		    mxg_dkim_result_get(v, 1)->result == MXG_DKIM_PASS)
			a->passes++;
		mxg_dkim_verifier_free(v);
	}
	return NULL;
}

static void test_cache_threads(void **state)
{
	struct mxg_dkim_key_cache *c = mxg_dkim_key_cache_new(1);
	struct thread_arg args[4];
	pthread_t t[4];
	struct mxg_resolver *saved = zone;
	(void)state;

	for (int i = 0; i < 4; i++) {
		/* One zone resolver per thread: the zone backend is not promised to be thread-safe. */
		args[i].r = mxg_resolver_zone_new();
		args[i].cache = c;
		args[i].passes = 0;
		zone = args[i].r;
		add_key("brisbane._domainkey.football.example.com", brisbane_key);
		add_key("test._domainkey.football.example.com", test_key);
	}
	zone = saved;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, verify_loop, &args[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(args[i].passes, 40);
		mxg_resolver_free(args[i].r);
	}
	mxg_dkim_key_cache_free(c);
}

static void test_audit(void **state)
{
	struct mxg_findings f = { 0 };
	(void)state;

	assert_int_equal(mxg_dkim_audit_selector(zone, "football.example.com", "brisbane", &f), 0);
	assert_int_equal(f.count, 0);
	assert_int_equal(mxg_dkim_audit_selector(zone, "football.example.com", "test", &f), 0);
	assert_true(f.count == 1 && mxg_findings_has(&f, MXG_F_DKIM_KEY_SHORT));
	assert_int_equal(mxg_zone_set_fault(zone, "late._domainkey.football.example.com", MXG_DNS_TXT,
					    MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_dkim_audit_selector(zone, "FOOTBALL.example.com", "late", &f), 0);
	assert_true(mxg_findings_has(&f, MXG_F_DKIM_KEY_TEMPFAIL));
	assert_false(mxg_findings_has(&f, MXG_F_DKIM_KEY_MISSING));
	mxg_findings_clear(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tags_grammar),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_sig_tags),
		cmocka_unit_test(test_canon_rfc6376_example),
		cmocka_unit_test(test_canon_body_edges),
		cmocka_unit_test(test_body_length_limit),
		cmocka_unit_test(test_body_length_tail),
		cmocka_unit_test(test_key_records),
		cmocka_unit_test(test_key_pkcs1),
		cmocka_unit_test(test_verify_pkcs1),
		cmocka_unit_test(test_rfc8463_vectors),
		cmocka_unit_test(test_oversigned),
		cmocka_unit_test(test_once_only),
		cmocka_unit_test(test_once_only_arc),
		cmocka_unit_test(test_header_nul),
		cmocka_unit_test(test_header_obs_fws),
		cmocka_unit_test(test_header_continuation),
		cmocka_unit_test(test_streaming),
		cmocka_unit_test(test_rfc8301),
		cmocka_unit_test(test_signature_cap),
		cmocka_unit_test(test_header_limit),
		cmocka_unit_test(test_times_and_dns),
		cmocka_unit_test(test_arc_tags),
		cmocka_unit_test(test_arc_chain),
		cmocka_unit_test(test_key_cache),
		cmocka_unit_test(test_no_signature),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_cache_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
