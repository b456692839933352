/* Unit tests of what a DMARC report records of a judged message (report_record.c), on the
 * in-memory zone: identifiers, SPF scope and domain, the published policy with rua and its
 * !size, the disposition applied and the reason it differs (testing mode, rollout, receiver
 * policy), and no row for a domain without DMARC; the envelope side of a row (the first
 * recipient's domain, the discovery method). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/message.h"
#include "mxguard/report_record.h"
#include "mxguard/str.h"

static struct mxg_resolver *zone;
static struct mxg_message *msg;
static struct mxg_store_eval row;

static void rr(const char *line)
{
	char err[256];
	if (mxg_zone_add_text(zone, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

static int setup(void **state)
{
	(void)state;
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	rr("_dmarc.strict.example. 300 IN TXT \"v=DMARC1; p=reject; sp=quarantine; adkim=s; "
	   "rua=mailto:a@strict.example!10k,mailto:b@strict.example\"");
	rr("strict.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"");
	rr("_dmarc.testing.example. 300 IN TXT \"v=DMARC1; p=reject; t=y\"");
	rr("testing.example. 300 IN TXT \"v=spf1 -all\"");
	rr("nodmarc.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_message_free(msg);
	msg = NULL;
	mxg_resolver_free(zone);
	return 0;
}

/* Judges a message from ip with MAIL FROM and From in domain; the row's return code. */
static int judge(const char *ip, const char *domain, int rollout, int dmarc_reject)
{
	struct mxg_message_options opt = { 0 };
	struct mxg_addr a;
	char text[512];
	opt.authserv_id = "mx.test";
	mxg_policy_defaults(&opt.policy);
	opt.policy.rollout = rollout;
	opt.policy.dmarc_reject = dmarc_reject;
	mxg_message_free(msg);
	msg = mxg_message_new(zone, &opt);
	assert_non_null(msg);
	assert_int_equal(mxg_addr_parse(ip, &a, 1), 0);
	mxg_message_client(msg, &a);
	mxg_message_helo(msg, "client.example");
	snprintf(text, sizeof(text), "bounce@%s", domain);
	assert_int_equal(mxg_message_mail_from(msg, text), 0);
	snprintf(text, sizeof(text), "From: <a@%s>\r\nSubject: x\r\n\r\nbody\r\n", domain);
	assert_int_equal(mxg_message_replay(msg, text, strlen(text)), 0);
	mxg_message_finish(msg);
	return mxg_report_eval_from_result(mxg_message_result(msg), &a, 1700000000, &row);
}

static void test_pass(void **state)
{
	(void)state;
	assert_int_equal(judge("192.0.2.1", "strict.example", 0, 1), 0);
	assert_int_equal(row.time, 1700000000);
	assert_string_equal(row.source_ip, "192.0.2.1");
	assert_string_equal(row.env_from, "strict.example");
	assert_string_equal(row.header_from, "strict.example");
	assert_string_equal(row.policy_domain, "strict.example");
	assert_string_equal(row.spf_result, "pass");
	assert_string_equal(row.spf_domain, "strict.example");
	assert_string_equal(row.spf_scope, "mfrom");
	assert_int_equal(row.dkim_count, 0);
	assert_string_equal(row.dmarc_result, "pass");
	assert_true(row.spf_aligned);
	assert_false(row.dkim_aligned);
	assert_string_equal(row.p, "reject");
	assert_string_equal(row.sp, "quarantine");
	assert_string_equal(row.np, "");
	assert_true(row.adkim_strict);
	assert_false(row.aspf_strict);
	assert_string_equal(row.rua, "mailto:a@strict.example!10240,mailto:b@strict.example");
	assert_string_equal(row.disposition, "none");
	assert_string_equal(row.override, "");
}

static void test_reject(void **state)
{
	(void)state;
	assert_int_equal(judge("198.51.100.7", "strict.example", 0, 1), 0);
	assert_string_equal(row.spf_result, "fail");
	assert_string_equal(row.dmarc_result, "fail");
	assert_string_equal(row.disposition, "reject");
	assert_string_equal(row.override, "");
}

static void test_overrides(void **state)
{
	(void)state;
	/* Rollout: refused nothing, and says why. */
	assert_int_equal(judge("198.51.100.7", "strict.example", 1, 1), 0);
	assert_string_equal(row.disposition, "none");
	assert_string_equal(row.override, "local_policy");
	assert_non_null(strstr(row.override_comment, "rollout"));
	/* The receiver does not honour p=reject. */
	assert_int_equal(judge("198.51.100.7", "strict.example", 0, 0), 0);
	assert_string_not_equal(row.disposition, "reject");
	assert_string_equal(row.override, "local_policy");
	assert_non_null(strstr(row.override_comment, "receiver policy"));
	/* t=y: one step lower than published. */
	assert_int_equal(judge("198.51.100.7", "testing.example", 0, 1), 0);
	assert_string_equal(row.disposition, "quarantine");
	assert_string_equal(row.override, "local_policy");
	assert_string_equal(row.override_comment, "testing mode (t=y)");
	assert_true(row.testing);
}

static void test_no_dmarc(void **state)
{
	(void)state;
	assert_int_equal(judge("192.0.2.1", "nodmarc.example", 0, 1), 1);
}

static void test_envelope(void **state)
{
	(void)state;
	struct mxg_store_eval e;
	memset(&e, 0, sizeof(e));
	mxg_report_eval_envelope(&e, "<Rcpt@Mail.Example.>", MXG_DMARC_MODE_9989);
	assert_string_equal(e.envelope_to, "mail.example");
	assert_string_equal(e.discovery, "treewalk");
	mxg_report_eval_envelope(&e, "postmaster@b.example", MXG_DMARC_MODE_7489);
	assert_string_equal(e.envelope_to, "b.example");
	assert_string_equal(e.discovery, "psl");
	mxg_report_eval_envelope(&e, NULL, MXG_DMARC_MODE_9989);
	assert_string_equal(e.envelope_to, "");
	/* A domain longer than a DNS name is not recorded. */
	char longer[400] = "a@";
	memset(longer + 2, 'x', 300);
	longer[302] = '\0';
	mxg_report_eval_envelope(&e, longer, MXG_DMARC_MODE_9989);
	assert_string_equal(e.envelope_to, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),
		cmocka_unit_test(test_reject),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_no_dmarc),
		cmocka_unit_test(test_envelope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
