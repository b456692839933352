/* Unit tests of the received-report reader: the fixtures of tests/data/reports (RFC 7489 and
 * DMARCbis XML, .xml.gz, .zip, a mail message) read into the expected values, and every hostile
 * or broken input of tests/data/reports/hostile refused with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "mxguard/report_read.h"

#define DATA "tests/data/reports/"

static struct mxg_report rep;
static char err[256];

static int read_path(const char *path)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	err[0] = '\0';
	if (mxg_report_load_file(path, &buf, &len, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	int rc = mxg_report_read(buf, len, &rep, err, sizeof(err));
	free(buf);
	return rc;
}

static void expect_refused(const char *path, const char *why)
{
	assert_int_equal(read_path(path), -1);
	if (strstr(err, why) == NULL)
		fail_msg("%s: error '%s' does not say '%s'", path, err, why);
	assert_int_equal(rep.record_count, 0);
	assert_null(rep.records);
}

static void check_google(void)
{
	assert_string_equal(rep.org_name, "google.com");
	assert_string_equal(rep.email, "noreply-dmarc-support@google.com");
	assert_string_equal(rep.report_id, "17563985240183727356");
	assert_int_equal(rep.begin, 1796342400);
	assert_int_equal(rep.end, 1796428799);
	assert_false(rep.dmarcbis);
	assert_string_equal(rep.policy.domain, "example.com");
	assert_string_equal(rep.policy.p, "none");
	assert_int_equal(rep.policy.pct, 100);
	assert_int_equal(rep.record_count, 3);
	assert_int_equal(rep.message_total, 120 + 34 + 5);
	const struct mxg_report_record *r = &rep.records[1];
	assert_string_equal(r->source_ip, "198.51.100.7");
	assert_int_equal(r->count, 34);
	assert_string_equal(r->dkim_eval, "fail");
	assert_int_equal(r->dkim_count, 1);
	assert_string_equal(r->dkim[0].domain, "sendgrid.net");
	assert_string_equal(r->dkim[0].selector, "s1");
	assert_string_equal(r->spf[0].domain, "bounces.sendgrid.net");
	r = &rep.records[2];
	assert_string_equal(r->source_ip, "2001:db8::1:25");
	assert_int_equal(r->source.family, 6);
	assert_int_equal(r->reason_count, 1);
	assert_string_equal(r->reasons[0].type, "forwarded");
	assert_string_equal(r->reasons[0].comment, "list & forwarder");
	assert_string_equal(r->dkim[0].human_result, "body hash did not verify");
	assert_string_equal(r->spf[0].result, "softfail");
}

static void test_xml(void **state)
{
	(void)state;
	assert_int_equal(read_path(DATA "google.xml"), 0);
	assert_int_equal(rep.source, MXG_REPORT_FROM_XML);
	check_google();
	mxg_report_free(&rep);
}

static void test_gzip(void **state)
{
	(void)state;
	assert_int_equal(read_path(DATA "google.xml.gz"), 0);
	assert_int_equal(rep.source, MXG_REPORT_FROM_GZIP);
	check_google();
	mxg_report_free(&rep);
}

static void test_zip_dmarcbis(void **state)
{
	(void)state;
	assert_int_equal(read_path(DATA "bis.zip"), 0);
	assert_int_equal(rep.source, MXG_REPORT_FROM_ZIP);
	assert_true(rep.dmarcbis);
	assert_string_equal(rep.report_id, "bis-2026-12-06-0001");
	assert_string_equal(rep.policy.np, "reject");
	assert_string_equal(rep.policy.testing, "n");
	assert_string_equal(rep.policy.discovery_method, "treewalk");
	assert_int_equal(rep.policy.pct, -1);
	assert_int_equal(rep.record_count, 2);
	assert_string_equal(rep.records[0].disposition, "pass");
	assert_string_equal(rep.records[1].envelope_from, "spoof.example");
	assert_int_equal(rep.records[1].dkim_count, 0);
	assert_int_equal(rep.message_total, 43);
	mxg_report_free(&rep);
}

static void test_mail(void **state)
{
	(void)state;
	assert_int_equal(read_path(DATA "yahoo.eml"), 0);
	assert_int_equal(rep.source, MXG_REPORT_FROM_MAIL);
	assert_string_equal(rep.org_name, "Yahoo");
	assert_string_equal(rep.report_id, "1796400000.620118");
	assert_int_equal(rep.record_count, 3);
	assert_string_equal(rep.records[0].spf[0].scope, "mfrom");
	assert_string_equal(rep.records[2].dkim[0].domain, "example.onmicrosoft.com");
	assert_int_equal(rep.message_total, 10 + 6 + 7);
	mxg_report_free(&rep);
}

static void test_hostile_xml(void **state)
{
	(void)state;
	expect_refused(DATA "hostile/billion-laughs.xml", "DOCTYPE");
	expect_refused(DATA "hostile/xxe.xml", "DOCTYPE");
	expect_refused(DATA "hostile/undeclared-entity.xml", "entity reference is refused");
	expect_refused(DATA "hostile/huge-count.xml", "<count> '99999999999999999999' is not a whole number");
	expect_refused(DATA "hostile/deep.xml", "nested deeper than 12");
	expect_refused(DATA "hostile/bad-ip.xml", "record 1: <source_ip> '192.0.2.256' is not an IP");
	expect_refused(DATA "hostile/no-source-ip.xml", "record 2: <row> lacks <source_ip>");
	expect_refused(DATA "hostile/not-feedback.xml", "root element is <html>");
}

static void test_hostile_packing(void **state)
{
	(void)state;
	expect_refused(DATA "hostile/truncated.xml.gz", "gzip: truncated");
	expect_refused(DATA "hostile/not-xml.gz", "gzip: the unpacked data is not XML");
	expect_refused(DATA "hostile/bomb.xml.gz", "gzip:");
	assert_non_null(strstr(err, "bomb"));
	expect_refused(DATA "hostile/bomb.zip", "zip: entry of");
	expect_refused(DATA "hostile/ratio.xml.gz", "grew over 200 times");
	expect_refused(DATA "hostile/bomb-lying-size.zip", "grew over 200 times");
	expect_refused(DATA "hostile/wrong-type.eml", "no report attachment (XML, gzip or zip) among 3 parts");
	expect_refused(DATA "hostile/zip-type-text.eml", "attachment is neither XML, gzip, zip");
}

/* A message around body (headers of the part given), read; returns mxg_report_read's result. */
static int read_message(const char *part_headers, const char *body)
{
	char *msg = malloc(strlen(part_headers) + strlen(body) + 512);
	assert_non_null(msg);
	sprintf(msg, "From: r@receiver.example\r\nSubject: report\r\nMIME-Version: 1.0\r\n"
		     "Content-Type: multipart/mixed; boundary=\"xx\"\r\n\r\n--xx\r\n"
		     "Content-Type: text/plain\r\n\r\nhello\r\n--xx\r\n%s\r\n\r\n%s\r\n--xx--\r\n",
		part_headers, body);
	int rc = mxg_report_read((const uint8_t *)msg, strlen(msg), &rep, err, sizeof(err));
	free(msg);
	return rc;
}

