/* Unit tests of the policy daemon's MTA-STS map: the Postfix policy value made from a policy,
 * keys that are not domains, domains without a record, and the socketmap replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "mxguard/mtasts.h"
#include "policyd.h"
#include "policyd_mtasts.h"
#include "zone_lines.h"

static void test_postfix_value(void **state)
{
	struct mxg_mtasts_policy p;
	char why[160], out[POLICYD_MTASTS_ANSWER_MAX];
	static const char body[] = "version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
				   "mx: *.example.net\nmax_age: 86400\n";
	(void)state;
	assert_int_equal(mxg_mtasts_policy_parse(body, sizeof(body) - 1, &p, why, sizeof(why)), 0);
	assert_int_equal(policyd_mtasts_postfix_value(&p, out, sizeof(out)), 0);
	assert_string_equal(out, "secure match=mx1.example.com:.example.net servername=hostname");
	assert_int_equal(policyd_mtasts_postfix_value(&p, out, 20), -1);
}

static void test_lookup_without_policy(void **state)
{
	static const char *const z[] = {
		"_mta-sts.nofetch.test. 300 IN TXT \"v=STSv1; id=1\"",
		"_mta-sts.bad.test. 300 IN TXT \"v=STSv1; id=\"",
		NULL,
	};
	struct mxg_resolver *r = zone(z);
	struct policyd_mtasts *m = policyd_mtasts_new(r, 4, NULL, 1000);
	char ans[POLICYD_MTASTS_ANSWER_MAX], why[256];
	(void)state;
	assert_non_null(m);
	static const char *const keys[] = { ".example.com", "[192.0.2.1]:25", "none.test",
					    "bad.test", "nofetch.test" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(policyd_mtasts_lookup(m, keys[i], time(NULL), ans, sizeof(ans), why,
						       sizeof(why)), POLICYD_STS_NONE);
	/* nofetch.test has a record but mta-sts.nofetch.test no address: no policy, said why */
	assert_non_null(strstr(why, "fetch failed"));
	char out[512], log[512];
	long n = policyd_mtasts_socketmap(m, "none.test", 9, out, sizeof(out), log, sizeof(log));
	assert_int_equal(n, 12);
	assert_memory_equal(out, "9:NOTFOUND ,", 12);
	n = policyd_mtasts_socketmap(m, "", 0, out, sizeof(out), log, sizeof(log));
	assert_true(n > 0);
	assert_non_null(strstr(out, "PERM"));
	policyd_mtasts_free(m);
	mxg_resolver_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postfix_value),
		cmocka_unit_test(test_lookup_without_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
