/* Unit tests of SPF record parsing and validation (each SPF_* finding raised and not
 * raised), the audit over zone data, and the provider table reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../common/src/spf_internal.h"
#include "mxguard/mx.h"
#include "mxguard/str.h"

static struct mxg_findings f;
static struct mxg_resolver *r;

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	r = mxg_resolver_zone_new();
	return r ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mxg_findings_clear(&f);
	mxg_resolver_free(r);
	return 0;
}

static int validate(const char *rec)
{
	mxg_findings_clear(&f);
	return mxg_spf_record_validate(rec, "v.test", &f);
}

/* 1 if validating rec raises code (and nothing fails). */
static int raises(const char *rec, enum mxg_finding_code code)
{
	assert_true(validate(rec) >= 0);
	return mxg_findings_has(&f, code);
}

static void test_parse_accepts(void **state)
{
	(void)state;
	static const char *const good[] = {
		"v=spf1", "V=SpF1 -ALL", "v=spf1 a  -all ", "v=spf1 a/24//64 mx:m.test//0 -all",
		"v=spf1 ip4:0.0.0.0/0 ip6:::/0 ip6:2001:db8::/32 ip6:::ffff:1.2.3.4",
		"v=spf1 exists:%{ir}.%{v}._spf.%{d2} include:_spf.x.test ~all",
		"v=spf1 redirect=_spf.x.test", "v=spf1 -all exp=explain._spf.%{d}",
		"v=spf1 moo.cow-far_out=man:dog/cat -all", "v=spf1 default=+",
		"v=spf1 ptr ptr:x.test ?all", "v=spf1 a:foo:bar/baz.example.com",
	};
	struct spf_record rec;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = spf_record_parse(good[i], strlen(good[i]), &rec);
		if (rc != 0)
			fail_msg("'%s' rejected: %s", good[i], rec.error);
		spf_record_free(&rec);
	}
	assert_int_equal(spf_record_parse("v=spf1 a/24//64 -all", 20, &rec), 0);
	assert_int_equal(rec.count, 2);
	assert_int_equal(rec.terms[0].kind, SPF_A);
	assert_int_equal(rec.terms[0].cidr4, 24);
	assert_int_equal(rec.terms[0].cidr6, 64);
	assert_int_equal(rec.terms[1].qualifier, '-');
	spf_record_free(&rec);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"v=spf1 -all.", "v=spf1 -all:foo", "v=spf1 all/8", "v=spf1 ip4", "v=spf1 ip4:1.2.3",
		"v=spf1 ip4:1.2.3.4/33", "v=spf1 ip4:1.2.3.4/032", "v=spf1 ip4:01.2.3.4",
		"v=spf1 ip4:1.2.3.4//32", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip6:::1/129",
		"v=spf1 ip6::CAFE::BABE", "v=spf1 a//129", "v=spf1 a/33", "v=spf1 a/24/64",
		"v=spf1 a:", "v=spf1 mx:", "v=spf1 include", "v=spf1 include:", "v=spf1 exists",
		"v=spf1 ptr/0", "v=spf1 ptr:", "v=spf1 redirect:x.test", "v=spf1 redirect=",
		"v=spf1 exp=", "v=spf1 exp=-all", "v=spf1 1up=foo", "v=spf1 =all", "v=spf1 foo=%abc",
		"v=spf1 exp=a.test exp=b.test", "v=spf1 redirect=a.test redirect=b.test",
		"v=spf1 moo.cow/far_out=man:dog/cat", "v=spf1 a:museum", "v=spf1 a:111.222.33.44",
		"v=spf1 a:example.com:8080", "v=spf1 include:x.test/24", "v=spf1 foo",
		"v=spf1 a:ctrl.test\rptr", "v=spf1 \x80" "a", "v=spf1 a:x.test\t-all",
		"v=spf1 exp=%{r}.x.test",
	};
	struct spf_record rec;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = spf_record_parse(bad[i], strlen(bad[i]), &rec);
		if (rc != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(rec.error[0] != '\0');
		spf_record_free(&rec);
	}
	/* A NUL inside the record is an error, not the end of it. */
	assert_int_equal(spf_record_parse("v=spf1 a:x.test\0 -all", 21, &rec), -1);
	spf_record_free(&rec);
	assert_false(spf_is_v1("v=spf10", 7));
	assert_false(spf_is_v1("v=spf1mx", 8));
	assert_true(spf_is_v1("v=spf1", 6));
	assert_true(spf_is_v1("V=SPF1 mx", 9));
}

