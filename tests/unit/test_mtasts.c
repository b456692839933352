/* Unit tests of MTA-STS: the TXT record and policy parsers (valid, hostile and oversized
 * input), the §4.1 MX match, the record lookup through the zone resolver, and the analysis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/mtasts.h"
#include "zone_lines.h"

static char why[MXG_MTASTS_WHY_MAX];

static void test_record_valid(void **state)
{
	struct mxg_mtasts_record rec;
	(void)state;
	assert_int_equal(mxg_mtasts_record_parse("v=STSv1; id=20160831085700Z;", &rec, why, sizeof(why)), 0);
	assert_string_equal(rec.id, "20160831085700Z");
	assert_int_equal(mxg_mtasts_record_parse("v=STSv1;id=abc", &rec, why, sizeof(why)), 0);
	assert_int_equal(mxg_mtasts_record_parse("v=STSv1 ;  id=a1 ; ext_1=x.y", &rec, why, sizeof(why)), 0);
	assert_string_equal(rec.id, "a1");
}

static void test_record_invalid(void **state)
{
	struct mxg_mtasts_record rec;
	char big[2048];
	(void)state;
	static const char *const bad[] = {
		"v=STSv1",                    /* no id */
		"v=STSv1;",                   /* no id */
		"v=STSv2; id=1",              /* other version */
		"v=stsv1; id=1",              /* case-sensitive */
		"v=STSv1; id=",               /* empty id */
		"v=STSv1; id=abc-def",        /* '-' not allowed in id */
		"v=STSv1; id=123456789012345678901234567890123", /* 33 characters */
		"v=STSv1; id=1; id=2",        /* id twice */
		"v=STSv1 id=1",               /* no delimiter */
		"v=STSv1; id=1; foo",         /* field without '=' */
		"v=STSv1; id=1; _x=1",        /* extension name must start alphanumeric */
		"v=STSv1; id=1; x=a=b",       /* '=' in a value */
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(mxg_mtasts_record_parse(bad[i], &rec, why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "v=STSv1; id=1; x=", 17);
	assert_int_equal(mxg_mtasts_record_parse(big, &rec, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer"));
}

static int parse(const char *body, struct mxg_mtasts_policy *p)
{
	return mxg_mtasts_policy_parse(body, strlen(body), p, why, sizeof(why));
}

static void test_policy_valid(void **state)
{
	struct mxg_mtasts_policy p;
	(void)state;
	assert_int_equal(parse("version: STSv1\nmode: enforce\nmx: mail.example.com\n"
			       "mx: *.Example.NET\nmax_age: 604800\n", &p), 0);
	assert_int_equal(p.mode, MXG_MTASTS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.mx_count, 2);
	assert_string_equal(p.mx[1], "*.example.net");
	/* CRLF, spaces around the value, unknown keys, no final newline */
	assert_int_equal(parse("version: STSv1\r\nmode:testing  \r\nmx: a.example\r\nfoo: bar\r\n"
			       "max_age: 86400", &p), 0);
	assert_int_equal(p.mode, MXG_MTASTS_MODE_TESTING);
	/* mode none needs no mx */
	assert_int_equal(parse("version: STSv1\nmode: none\nmax_age: 0\n", &p), 0);
	assert_int_equal(p.mode, MXG_MTASTS_MODE_NONE);
}

static void test_policy_invalid(void **state)
{
	struct mxg_mtasts_policy p;
	(void)state;
	static const char *const bad[] = {
		"mode: enforce\nmx: a.example\nmax_age: 1\n",                       /* no version */
		"version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n",
		"version: STSv1\nmx: a.example\nmax_age: 1\n",                      /* no mode */
		"version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n",
		"version: STSv1\nmode: enforce\nmx: a.example\n",                   /* no max_age */
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: -1\n",
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 31557601\n",
		"version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 12345678901\n",
		"version: STSv1\nmode: enforce\nmax_age: 86400\n",                  /* no mx */
		"version: STSv1\nmode: enforce\nmx: *example.com\nmax_age: 86400\n",
		"version: STSv1\nmode: enforce\nmx: a.*.example.com\nmax_age: 86400\n",
		"version: STSv1\nmode: enforce\nmx: a_b.example.com\nmax_age: 86400\n",
		"version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 86400\n",
		"version: STSv1\nmode: enforce\nmx a.example\nmax_age: 86400\n",  /* no ':' */
		"<html>not a policy</html>\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(parse(bad[i], &p), -1);
		assert_true(why[0] != '\0');
	}
}

static void test_policy_limits(void **state)
{
	struct mxg_mtasts_policy p;
	char *buf = malloc(MXG_MTASTS_POLICY_MAX + 2);
	(void)state;
	assert_non_null(buf);
	/* a NUL byte inside */
	static const char nul[] = "version: STSv1\nmode: enforce\0\nmx: a.example\nmax_age: 1\n";
	assert_int_equal(mxg_mtasts_policy_parse(nul, sizeof(nul) - 1, &p, why, sizeof(why)), -1);
	/* one line over the limit */
	memset(buf, 'x', MXG_MTASTS_LINE_MAX + 10);
	memcpy(buf, "mx: ", 4);
	assert_int_equal(mxg_mtasts_policy_parse(buf, MXG_MTASTS_LINE_MAX + 10, &p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer"));
	/* too many lines */
	size_t n = 0;
	for (int i = 0; i < MXG_MTASTS_LINES_MAX + 5; i++)
		n += (size_t)snprintf(buf + n, 32, "x%d: y\n", i);
	assert_int_equal(mxg_mtasts_policy_parse(buf, n, &p, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "lines"));
	/* too many mx patterns */
	n = (size_t)snprintf(buf, 64, "version: STSv1\nmode: enforce\nmax_age: 1\n");
	for (int i = 0; i < MXG_MTASTS_MX_MAX + 1; i++)
		n += (size_t)snprintf(buf + n, 64, "mx: m%d.example.com\n", i);
	assert_int_equal(mxg_mtasts_policy_parse(buf, n, &p, why, sizeof(why)), -1);
	/* over the size cap */
	memset(buf, '\n', MXG_MTASTS_POLICY_MAX + 1);
	assert_int_equal(mxg_mtasts_policy_parse(buf, MXG_MTASTS_POLICY_MAX + 1, &p, why, sizeof(why)), -1);
	free(buf);
}

static void test_mx_match(void **state)
{
	(void)state;
	assert_true(mxg_mtasts_mx_match("mail.example.com", "MAIL.example.com."));
	assert_true(mxg_mtasts_mx_match("*.example.com", "mx1.example.com"));
	assert_false(mxg_mtasts_mx_match("*.example.com", "example.com"));
	assert_false(mxg_mtasts_mx_match("*.example.com", "a.b.example.com"));
	assert_false(mxg_mtasts_mx_match("*.example.com", "mx1.example.net"));
	assert_false(mxg_mtasts_mx_match("mail.example.com", "mail2.example.com"));
	assert_false(mxg_mtasts_mx_match("mail.example.com", ""));
}

static void test_lookup(void **state)
{
	static const char *const z[] = {
		"_mta-sts.one.test. 300 IN TXT \"v=STSv1; id=abc\"",
		"_mta-sts.one.test. 300 IN TXT \"something else\"",
		"_mta-sts.two.test. 300 IN TXT \"v=STSv1; id=a\"",
		"_mta-sts.two.test. 300 IN TXT \"v=STSv1; id=b\"",
		"_mta-sts.bad.test. 300 IN TXT \"v=STSv1; id=a-b\"",
		"_mta-sts.split.test. 300 IN TXT \"v=STSv1; \" \"id=xyz\"",
		"other.test. 300 IN A 192.0.2.1",
		NULL,
	};
	struct mxg_resolver *r = zone(z);
	struct mxg_mtasts_record rec;
	(void)state;
	assert_int_equal(mxg_mtasts_record_lookup(r, "one.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_FOUND);
	assert_string_equal(rec.id, "abc");
	assert_int_equal(mxg_mtasts_record_lookup(r, "split.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_FOUND);
	assert_string_equal(rec.id, "xyz");
	assert_int_equal(mxg_mtasts_record_lookup(r, "two.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_INVALID);
	assert_non_null(strstr(why, "more than one"));
	assert_int_equal(mxg_mtasts_record_lookup(r, "bad.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_INVALID);
	assert_int_equal(mxg_mtasts_record_lookup(r, "other.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_NONE);
	assert_int_equal(mxg_zone_set_fault(r, "_mta-sts.one.test", 0, MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_mtasts_record_lookup(r, "one.test", &rec, why, sizeof(why)), MXG_MTASTS_DNS_TEMPFAIL);
	mxg_resolver_free(r);
}

/* A state as mxg_mtasts_gather leaves it after a fetch that brought body. */
static void fetched(struct mxg_mtasts_state *st, enum mxg_mtasts_fetch_status fs, const char *body)
{
	memset(st, 0, sizeof(*st));
	strcpy(st->domain, "example.com");
	st->dns = MXG_MTASTS_DNS_FOUND;
	strcpy(st->record.id, "1");
	st->fetched = 1;
	st->fetch_status = fs;
	if (body)
		st->policy_valid = parse(body, &st->policy) == 0;
	if (body && !st->policy_valid)
		strcpy(st->policy_why, why);
}

static size_t count(const struct mxg_findings *f, enum mxg_finding_code c)
{
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++)
		n += f->items[i].code == c;
	return n;
}

static void test_analyze(void **state)
{
	static const char *const mx[] = { "mx1.example.com", "mx2.example.com", "backup.example.net" };
	struct mxg_mtasts_state st;
	struct mxg_findings f = { 0 };
	(void)state;

	fetched(&st, MXG_MTASTS_FETCH_OK,
		"version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 1209600\n");
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 2, &f), 0);
	assert_int_equal(f.count, 0);
	assert_true(mxg_mtasts_enforces(&st, "mx1.example.com"));
	assert_false(mxg_mtasts_enforces(&st, "backup.example.net"));
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
	assert_int_equal(count(&f, MXG_F_MTASTS_MX_NOT_COVERED), 1);
	assert_string_equal(f.items[0].subject, "backup.example.net");
	assert_int_equal(f.items[0].index, 2);
	mxg_findings_clear(&f);

	fetched(&st, MXG_MTASTS_FETCH_OK,
		"version: STSv1\nmode: testing\nmx: mx1.example.com\nmax_age: 86400\n");
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 1, &f), 0);
	assert_int_equal(count(&f, MXG_F_MTASTS_TESTING), 1);
	assert_int_equal(count(&f, MXG_F_MTASTS_MAX_AGE_LOW), 1);
	assert_false(mxg_mtasts_enforces(&st, "mx1.example.com"));
	mxg_findings_clear(&f);

	fetched(&st, MXG_MTASTS_FETCH_OK, "version: STSv1\nmode: none\nmax_age: 0\n");
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
	assert_int_equal(f.count, 0);

	fetched(&st, MXG_MTASTS_FETCH_OK, "version: STSv1\nmode: enforce\nmax_age: 86400\n");
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
	assert_int_equal(count(&f, MXG_F_MTASTS_POLICY_INVALID), 1);
	assert_int_equal(f.count, 1);
	mxg_findings_clear(&f);

	static const struct {
		enum mxg_mtasts_fetch_status s;
		enum mxg_finding_code c;
	} fails[] = {
		{ MXG_MTASTS_FETCH_NO_HOST, MXG_F_MTASTS_ID_WITHOUT_POLICY },
		{ MXG_MTASTS_FETCH_NOT_FOUND, MXG_F_MTASTS_ID_WITHOUT_POLICY },
		{ MXG_MTASTS_FETCH_FAILED, MXG_F_MTASTS_POLICY_UNREACHABLE },
		{ MXG_MTASTS_FETCH_BAD_TYPE, MXG_F_MTASTS_POLICY_INVALID },
	};
	for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
		fetched(&st, fails[i].s, NULL);
		assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
		assert_int_equal(f.count, 1);
		assert_int_equal(f.items[0].code, fails[i].c);
		assert_false(mxg_mtasts_enforces(&st, "mx1.example.com"));
		mxg_findings_clear(&f);
	}

	memset(&st, 0, sizeof(st));
	st.dns = MXG_MTASTS_DNS_INVALID;
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
	assert_int_equal(count(&f, MXG_F_MTASTS_POLICY_INVALID), 1);
	mxg_findings_clear(&f);
	st.dns = MXG_MTASTS_DNS_NONE;
	assert_int_equal(mxg_mtasts_analyze(&st, mx, 3, &f), 0);
	assert_int_equal(f.count, 0);
	assert_false(mxg_mtasts_enforces(NULL, "mx1.example.com"));
}

/* With no fetch options, gather reads DNS only; a domain without a record is not fetched. */
static void test_gather_dns_only(void **state)
{
	static const char *const z[] = {
		"_mta-sts.one.test. 300 IN TXT \"v=STSv1; id=abc\"",
		"mta-sts.one.test. 300 IN A 127.0.0.1",
		NULL,
	};
	struct mxg_resolver *r = zone(z);
	struct mxg_mtasts_state st;
	(void)state;
	assert_int_equal(mxg_mtasts_gather(r, NULL, "one.test", &st), 0);
	assert_int_equal(st.dns, MXG_MTASTS_DNS_FOUND);
	assert_false(st.fetched);
	/* the fetch of a name without an address stops before any connection */
	struct mxg_mtasts_fetch_opts fo = { r, NULL, 0, 0 };
	assert_int_equal(mxg_zone_add_text(r, "_mta-sts.two.test. 300 IN TXT \"v=STSv1; id=b\"", why, sizeof(why)), 0);
	assert_int_equal(mxg_mtasts_gather(r, &fo, "two.test", &st), 0);
	assert_true(st.fetched);
	assert_int_equal(st.fetch_status, MXG_MTASTS_FETCH_NO_HOST);
	assert_int_equal(mxg_mtasts_gather(r, &fo, "none.test", &st), 0);
	assert_false(st.fetched);
	mxg_resolver_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_valid),
		cmocka_unit_test(test_record_invalid),
		cmocka_unit_test(test_policy_valid),
		cmocka_unit_test(test_policy_invalid),
		cmocka_unit_test(test_policy_limits),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_analyze),
		cmocka_unit_test(test_gather_dns_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
