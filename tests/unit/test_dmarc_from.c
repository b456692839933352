/* Unit tests of the RFC 5322 From rules for DMARC: ordinary forms give their domain, and every
 * hostile form (several addresses or fields, groups, tricks with comments, quotes, encoded words) a status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"

struct from_case {
	const char *value;
	enum mxg_from_status status;
	const char *domain; /* when OK */
};

static void run_cases(const struct from_case *cases, size_t n)
{
	char domain[256];

	for (size_t i = 0; i < n; i++) {
		enum mxg_from_status s = mxg_from_domain(cases[i].value, domain, sizeof(domain));
		if (s != cases[i].status)
			fail_msg("From:%s gave %s, wanted %s", cases[i].value, mxg_from_status_name(s),
				 mxg_from_status_name(cases[i].status));
		if (s == MXG_FROM_OK && strcmp(domain, cases[i].domain) != 0)
			fail_msg("From:%s gave domain '%s', wanted '%s'", cases[i].value, domain,
				 cases[i].domain);
		if (s != MXG_FROM_OK && domain[0] != '\0')
			fail_msg("From:%s: status %s left a domain '%s'", cases[i].value,
				 mxg_from_status_name(s), domain);
	}
}

static void test_ordinary(void **state)
{
	static const struct from_case cases[] = {
		{ " user@example.com", MXG_FROM_OK, "example.com" },
		{ " User@Example.COM", MXG_FROM_OK, "example.com" },
		{ " <user@example.com>", MXG_FROM_OK, "example.com" },
		{ " Jane Doe <jane@mail.example.org>", MXG_FROM_OK, "mail.example.org" },
		{ " \"Doe, Jane\" <jane@example.org>", MXG_FROM_OK, "example.org" },
		{ " Jane Q. Public <jane@example.org>", MXG_FROM_OK, "example.org" },
		{ " jane@example.org (Jane Doe)", MXG_FROM_OK, "example.org" },
		{ " (comment) jane@example.org", MXG_FROM_OK, "example.org" },
		{ " \"quoted local\"@example.net", MXG_FROM_OK, "example.net" },
		{ " \"a\\\"b@evil.example\"@example.net", MXG_FROM_OK, "example.net" },
		{ " Jane\r\n <jane@example.org>", MXG_FROM_OK, "example.org" },
		{ " jane @ example.org", MXG_FROM_OK, "example.org" },
		{ " =?utf-8?q?J=C3=A4ne?= <jane@example.org>", MXG_FROM_OK, "example.org" },
		{ " =?utf-8?b?SmFuZQ==?= <jane@example.org>", MXG_FROM_OK, "example.org" },
		{ " first.last+tag@sub.example.co.uk", MXG_FROM_OK, "sub.example.co.uk" },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The display name is never the identity: only the angle address counts. */
static void test_display_name_tricks(void **state)
{
	static const struct from_case cases[] = {
		{ " \"paypal.com\" <x@evil.example>", MXG_FROM_OK, "evil.example" },
		{ " \"user@paypal.com\" <x@evil.example>", MXG_FROM_OK, "evil.example" },
		{ " (user@paypal.com) x@evil.example", MXG_FROM_OK, "evil.example" },
		{ " x@evil.example (<user@paypal.com>)", MXG_FROM_OK, "evil.example" },
		{ " Paypal (a (nested) comment) <x@evil.example>", MXG_FROM_OK, "evil.example" },
		{ " x@evil.example <user@paypal.com>", MXG_FROM_INVALID, NULL },
		{ " user@paypal.com x@evil.example", MXG_FROM_INVALID, NULL },
		{ " <x@evil.example> user@paypal.com", MXG_FROM_INVALID, NULL },
		{ " <x@evil.example><user@paypal.com>", MXG_FROM_INVALID, NULL },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_multiple_addresses(void **state)
{
	static const struct from_case cases[] = {
		{ " a@example.com, b@example.net", MXG_FROM_MULTIPLE_ADDRESSES, NULL },
		{ " <x@evil.example>, <user@paypal.com>", MXG_FROM_MULTIPLE_ADDRESSES, NULL },
		{ " A <a@example.com>, \"B\" <b@example.net>", MXG_FROM_MULTIPLE_ADDRESSES, NULL },
		{ " a@example.com, Friends: b@example.net;", MXG_FROM_MULTIPLE_ADDRESSES, NULL },
		{ " a@example.com,", MXG_FROM_INVALID, NULL },
		{ " a@example.com , (only a comment)", MXG_FROM_INVALID, NULL },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_groups(void **state)
{
	static const struct from_case cases[] = {
		{ " undisclosed-recipients:;", MXG_FROM_GROUP, NULL },
		{ " Team: a@example.com;", MXG_FROM_GROUP, NULL },
		{ " \"Team\": a@example.com, b@example.com;", MXG_FROM_GROUP, NULL },
		{ " Team (x): <a@example.com>;", MXG_FROM_GROUP, NULL },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_invalid(void **state)
{
	static const struct from_case cases[] = {
		{ "", MXG_FROM_INVALID, NULL },
		{ "   ", MXG_FROM_INVALID, NULL },
		{ " (just a comment)", MXG_FROM_INVALID, NULL },
		{ " <>", MXG_FROM_INVALID, NULL },
		{ " user", MXG_FROM_INVALID, NULL },
		{ " user@", MXG_FROM_INVALID, NULL },
		{ " @example.com", MXG_FROM_INVALID, NULL },
		{ " user@[192.0.2.1]", MXG_FROM_INVALID, NULL },
		{ " user@example..com", MXG_FROM_INVALID, NULL },
		{ " user@example.com.", MXG_FROM_INVALID, NULL },
		{ " user@-example.com", MXG_FROM_INVALID, NULL },
		{ " user@exa mple.com", MXG_FROM_INVALID, NULL },
		{ " user@example.com>", MXG_FROM_INVALID, NULL },
		{ " <user@example.com", MXG_FROM_INVALID, NULL },
		{ " Jane <<user@example.com>>", MXG_FROM_INVALID, NULL },
		{ " <@route.example:user@example.com>", MXG_FROM_INVALID, NULL },
		{ " \"unterminated <user@example.com>", MXG_FROM_INVALID, NULL },
		{ " (unterminated user@example.com", MXG_FROM_INVALID, NULL },
		{ " a@b@example.com", MXG_FROM_INVALID, NULL },
		{ " user@exämple.com", MXG_FROM_INVALID, NULL },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* RFC 2047 §5: an encoded word may stand in a display name, never in the address. */
static void test_encoded_words(void **state)
{
	static const struct from_case cases[] = {
		{ " =?utf-8?q?user?=@example.com", MXG_FROM_INVALID, NULL },
		{ " user@=?utf-8?q?example.com?=", MXG_FROM_INVALID, NULL },
		{ " <=?utf-8?b?dXNlckBwYXlwYWwuY29t?=@evil.example>", MXG_FROM_INVALID, NULL },
		{ " =?utf-8?q?user@paypal.com?= <x@evil.example>", MXG_FROM_INVALID, NULL },
		{ " =?utf-8?b?dXNlckBwYXlwYWwuY29t?= <x@evil.example>", MXG_FROM_OK, "evil.example" },
	};
	(void)state;
	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_bounds(void **state)
{
	static char big[20000];
	char small[8];
	char comments[200];
	(void)state;
	memset(big, ' ', sizeof(big) - 1);
	memcpy(big + 100, "user@example.com", 16);
	assert_int_equal(mxg_from_domain(big, small, sizeof(small)), MXG_FROM_INVALID);
	/* The domain does not fit: invalid, not truncated. */
	assert_int_equal(mxg_from_domain("user@example.com", small, sizeof(small)), MXG_FROM_INVALID);
	assert_int_equal(mxg_from_domain(NULL, small, sizeof(small)), MXG_FROM_INVALID);
	/* Nesting beyond the bound is refused, not recursed into. */
	memset(comments, '(', 60);
	memset(comments + 60, ')', 60);
	strcpy(comments + 120, " user@example.com");
	assert_int_equal(mxg_from_domain(comments, big, sizeof(big)), MXG_FROM_INVALID);
	memset(comments, '(', 10);
	memset(comments + 10, ')', 10);
	strcpy(comments + 20, " user@example.com");
	assert_int_equal(mxg_from_domain(comments, big, sizeof(big)), MXG_FROM_OK);
}

static void test_fields(void **state)
{
	const char *one[] = { " a@example.com" };
	const char *two[] = { " a@example.com", " a@example.com" };
	char domain[256];
	(void)state;
	assert_int_equal(mxg_from_fields(one, 0, domain, sizeof(domain)), MXG_FROM_MISSING);
	assert_int_equal(mxg_from_fields(two, 2, domain, sizeof(domain)), MXG_FROM_MULTIPLE_FIELDS);
	assert_string_equal(domain, "");
	assert_int_equal(mxg_from_fields(one, 1, domain, sizeof(domain)), MXG_FROM_OK);
	assert_string_equal(domain, "example.com");
	assert_string_equal(mxg_from_status_name(MXG_FROM_MULTIPLE_FIELDS), "multiple-fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary),
		cmocka_unit_test(test_display_name_tricks),
		cmocka_unit_test(test_multiple_addresses),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_encoded_words),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
