/* Unit tests of the PSL organisational domain (RFC 7489 mode) on libpsl's own list:
 * multi-label public suffixes, wildcards and exceptions, private suffixes, odd input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"

static struct mxg_psl *psl;

static int setup(void **state)
{
	char err[128];
	(void)state;
	psl = mxg_psl_load(NULL, err, sizeof(err));
	if (psl == NULL)
		fprintf(stderr, "built-in list: %s\n", err);
	return psl == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_psl_free(psl);
	return 0;
}

static void expect(const char *in, const char *org)
{
	char out[256];
	int rc = mxg_psl_org_domain(psl, in, out, sizeof(out));

	if (org == NULL && rc != -1)
		fail_msg("%s: got '%s', wanted none", in, out);
	if (org != NULL && (rc != 0 || strcmp(out, org) != 0))
		fail_msg("%s: got %s, wanted %s", in, rc == 0 ? out : "none", org);
}

static void test_icann(void **state)
{
	(void)state;
	expect("example.com", "example.com");
	expect("a.b.example.com", "example.com");
	expect("com", NULL);
	expect("mail.example.co.uk", "example.co.uk");
	expect("co.uk", NULL);
	expect("a.b.example.ac.jp", "example.ac.jp");
	expect("city.kawasaki.jp", "city.kawasaki.jp"); /* exception to *.kawasaki.jp */
	expect("x.y.kawasaki.jp", "x.y.kawasaki.jp");
	expect("y.kawasaki.jp", NULL);
}

/* Private suffixes apply too: two customers of one host are two organisations. */
static void test_private(void **state)
{
	(void)state;
	expect("alice.github.io", "alice.github.io");
	expect("www.alice.github.io", "alice.github.io");
	expect("github.io", NULL);
	expect("bob.blogspot.com", "bob.blogspot.com");
}

static void test_odd_input(void **state)
{
	(void)state;
	expect("EXAMPLE.Com", "example.com");
	expect("www.example.com.", "example.com");
	expect(".example.com", NULL);
	expect("a..example.com", NULL);
	expect("", NULL);
	expect(NULL, NULL);
	expect("example", NULL);
	expect("a.example", "a.example"); /* unlisted TLD: the default rule "*" */
	char small[4];
	assert_int_equal(mxg_psl_org_domain(psl, "example.com", small, sizeof(small)), -1);
	assert_int_equal(mxg_psl_org_domain(NULL, "example.com", small, sizeof(small)), -1);
}

static void test_load_file(void **state)
{
	char err[128];
	(void)state;
	assert_null(mxg_psl_load("/nonexistent/list.dat", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/list.dat"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icann),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_odd_input),
		cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
