/* Unit tests of the DMARC audit on the in-memory zone: each DMARC_* finding with a record that
 * raises it, a clean record that raises none, and report authorisation records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"

static struct mxg_resolver *r;
static struct mxg_findings f;

static int setup(void **state)
{
	(void)state;
	r = mxg_resolver_zone_new();
	memset(&f, 0, sizeof(f));
	return r == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_findings_clear(&f);
	mxg_resolver_free(r);
	return 0;
}

static void txt(const char *name, const char *text)
{
	char line[1024], err[256];
	snprintf(line, sizeof(line), "%s. 300 IN TXT \"%s\"", name, text);
	if (mxg_zone_add_text(r, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

/* The codes found for domain, sorted by table order, space-separated. */
static const char *codes(const char *domain)
{
	static char buf[512];
	int seen[MXG_F__COUNT] = { 0 };

	mxg_findings_clear(&f);
	assert_int_equal(mxg_dmarc_audit(r, NULL, domain, &f), 0);
	for (size_t i = 0; i < f.count; i++)
		seen[f.items[i].code]++;
	buf[0] = '\0';
	for (int c = 0; c < MXG_F__COUNT; c++)
		for (int k = 0; k < seen[c]; k++) {
			if (buf[0])
				strcat(buf, " ");
			strcat(buf, mxg_finding_info(c)->name);
		}
	return buf;
}

static void test_clean(void **state)
{
	(void)state;
	txt("_dmarc.example.com", "v=DMARC1; p=reject; rua=mailto:dmarc@example.com");
	assert_string_equal(codes("example.com"), "");
	/* A subdomain inheriting an enforcing policy is clean too. */
	assert_string_equal(codes("mail.example.com"), "");
}

static void test_missing(void **state)
{
	(void)state;
	assert_string_equal(codes("example.net"), "DMARC_NONE");
	assert_string_equal(f.items[0].subject, "_dmarc.example.net");
	txt("_dmarc.example.net", "not dmarc at all");
	assert_string_equal(codes("example.net"), "DMARC_NONE");
}

static void test_invalid_and_multiple(void **state)
{
	(void)state;
	txt("_dmarc.bad.example", "v=DMARC1; p=reject; adkim=x");
	assert_string_equal(codes("bad.example"), "DMARC_INVALID");
	assert_non_null(strstr(f.items[0].text, "invalid adkim"));
	txt("_dmarc.nopolicy.example", "v=DMARC1; p=maybe");
	assert_string_equal(codes("nopolicy.example"), "DMARC_INVALID DMARC_INVALID");
	txt("_dmarc.two.example", "v=DMARC1; p=reject");
	txt("_dmarc.two.example", "v=DMARC1; p=none");
	assert_string_equal(codes("two.example"), "DMARC_NONE DMARC_MULTIPLE");
	/* A TXT record of another version (or none) beside the record is not a second record. */
	txt("_dmarc.ten.example", "v=DMARC1; p=reject");
	txt("_dmarc.ten.example", "v=DMARC10; p=none");
	txt("_dmarc.ten.example", "v=DMARC1 p=none");
	assert_string_equal(codes("ten.example"), "");
	/* Alone, such a record is no DMARC record: the domain has none. */
	txt("_dmarc.nosep.example", "v=DMARC1 p=reject");
	assert_string_equal(codes("nosep.example"), "DMARC_NONE");
}

static void test_policy_findings(void **state)
{
	(void)state;
	txt("_dmarc.none.example", "v=DMARC1; p=none");
	assert_string_equal(codes("none.example"), "DMARC_POLICY_NONE");
	txt("_dmarc.sp.example", "v=DMARC1; p=reject; sp=none; np=quarantine");
	assert_string_equal(codes("sp.example"), "DMARC_SP_WEAKER DMARC_SP_WEAKER");
	txt("_dmarc.t.example", "v=DMARC1; p=reject; t=y");
	assert_string_equal(codes("t.example"), "DMARC_TESTING");
	txt("_dmarc.pct.example", "v=DMARC1; p=reject; pct=25");
	assert_string_equal(codes("pct.example"), "DMARC_PCT_PARTIAL");
	assert_non_null(strstr(f.items[0].text, "25%"));
	/* Inherited p=none is reported against the subdomain. */
	assert_string_equal(codes("www.none.example"), "DMARC_POLICY_NONE");
}

static void test_report_uris(void **state)
{
	(void)state;
	txt("_dmarc.example.org",
	    "v=DMARC1; p=reject; rua=mailto:a@example.org,mailto:b@reports.example.org,"
	    "mailto:c@vendor.example,mailto:d@other.example; ruf=mailto:e@other.example");
	txt("example.org._report._dmarc.vendor.example", "v=DMARC1");
	assert_string_equal(codes("example.org"), "DMARC_RUA_UNAUTHORIZED DMARC_RUA_UNAUTHORIZED");
	assert_non_null(strstr(f.items[0].text, "other.example"));
	assert_non_null(strstr(f.items[0].text, "example.org._report._dmarc.other.example"));
	/* A wildcard authorisation covers every domain. */
	txt("*._report._dmarc.other.example", "v=DMARC1");
	assert_string_equal(codes("example.org"), "");
	txt("_dmarc.uri.example", "v=DMARC1; p=reject; rua=https://uri.example/r,mailto:bad; ruf=nouri");
	assert_string_equal(codes("uri.example"), "DMARC_INVALID DMARC_RUA_INVALID DMARC_RUA_INVALID");
}

static void test_tempfail(void **state)
{
	(void)state;
	mxg_zone_set_fault(r, "_dmarc.example.com", 0, MXG_DNS_SERVFAIL);
	assert_string_equal(codes("example.com"), "DMARC_LOOKUP_TEMPFAIL");
	txt("_dmarc.example.net", "v=DMARC1; p=reject; rua=mailto:x@vendor.example");
	mxg_zone_set_fault(r, "example.net._report._dmarc.vendor.example", 0, MXG_DNS_TIMEOUT);
	assert_string_equal(codes("example.net"), "DMARC_LOOKUP_TEMPFAIL");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clean),         T(test_missing),     T(test_invalid_and_multiple),
		T(test_policy_findings), T(test_report_uris), T(test_tempfail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