static char *file_text(const char *path)
{
	uint8_t *buf;
	size_t len;
	assert_int_equal(mxg_report_load_file(path, &buf, &len, err, sizeof(err)), 0);
	buf[len] = '\0';
	return (char *)buf;
}

/* Quoted-printable XML, a report found by its file name only, a forwarded message. */
static void test_mime_forms(void **state)
{
	(void)state;
	char *xml = file_text(DATA "google.xml");
	char *qp = malloc(strlen(xml) * 3 + 1), *q = qp;
	assert_non_null(qp);
	for (const char *c = xml; *c; c++)
		q += *c == '=' ? sprintf(q, "=3D") : sprintf(q, "%c", *c);
	assert_int_equal(read_message("Content-Type: text/xml\r\nContent-Transfer-Encoding: "
				      "quoted-printable", qp), 0);
	check_google();
	mxg_report_free(&rep);
	assert_int_equal(read_message("Content-Type: application/octet-stream\r\n"
				      "Content-Disposition: attachment; filename=\"r.xml\"", xml), 0);
	check_google();
	mxg_report_free(&rep);
	char *inner = malloc(strlen(xml) + 256);
	assert_non_null(inner);
	sprintf(inner, "From: x@y.example\r\nContent-Type: application/xml\r\n\r\n%s", xml);
	assert_int_equal(read_message("Content-Type: message/rfc822", inner), 0);
	assert_int_equal(rep.source, MXG_REPORT_FROM_MAIL);
	check_google();
	mxg_report_free(&rep);
	free(inner);
	free(qp);
	free(xml);
}

