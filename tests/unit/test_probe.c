/* Unit tests of the probe's analysis and of DANE matching: each finding with a case that
 * raises it and one that must not, on probe results built by hand (mxg_probe_analyze is pure),
 * and TLSA records matched against certificates made here with OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mxguard/probe.h"
#include "mxguard/str.h"

#define NOW ((time_t)1800000000)
#define DAY 86400

static struct mxg_probe_input in;
static struct mxg_probe_result results[4];
static struct mxg_findings out;

static int setup(void **state)
{
	(void)state;
	memset(&in, 0, sizeof(in));
	memset(results, 0, sizeof(results));
	memset(&out, 0, sizeof(out));
	mxg_strlcpy(in.domain, "example.test", sizeof(in.domain));
	in.now = NOW;
	in.mx_security = MXG_DNSSEC_SECURE;
	in.has_mx = 1;
	in.results = results;
	in.host_count = 1;
	mxg_strlcpy(in.hosts[0], "mx.example.test", sizeof(in.hosts[0]));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_findings_clear(&out);
	for (size_t k = 0; k < in.tlsa[0].count; k++)
		mxg_tlsa_free(&in.tlsa[0].rr[k]);
	return 0;
}

/* A healthy address: the whole conversation, TLS 1.3, a trusted certificate valid 90 days. */
static struct mxg_probe_result *good(void)
{
	struct mxg_probe_result *r = &results[in.count++];
	mxg_strlcpy(r->host, "mx.example.test", sizeof(r->host));
	r->addr.family = 4;
	memcpy(r->addr.bytes, "\xc0\x00\x02\x19", 4);
	r->stage = MXG_PROBE_DONE;
	r->starttls_offered = 1;
	r->tls_done = 1;
	r->tls_version = 0x0304;
	mxg_strlcpy(r->tls_version_name, "TLSv1.3", sizeof(r->tls_version_name));
	r->cert_name_ok = 1;
	r->cert_trusted = 1;
	r->not_before = NOW - 10 * DAY;
	r->not_after = NOW + 90 * DAY;
	r->postmaster_code = 250;
	r->relay_code = 554;
	r->ptr = MXG_PTR_MATCH;
	return r;
}

static int count_of(enum mxg_finding_code c)
{
	int n = 0;
	for (size_t i = 0; i < out.count; i++)
		n += out.items[i].code == c;
	return n;
}

static int severity_of(enum mxg_finding_code c)
{
	for (size_t i = 0; i < out.count; i++)
		if (out.items[i].code == c)
			return (int)out.items[i].severity;
	return -1;
}

static void analyze(void)
{
	assert_int_equal(mxg_probe_analyze(&in, &out), 0);
}

static void test_healthy_has_no_findings(void **state)
{
	(void)state;
	good();
	analyze();
	assert_int_equal(out.count, 0);
}

static void test_unreachable(void **state)
{
	(void)state;
	struct mxg_probe_result *r = good();
	r->stage = MXG_PROBE_BANNER;
	mxg_strlcpy(r->why, "banner: none in time", sizeof(r->why));
	good()->stage = MXG_PROBE_DONE;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_SMTP_UNREACHABLE), 1);
	assert_int_equal(count_of(MXG_F_MX_NO_STARTTLS), 0); /* nothing judged past the failure */
	assert_non_null(strstr(out.items[0].subject, "[192.0.2.25]"));
}

static void test_no_starttls_severity(void **state)
{
	(void)state;
	good()->starttls_offered = 0;
	analyze();
	assert_int_equal(severity_of(MXG_F_MX_NO_STARTTLS), MXG_SEV_WARNING);
	mxg_findings_clear(&out);
	in.sts_enforce[0] = 1;
	analyze();
	assert_int_equal(severity_of(MXG_F_MX_NO_STARTTLS), MXG_SEV_ERROR);
}

static void test_handshake_failed(void **state)
{
	(void)state;
	struct mxg_probe_result *r = good();
	r->tls_done = 0;
	r->stage = MXG_PROBE_TLS;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_TLS_HANDSHAKE_FAILED), 1);
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_UNTRUSTED), 0);
}

static void test_old_protocol(void **state)
{
	(void)state;
	good()->tls_version = 0x0302;
	good()->tls_version = 0x0303;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_TLS_OLD_PROTOCOL), 1);
}

static void test_cert_name_and_trust(void **state)
{
	(void)state;
	good()->cert_name_ok = 0;
	good()->cert_trusted = 0;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_NAME_MISMATCH), 1);
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_UNTRUSTED), 1);
	assert_int_equal(severity_of(MXG_F_MX_TLS_CERT_UNTRUSTED), MXG_SEV_WARNING);
	/* A policy that covers another host leaves this one's severity alone. */
	mxg_findings_clear(&out);
	in.sts_enforce[1] = 1;
	analyze();
	assert_int_equal(severity_of(MXG_F_MX_TLS_CERT_UNTRUSTED), MXG_SEV_WARNING);
	mxg_findings_clear(&out);
	in.sts_enforce[0] = 1;
	analyze();
	assert_int_equal(severity_of(MXG_F_MX_TLS_CERT_UNTRUSTED), MXG_SEV_ERROR);
}

