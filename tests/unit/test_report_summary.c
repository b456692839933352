/* Unit tests of the received-report summary: totals and alignment counts, grouping by source,
 * failure reasons, reverse names over the zone resolver (the in-addr.arpa zones of tests/data/reports),
 * the provider advice from data/spf-providers.tsv, and the bound on sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/report_summary.h"
#include "mxguard/str.h"

static struct mxg_store_rr_record rec(const char *ip, uint64_t count, const char *dkim_eval,
				      const char *spf_eval)
{
	struct mxg_store_rr_record r;
	memset(&r, 0, sizeof(r));
	mxg_strlcpy(r.source_ip, ip, sizeof(r.source_ip));
	r.count = count;
	mxg_strlcpy(r.disposition, "none", sizeof(r.disposition));
	mxg_strlcpy(r.dkim_eval, dkim_eval, sizeof(r.dkim_eval));
	mxg_strlcpy(r.spf_eval, spf_eval, sizeof(r.spf_eval));
	mxg_strlcpy(r.header_from, "example.com", sizeof(r.header_from));
	return r;
}

static void dkim(struct mxg_store_rr_record *r, const char *d, const char *s, const char *res)
{
	struct mxg_store_dkim *k = &r->dkim[r->dkim_count++];
	mxg_strlcpy(k->domain, d, sizeof(k->domain));
	mxg_strlcpy(k->selector, s, sizeof(k->selector));
	mxg_strlcpy(k->result, res, sizeof(k->result));
}

static void spf(struct mxg_store_rr_record *r, const char *d, const char *res)
{
	mxg_strlcpy(r->spf_domain, d, sizeof(r->spf_domain));
	mxg_strlcpy(r->spf_result, res, sizeof(r->spf_result));
}

static void fill(struct mxg_summary *s)
{
	struct mxg_store_rr_record r = rec("192.0.2.25", 100, "pass", "pass");
	assert_int_equal(mxg_summary_add(s, "google.com", &r), 0);
	r = rec("192.0.2.25", 20, "pass", "fail");
	assert_int_equal(mxg_summary_add(s, "Yahoo", &r), 0);
	r = rec("192.0.2.40", 7, "fail", "fail");
	dkim(&r, "example.onmicrosoft.com", "selector1", "pass");
	spf(&r, "example.com", "fail");
	assert_int_equal(mxg_summary_add(s, "Yahoo", &r), 0);
	r = rec("203.0.113.9", 3, "fail", "fail");
	spf(&r, "spoof.example", "fail");
	assert_int_equal(mxg_summary_add(s, "google.com", &r), 0);
	r = rec("203.0.113.9", 2, "fail", "fail");
	spf(&r, "spoof.example", "fail");
	assert_int_equal(mxg_summary_add(s, "google.com", &r), 0);
	r = rec("not-an-ip", 9, "pass", "pass");
	assert_int_equal(mxg_summary_add(s, "google.com", &r), -1);
}

static void test_counts(void **state)
{
	(void)state;
	struct mxg_summary s;
	assert_int_equal(mxg_summary_init(&s, "Example.COM"), 0);
	fill(&s);
	mxg_summary_finish(&s, NULL, NULL, NULL);
	assert_string_equal(s.domain, "example.com");
	assert_int_equal(s.records, 5);
	assert_int_equal(s.total, 132);
	assert_int_equal(s.dkim_aligned, 120);
	assert_int_equal(s.spf_aligned, 100);
	assert_int_equal(s.passed, 120);
	assert_int_equal(s.source_count, 3);
	assert_string_equal(s.sources[0].ip, "192.0.2.25");
	assert_int_equal(s.sources[0].total, 120);
	assert_int_equal(s.sources[0].org_count, 2);
	assert_int_equal(s.sources[0].why_count, 0);
	assert_string_equal(s.sources[1].ip, "192.0.2.40");
	assert_string_equal(s.sources[1].why[0].text,
			    "SPF fail for example.com; DKIM pass d=example.onmicrosoft.com "
			    "s=selector1, not aligned");
	assert_string_equal(s.sources[1].provider, "");  /* no table given */
	assert_string_equal(s.sources[2].ip, "203.0.113.9");
	assert_int_equal(s.sources[2].why_count, 1);
	assert_int_equal(s.sources[2].why[0].count, 5);
	assert_string_equal(s.sources[2].why[0].text, "SPF fail for spoof.example; no DKIM signature");
	assert_int_equal(s.org_count, 2);
	assert_string_equal(s.orgs[0].name, "google.com");
	assert_int_equal(s.orgs[0].messages, 105);
	assert_int_equal(s.orgs[1].messages, 27);
	mxg_summary_free(&s);
}

