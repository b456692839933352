/* Unit tests of the message engine (message.c) on the in-memory zone: a whole message replayed
 * as an MTA splits it, judged end to end. Most cases are forgeries of a p=reject domain
 * (victim.example) dressed in some From ambiguity; each must be refused with reject_bad_from
 * off, so that DMARC over every author domain, not the From rule, is what stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rfc8463.h"
#include "zone_publish.h"
#include "message_start.h"

#include "mxguard/message.h"
#include "mxguard/str.h"

#define SIGNED_REST HEADERS "\r\n" BODY

static struct mxg_resolver *zone;
static struct mxg_message *msg;
static const struct mxg_message_result *res;
static struct mxg_policy policy;

static void rr(const char *line)
{
	zone_line(zone, line);
}

static int setup(void **state)
{
	uint8_t rd[256];
	size_t n = strlen(brisbane_key);

	(void)state;
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	rd[0] = (uint8_t)n;
	memcpy(rd + 1, brisbane_key, n);
	assert_int_equal(mxg_zone_add_rr(zone, "brisbane._domainkey.football.example.com", MXG_DNS_TXT,
					 600, rd, n + 1), 0);
	rr("_dmarc.football.example.com. 300 IN TXT \"v=DMARC1; p=reject\"");
	rr("_dmarc.victim.example. 300 IN TXT \"v=DMARC1; p=reject\"");
	rr("_dmarc.soft.example. 300 IN TXT \"v=DMARC1; p=quarantine\"");
	rr("victim.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"");
	rr("attacker.example. 300 IN TXT \"v=spf1 +all\"");
	mxg_policy_defaults(&policy);
	policy.reject_bad_from = 0;
	msg = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_message_free(msg);
	mxg_resolver_free(zone);
	return 0;
}

/* A new message from 198.51.100.7 (HELO client.attacker.example), MAIL FROM mail_from. */
static void start(const char *mail_from)
{
	mxg_message_free(msg);
	msg = message_start(zone, &policy, 1528637909 + 60, "client.attacker.example", mail_from);
}

/* Replays text (len bytes) after start(mail_from), and finishes. */
static void judge_n(const char *mail_from, const char *text, size_t len)
{
	start(mail_from);
	assert_int_equal(mxg_message_replay(msg, text, len), 0);
	mxg_message_finish(msg);
	res = mxg_message_result(msg);
	assert_false(res->internal_error);
}

static void judge(const char *text)
{
	judge_n("<bounce@attacker.example>", text, strlen(text));
}

static void expect_reject_for(const char *domain)
{
	assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
	assert_int_equal(res->dmarc.result, MXG_DMARC_FAIL);
	assert_string_equal(res->dmarc.from_domain, domain);
	assert_non_null(strstr(res->authres, "dmarc=fail"));
	assert_string_equal(res->verdict.why, "dmarc-reject");
}

static int has_domain(const char *d)
{
	for (size_t i = 0; i < res->from_domain_count; i++)
		if (strcmp(res->from_domains[i], d) == 0)
			return 1;
	return 0;
}

static void test_aligned_pass(void **state)
{
	(void)state;
	judge(SIG_ED SIGNED_REST);
	assert_int_equal(res->dmarc.result, MXG_DMARC_PASS);
	assert_int_equal(res->verdict.action, MXG_ACTION_ACCEPT);
	assert_int_equal(res->from_status, MXG_FROM_OK);
	assert_non_null(strstr(res->authres, "dkim=pass"));
	assert_non_null(strstr(res->authres, "dmarc=pass"));
	assert_non_null(strstr(res->authres, "header.from=football.example.com"));
}

static void test_plain_forgery(void **state)
{
	(void)state;
	judge("From: Bank <alerts@victim.example>\r\nSubject: hi\r\n\r\nbody\r\n");
	expect_reject_for("victim.example");
	assert_int_equal(res->spf.result, MXG_SPF_PASS); /* attacker's own SPF: unaligned */
}