static void test_cert_dates(void **state)
{
	(void)state;
	good()->not_after = NOW - DAY;                  /* expired */
	good()->not_after = NOW + 5 * DAY;              /* expiring */
	good()->not_after = NOW + 15 * DAY;             /* fine */
	analyze();
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_EXPIRED), 1);
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_EXPIRING), 1);
	mxg_findings_clear(&out);
	in.count = 0;
	good()->not_before = NOW + DAY;                 /* not valid yet */
	analyze();
	assert_int_equal(count_of(MXG_F_MX_TLS_CERT_EXPIRED), 1);
}

static void test_recipients(void **state)
{
	(void)state;
	good()->postmaster_code = 550;
	good()->postmaster_code = 450; /* a temporary refusal (greylisting) is no verdict */
	good()->relay_code = 250;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_BACKUP_REJECTS_DOMAIN), 1);
	assert_int_equal(count_of(MXG_F_MX_OPEN_RELAY), 1);
	assert_int_equal(severity_of(MXG_F_MX_OPEN_RELAY), MXG_SEV_CRITICAL);
}

static void test_ptr(void **state)
{
	(void)state;
	good()->ptr = MXG_PTR_NONE;
	good()->ptr = MXG_PTR_MISMATCH;
	good()->ptr = MXG_PTR_UNKNOWN;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_NO_PTR), 1);
	assert_int_equal(count_of(MXG_F_MX_PTR_MISMATCH), 1);
}

static void test_mx_dnssec_insecure(void **state)
{
	(void)state;
	good();
	in.mx_security = MXG_DNSSEC_INSECURE;
	analyze();
	assert_int_equal(count_of(MXG_F_MX_DNSSEC_INSECURE), 1);
	mxg_findings_clear(&out);
	in.has_mx = 0; /* no MX published (implicit MX, null MX): nothing to sign */
	analyze();
	assert_int_equal(count_of(MXG_F_MX_DNSSEC_INSECURE), 0);
}

/* --- DANE --- */

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_non_null(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	X509_NAME_free(n);
	return x;
}

static uint8_t leaf_der[4096], ca_der[4096];
static struct mxg_probe_cert chain[2];

