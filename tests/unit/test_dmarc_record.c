/* Unit tests of DMARC record parsing: valid records under both modes, each invalid value
 * with its reason, and what a receiver still makes of a record that has problems. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"

static struct mxg_dmarc_record rec;
static char err[160];

static int parse(const char *txt)
{
	return mxg_dmarc_record_parse(txt, &rec, err, sizeof(err));
}

static int parse7489(const char *txt)
{
	return mxg_dmarc_record_parse_mode(txt, MXG_DMARC_MODE_7489, &rec, err, sizeof(err));
}

static void test_minimal(void **state)
{
	(void)state;
	assert_int_equal(parse("v=DMARC1; p=reject"), 0);
	assert_true(rec.usable);
	assert_int_equal(rec.p, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(rec.sp, MXG_DMARC_POLICY_UNSET);
	assert_int_equal(rec.np, MXG_DMARC_POLICY_UNSET);
	assert_int_equal(rec.pct, 100);
	assert_int_equal(rec.psd, 'u');
	assert_false(rec.adkim_strict);
	assert_false(rec.aspf_strict);
	assert_false(rec.testing);
	assert_int_equal(rec.rua_count, 0);
}

static void test_every_tag(void **state)
{
	(void)state;
	assert_int_equal(parse("v=DMARC1;p=quarantine;sp=reject;np=reject;adkim=s;aspf=s;t=y;psd=n;"
			       "fo=d:s;rua=mailto:agg@example.com,mailto:agg2@example.net!10m;"
			       "ruf=mailto:fail@example.com;"),
			 0);
	assert_int_equal(rec.p, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(rec.sp, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(rec.np, MXG_DMARC_POLICY_REJECT);
	assert_true(rec.adkim_strict);
	assert_true(rec.aspf_strict);
	assert_true(rec.testing);
	assert_int_equal(rec.psd, 'n');
	assert_int_equal(rec.rua_count, 2);
	assert_string_equal(rec.rua[0], "mailto:agg@example.com");
	assert_string_equal(rec.rua[1], "mailto:agg2@example.net"); /* size suffix taken off */
	assert_int_equal(rec.rua_max_size[0], 0);
	assert_int_equal(rec.rua_max_size[1], 10u << 20);
	assert_int_equal(rec.ruf_count, 1);
}

static void test_whitespace_and_case(void **state)
{
	(void)state;
	/* Tag names and policy words are ABNF strings (case-insensitive); DMARC1 is %s. */
	assert_int_equal(parse("  V = DMARC1 ;\tP = Reject ; ADKIM=S ; "), 0);
	assert_int_equal(rec.p, MXG_DMARC_POLICY_REJECT);
	assert_true(rec.adkim_strict);
}

static void test_not_dmarc(void **state)
{
	(void)state;
	assert_int_equal(parse("v=dmarc1; p=reject"), -1);
	assert_false(rec.usable);
	assert_non_null(strstr(err, "v=DMARC1"));
	assert_int_equal(parse("p=reject; v=DMARC1"), -1);
	assert_false(rec.usable);
	assert_int_equal(parse("v=DMARC2; p=reject"), -1);
	assert_false(rec.usable);
	assert_int_equal(parse("v=spf1 -all"), -1);
	assert_false(rec.usable);
	assert_int_equal(parse(""), -1);
	assert_false(rec.usable);
}

/* RFC 9989 §4.7-4.8: "v" equals %s"DMARC1", then a ';' (blanks before it allowed) or the end. */
static void test_version_tag_exact(void **state)
{
	static const char *const good[] = { "v=DMARC1", "v=DMARC1;", "v=DMARC1; p=none", "v =DMARC1; p=none",
					    "v= DMARC1;p=none", "v\t=\tDMARC1\t;p=none", "V=DMARC1; p=none",
					    "v=DMARC1 ", "v=DMARC1 ;", " v=DMARC1; p=none" };
	static const char *const bad[] = { "v=DMARC10; p=none", "v=DMARC2; p=none", "v=DMARC1 p=reject",
					   "v=dmarc1; p=none", "v=Dmarc1; p=none", "v=DMARC; p=none",
					   "v=DMARC1x", "v=DMARC1,p=none", "v:DMARC1; p=none", "vv=DMARC1; p=none",
					   "v=\"DMARC1\"; p=none", "v=DMARC1\r; p=none", "v=DMARC 1; p=none",
					   "v=; p=none", "v=DMARC1\np=none" };
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		parse(good[i]);
		if (!rec.usable)
			fail_msg("'%s' is a DMARC record: %s", good[i], err);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i]) != -1 || rec.usable || parse7489(bad[i]) != -1 || rec.usable)
			fail_msg("'%s' is no DMARC record", bad[i]);
		assert_non_null(strstr(err, "v=DMARC1"));
	}
}

static void test_unknown_tags_ignored(void **state)
{
	(void)state;
	assert_int_equal(parse("v=DMARC1; p=none; future=whatever; x=1"), 0);
	assert_int_equal(rec.p, MXG_DMARC_POLICY_NONE);
}

/* RFC 9989 removed pct, rf and ri: they are unknown tags there, whatever their value. */
static void test_removed_tags_9989(void **state)
{
	(void)state;
	assert_int_equal(parse("v=DMARC1; p=reject; pct=10; rf=afrf; ri=86400"), 0);
	assert_int_equal(rec.pct, 100);
	assert_int_equal(parse("v=DMARC1; p=reject; pct=banana; rf=!!; ri=-1"), 0);
}

