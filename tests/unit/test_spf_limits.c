/* Unit tests of check_host() beyond the RFC 7208 suite, on the zone backend: the §4.6.4
 * limits at and over their values and as options, temporary failures, the time budget,
 * identities, IPv4-mapped clients, outcome fields and the Received-SPF field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../common/src/spf_internal.h"
#include "mxguard/clock.h"
#include "mxguard/str.h"

static struct mxg_resolver *r;
static struct mxg_spf_outcome out;

static void add(const char *line)
{
	char err[256];

	if (mxg_zone_add_text(r, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

/* A TXT record of owner holding record, in strings of at most 200 characters. */
static void txt(const char *owner, const char *record)
{
	char line[4096];
	size_t n = strlen(record);

	snprintf(line, sizeof(line), "%s. 300 IN TXT", owner);
	for (size_t off = 0; off < n; off += 200)
		mxg_strcatf(line, sizeof(line), " \"%.200s\"", record + off);
	add(line);
}

static int setup(void **state)
{
	(void)state;
	r = mxg_resolver_zone_new();
	assert_non_null(r);
	add("host.l.test. 300 IN A 192.0.2.10");
	add("host.l.test. 300 IN AAAA 2001:db8::10");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_resolver_free(r);
	return 0;
}

static enum mxg_spf_result check_opt(const char *ip, const char *sender,
				     const struct mxg_spf_options *opt)
{
	struct mxg_addr a;

	assert_int_equal(mxg_addr_parse(ip, &a, 0), 0);
	return mxg_spf_check_mailfrom(r, opt, &a, sender, "helo.l.test", &out);
}

static enum mxg_spf_result check(const char *ip, const char *sender)
{
	return check_opt(ip, sender, NULL);
}

/* A record of n "a:host.l.test" terms (each one DNS-querying term) then ip4 and -all. */
static void terms_record(const char *owner, int n, const char *tail)
{
	char rec[1024] = "v=spf1";

	for (int i = 0; i < n; i++)
		mxg_strlcat(rec, " a:host.l.test", sizeof(rec));
	mxg_strlcat(rec, tail, sizeof(rec));
	txt(owner, rec);
}

