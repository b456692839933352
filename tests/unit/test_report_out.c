/* Unit tests of aggregate reports out: rua URIs taken apart (address, !size), the report XML
 * (libxml2 escapes every value; counts; IPv6 written in full), the DMARCbis format (namespace,
 * generator, np/testing/discovery_method, no pct, pass disposition, override names; the
 * round trip through report import is in the report-store suite), reporting intervals from ri=, gzip round trip, the file name and the
 * mail (one-line header values only, base64 attachment). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"
#include "mxguard/report_out.h"
#include "mxguard/str.h"

static void test_mailto(void **state)
{
	(void)state;
	struct mxg_dmarc_mailto m;
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:dmarc@Example.NET!10m", &m), 0);
	assert_string_equal(m.address, "dmarc@Example.NET");
	assert_string_equal(m.host, "example.net");
	assert_int_equal(m.max_size, 10u << 20);
	assert_int_equal(mxg_dmarc_mailto_parse("MAILTO:a@b.example?subject=x", &m), 0);
	assert_string_equal(m.address, "a@b.example");
	assert_int_equal(m.max_size, 0);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:a@b.example!500", &m), 0);
	assert_int_equal(m.max_size, 500);
	assert_int_equal(mxg_dmarc_mailto_parse("https://b.example/r", &m), -1);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:nobody", &m), -1);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:a@b.example!10x", &m), -1);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:a@b.example!0", &m), -1);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:a b@b.example", &m), -1);
	assert_int_equal(mxg_dmarc_mailto_parse("mailto:a@b.example!99999999999999999999t", &m), -1);
}

static void meta_fill(struct mxg_report_meta *m)
{
	memset(m, 0, sizeof(*m));
	mxg_strlcpy(m->org_name, "Org <&> \"x\"", sizeof(m->org_name));
	mxg_strlcpy(m->email, "noreply-dmarc@rcv.example", sizeof(m->email));
	mxg_strlcpy(m->receiver, "rcv.example", sizeof(m->receiver));
	mxg_strlcpy(m->report_id, "1700006400.abc", sizeof(m->report_id));
	m->begin = 1700006400;
	m->end = 1700006400 + 86400;
}

static void group_fill(struct mxg_store_group *g, const char *ip, uint64_t count)
{
	memset(g, 0, sizeof(*g));
	mxg_strlcpy(g->e.source_ip, ip, sizeof(g->e.source_ip));
	mxg_strlcpy(g->e.policy_domain, "q.example", sizeof(g->e.policy_domain));
	mxg_strlcpy(g->e.header_from, "q.example", sizeof(g->e.header_from));
	mxg_strlcpy(g->e.spf_result, "fail", sizeof(g->e.spf_result));
	mxg_strlcpy(g->e.spf_scope, "mfrom", sizeof(g->e.spf_scope));
	mxg_strlcpy(g->e.disposition, "none", sizeof(g->e.disposition));
	mxg_strlcpy(g->e.override, "local_policy", sizeof(g->e.override));
	mxg_strlcpy(g->e.override_comment, "rollout mode: </comment>", sizeof(g->e.override_comment));
	mxg_strlcpy(g->e.p, "reject", sizeof(g->e.p));
	g->e.pct = 100;
	g->count = count;
}

static void test_xml(void **state)
{
	(void)state;
	struct mxg_report_meta m;
	struct mxg_store_group g1, g2;
	char err[256], *xml = NULL;
	size_t len = 0;
	meta_fill(&m);
	group_fill(&g1, "192.0.2.1", 5);
	group_fill(&g2, "2001:db8::1", 2);
	struct mxg_report_xml *x = mxg_report_xml_new(&m, &g1.e, err, sizeof(err));
	assert_non_null(x);
	assert_int_equal(mxg_report_xml_record(x, &g1, err, sizeof(err)), 0);
	assert_int_equal(mxg_report_xml_record(x, &g2, err, sizeof(err)), 0);
	assert_int_equal(mxg_report_xml_records(x), 2);
	assert_int_equal(mxg_report_xml_messages(x), 7);
	assert_int_equal(mxg_report_xml_dump(x, &xml, &len, err, sizeof(err)), 0);
	mxg_report_xml_free(x);
	assert_non_null(strstr(xml, "<org_name>Org &lt;&amp;&gt; \"x\"</org_name>"));
	assert_non_null(strstr(xml, "<comment>rollout mode: &lt;/comment&gt;</comment>"));
	assert_non_null(strstr(xml, "<source_ip>2001:db8:0:0:0:0:0:1</source_ip>"));
	assert_non_null(strstr(xml, "<end>1700092799</end>"));
	assert_non_null(strstr(xml, "<sp>reject</sp>"));
	assert_null(strstr(xml, "</comment></comment>"));

	/* gzip round trip */
	uint8_t *gz = NULL;
	size_t gzlen = 0;
	assert_int_equal(mxg_report_gzip(xml, len, "r.xml", 1700000000, &gz, &gzlen, err,
					 sizeof(err)), 0);
	assert_true(gzlen > 18 && gz[0] == 0x1f && gz[1] == 0x8b);
	char *back = malloc(len + 1);
	z_stream zs = { 0 };
	assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
	zs.next_in = gz;
	zs.avail_in = (uInt)gzlen;
	zs.next_out = (Bytef *)back;
	zs.avail_out = (uInt)len + 1;
	assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
	assert_int_equal(zs.total_out, len);
	inflateEnd(&zs);
	assert_memory_equal(back, xml, len);
	free(back);
	free(gz);
	free(xml);
}