static void test_mode_7489(void **state)
{
	(void)state;
	assert_int_equal(parse7489("v=DMARC1; p=reject; pct=10; rf=afrf; ri=86400"), 0);
	assert_int_equal(rec.pct, 10);
	assert_int_equal(parse7489("v=DMARC1; p=reject; pct=101"), -1);
	assert_non_null(strstr(err, "pct"));
	assert_int_equal(rec.pct, 100); /* falls back to the default */
	assert_int_equal(parse7489("v=DMARC1; p=reject; ri=x"), -1);
	assert_non_null(strstr(err, "ri"));
	/* np, psd and t are not RFC 7489 tags. */
	assert_int_equal(parse7489("v=DMARC1; p=none; np=reject; t=y; psd=y"), 0);
	assert_int_equal(rec.np, MXG_DMARC_POLICY_UNSET);
	assert_false(rec.testing);
	assert_int_equal(rec.psd, 'u');
}

static void test_p_missing(void **state)
{
	(void)state;
	/* RFC 9989: a record without p is treated as p=none. */
	assert_int_equal(parse("v=DMARC1; rua=mailto:a@example.com"), 0);
	assert_int_equal(rec.p, MXG_DMARC_POLICY_NONE);
	assert_false(rec.policy_invalid);
	/* RFC 7489 requires p, right after v. */
	assert_int_equal(parse7489("v=DMARC1; rua=mailto:a@example.com"), -1);
	assert_true(rec.policy_invalid);
	assert_int_equal(parse7489("v=DMARC1; sp=none; p=reject"), -1);
	assert_true(rec.policy_invalid);
	assert_int_equal(parse("v=DMARC1; sp=none; p=reject"), 0);
}

static void test_invalid_values(void **state)
{
	static const struct {
		const char *txt, *reason;
		int policy_invalid;
	} cases[] = {
		{ "v=DMARC1; p=rejectt", "invalid p", 1 },
		{ "v=DMARC1; p=n", "invalid p", 1 },
		{ "v=DMARC1; p=reject; sp=maybe", "invalid sp", 1 },
		{ "v=DMARC1; p=reject; np=0", "invalid np", 1 },
		{ "v=DMARC1; p=reject; adkim=x", "invalid adkim", 0 },
		{ "v=DMARC1; p=reject; aspf=relaxed", "invalid aspf", 0 },
		{ "v=DMARC1; p=reject; t=yes", "invalid t", 0 },
		{ "v=DMARC1; p=reject; psd=x", "invalid psd", 0 },
		{ "v=DMARC1; p=reject; fo=2", "invalid fo", 0 },
		{ "v=DMARC1; p=reject; fo=d:", "invalid fo", 0 },
		{ "v=DMARC1; p=reject; rua=agg@example.com", "invalid report URI", 0 },
		{ "v=DMARC1; p=reject; rua=mailto:", "invalid report URI", 0 },
		{ "v=DMARC1; p=reject; ruf=mailto:a b@example.com", "invalid report URI", 0 },
		{ "v=DMARC1; p=reject; garbage", "without '='", 0 },
		{ "v=DMARC1; p=reject; sp=", "no value", 0 },
		{ "v=DMARC1; p=reject;; sp=none", "empty tag", 0 },
		{ "v=DMARC1; p=reject; 9x=1", "bad tag name", 0 },
		{ "v=DMARC1; p=none; p=reject", "more than once", 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].txt);
		if (rc != -1 || strstr(err, cases[i].reason) == NULL)
			fail_msg("%s: rc %d, reason '%s', wanted '%s'", cases[i].txt, rc, err, cases[i].reason);
		assert_true(rec.usable); /* v=DMARC1 came first: still a DMARC record */
		assert_int_equal(rec.policy_invalid, cases[i].policy_invalid);
	}
}

static void test_invalid_falls_back(void **state)
{
	(void)state;
	assert_int_equal(parse("v=DMARC1; p=reject; adkim=x; aspf=s; rua=bogus,mailto:ok@example.com"), -1);
	assert_false(rec.adkim_strict);
	assert_true(rec.aspf_strict);
	assert_int_equal(rec.rua_count, 1);
	assert_string_equal(rec.rua[0], "mailto:ok@example.com");
	assert_int_equal(rec.rua_invalid, 1);
	assert_string_equal(rec.invalid_uri, "bogus");
}

static void test_bounds(void **state)
{
	char big[6000];
	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "v=DMARC1; p=none; x=", 20);
	assert_int_equal(parse(big), -1);
	assert_false(rec.usable);
	assert_int_equal(parse(NULL), -1);
	/* More URIs than kept: the first ones are kept, none overflow. */
	assert_int_equal(parse("v=DMARC1; p=none; rua=mailto:1@a.example,mailto:2@a.example,mailto:3@a.example,"
			       "mailto:4@a.example,mailto:5@a.example,mailto:6@a.example,mailto:7@a.example,"
			       "mailto:8@a.example,mailto:9@a.example,mailto:10@a.example"),
			 0);
	assert_int_equal(rec.rua_count, MXG_DMARC_URI_MAX);
	assert_int_equal(parse("v=DMARC1; p=none\x01"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_tag),
		cmocka_unit_test(test_whitespace_and_case),
		cmocka_unit_test(test_not_dmarc),
		cmocka_unit_test(test_version_tag_exact),
		cmocka_unit_test(test_unknown_tags_ignored),
		cmocka_unit_test(test_removed_tags_9989),
		cmocka_unit_test(test_mode_7489),
		cmocka_unit_test(test_p_missing),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_invalid_falls_back),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