/* Several From fields, any number: the victim hidden behind one, three or six others. */
static void test_several_from_fields(void **state)
{
	static const unsigned before[] = { 1, 3, 6 };
	char text[2048];

	(void)state;
	for (size_t k = 0; k < sizeof(before) / sizeof(before[0]); k++) {
		text[0] = '\0';
		for (unsigned i = 0; i < before[k]; i++)
			(void)mxg_strcatf(text, sizeof(text), "From: a%u@attacker.example\r\n", i);
		(void)mxg_strcatf(text, sizeof(text), "From: x@victim.example\r\n\r\nbody\r\n");
		judge(text);
		expect_reject_for("victim.example");
		assert_int_equal(res->from_status, MXG_FROM_MULTIPLE_FIELDS);
		assert_int_equal(res->from_fields, before[k] + 1);
	}
	/* And the victim first, the attacker after. */
	judge("From: x@victim.example\r\nFrom: y@attacker.example\r\n\r\nbody\r\n");
	expect_reject_for("victim.example");
}

/* Each a From value a mail client may show as the victim's, but no strict parser accepts as
 * one mailbox: every one is refused through the victim's policy. */
static void test_ambiguous_values(void **state)
{
	static const char *const values[] = {
		"a@attacker.example, x@victim.example",          /* two authors */
		"<x@victim.example>, <a@attacker.example>",
		"Friends: x@victim.example, a@attacker.example;", /* group */
		"Undisclosed: x@victim.example;",
		"\"unbalanced <x@victim.example>",               /* quotes */
		"<@attacker.example:x@victim.example>",          /* source route */
		"x@victim.example <a@attacker.example>",         /* address as display name, no quotes */
		"(x@victim.example",                             /* unclosed comment */
		"x @ victim.example.",                           /* trailing dot */
		"=?utf-8?B?eEB2aWN0aW0uZXhhbXBsZQ==?=@attacker.example", /* encoded word as local part */
		"=?utf-8?Q?x=40victim=2Eexample?= <@attacker.example>",
		"<x@victim.example",                             /* unclosed angle */
		"x@[192.0.2.1], y@victim.example",
	};
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(text, sizeof(text), "From: %s\r\nSubject: s\r\n\r\nbody\r\n", values[i]);
		judge(text);
		if (!has_domain("victim.example"))
			fail_msg("From: %s: victim.example not found", values[i]);
		expect_reject_for("victim.example");
		assert_int_not_equal(res->from_status, MXG_FROM_OK);
		assert_true(res->from_lenient);
	}
}

/* Control characters make the field invalid; the whole field is still read for domains. */
static void test_control_characters(void **state)
{
	static const char nul[] = "From: a@attacker.example\0<x@victim.example>\r\n\r\nbody\r\n";
	static const char cr[] = "From: x@victim.example\r<a@attacker.example>\r\n\r\nbody\r\n";
	static const char del[] = "From: x@victim.example\x7f\r\n\r\nbody\r\n";

	(void)state;
	judge_n("<b@attacker.example>", nul, sizeof(nul) - 1);
	assert_int_equal(res->from_status, MXG_FROM_INVALID);
	assert_true(has_domain("attacker.example"));
	expect_reject_for("victim.example");
	judge_n("<b@attacker.example>", cr, sizeof(cr) - 1);
	expect_reject_for("victim.example");
	judge_n("<b@attacker.example>", del, sizeof(del) - 1);
	expect_reject_for("victim.example");
}

/* A field name with blanks before the colon is a From field like any other. */
static void test_blank_before_colon(void **state)
{
	(void)state;
	judge("From: a@attacker.example\r\nFrom : x@victim.example\r\n\r\nbody\r\n");
	assert_int_equal(res->from_fields, 2);
	expect_reject_for("victim.example");
}