/* The report of g1 and g2 in format f, as text (caller frees). */
static char *report_text(enum mxg_report_format f, const struct mxg_store_group *g1,
			 const struct mxg_store_group *g2, size_t *len)
{
	struct mxg_report_meta m;
	char err[256], *xml = NULL;
	meta_fill(&m);
	m.format = f;
	struct mxg_report_xml *x = mxg_report_xml_new(&m, &g1->e, err, sizeof(err));
	assert_non_null(x);
	assert_int_equal(mxg_report_xml_record(x, g1, err, sizeof(err)), 0);
	assert_int_equal(mxg_report_xml_record(x, g2, err, sizeof(err)), 0);
	assert_int_equal(mxg_report_xml_dump(x, &xml, len, err, sizeof(err)), 0);
	mxg_report_xml_free(x);
	return xml;
}

static void test_xml_dmarcbis(void **state)
{
	(void)state;
	struct mxg_store_group g1, g2;
	size_t len = 0;
	group_fill(&g1, "192.0.2.1", 5);
	group_fill(&g2, "2001:db8::1", 2);
	/* g1: a pass under p=reject, with a recipient and t=y; g2: t=y made the policy none. */
	mxg_strlcpy(g1.e.dmarc_result, "pass", sizeof(g1.e.dmarc_result));
	g1.e.override[0] = '\0';
	mxg_strlcpy(g1.e.envelope_to, "rcpt.example", sizeof(g1.e.envelope_to));
	mxg_strlcpy(g1.e.discovery, "treewalk", sizeof(g1.e.discovery));
	mxg_strlcpy(g1.e.spf_domain, "q.example", sizeof(g1.e.spf_domain));
	g1.e.testing = 1;
	g1.e.pct = -1;
	mxg_strlcpy(g2.e.dmarc_result, "fail", sizeof(g2.e.dmarc_result));
	mxg_strlcpy(g2.e.override_comment, "testing mode (t=y)", sizeof(g2.e.override_comment));
	g2.e.testing = 1;
	char *xml = report_text(MXG_REPORT_DMARCBIS, &g1, &g2, &len);
	assert_non_null(strstr(xml, "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"));
	assert_non_null(strstr(xml, "<generator>mxguard "));
	assert_non_null(strstr(xml, "<discovery_method>treewalk</discovery_method>"));
	assert_non_null(strstr(xml, "<np>reject</np>"));
	assert_non_null(strstr(xml, "<testing>y</testing>"));
	assert_null(strstr(xml, "<pct>"));
	assert_non_null(strstr(xml, "<disposition>pass</disposition>"));
	assert_non_null(strstr(xml, "<type>policy_test_mode</type>"));
	assert_non_null(strstr(xml, "<envelope_to>rcpt.example</envelope_to>"));
	assert_non_null(strstr(xml, "<source_ip>2001:db8::1</source_ip>"));
	/* g2 ran no SPF: no <spf> (optional in DMARCbis); g1's has its mfrom scope. */
	assert_non_null(strstr(xml, "<scope>mfrom</scope>"));

	free(xml);

	/* RFC 7489 output of the same keeps its names: no namespace, pct, none, local_policy. */
	xml = report_text(MXG_REPORT_RFC7489, &g1, &g2, &len);
	assert_non_null(strstr(xml, "<feedback>"));
	assert_non_null(strstr(xml, "<pct>100</pct>"));
	assert_null(strstr(xml, "<generator>"));
	assert_null(strstr(xml, "<disposition>pass</disposition>"));
	assert_non_null(strstr(xml, "<type>local_policy</type>"));
	assert_non_null(strstr(xml, "<envelope_to>rcpt.example</envelope_to>"));
	free(xml);
}

