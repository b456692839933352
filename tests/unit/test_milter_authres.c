/* Unit tests of the milter's Authentication-Results bookkeeping (milter_authres.c): which
 * fields count as A-R, and the MTA-side indexes of those claiming our authserv-id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../milter/milter_authres.h"

static void test_is_authres(void **state)
{
	(void)state;
	assert_true(milter_ar_is_authres("Authentication-Results"));
	assert_true(milter_ar_is_authres("authentication-results"));
	assert_true(milter_ar_is_authres("AUTHENTICATION-RESULTS \t"));
	assert_false(milter_ar_is_authres("Authentication-Results-Original"));
	assert_false(milter_ar_is_authres("X-Authentication-Results"));
	assert_false(milter_ar_is_authres("Authentication"));
	assert_false(milter_ar_is_authres(""));
}

/* Indexes count every A-R field (ours or not), 1-based, in arrival order. */
static void test_claims(void **state)
{
	struct milter_ar_claims c = { 0 };
	static const struct {
		const char *name, *value;
	} fields[] = {
		{ "Received", " from x by y" },
		{ "Authentication-Results", " other.example; spf=pass" },
		{ "Authentication-Results", " mx.example.org; dkim=pass" },
		{ "authentication-results", " (forged)\n\tMX.EXAMPLE.ORG;\n\tdmarc=pass" },
		{ "Subject", " mx.example.org; dkim=pass" },
		{ "Authentication-Results", " mx.example.org.evil; spf=pass" },
		{ "AUTHENTICATION-RESULTS", " \"mx.example.org\"; spf=pass" },
		{ "Authentication-Results", " mx.example.org; none" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		assert_int_equal(milter_ar_note(&c, fields[i].name, fields[i].value, "mx.example.org"), 0);
	assert_int_equal(c.seen, 6);
	assert_int_equal(c.count, 4);
	assert_int_equal(c.index[0], 2);
	assert_int_equal(c.index[1], 3);
	assert_int_equal(c.index[2], 5);
	assert_int_equal(c.index[3], 6);
	milter_ar_release(&c);
	assert_int_equal(c.count, 0);
	assert_null(c.index);
}

/* Many claims: the list grows and keeps every index. */
static void test_many(void **state)
{
	struct milter_ar_claims c = { 0 };

	(void)state;
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(milter_ar_note(&c, "Authentication-Results",
						i % 2 ? " a.example; spf=pass" : " mx.example.org; spf=pass",
						"mx.example.org"), 0);
	assert_int_equal(c.seen, 1000);
	assert_int_equal(c.count, 500);
	assert_int_equal(c.index[499], 999);
	milter_ar_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_authres),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