static void test_syntax_finding(void **state)
{
	(void)state;
	assert_int_equal(validate("v=spf1 ip4:192.0.2.300 -all"), 0);
	assert_true(mxg_findings_has(&f, MXG_F_SPF_SYNTAX));
	assert_non_null(strstr(f.items[0].text, "ip4:192.0.2.300"));
	assert_string_equal(f.items[0].subject, "v.test");
	assert_int_equal(validate("not spf at all"), 0);
	assert_true(mxg_findings_has(&f, MXG_F_SPF_SYNTAX));
	assert_int_equal(validate("v=spf1 ip4:192.0.2.30 -all"), 1);
	assert_int_equal(f.count, 0);
}

static void test_all_findings(void **state)
{
	(void)state;
	assert_true(raises("v=spf1 +all", MXG_F_SPF_PASS_ALL));
	assert_true(raises("v=spf1 mx all", MXG_F_SPF_PASS_ALL));
	assert_false(raises("v=spf1 mx -all", MXG_F_SPF_PASS_ALL));
	/* Evaluation stops at the first all. */
	assert_false(raises("v=spf1 -all +all", MXG_F_SPF_PASS_ALL));
	assert_true(raises("v=spf1 mx ?all", MXG_F_SPF_NEUTRAL_ALL_ONLY));
	assert_false(raises("v=spf1 mx ~all", MXG_F_SPF_NEUTRAL_ALL_ONLY));
	assert_true(raises("v=spf1 mx", MXG_F_SPF_NO_ALL));
	assert_false(raises("v=spf1 mx redirect=_spf.x.test", MXG_F_SPF_NO_ALL));
	assert_false(raises("v=spf1 mx -all", MXG_F_SPF_NO_ALL));
}

static void test_ptr_finding(void **state)
{
	(void)state;
	assert_true(raises("v=spf1 ptr -all", MXG_F_SPF_PTR_USED));
	assert_true(raises("v=spf1 mx ptr:x.test -all", MXG_F_SPF_PTR_USED));
	assert_false(raises("v=spf1 mx -all exp=ptr.x.test", MXG_F_SPF_PTR_USED));
}

static void test_length_and_count_findings(void **state)
{
	(void)state;
	char rec[600] = "v=spf1";

	for (int i = 0; i < 11; i++)
		mxg_strlcat(rec, " a:h.x.test", sizeof(rec));
	assert_true(raises(rec, MXG_F_SPF_TOO_MANY_LOOKUPS));
	strcpy(rec, "v=spf1");
	for (int i = 0; i < 10; i++)
		mxg_strlcat(rec, " a:h.x.test", sizeof(rec));
	assert_false(raises(rec, MXG_F_SPF_TOO_MANY_LOOKUPS));
	/* redirect is not used (nor counted) when an all mechanism is there. */
	mxg_strlcat(rec, " -all redirect=y.test", sizeof(rec));
	assert_false(raises(rec, MXG_F_SPF_TOO_MANY_LOOKUPS));
	strcpy(rec, "v=spf1");
	while (strlen(rec) < 300)
		mxg_strlcat(rec, " ip4:192.0.2.1", sizeof(rec));
	assert_true(raises(rec, MXG_F_SPF_STRING_TOO_LONG));
	rec[250] = '\0';
	assert_false(raises(rec, MXG_F_SPF_STRING_TOO_LONG));
}