static void test_format_names(void **state)
{
	(void)state;
	enum mxg_report_format f;
	assert_int_equal(mxg_report_format_parse("dmarcbis", &f), 0);
	assert_int_equal(f, MXG_REPORT_DMARCBIS);
	assert_string_equal(mxg_report_format_name(f), "dmarcbis");
	assert_int_equal(mxg_report_format_parse("rfc7489", &f), 0);
	assert_int_equal(f, MXG_REPORT_RFC7489);
	assert_int_equal(mxg_report_format_parse("RFC7489", &f), -1);
	assert_int_equal(mxg_report_format_parse("", &f), -1);
}

static void test_intervals(void **state)
{
	(void)state;
	/* ri to a whole number of hours dividing the day, at most a day, at least an hour. */
	assert_int_equal(mxg_report_interval_len(86400), 86400);
	assert_int_equal(mxg_report_interval_len(604800), 86400);
	assert_int_equal(mxg_report_interval_len(0), 86400);
	assert_int_equal(mxg_report_interval_len(-5), 86400);
	assert_int_equal(mxg_report_interval_len(86399), 12 * 3600);
	assert_int_equal(mxg_report_interval_len(10 * 3600), 8 * 3600);
	assert_int_equal(mxg_report_interval_len(5 * 3600), 4 * 3600);
	assert_int_equal(mxg_report_interval_len(3600), 3600);
	assert_int_equal(mxg_report_interval_len(7199), 3600);
	assert_int_equal(mxg_report_interval_len(60), 3600);
	for (int64_t ri = 1; ri <= 86400; ri += 97) {
		int64_t len = mxg_report_interval_len(ri);
		assert_int_equal(86400 % len, 0);
		assert_int_equal(len % 3600, 0);
		assert_true(len <= ri || len == 3600);
	}
	/* Aligned to the grid from midnight; a begin off this length's grid (ri changed) is cut
	 * short to reach it, so intervals never overlap. */
	const int64_t day = 1700006400;
	assert_int_equal(mxg_report_interval_end(day, 86400), day + 86400);
	assert_int_equal(mxg_report_interval_end(day, 3600), day + 3600);
	assert_int_equal(mxg_report_interval_end(day + 13 * 3600, 86400), day + 86400);
	assert_int_equal(mxg_report_interval_end(day + 13 * 3600, 6 * 3600), day + 18 * 3600);
	assert_int_equal(mxg_report_interval_end(day + 1, 3600), day + 3600);
	/* A walk of changing lengths covers the time once: each end is the next begin. */
	int64_t b = day, lens[] = { 3600, 86400, 7200, 28800, 86400 };
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		int64_t e = mxg_report_interval_end(b, lens[i]);
		assert_true(e > b && e - b <= lens[i] && e % lens[i] == 0);
		b = e;
	}
	assert_int_equal(b, day + 2 * 86400);
}

static void test_name_and_mail(void **state)
{
	(void)state;
	struct mxg_report_meta m;
	char name[512], err[256], *mail = NULL;
	size_t mlen = 0;
	meta_fill(&m);
	assert_int_equal(mxg_report_filename(&m, "q.example", name, sizeof(name)), 0);
	assert_string_equal(name, "rcv.example!q.example!1700006400!1700092799!1700006400.abc.xml.gz");
	assert_int_equal(mxg_report_filename(&m, "q!x.example", name, sizeof(name)), -1);
	const uint8_t gz[100] = { 0x1f, 0x8b };
	assert_int_equal(mxg_report_mail(&m, "q.example", "dmarc@q.example", name, gz, sizeof(gz),
					 &mail, &mlen, err, sizeof(err)), 0);
	assert_non_null(strstr(mail, "\nSubject: Report Domain: q.example Submitter: rcv.example "
				     "Report-ID: <1700006400.abc>\n"));
	assert_non_null(strstr(mail, "Content-Type: application/gzip"));
	assert_non_null(strstr(mail, "\nH4sAAAAA")); /* base64 of 1f 8b 00 ... */
	free(mail);
	/* A value that would add a header field is refused. */
	mxg_strlcpy(m.email, "a@b.example\nBcc: victim@x.example", sizeof(m.email));
	assert_int_equal(mxg_report_mail(&m, "q.example", "dmarc@q.example", name, gz, sizeof(gz),
					 &mail, &mlen, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "printable"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mailto),
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_xml_dmarcbis),
		cmocka_unit_test(test_format_names),
		cmocka_unit_test(test_intervals),
		cmocka_unit_test(test_name_and_mail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
