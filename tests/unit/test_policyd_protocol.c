/* Unit tests of mxguard-policyd's wire parsers: policy requests (SMTPD_POLICY_README) and
 * socketmap netstrings, each bound and each malformed shape rejected with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policyd.h"

static const char good[] =
	"request=smtpd_access_policy\nprotocol_state=RCPT\nprotocol_name=ESMTP\n"
	"client_address=11.1.1.10\nhelo_name=client.pd.test\nsender=a@good.pd.test\n"
	"recipient=b@corp.pd.test\nencryption_protocol=TLSv1.3\nccert_fingerprint=AB:CD\n"
	"instance=1.2.3\npolicy_context=\n";

static int parse(const char *text, size_t max_attrs, struct policyd_request *q, char *err)
{
	return policyd_request_parse(text, strlen(text), max_attrs, q, err, 128);
}

static void test_request_end(void **state)
{
	size_t used;
	(void)state;
	assert_int_equal(policyd_request_end("a=b\n", 4, &used), -1);
	assert_int_equal(policyd_request_end("a=b\n\nc", 6, &used), 4);
	assert_int_equal(used, 5);
	assert_int_equal(policyd_request_end("\n", 1, &used), 0);
	assert_int_equal(used, 1);
}

static void test_good_request(void **state)
{
	struct policyd_request q;
	char err[128];
	(void)state;
	assert_int_equal(parse(good, 100, &q, err), 0);
	assert_string_equal(q.protocol_state, "RCPT");
	assert_string_equal(q.client_address, "11.1.1.10");
	assert_string_equal(q.sender, "a@good.pd.test");
	assert_string_equal(q.recipient, "b@corp.pd.test");
	assert_string_equal(q.encryption_protocol, "TLSv1.3");
	assert_string_equal(q.ccert_fingerprint, "AB:CD");
	assert_null(q.ccert_pubkey_fingerprint);
	assert_int_equal(q.n_attrs, 11);
	policyd_request_free(&q);
}

static void expect_bad(const char *text, size_t max_attrs, const char *why)
{
	struct policyd_request q;
	char err[128] = "";
	assert_int_equal(parse(text, max_attrs, &q, err), -1);
	assert_non_null(strstr(err, why));
	assert_null(q.store);
}

static void test_bad_requests(void **state)
{
	(void)state;
	expect_bad("protocol_state=RCPT\n", 100, "request=smtpd_access_policy");
	expect_bad("request=other\n", 100, "request=smtpd_access_policy");
	expect_bad("request=smtpd_access_policy\nno equals sign\n", 100, "without '='");
	expect_bad("request=smtpd_access_policy\n=value\n", 100, "bad attribute name");
	expect_bad("request=smtpd_access_policy\nBad-Name=x\n", 100, "bad attribute name");
	expect_bad("request=smtpd_access_policy\nsender=a\x01@b\n", 100, "control character");
	expect_bad("request=smtpd_access_policy\nsender=a\r\n", 100, "control character");
	expect_bad("request=smtpd_access_policy\nsender=a\nsender=b\n", 100, "twice");
	expect_bad(good, 10, "too many attributes");
	expect_bad("", 100, "empty");
}

static void test_nul_byte(void **state)
{
	struct policyd_request q;
	char err[128];
	static const char text[] = "request=smtpd_access_policy\nsender=a\0b\n";
	(void)state;
	assert_int_equal(policyd_request_parse(text, sizeof(text) - 1, 100, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
}

static void test_netstrings(void **state)
{
	const char *p;
	size_t n, used;
	char err[128];
	(void)state;
	assert_int_equal(policyd_netstring_parse("5:hello,x", 9, 100, &p, &n, &used, err, 128), 1);
	assert_int_equal(n, 5);
	assert_memory_equal(p, "hello", 5);
	assert_int_equal(used, 8);
	assert_int_equal(policyd_netstring_parse("5:hel", 5, 100, &p, &n, &used, err, 128), 0);
	assert_int_equal(policyd_netstring_parse("12", 2, 100, &p, &n, &used, err, 128), 0);
	assert_int_equal(policyd_netstring_parse("0:,", 3, 100, &p, &n, &used, err, 128), 1);
	assert_int_equal(n, 0);
	assert_int_equal(policyd_netstring_parse("05:hello,", 9, 100, &p, &n, &used, err, 128), -1);
	assert_int_equal(policyd_netstring_parse("x:", 2, 100, &p, &n, &used, err, 128), -1);
	assert_int_equal(policyd_netstring_parse("5:hello;", 8, 100, &p, &n, &used, err, 128), -1);
	assert_int_equal(policyd_netstring_parse("101:", 4, 100, &p, &n, &used, err, 128), -1);
	assert_int_equal(policyd_netstring_parse("99999999999", 11, 1 << 30, &p, &n, &used, err, 128), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_end),
		cmocka_unit_test(test_good_request),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_netstrings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