static void test_reverse_and_provider(void **state)
{
	(void)state;
	char err[512];
	struct mxg_spf_providers prov;
	assert_int_equal(mxg_spf_providers_load("data/spf-providers.tsv", &prov, err, sizeof(err)), 0);
	struct mxg_resolver *r = mxg_resolver_zone_new();
	assert_non_null(r);
	assert_int_equal(mxg_zone_load_file(r, "tests/data/reports/2.0.192.in-addr.arpa.zone", NULL,
					    err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_load_file(r, "tests/data/reports/100.51.198.in-addr.arpa.zone",
					    NULL, err, sizeof(err)), 0);
	struct mxg_summary s;
	assert_int_equal(mxg_summary_init(&s, "example.com"), 0);
	fill(&s);
	struct mxg_psl *psl = mxg_psl_load(NULL, err, sizeof(err));
	assert_non_null(psl);
	mxg_summary_finish(&s, r, &prov, psl);
	assert_string_equal(s.sources[0].reverse, "mail.example.com");
	assert_string_equal(s.sources[0].provider, "");  /* passes: no advice */
	const struct mxg_summary_source *m = &s.sources[1];
	assert_string_equal(m->reverse, "mail-db8eur05on2040.outbound.protection.outlook.com");
	assert_string_equal(m->provider, "Microsoft 365");
	assert_string_equal(m->spf_needs, "spf.protection.outlook.com");
	assert_string_equal(m->dkim_needs, "selector1._domainkey.example.com");
	assert_string_equal(s.sources[2].reverse, "");  /* NXDOMAIN */
	assert_string_equal(s.sources[2].provider, "");
	assert_int_equal(s.resolved, 3);
	assert_int_equal(s.resolve_failed, 0);
	assert_int_equal(s.rdomain_count, 2);
	assert_string_equal(s.rdomains[0].name, "example.com");
	assert_int_equal(s.rdomains[0].messages, 120);
	assert_int_equal(s.rdomains[0].passed, 120);
	assert_string_equal(s.rdomains[1].name, "outlook.com");
	assert_int_equal(s.rdomains[1].sources, 1);
	assert_int_equal(s.rdomains[1].passed, 0);
	assert_int_equal(s.no_reverse_messages, 5);
	mxg_psl_free(psl);
	mxg_summary_free(&s);
	mxg_resolver_free(r);
	mxg_spf_providers_free(&prov);
}

/* Several SPF results and reasons: the reporter's verdict counts (not SPF aligned although a
 * HELO result passed), every result and reason is named; records count under their From. */
static void test_all_results_and_froms(void **state)
{
	(void)state;
	struct mxg_summary s;
	assert_int_equal(mxg_summary_init(&s, "example.com"), 0);
	struct mxg_store_rr_record r = rec("198.51.100.20", 6, "fail", "fail");
	mxg_strlcpy(r.header_from, "News.Example.com", sizeof(r.header_from));
	const char *f[2][3] = { { "lists.example", "mfrom", "fail" },
				{ "mx.lists.example", "helo", "pass" } };
	for (size_t i = 0; i < 2; i++) {
		mxg_strlcpy(r.spf[i].domain, f[i][0], sizeof(r.spf[i].domain));
		mxg_strlcpy(r.spf[i].scope, f[i][1], sizeof(r.spf[i].scope));
		mxg_strlcpy(r.spf[i].result, f[i][2], sizeof(r.spf[i].result));
	}
	r.spf_count = 2;
	mxg_strlcpy(r.reasons[0].type, "forwarded", sizeof(r.reasons[0].type));
	mxg_strlcpy(r.reasons[0].comment, "a list", sizeof(r.reasons[0].comment));
	mxg_strlcpy(r.reasons[1].type, "local_policy", sizeof(r.reasons[1].type));
	r.reason_count = 2;
	assert_int_equal(mxg_summary_add(&s, "o", &r), 0);
	r = rec("198.51.100.20", 2, "pass", "pass");
	r.header_from[0] = '\0';  /* counted under the summary's domain */
	assert_int_equal(mxg_summary_add(&s, "o", &r), 0);
	mxg_summary_finish(&s, NULL, NULL, NULL);
	assert_int_equal(s.spf_aligned, 2);
	assert_int_equal(s.source_count, 1);
	assert_string_equal(s.sources[0].why[0].text,
			    "SPF fail for lists.example, SPF pass for mx.lists.example (HELO, not "
			    "used by DMARC); no DKIM signature; reported as forwarded: a list, "
			    "local_policy");
	assert_int_equal(s.sources[0].from_count, 2);
	assert_string_equal(s.sources[0].froms[0], "news.example.com");
	assert_int_equal(s.from_count, 2);
	assert_string_equal(s.froms[0].name, "news.example.com");
	assert_int_equal(s.froms[0].messages, 6);
	assert_int_equal(s.froms[0].passed, 0);
	assert_string_equal(s.froms[1].name, "example.com");
	assert_int_equal(s.froms[1].passed, 2);
	mxg_summary_free(&s);
}

static void test_source_bound(void **state)
{
	(void)state;
	struct mxg_summary s;
	assert_int_equal(mxg_summary_init(&s, "example.com"), 0);
	for (unsigned i = 0; i <= MXG_SUMMARY_SOURCES_MAX; i++) {
		char ip[64];
		snprintf(ip, sizeof(ip), "2001:db8::%x:%x", i >> 16, i & 0xffff);
		struct mxg_store_rr_record r = rec(ip, 1, "pass", "pass");
		assert_int_equal(mxg_summary_add(&s, "o", &r), 0);
	}
	assert_int_equal(s.source_count, MXG_SUMMARY_SOURCES_MAX);
	assert_int_equal(s.other_sources_messages, 1);
	assert_int_equal(s.total, MXG_SUMMARY_SOURCES_MAX + 1);
	mxg_summary_finish(&s, NULL, NULL, NULL);
	struct mxg_store_rr_record r = rec("192.0.2.1", 1, "pass", "pass");
	assert_int_equal(mxg_summary_add(&s, "o", &r), -1);  /* after finish */
	mxg_summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_reverse_and_provider),
		cmocka_unit_test(test_source_bound),
		cmocka_unit_test(test_all_results_and_froms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