static void add(const char *line)
{
	char err[256];

	if (mxg_zone_add_text(r, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

static int audit_has(const char *domain, const struct mxg_mx_input *mx,
		     const struct mxg_spf_providers *p, enum mxg_finding_code code)
{
	mxg_findings_clear(&f);
	assert_int_equal(mxg_spf_audit_with(r, domain, mx, p, &f), 0);
	return mxg_findings_has(&f, code);
}

static void test_audit_record_findings(void **state)
{
	(void)state;
	add("ok.a.test. 300 IN TXT \"v=spf1 include:inc.a.test -all\"");
	add("inc.a.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"");
	add("none.a.test. 300 IN A 192.0.2.1");
	add("two.a.test. 300 IN TXT \"v=spf1 -all\"");
	add("two.a.test. 300 IN TXT \"v=spf1 ~all\"");
	add("t99.a.test. 300 IN TXT \"v=spf1 -all\"");
	add("t99.a.test. 300 IN SPF \"v=spf1 -all\"");
	add("dangling.a.test. 300 IN TXT \"v=spf1 include:gone.a.test -all\"");
	add("voids.a.test. 300 IN TXT \"v=spf1 a:g1.a.test a:g2.a.test exists:g3.a.test -all\"");
	add("voids2.a.test. 300 IN TXT \"v=spf1 a:g1.a.test a:none.a.test exists:g3.a.test -all\"");
	/* MX hosts without any address count as check_host counts them; one with an A
	 * record only (none.a.test) does not. */
	add("mxvoid.a.test. 300 IN TXT \"v=spf1 mx:mxh.a.test a:g1.a.test -all\"");
	add("mxh.a.test. 300 IN MX 10 g2.a.test.");
	add("mxh.a.test. 300 IN MX 20 g3.a.test.");
	add("mxvoid2.a.test. 300 IN TXT \"v=spf1 mx:mxh2.a.test a:g1.a.test -all\"");
	add("mxh2.a.test. 300 IN MX 10 g2.a.test.");
	add("mxh2.a.test. 300 IN MX 20 none.a.test.");
	add("slow.a.test. 300 IN TXT \"v=spf1 include:sf.a.test -all\"");
	assert_int_equal(mxg_zone_set_fault(r, "sf.a.test", 0, MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_zone_set_fault(r, "down.a.test", 0, MXG_DNS_TIMEOUT), 0);

	assert_false(audit_has("ok.a.test", NULL, NULL, MXG_F__COUNT));
	assert_int_equal(f.count, 0);
	assert_true(audit_has("none.a.test", NULL, NULL, MXG_F_SPF_NONE));
	assert_false(audit_has("nxdomain.a.test", NULL, NULL, MXG_F_SPF_NONE));
	assert_true(audit_has("two.a.test", NULL, NULL, MXG_F_SPF_MULTIPLE));
	assert_false(audit_has("ok.a.test", NULL, NULL, MXG_F_SPF_MULTIPLE));
	assert_true(audit_has("t99.a.test", NULL, NULL, MXG_F_SPF_RR_TYPE_SPF));
	assert_false(audit_has("two.a.test", NULL, NULL, MXG_F_SPF_RR_TYPE_SPF));
	assert_true(audit_has("dangling.a.test", NULL, NULL, MXG_F_SPF_INCLUDE_NONE));
	assert_non_null(strstr(f.items[0].text, "gone.a.test"));
	assert_false(audit_has("ok.a.test", NULL, NULL, MXG_F_SPF_INCLUDE_NONE));
	assert_true(audit_has("voids.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_VOID));
	assert_false(audit_has("voids2.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_VOID));
	assert_true(audit_has("mxvoid.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_VOID));
	assert_non_null(strstr(f.items[0].text, "3 lookups find no records"));
	assert_false(audit_has("mxvoid2.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_VOID));
	assert_true(audit_has("slow.a.test", NULL, NULL, MXG_F_SPF_LOOKUP_TEMPFAIL));
	assert_true(audit_has("down.a.test", NULL, NULL, MXG_F_SPF_LOOKUP_TEMPFAIL));
	assert_false(audit_has("ok.a.test", NULL, NULL, MXG_F_SPF_LOOKUP_TEMPFAIL));
}

static void test_audit_counts_through_includes(void **state)
{
	(void)state;
	add("deep.a.test. 300 IN TXT \"v=spf1 a mx include:l1.a.test -all\"");
	add("deep.a.test. 300 IN A 192.0.2.1");
	add("deep.a.test. 300 IN MX 10 deep.a.test.");
	add("l1.a.test. 300 IN TXT \"v=spf1 a:deep.a.test include:l2.a.test ~all\"");
	add("l2.a.test. 300 IN TXT \"v=spf1 a:deep.a.test a:deep.a.test a:deep.a.test "
	    "a:deep.a.test a:deep.a.test a:deep.a.test ~all\"");
	add("l2b.a.test. 300 IN TXT \"v=spf1 a:deep.a.test a:deep.a.test a:deep.a.test "
	    "a:deep.a.test a:deep.a.test ~all\"");
	add("fits.a.test. 300 IN TXT \"v=spf1 a:deep.a.test mx:deep.a.test include:l1b.a.test -all\"");
	add("l1b.a.test. 300 IN TXT \"v=spf1 a:deep.a.test include:l2b.a.test ~all\"");
	add("loop.a.test. 300 IN TXT \"v=spf1 include:loop.a.test -all\"");
	/* deep: a, mx, include (3) + l1: a, include (2) + l2: six a (6) = 11 */
	assert_true(audit_has("deep.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_LOOKUPS));
	assert_non_null(strstr(f.items[0].text, "11 DNS-querying terms"));
	/* fits: 3 + l1b: 2 + l2b: five a = 10 */
	assert_false(audit_has("fits.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_LOOKUPS));
	/* An include loop ends at the walk's bound and is reported as too many lookups. */
	assert_true(audit_has("loop.a.test", NULL, NULL, MXG_F_SPF_TOO_MANY_LOOKUPS));
}

static void test_audit_record_too_long(void **state)
{
	(void)state;
	char line[1400] = "big.a.test. 300 IN TXT";

	for (int s = 0; s < 4; s++) {
		mxg_strlcat(line, s == 0 ? " \"v=spf1" : " \"", sizeof(line));
		for (int i = 0; i < 9; i++)
			mxg_strcatf(line, sizeof(line), " ip4:198.51.%d.%d", s, i);
		mxg_strlcat(line, "\"", sizeof(line));
	}
	add(line);
	add("small.a.test. 300 IN TXT \"v=spf1 ip4:198.51.100.1 -all\"");
	assert_true(audit_has("big.a.test", NULL, NULL, MXG_F_SPF_RECORD_TOO_LONG));
	assert_false(audit_has("big.a.test", NULL, NULL, MXG_F_SPF_STRING_TOO_LONG));
	assert_false(audit_has("small.a.test", NULL, NULL, MXG_F_SPF_RECORD_TOO_LONG));
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_providers(void **state)
{
	(void)state;
	char path[] = "/tmp/mxguard-spf-providers.XXXXXX", err[256];
	struct mxg_spf_providers p;
	struct mxg_mx_input mx;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# comment\n\nHosted Mail\tmx.hosted.test, MX2.Hosted.test.\t_spf.hosted.test\n");
	assert_int_equal(mxg_spf_providers_load(path, &p, err, sizeof(err)), 0);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.items[0].mx_count, 2);
	assert_string_equal(p.items[0].mx[1], "mx2.hosted.test");
	assert_string_equal(p.items[0].include[0], "_spf.hosted.test");

	add("cust.a.test. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"");
	add("good.a.test. 300 IN TXT \"v=spf1 include:eu._spf.hosted.test -all\"");
	add("eu._spf.hosted.test. 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"");
	memset(&mx, 0, sizeof(mx));
	mx.rcode = MXG_DNS_NOERROR;
	mx.count = 1;
	mxg_strlcpy(mx.targets[0].name, "in.mx.hosted.test", sizeof(mx.targets[0].name));
	assert_true(audit_has("cust.a.test", &mx, &p, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	assert_non_null(strstr(f.items[0].text, "Hosted Mail"));
	assert_false(audit_has("good.a.test", &mx, &p, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	/* An include built from macros is not followed but still names the provider. */
	add("mac.a.test. 300 IN TXT \"v=spf1 include:%{ir}.%{v}._spf.hosted.test -all\"");
	assert_false(audit_has("mac.a.test", &mx, &p, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	assert_false(audit_has("cust.a.test", NULL, &p, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	assert_false(audit_has("cust.a.test", &mx, NULL, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	mxg_strlcpy(mx.targets[0].name, "mx.elsewhere.test", sizeof(mx.targets[0].name));
	assert_false(audit_has("cust.a.test", &mx, &p, MXG_F_SPF_PROVIDER_NOT_AUTHORIZED));
	mxg_spf_providers_free(&p);

	write_file(path, "ok\ta.test\tb.test\nbroken line without tabs\n");
	assert_int_equal(mxg_spf_providers_load(path, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2:"));
	write_file(path, "x\ta..test\tb.test\n");
	assert_int_equal(mxg_spf_providers_load(path, &p, err, sizeof(err)), -1);
	unlink(path);
	assert_int_equal(mxg_spf_providers_load(path, &p, err, sizeof(err)), -1);
	/* The table shipped in data/ parses. */
	assert_int_equal(mxg_spf_providers_load("data/spf-providers.tsv", &p, err, sizeof(err)), 0);
	assert_true(p.count >= 8);
	mxg_spf_providers_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_syntax_finding),
		cmocka_unit_test(test_all_findings),
		cmocka_unit_test(test_ptr_finding),
		cmocka_unit_test(test_length_and_count_findings),
		cmocka_unit_test(test_audit_record_findings),
		cmocka_unit_test(test_audit_counts_through_includes),
		cmocka_unit_test(test_audit_record_too_long),
		cmocka_unit_test(test_providers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