/* Over the strict parser's size limit the field is invalid, and still read in full. */
static void test_oversized_from(void **state)
{
	size_t pad = 40000;
	char *text = malloc(pad + 256);

	(void)state;
	assert_non_null(text);
	strcpy(text, "From: \"");
	memset(text + 7, 'A', pad);
	strcpy(text + 7 + pad, "\" <x@victim.example>\r\n\r\nbody\r\n");
	judge(text);
	free(text);
	assert_int_equal(res->from_status, MXG_FROM_INVALID);
	expect_reject_for("victim.example");
}

/* No domain at all: permerror, and the disposition reject_bad_from names. */
static void test_no_author_domain(void **state)
{
	static const char *const texts[] = {
		"Subject: no from\r\n\r\nbody\r\n",
		"From:\r\n\r\nbody\r\n",
		"From: Undisclosed recipients:;\r\n\r\nbody\r\n",
		"From: nobody\r\n\r\nbody\r\n",
		" From: x@victim.example\r\n\r\nbody\r\n", /* continuation first: no header at all */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		policy.reject_bad_from = 1;
		judge(texts[i]);
		assert_int_equal(res->dmarc.result, MXG_DMARC_PERMERROR);
		assert_int_equal(res->from_domain_count, 0);
		assert_non_null(strstr(res->authres, "dmarc=permerror"));
		assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
		assert_string_equal(res->verdict.why, "bad-from");
		policy.reject_bad_from = 0;
		judge(texts[i]);
		assert_int_equal(res->verdict.action, MXG_ACTION_ACCEPT);
	}
	judge(" From: x@victim.example\r\n\r\nbody\r\n");
	assert_true(res->header_malformed);
}

/* reject_bad_from (the default) refuses any From that is not one mailbox, before DMARC. */
static void test_reject_bad_from_default(void **state)
{
	(void)state;
	mxg_policy_defaults(&policy);
	assert_true(policy.reject_bad_from);
	judge("From: a@football.example.com, b@football.example.com\r\n\r\nbody\r\n");
	assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
	assert_string_equal(res->verdict.why, "bad-from");
}

/* The strictest outcome is the one reported: reject over quarantine over none and pass. */
static void test_strictest_policy(void **state)
{
	(void)state;
	judge("From: a@soft.example\r\nFrom: b@victim.example\r\nFrom: c@none.example\r\n\r\nb\r\n");
	expect_reject_for("victim.example");
	judge("From: a@none.example\r\nFrom: b@soft.example\r\n\r\nb\r\n");
	assert_int_equal(res->dmarc.result, MXG_DMARC_FAIL);
	assert_string_equal(res->dmarc.from_domain, "soft.example");
	assert_int_equal(res->verdict.action, MXG_ACTION_QUARANTINE);
	/* An aligned pass for one author does not cover the other. */
	judge(SIG_ED "From: x@victim.example\r\n" SIGNED_REST);
	expect_reject_for("victim.example");
	assert_non_null(strstr(res->authres, "dkim=fail"));
}

/* More distinct author domains than are evaluated: refused whatever reject_bad_from says. */
static void test_domain_overflow(void **state)
{
	char text[2048] = "";

	(void)state;
	for (unsigned i = 0; i < MXG_MESSAGE_DOMAINS_MAX; i++)
		(void)mxg_strcatf(text, sizeof(text), "From: a@d%u.attacker.example\r\n", i);
	(void)mxg_strcatf(text, sizeof(text), "From: x@victim.example\r\n\r\nbody\r\n");
	judge(text);
	assert_true(res->from_overflow);
	assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
	assert_string_equal(res->verdict.why, "bad-from");
}

/* Many signatures with long names and reasons: the A-R is shortened, never an internal
 * error, and the verdict computed is applied. */
