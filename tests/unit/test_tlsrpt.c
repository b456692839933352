/* Unit tests of TLS-RPT: the record parser (valid, hostile, oversized input), the lookup
 * through the zone resolver, and when the audit asks for a record (DANE, MTA-STS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/tlsrpt.h"
#include "zone_lines.h"

static char why[MXG_TLSRPT_WHY_MAX];

static void test_parse_valid(void **state)
{
	struct mxg_tlsrpt_record rec;
	(void)state;
	assert_int_equal(mxg_tlsrpt_record_parse("v=TLSRPTv1; rua=mailto:tls@example.com", &rec, why, sizeof(why)), 0);
	assert_int_equal(rec.rua_count, 1);
	assert_int_equal(mxg_tlsrpt_record_parse("v=TLSRPTv1;rua=mailto:a@example.com, https://r.example.com/tls;ext=1;",
						 &rec, why, sizeof(why)), 0);
	assert_int_equal(rec.rua_count, 2);
	assert_string_equal(rec.rua[1], "https://r.example.com/tls");
}

static void test_parse_invalid(void **state)
{
	struct mxg_tlsrpt_record rec;
	char big[4096];
	(void)state;
	static const char *const bad[] = {
		"v=TLSRPTv1",                                /* no ';' and no rua */
		"v=TLSRPTv1;",                               /* no rua */
		"v=TLSRPTv2; rua=mailto:a@example.com",
		"v=TLSRPTv1; rua=http://example.com/",      /* not https */
		"v=TLSRPTv1; rua=mailto:example.com",       /* no '@' */
		"v=TLSRPTv1; rua=mailto:a@example.com,",    /* trailing comma */
		"v=TLSRPTv1; rua=",                          /* empty rua (found by fuzz_mtasts) */
		"v=TLSRPTv1; rua=mailto:a@x.com; rua=mailto:b@x.com",
		"v=TLSRPTv1; rua=mailto:a@example.com; bogus",
		"v=TLSRPTv1; rua=mailto:a@x.com,mailto:b@x.com,mailto:c@x.com,mailto:d@x.com,"
		"mailto:e@x.com,mailto:f@x.com,mailto:g@x.com,mailto:h@x.com,mailto:i@x.com",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(mxg_tlsrpt_record_parse(bad[i], &rec, why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "v=TLSRPTv1; rua=mailto:a@", 25);
	assert_int_equal(mxg_tlsrpt_record_parse(big, &rec, why, sizeof(why)), -1);
}

static void test_lookup(void **state)
{
	static const char *const z[] = {
		"_smtp._tls.ok.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:r@ok.test\"",
		"_smtp._tls.ok.test. 300 IN TXT \"unrelated\"",
		"_smtp._tls.two.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:r@ok.test\"",
		"_smtp._tls.two.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:s@ok.test\"",
		"_smtp._tls.bad.test. 300 IN TXT \"v=TLSRPTv1; rua=ftp://x\"",
		NULL,
	};
	struct mxg_resolver *r = zone(z);
	struct mxg_tlsrpt_record rec;
	(void)state;
	assert_int_equal(mxg_tlsrpt_lookup(r, "ok.test", &rec, why, sizeof(why)), MXG_TLSRPT_DNS_FOUND);
	assert_int_equal(mxg_tlsrpt_lookup(r, "two.test", &rec, why, sizeof(why)), MXG_TLSRPT_DNS_INVALID);
	assert_int_equal(mxg_tlsrpt_lookup(r, "bad.test", &rec, why, sizeof(why)), MXG_TLSRPT_DNS_INVALID);
	assert_int_equal(mxg_tlsrpt_lookup(r, "none.test", &rec, why, sizeof(why)), MXG_TLSRPT_DNS_NONE);
	assert_int_equal(mxg_zone_set_fault(r, "_smtp._tls.ok.test", 0, MXG_DNS_TIMEOUT), 0);
	assert_int_equal(mxg_tlsrpt_lookup(r, "ok.test", &rec, why, sizeof(why)), MXG_TLSRPT_DNS_TEMPFAIL);
	mxg_resolver_free(r);
}

static int codes(struct mxg_resolver *r, const char *domain, const char *mx, int sts,
		 enum mxg_finding_code *code)
{
	struct mxg_tlsrpt_state st;
	struct mxg_findings f = { 0 };
	const char *const list[] = { mx };
	assert_int_equal(mxg_tlsrpt_gather(r, domain, list, 1, sts, &st), 0);
	assert_int_equal(mxg_tlsrpt_analyze(&st, &f), 0);
	int n = (int)f.count;
	if (n > 0)
		*code = f.items[0].code;
	mxg_findings_clear(&f);
	return n;
}

static void test_audit(void **state)
{
	static const char *const z[] = {
		"_smtp._tls.ok.test. 300 IN TXT \"v=TLSRPTv1; rua=mailto:r@ok.test\"",
		"_smtp._tls.bad.test. 300 IN TXT \"v=TLSRPTv1;\"",
		NULL,
	};
	static const uint8_t tlsa[] = { 3, 1, 1, 0xaa, 0xbb, 0xcc };
	struct mxg_resolver *r = zone(z);
	enum mxg_finding_code c = MXG_F__COUNT;
	(void)state;
	assert_int_equal(mxg_zone_add_rr(r, "_25._tcp.mx.dane.test", MXG_DNS_TLSA, 300, tlsa, sizeof(tlsa)), 0);
	/* neither DANE nor MTA-STS: nothing asked for */
	assert_int_equal(codes(r, "plain.test", "mx.plain.test", 0, &c), 0);
	/* DANE at the MX, no record */
	assert_int_equal(codes(r, "dane.test", "mx.dane.test", 0, &c), 1);
	assert_int_equal(c, MXG_F_TLSRPT_MISSING);
	/* MTA-STS, no record */
	assert_int_equal(codes(r, "plain.test", "mx.plain.test", 1, &c), 1);
	assert_int_equal(c, MXG_F_TLSRPT_MISSING);
	/* MTA-STS with a record */
	assert_int_equal(codes(r, "ok.test", "mx.ok.test", 1, &c), 0);
	/* a bad record is reported whatever else is published */
	assert_int_equal(codes(r, "bad.test", "mx.bad.test", 0, &c), 1);
	assert_int_equal(c, MXG_F_TLSRPT_INVALID);
	mxg_resolver_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_audit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