static void make_chain(void)
{
	EVP_PKEY *k1 = EVP_EC_gen("P-256"), *k2 = EVP_EC_gen("P-256");
	X509 *leaf = make_cert(k1, k2, "mx.example.test"), *ca = make_cert(k2, k2, "CA");
	unsigned char *p = leaf_der;

	chain[0].len = (size_t)i2d_X509(leaf, &p);
	p = ca_der;
	chain[1].len = (size_t)i2d_X509(ca, &p);
	chain[0].der = leaf_der;
	chain[1].der = ca_der;
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* A TLSA record over cert (selector, matching type as given). */
static void tlsa_for(struct mxg_tlsa *t, uint8_t usage, uint8_t sel, uint8_t mtype,
		     const struct mxg_probe_cert *cert)
{
	uint8_t rdata[3 + 4096], md[EVP_MAX_MD_SIZE];
	const unsigned char *p = cert->der;
	unsigned char *spki = NULL;
	const uint8_t *data = cert->der;
	size_t len = cert->len;
	unsigned mdlen;

	if (sel == 1) {
		X509 *x = d2i_X509(NULL, &p, (long)cert->len);
		len = (size_t)i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
		data = spki;
		X509_free(x);
	}
	if (mtype != 0) {
		EVP_Digest(data, len, md, &mdlen, mtype == 1 ? EVP_sha256() : EVP_sha512(), NULL);
		data = md;
		len = mdlen;
	}
	rdata[0] = usage;
	rdata[1] = sel;
	rdata[2] = mtype;
	memcpy(rdata + 3, data, len);
	assert_int_equal(mxg_tlsa_parse(rdata, len + 3, t), 0);
	OPENSSL_free(spki);
}

static void test_dane_match(void **state)
{
	struct mxg_tlsa t[3];

	(void)state;
	make_chain();
	tlsa_for(&t[0], 3, 1, 1, &chain[0]);
	assert_int_equal(mxg_dane_match(t, 1, chain, 2), 1);
	tlsa_for(&t[1], 3, 0, 0, &chain[0]);
	assert_int_equal(mxg_dane_match(&t[1], 1, chain, 2), 1);
	tlsa_for(&t[2], 2, 0, 2, &chain[1]);
	assert_int_equal(mxg_dane_match(&t[2], 1, chain, 2), 1);
	assert_int_equal(mxg_dane_match(&t[2], 1, chain, 1), 0); /* the CA was not sent */
	mxg_tlsa_free(&t[0]);
	tlsa_for(&t[0], 3, 1, 1, &chain[1]);                     /* DANE-EE on the CA: no */
	assert_int_equal(mxg_dane_match(t, 1, chain, 2), 0);
	t[0].data[0] ^= 1;
	t[0].usage = 1;                                          /* PKIX-EE: not for SMTP */
	assert_int_equal(mxg_dane_match(t, 1, chain, 2), -1);
	for (int i = 0; i < 3; i++)
		mxg_tlsa_free(&t[i]);
	assert_int_equal(mxg_tlsa_parse((const uint8_t *)"\3\1", 2, &t[0]), -1);
}

static void test_dane_findings(void **state)
{
	struct mxg_probe_result *r;

	(void)state;
	make_chain();
	r = good();
	r->chain[0] = chain[0];
	r->chain_count = 1;
	tlsa_for(&in.tlsa[0].rr[0], 3, 1, 1, &chain[1]); /* names another key */
	tlsa_for(&in.tlsa[0].rr[1], 1, 1, 1, &chain[0]); /* PKIX-EE */
	in.tlsa[0].count = 2;
	in.tlsa[0].security = MXG_DNSSEC_SECURE;
	analyze();
	assert_int_equal(count_of(MXG_F_DANE_TLSA_MISMATCH), 1);
	assert_int_equal(severity_of(MXG_F_DANE_TLSA_MISMATCH), MXG_SEV_CRITICAL);
	assert_int_equal(count_of(MXG_F_DANE_TLSA_BAD_USAGE), 1);
	assert_int_equal(count_of(MXG_F_DANE_MX_INSECURE), 0);

	mxg_findings_clear(&out);
	mxg_tlsa_free(&in.tlsa[0].rr[0]);
	tlsa_for(&in.tlsa[0].rr[0], 3, 1, 1, &chain[0]); /* the right key */
	analyze();
	assert_int_equal(count_of(MXG_F_DANE_TLSA_MISMATCH), 0);

	mxg_findings_clear(&out);
	r->starttls_offered = 0; /* DANE requires TLS: without it, DANE senders stop */
	analyze();
	assert_int_equal(severity_of(MXG_F_MX_NO_STARTTLS), MXG_SEV_CRITICAL);

	mxg_findings_clear(&out);
	in.mx_security = MXG_DNSSEC_INSECURE;
	analyze();
	assert_int_equal(count_of(MXG_F_DANE_MX_INSECURE), 1);
	assert_int_equal(severity_of(MXG_F_MX_NO_STARTTLS), MXG_SEV_WARNING);

	mxg_findings_clear(&out);
	in.tlsa[0].security = MXG_DNSSEC_INSECURE;
	analyze();
	assert_int_equal(count_of(MXG_F_DANE_TLSA_UNSIGNED), 1);
	assert_int_equal(count_of(MXG_F_DANE_MX_INSECURE), 0);
	assert_int_equal(count_of(MXG_F_DANE_TLSA_BAD_USAGE), 0);
}

static void test_prepare(void **state)
{
	struct mxg_mx_input *mx = calloc(1, sizeof(*mx));

	(void)state;
	assert_non_null(mx);
	mxg_strlcpy(mx->domain, "example.test", sizeof(mx->domain));
	mx->count = 2;
	mxg_strlcpy(mx->targets[0].name, "a.example.test", MXG_DNS_NAME_MAX);
	mx->targets[0].n_v4 = 2;
	mx->targets[0].n_v6 = 1;
	mxg_strlcpy(mx->targets[1].name, "192.0.2.1", MXG_DNS_NAME_MAX);
	mx->security = MXG_DNSSEC_SECURE;
	struct mxg_probe_input *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	assert_int_equal(mxg_probe_prepare(mx, p), 0);
	assert_int_equal(p->count, 3);
	assert_int_equal(p->host_count, 2);
	assert_int_equal(p->results[2].addr.family, 6);
	assert_int_equal(p->results[2].target, 0);
	assert_true(p->has_mx);
	mxg_probe_clear(p);
	free(p);
	free(mx);
}

/* No MX: the domain's own address is probed, its findings point at no MX record (-1). */
static void test_implicit_mx(void **state)
{
	struct mxg_mx_input *mx = calloc(1, sizeof(*mx));
	struct mxg_probe_input *p = calloc(1, sizeof(*p));

	(void)state;
	assert_non_null(mx);
	assert_non_null(p);
	mxg_strlcpy(mx->domain, "example.test", sizeof(mx->domain));
	mx->implicit.n_v4 = 1;
	assert_int_equal(mxg_probe_prepare(mx, p), 0);
	assert_true(p->implicit);
	assert_false(p->has_mx);
	assert_int_equal(p->count, 1);
	assert_string_equal(p->hosts[0], "example.test");
	p->results[0].stage = MXG_PROBE_DONE; /* no STARTTLS */
	assert_int_equal(mxg_probe_analyze(p, &out), 0);
	assert_int_equal(count_of(MXG_F_MX_NO_STARTTLS), 1);
	assert_int_equal(out.items[0].index, -1);
	assert_int_equal(count_of(MXG_F_MX_DNSSEC_INSECURE), 0);
	mxg_findings_clear(&out);
	mxg_probe_clear(p);
	free(p);
	free(mx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy_has_no_findings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_starttls_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_protocol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_name_and_trust, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recipients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mx_dnssec_insecure, setup, teardown),
		cmocka_unit_test(test_dane_match),
		cmocka_unit_test_setup_teardown(test_dane_findings, setup, teardown),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_implicit_mx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