static void test_authres_overflow(void **state)
{
	size_t cap = 200000, len = 0;
	char *text = malloc(cap);
	char d[200];

	(void)state;
	assert_non_null(text);
	text[0] = '\0';
	memset(d, 'd', sizeof(d) - 1);
	d[sizeof(d) - 1] = '\0';
	for (unsigned i = 0; i < 60; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"DKIM-Signature: v=1; a=rsa-sha256; d=%c%s.example; s=%s%u;"
					" h=from; bh=AAAA; b=BBBB\r\n", 'a' + (i % 26), d, d, i);
	snprintf(text + len, cap - len, "From: x@victim.example\r\n\r\nbody\r\n");
	judge(text);
	free(text);
	assert_true(res->authres_shortened);
	assert_true(strlen(res->authres) < MXG_MESSAGE_AUTHRES_MAX);
	assert_non_null(strstr(res->authres, "more DKIM signatures not listed"));
	expect_reject_for("victim.example");
}

/* Forged A-R fields claiming our authserv-id are counted (the milter removes them). */
static void test_forged_authres(void **state)
{
	(void)state;
	judge("Authentication-Results: mx.test; dmarc=pass header.from=victim.example\r\n"
	      "Authentication-Results: other.test; dmarc=pass\r\n"
	      "From: x@victim.example\r\n\r\nbody\r\n");
	assert_int_equal(res->forged_authres, 1);
	expect_reject_for("victim.example");
}

/* The soft scope (internal or authenticated clients): judged, never refused. */
static void test_soft_scope(void **state)
{
	struct mxg_message_options opt = { 0 };
	static const char text[] = "From: x@victim.example\r\n\r\nbody\r\n";

	(void)state;
	opt.authserv_id = "mx.test";
	opt.policy = policy;
	msg = mxg_message_new(zone, &opt);
	assert_non_null(msg);
	mxg_message_scope(msg, MXG_SCOPE_SOFT);
	assert_int_equal(mxg_message_mail_from(msg, "<>"), 0);
	assert_int_equal(mxg_message_replay(msg, text, sizeof(text) - 1), 0);
	mxg_message_finish(msg);
	res = mxg_message_result(msg);
	assert_int_equal(res->dmarc.result, MXG_DMARC_FAIL);
	assert_int_equal(res->verdict.action, MXG_ACTION_ACCEPT);
	assert_false(res->spf_done); /* no client address: SPF not run */
}

/* Streaming by hand (fields and body chunks) gives what the replay of the same text gives. */
static void test_streaming_equals_replay(void **state)
{
	static const char body[] = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n\r\n";
	static const char *const fields[][2] = {
		{ "DKIM-Signature", " v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n"
		  " d=football.example.com; i=@football.example.com;\r\n"
		  " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n"
		  " subject : date : message-id : from : subject : date;\r\n"
		  " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
		  " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n"
		  " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==" },
		{ "From", " Joe SixPack <joe@football.example.com>" },
		{ "To", " Suzie Q <suzie@shopping.example.net>" },
		{ "Subject", " Is dinner ready?" },
		{ "Date", " Fri, 11 Jul 2003 21:00:37 -0700 (PDT)" },
		{ "Message-ID", " <20030712040037.46341.5F8J@football.example.com>" },
	};
	char replayed[2048];

	(void)state;
	judge(SIG_ED SIGNED_REST);
	mxg_strlcpy(replayed, res->authres, sizeof(replayed));
	start("<bounce@attacker.example>");
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_int_equal(mxg_message_header(msg, fields[i][0], strlen(fields[i][0]), fields[i][1],
						    strlen(fields[i][1])), 0);
	assert_int_equal(mxg_message_end_headers(msg), 0);
	for (size_t i = 0; i < sizeof(body) - 1; i += 7)
		assert_int_equal(mxg_message_body(msg, (const uint8_t *)body + i,
						  sizeof(body) - 1 - i < 7 ? sizeof(body) - 1 - i : 7), 0);
	mxg_message_finish(msg);
	res = mxg_message_result(msg);
	assert_string_equal(res->authres, replayed);
	assert_int_equal(res->dmarc.result, MXG_DMARC_PASS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_aligned_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_forgery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_from_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ambiguous_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blank_before_colon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_from, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_author_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reject_bad_from_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strictest_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_authres_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_authres, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_scope, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streaming_equals_replay, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