static void test_ten_terms_then_eleven(void **state)
{
	(void)state;
	terms_record("ten.l.test", 10, " ip4:192.0.2.99 -all");
	terms_record("eleven.l.test", 11, " ip4:192.0.2.99 -all");
	assert_int_equal(check("192.0.2.99", "x@ten.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.dns_terms, 10);
	assert_int_equal(check("192.0.2.99", "x@eleven.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "more than 10 DNS-querying terms"));
	/* A match before the eleventh term ends evaluation: no error. */
	assert_int_equal(check("192.0.2.10", "x@eleven.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.dns_terms, 1);
}

/* include and redirect count, and the terms of included records count too. */
static void test_includes_and_redirect_count(void **state)
{
	(void)state;
	terms_record("inner.l.test", 8, " ~all");
	txt("outer.l.test", "v=spf1 include:inner.l.test redirect=last.l.test");
	txt("last.l.test", "v=spf1 ip4:192.0.2.99 -all");
	txt("outer2.l.test", "v=spf1 include:inner.l.test a:host.l.test redirect=last.l.test");
	/* 1 include + 8 + 1 redirect = 10: still allowed. */
	assert_int_equal(check("192.0.2.99", "x@outer.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.dns_terms, 10);
	assert_string_equal(out.domain, "last.l.test");
	assert_string_equal(out.mechanism, "ip4:192.0.2.99");
	assert_int_equal(check("192.0.2.99", "x@outer2.l.test"), MXG_SPF_PERMERROR);
	assert_int_equal(out.dns_terms, 11);
}

/* ip4, ip6 and all do not count. */
static void test_non_dns_terms_free(void **state)
{
	(void)state;
	char rec[2048] = "v=spf1";
	for (int i = 1; i <= 40; i++) {
		char t[32];
		snprintf(t, sizeof(t), " ip4:198.51.100.%d", i);
		mxg_strlcat(rec, t, sizeof(rec));
	}
	mxg_strlcat(rec, " ip6:2001:db8::/32 -all", sizeof(rec));
	txt("many.l.test", rec);
	assert_int_equal(check("198.51.100.40", "x@many.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.dns_terms, 0);
	assert_int_equal(check("2001:db8::1", "x@many.l.test"), MXG_SPF_PASS);
}

static void mx_records(const char *owner, int n)
{
	char line[256];

	for (int i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s. 300 IN MX %d mx%d.l.test.", owner, i, i);
		add(line);
		snprintf(line, sizeof(line), "mx%d.l.test. 300 IN A 192.0.2.%d", i, 100 + i);
		add(line);
	}
}

static void test_mx_names(void **state)
{
	(void)state;
	mx_records("mx10.l.test", 10);
	txt("mx10.l.test", "v=spf1 mx -all");
	assert_int_equal(check("192.0.2.109", "x@mx10.l.test"), MXG_SPF_PASS);
	mx_records("mx11.l.test", 11);
	txt("mx11.l.test", "v=spf1 mx -all");
	assert_int_equal(check("192.0.2.100", "x@mx11.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "11 MX records"));
	/* The limit is an option. */
	struct mxg_spf_options opt = { .max_mx_ptr = 5 };
	assert_int_equal(check_opt("192.0.2.100", "x@mx10.l.test", &opt), MXG_SPF_PERMERROR);
}

/* Only the first 10 PTR names are validated; the rest are ignored, not an error. */
static void test_ptr_names(void **state)
{
	(void)state;
	char line[256];

	for (int i = 0; i < 11; i++) {
		snprintf(line, sizeof(line), "77.2.0.192.in-addr.arpa. 300 IN PTR p%d.ptr.l.test.", i);
		add(line);
		snprintf(line, sizeof(line), "p%d.ptr.l.test. 300 IN A 192.0.2.%d", i, i == 10 ? 77 : 1);
		add(line);
	}
	add("p3.ptr.l.test. 300 IN A 192.0.2.78");
	add("78.2.0.192.in-addr.arpa. 300 IN PTR p3.ptr.l.test.");
	txt("ptr.l.test", "v=spf1 ptr -all");
	assert_int_equal(check("192.0.2.77", "x@ptr.l.test"), MXG_SPF_FAIL);
	assert_int_equal(check("192.0.2.78", "x@ptr.l.test"), MXG_SPF_PASS);
}

static void test_void_lookups(void **state)
{
	(void)state;
	txt("void2.l.test", "v=spf1 a:gone1.l.test mx:gone2.l.test ?all");
	txt("void3.l.test", "v=spf1 a:gone1.l.test mx:gone2.l.test exists:gone3.l.test ?all");
	txt("voidexp.l.test", "v=spf1 a:gone1.l.test a:gone2.l.test exp=gone3.l.test -all");
	add("nodata.l.test. 300 IN TXT \"not spf\"");
	txt("voidnodata.l.test", "v=spf1 a:nodata.l.test a:nodata.l.test a:nodata.l.test ?all");
	assert_int_equal(check("192.0.2.1", "x@void2.l.test"), MXG_SPF_NEUTRAL);
	assert_int_equal(out.void_lookups, 2);
	assert_int_equal(check("192.0.2.1", "x@void3.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "void lookups"));
	/* An exp= that does not exist is no void lookup. */
	assert_int_equal(check("192.0.2.1", "x@voidexp.l.test"), MXG_SPF_FAIL);
	assert_int_equal(out.void_lookups, 2);
	/* NODATA is void as NXDOMAIN is. */
	assert_int_equal(check("192.0.2.1", "x@voidnodata.l.test"), MXG_SPF_PERMERROR);
	struct mxg_spf_options opt = { .max_void = 5 };
	assert_int_equal(check_opt("192.0.2.1", "x@void3.l.test", &opt), MXG_SPF_NEUTRAL);
	struct mxg_spf_options few = { .max_dns_terms = 2 };
	assert_int_equal(check_opt("192.0.2.1", "x@void3.l.test", &few), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "more than 2 DNS-querying terms"));
}

/* Each MX host whose address lookup comes back empty is one void lookup (docs/spf.md):
 * two still evaluate, a third is permerror, within one mx term or across terms. */
static void test_void_mx_hosts(void **state)
{
	(void)state;
	add("mxv.l.test. 300 IN MX 10 nohost1.l.test.");
	add("mxv.l.test. 300 IN MX 20 nodata.l.test.");
	add("mxv.l.test. 300 IN MX 30 host.l.test.");
	add("nodata.l.test. 300 IN TXT \"no address\"");
	txt("mxv2.l.test", "v=spf1 mx:mxv.l.test ?all");
	txt("mxv3.l.test", "v=spf1 mx:mxv.l.test exists:nohost3.l.test ?all");
	/* An NXDOMAIN host and a NODATA one: exactly two, evaluation goes on. */
	assert_int_equal(check("192.0.2.1", "x@mxv2.l.test"), MXG_SPF_NEUTRAL);
	assert_int_equal(out.void_lookups, 2);
	assert_int_equal(out.dns_terms, 1);
	assert_int_equal(check("192.0.2.10", "x@mxv2.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.void_lookups, 2);
	/* The third, from another term. */
	assert_int_equal(check("192.0.2.1", "x@mxv3.l.test"), MXG_SPF_PERMERROR);
	assert_int_equal(out.void_lookups, 3);
	assert_non_null(strstr(out.problem, "more than 2 void lookups (the last: nohost3.l.test)"));
	/* Three hosts without addresses in one mx term: permerror before ip4 is reached. */
	add("mx3.l.test. 300 IN MX 10 nohost1.l.test.");
	add("mx3.l.test. 300 IN MX 20 nohost2.l.test.");
	add("mx3.l.test. 300 IN MX 30 nohost3.l.test.");
	txt("mx3.l.test", "v=spf1 mx ip4:192.0.2.1 ?all");
	assert_int_equal(check("192.0.2.1", "x@mx3.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "nohost3.l.test"));
	/* A raised limit lets it through. */
	struct mxg_spf_options opt = { .max_void = 3 };
	assert_int_equal(check_opt("192.0.2.1", "x@mx3.l.test", &opt), MXG_SPF_PASS);
	assert_int_equal(out.void_lookups, 3);
}

/* MX hosts are tried by preference, then name, whatever the answer order; the search stops
 * at the first match, so hosts after it are never looked up (nor counted). */
static void test_void_mx_order(void **state)
{
	(void)state;
	add("mxord.l.test. 300 IN MX 30 host.l.test.");
	add("mxord.l.test. 300 IN MX 40 nohost3.l.test.");
	add("mxord.l.test. 300 IN MX 20 nohost2.l.test.");
	add("mxord.l.test. 300 IN MX 20 nohost1.l.test.");
	txt("mxord.l.test", "v=spf1 mx ?all");
	assert_int_equal(check("192.0.2.10", "x@mxord.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.void_lookups, 2);
	assert_int_equal(check("192.0.2.1", "x@mxord.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "nohost3.l.test"));
	/* The lookup is of the client's family: IPv4-only hosts are void for an IPv6 client. */
	add("v4a.l.test. 300 IN A 192.0.2.41");
	add("v4b.l.test. 300 IN A 192.0.2.42");
	add("v4c.l.test. 300 IN A 192.0.2.43");
	add("mx4.l.test. 300 IN MX 10 v4a.l.test.");
	add("mx4.l.test. 300 IN MX 20 v4b.l.test.");
	txt("mx4.l.test", "v=spf1 mx ip6:2001:db8::/32 -all");
	assert_int_equal(check("2001:db8::99", "x@mx4.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.void_lookups, 2);
	assert_int_equal(check("192.0.2.99", "x@mx4.l.test"), MXG_SPF_FAIL);
	assert_int_equal(out.void_lookups, 0);
	add("mx4.l.test. 300 IN MX 30 v4c.l.test.");
	assert_int_equal(check("2001:db8::99", "x@mx4.l.test"), MXG_SPF_PERMERROR);
}

/* The address lookups of PTR names are the client's data: none is a void lookup, so a
 * client cannot turn a fail into permerror with names that have no address. The PTR
 * lookup itself is one per ptr term. */
static void test_void_ptr_names(void **state)
{
	(void)state;
	char line[256];

	for (int i = 1; i <= 4; i++) {
		snprintf(line, sizeof(line), "88.2.0.192.in-addr.arpa. 300 IN PTR q%d.pv.l.test.", i);
		add(line);
		snprintf(line, sizeof(line), "89.2.0.192.in-addr.arpa. 300 IN PTR q%d.pv.l.test.", i);
		add(line);
	}
	add("89.2.0.192.in-addr.arpa. 300 IN PTR good.pv.l.test.");
	add("good.pv.l.test. 300 IN A 192.0.2.89");
	txt("pv.l.test", "v=spf1 ptr -all");
	assert_int_equal(check("192.0.2.88", "x@pv.l.test"), MXG_SPF_FAIL);
	assert_int_equal(out.void_lookups, 0);
	assert_int_equal(check("192.0.2.89", "x@pv.l.test"), MXG_SPF_PASS);
	assert_int_equal(out.void_lookups, 0);
	/* No PTR at all: the ptr term's own lookup is void. */
	txt("pv2.l.test", "v=spf1 ptr a:nohost1.l.test ?all");
	txt("pv3.l.test", "v=spf1 ptr a:nohost1.l.test a:nohost2.l.test ?all");
	assert_int_equal(check("192.0.2.90", "x@pv2.l.test"), MXG_SPF_NEUTRAL);
	assert_int_equal(out.void_lookups, 2);
	assert_int_equal(check("192.0.2.90", "x@pv3.l.test"), MXG_SPF_PERMERROR);
	assert_non_null(strstr(out.problem, "nohost2.l.test"));
}

/* Address records have no limit: any of many A records matches. */
static void test_many_addresses(void **state)
{
	(void)state;
	char line[128];
	for (int i = 1; i <= 30; i++) {
		snprintf(line, sizeof(line), "farm.l.test. 300 IN A 203.0.113.%d", i);
		add(line);
	}
	txt("farm.l.test", "v=spf1 a -all");
	assert_int_equal(check("203.0.113.30", "x@farm.l.test"), MXG_SPF_PASS);
	assert_int_equal(check("203.0.113.31", "x@farm.l.test"), MXG_SPF_FAIL);
}

static void test_temporary_failures(void **state)
{
	(void)state;
	txt("t1.l.test", "v=spf1 a:slow.l.test -all");
	txt("t2.l.test", "v=spf1 include:slow.l.test -all");
	txt("t3.l.test", "v=spf1 mx:mxslow.l.test -all");
	add("mxslow.l.test. 300 IN MX 10 slow.l.test.");
	txt("t4.l.test", "v=spf1 ptr:l.test ip4:192.0.2.5 -all");
	assert_int_equal(mxg_zone_set_fault(r, "slow.l.test", 0, MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_zone_set_fault(r, "5.2.0.192.in-addr.arpa", 0, MXG_DNS_TIMEOUT), 0);
	assert_int_equal(mxg_zone_set_fault(r, "sf.l.test", MXG_DNS_TXT, MXG_DNS_TIMEOUT), 0);
	assert_int_equal(check("192.0.2.1", "x@t1.l.test"), MXG_SPF_TEMPERROR);
	assert_non_null(strstr(out.problem, "slow.l.test"));
	assert_int_equal(check("192.0.2.1", "x@t2.l.test"), MXG_SPF_TEMPERROR);
	assert_int_equal(check("192.0.2.1", "x@t3.l.test"), MXG_SPF_TEMPERROR);
	assert_int_equal(check("192.0.2.1", "x@sf.l.test"), MXG_SPF_TEMPERROR);
	/* A PTR lookup failure only makes ptr not match (§5.5). */
	assert_int_equal(check("192.0.2.5", "x@t4.l.test"), MXG_SPF_PASS);
}

static void test_time_budget(void **state)
{
	(void)state;
	struct spf_dns d = { .r = r, .deadline_ms = mxg_clock_ms() - 1 };
	struct mxg_dns_answer *a;

	assert_int_equal(spf_dns_lookup(&d, "host.l.test", MXG_DNS_A, &a), 1);
	assert_null(a);
	assert_non_null(strstr(d.problem, "time budget"));
	d.deadline_ms = mxg_clock_ms() + 60000;
	assert_int_equal(spf_dns_lookup(&d, "host.l.test", MXG_DNS_A, &a), 0);
	assert_int_equal(a->count, 1);
	mxg_dns_answer_free(a);
	/* A generous budget changes nothing. */
	txt("budget.l.test", "v=spf1 a:host.l.test -all");
	struct mxg_spf_options opt = { .budget_ms = 60000 };
	assert_int_equal(check_opt("192.0.2.10", "x@budget.l.test", &opt), MXG_SPF_PASS);
}

static void test_identities(void **state)
{
	(void)state;
	struct mxg_addr a;

	txt("helo.l.test", "v=spf1 ip4:192.0.2.20 -all");
	assert_int_equal(mxg_addr_parse("192.0.2.20", &a, 0), 0);
	assert_int_equal(mxg_spf_check_mailfrom(r, NULL, &a, "", "helo.l.test", &out), MXG_SPF_PASS);
	assert_string_equal(out.sender, "postmaster@helo.l.test");
	assert_string_equal(out.identity, "mailfrom");
	assert_int_equal(mxg_spf_check_mailfrom(r, NULL, &a, "<>", "helo.l.test", &out), MXG_SPF_PASS);
	assert_int_equal(mxg_spf_check_mailfrom(r, NULL, &a, "<u@helo.l.test>", "x", &out), MXG_SPF_PASS);
	assert_string_equal(out.sender, "u@helo.l.test");
	assert_int_equal(mxg_spf_check_helo(r, NULL, &a, "helo.l.test", &out), MXG_SPF_PASS);
	assert_string_equal(out.identity, "helo");
	assert_int_equal(mxg_spf_check_helo(r, NULL, &a, "[192.0.2.20]", &out), MXG_SPF_NONE);
	assert_int_equal(mxg_spf_check_helo(r, NULL, &a, "localhost", &out), MXG_SPF_NONE);
	assert_string_equal(out.identity, "helo");
	/* An empty local-part is postmaster (§4.3). */
	assert_int_equal(mxg_spf_check_mailfrom(r, NULL, &a, "@helo.l.test", "x", &out), MXG_SPF_PASS);
	assert_string_equal(out.sender, "postmaster@helo.l.test");
}

static void test_mapped_and_families(void **state)
{
	(void)state;
	txt("fam.l.test", "v=spf1 ip4:192.0.2.30 ip6:2001:db8:30::/48 -all");
	assert_int_equal(check("::ffff:192.0.2.30", "x@fam.l.test"), MXG_SPF_PASS);
	assert_int_equal(check("2001:db8:30::1", "x@fam.l.test"), MXG_SPF_PASS);
	assert_int_equal(check("2001:db8:31::1", "x@fam.l.test"), MXG_SPF_FAIL);
	txt("dual.l.test", "v=spf1 a:host.l.test/24//64 -all");
	assert_int_equal(check("192.0.2.200", "x@dual.l.test"), MXG_SPF_PASS);
	assert_int_equal(check("2001:db8::ffff:1", "x@dual.l.test"), MXG_SPF_PASS);
	assert_int_equal(check("2001:db9::1", "x@dual.l.test"), MXG_SPF_FAIL);
}

static void test_outcome_and_header(void **state)
{
	(void)state;
	struct mxg_addr a;
	char hdr[1024];

	txt("exp.l.test", "v=spf1 ip4:192.0.2.40 -all exp=why.l.test");
	txt("why.l.test", "%{i} may not send for %{d} (%{r})");
	struct mxg_spf_options opt = { .receiver = "mx.receiver.test" };
	assert_int_equal(mxg_addr_parse("192.0.2.41", &a, 0), 0);
	assert_int_equal(mxg_spf_check_mailfrom(r, &opt, &a, "u@exp.l.test", "h.l.test", &out),
			 MXG_SPF_FAIL);
	assert_string_equal(out.explanation, "192.0.2.41 may not send for exp.l.test (mx.receiver.test)");
	assert_string_equal(out.mechanism, "-all");
	assert_string_equal(out.domain, "exp.l.test");
	assert_non_null(strstr(out.comment, "does not designate 192.0.2.41"));
	assert_int_equal(mxg_spf_received_spf(&out, &a, "h.l.test", "mx.receiver.test", hdr,
					      sizeof(hdr)), 0);
	assert_string_equal(hdr, "fail (mx.receiver.test: domain of u@exp.l.test does not designate "
				 "192.0.2.41 as permitted sender) receiver=mx.receiver.test; "
				 "client-ip=192.0.2.41; envelope-from=\"u@exp.l.test\"; helo=h.l.test; "
				 "mechanism=-all; identity=mailfrom;");
	assert_int_equal(mxg_spf_received_spf(&out, &a, "h.l.test", NULL, hdr, 40), -1);
	/* Hostile input is quoted and cannot end the line. */
	assert_int_equal(mxg_spf_received_spf(&out, &a, "a\"b\\c\r\n(x)", "r(1)", hdr, sizeof(hdr)), 0);
	assert_null(strchr(hdr, '\r'));
	assert_null(strchr(hdr, '\n'));
	assert_non_null(strstr(hdr, "helo=\"a\\\"b\\\\c?" "?(x)\";"));
	assert_non_null(strstr(hdr, "(r\\(1\\): "));
	/* Result names round-trip. */
	for (int i = MXG_SPF_NONE; i <= MXG_SPF_PERMERROR; i++)
		assert_int_equal(mxg_spf_result_parse(mxg_spf_result_name(i)), i);
	assert_int_equal(mxg_spf_result_parse("PASS"), MXG_SPF_PASS);
	assert_int_equal(mxg_spf_result_parse("softpass"), -1);
}

/* Without exp= the receiver's default explanation is used, with macros expanded. */
static void test_default_explanation(void **state)
{
	(void)state;
	txt("noexp.l.test", "v=spf1 -all");
	struct mxg_spf_options opt = { .default_exp = "see https://example.test/spf?d=%{d}" };
	assert_int_equal(check_opt("192.0.2.1", "x@noexp.l.test", &opt), MXG_SPF_FAIL);
	assert_string_equal(out.explanation, "see https://example.test/spf?d=noexp.l.test");
	assert_int_equal(check("192.0.2.1", "x@noexp.l.test"), MXG_SPF_FAIL);
	assert_string_equal(out.explanation, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ten_terms_then_eleven, setup, teardown),
		cmocka_unit_test_setup_teardown(test_includes_and_redirect_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_dns_terms_free, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mx_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ptr_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_lookups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_mx_hosts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_mx_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_void_ptr_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temporary_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapped_and_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outcome_and_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_explanation, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