/* Too many parts, too deep a nesting: refused by the named bounds. */
static void test_mime_bounds(void **state)
{
	(void)state;
	size_t size = 64 * (MXG_REPORT_MIME_PARTS_MAX + 2);
	char *many = malloc(size), *p = many;
	assert_non_null(many);
	for (int i = 0; i <= MXG_REPORT_MIME_PARTS_MAX; i++)
		p += sprintf(p, "Content-Type: text/plain\r\n\r\nx\r\n--xx\r\n");
	p += sprintf(p, "Content-Type: text/plain");
	assert_int_equal(read_message("Content-Type: text/plain", many), -1);
	assert_string_equal(err, "mail: more than 64 MIME parts");
	free(many);
	char deep[2048] = "Content-Type: text/xml\r\n\r\n<feedback/>";
	for (int i = 0; i < MXG_REPORT_MIME_DEPTH_MAX + 1; i++) {
		char wrap[2048];
		snprintf(wrap, sizeof(wrap), "Content-Type: message/rfc822\r\n\r\n%s", deep);
		memcpy(deep, wrap, sizeof(deep));
	}
	assert_int_equal(read_message("Content-Type: message/rfc822", deep), -1);
	assert_string_equal(err, "mail: MIME parts nested deeper than 4");
}

/* gzip of n bytes that do not compress much (hex digits of a simple generator). */
static uint8_t *gzip_noise(size_t n, size_t *outlen)
{
	uint8_t *raw = malloc(n);
	assert_non_null(raw);
	uint32_t x = 12345;
	raw[0] = '<';
	for (size_t i = 1; i < n; i++) {
		x = x * 1103515245u + 12345u;
		raw[i] = "0123456789abcdef"[(x >> 16) & 15];
	}
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t cap = deflateBound(&z, n);
	uint8_t *out = malloc(cap);
	assert_non_null(out);
	z.next_in = raw;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = cap - z.avail_out;
	deflateEnd(&z);
	free(raw);
	return out;
}

/* Over the output cap at a ratio a report could have: refused by size, not by ratio. */
static void test_output_cap(void **state)
{
	(void)state;
	size_t len;
	uint8_t *gz = gzip_noise(MXG_REPORT_XML_MAX + 4096, &len);
	assert_int_equal(mxg_report_read(gz, len, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "gzip: output over 8388608 bytes (a decompression bomb?)");
	free(gz);
}

/* Built here: a report with one record more than the limit, and values at their bounds. */
static char *many_records(size_t n)
{
	const char *head = "<feedback><report_metadata><org_name>o</org_name><email>e@o</email>"
			   "<report_id>r</report_id><date_range><begin>1</begin><end>2</end>"
			   "</date_range></report_metadata><policy_published><domain>d.example"
			   "</domain><p>none</p></policy_published>";
	const char *rec = "<record><row><source_ip>192.0.2.1</source_ip><count>1</count>"
			  "<policy_evaluated><disposition>none</disposition></policy_evaluated></row>"
			  "<identifiers><header_from>d.example</header_from></identifiers>"
			  "<auth_results/></record>";
	size_t size = strlen(head) + n * strlen(rec) + 16;
	char *x = malloc(size);
	assert_non_null(x);
	char *p = x + sprintf(x, "%s", head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s", rec);
	strcpy(p, "</feedback>");
	return x;
}

static void test_record_limit(void **state)
{
	(void)state;
	char *x = many_records(MXG_REPORT_RECORDS_MAX);
	assert_int_equal(mxg_report_parse_xml((uint8_t *)x, strlen(x), &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.record_count, MXG_REPORT_RECORDS_MAX);
	assert_int_equal(rep.message_total, MXG_REPORT_RECORDS_MAX);
	mxg_report_free(&rep);
	free(x);
	x = many_records(MXG_REPORT_RECORDS_MAX + 1);
	assert_int_equal(mxg_report_parse_xml((uint8_t *)x, strlen(x), &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 10000 records"));
	free(x);
}

static void test_values(void **state)
{
	(void)state;
	char *x = many_records(1);
	char *at = strstr(x, "<p>none</p>");
	memcpy(at, "<p>nope</p>", 11);
	assert_int_equal(mxg_report_parse_xml((uint8_t *)x, strlen(x), &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "report: <p> 'nope' is not one of none|quarantine|reject");
	memcpy(at, "<p>none</p>", 11);
	at = strstr(x, "<end>2</end>");
	memcpy(at, "<end>0</end>", 12);
	assert_int_equal(mxg_report_parse_xml((uint8_t *)x, strlen(x), &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "report: <date_range> ends before it begins");
	free(x);
	assert_int_equal(mxg_report_read((const uint8_t *)"", 0, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "the input is empty");
	uint8_t *big = calloc(1, MXG_REPORT_INPUT_MAX + 1);
	assert_non_null(big);
	big[0] = '<';
	assert_int_equal(mxg_report_read(big, MXG_REPORT_INPUT_MAX + 1, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "input of 16777217 bytes is over the limit of 16777216");
	big[MXG_REPORT_XML_MAX] = '\0';
	assert_int_equal(mxg_report_read(big, MXG_REPORT_XML_MAX + 1, &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "xml: document of 8388609 bytes is over the limit of 8388608");
	free(big);
	const char *junk = "\x01\x02 binary";
	assert_int_equal(mxg_report_read((const uint8_t *)junk, strlen(junk), &rep, err, sizeof(err)), -1);
	assert_string_equal(err, "the input is neither XML, gzip, zip nor a mail message");
}

/* Auth results and reasons past the limits are counted as skipped, the rest kept in order. */
static void test_skipped_details(void **state)
{
	(void)state;
	char *x = many_records(1);
	const char *spf = "<spf><domain>s.example</domain><result>fail</result></spf>";
	const char *why = "<reason><type>other</type></reason>";
	size_t extra = MXG_REPORT_AUTH_MAX + 2;
	size_t size = strlen(x) + extra * (strlen(spf) + strlen(why)) + 64;
	char *y = malloc(size);
	assert_non_null(y);
	char *auth = strstr(x, "<auth_results/>"), *pe = strstr(x, "</policy_evaluated>");
	char *p = y + sprintf(y, "%.*s", (int)(pe - x), x);
	for (size_t i = 0; i < extra; i++)
		p += sprintf(p, "%s", why);
	p += sprintf(p, "%.*s<auth_results>", (int)(auth - pe), pe);
	for (size_t i = 0; i < extra; i++)
		p += sprintf(p, "%s", spf);
	sprintf(p, "</auth_results>%s", auth + strlen("<auth_results/>"));
	assert_int_equal(mxg_report_parse_xml((uint8_t *)y, strlen(y), &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.records[0].spf_count, MXG_REPORT_AUTH_MAX);
	assert_int_equal(rep.records[0].reason_count, MXG_REPORT_REASONS_MAX);
	assert_int_equal(rep.records[0].skipped,
			 2 * extra - MXG_REPORT_AUTH_MAX - MXG_REPORT_REASONS_MAX);
	mxg_report_free(&rep);
	free(y);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_zip_dmarcbis),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_hostile_xml),
		cmocka_unit_test(test_hostile_packing),
		cmocka_unit_test(test_mime_forms),
		cmocka_unit_test(test_mime_bounds),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_record_limit),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_skipped_details),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
