/* Unit tests of the cache of parsed SPF records (spf_cache.c): a record seen before is not
 * parsed again, by check_host on the zone backend too; a changed record is; syntax errors are
 * reported and not kept; threads sharing the table while slots are replaced under them. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../common/src/spf_internal.h"
#include "mxguard/str.h"

/* More distinct records than the table has slots, so threads replace what others hold. */
#define DISTINCT 3000
#define THREADS 4
#define ROUNDS 3

static void counts(unsigned long *hit, unsigned long *parsed)
{
	spf_cache_counts(hit, parsed);
}

static void test_hit_does_not_parse(void **state)
{
	const char *text = "v=spf1 ip4:192.0.2.0/24 include:a.example -all";
	unsigned long h0, p0, h1, p1;
	char why[160];
	int rc;

	(void)state;
	counts(&h0, &p0);
	const struct spf_record *a = spf_cache_get(text, strlen(text), &rc, why, sizeof(why));
	assert_non_null(a);
	assert_int_equal(rc, 0);
	const struct spf_record *b = spf_cache_get(text, strlen(text), &rc, why, sizeof(why));
	counts(&h1, &p1);
	assert_ptr_equal(a, b);
	assert_int_equal(p1 - p0, 1);
	assert_int_equal(h1 - h0, 1);
	assert_int_equal(a->count, 3);
	assert_int_equal(a->terms[1].kind, SPF_INCLUDE);
	spf_cache_release(a);
	spf_cache_release(b);
}

static void test_errors_not_kept(void **state)
{
	const char *bad = "v=spf1 ip4:300.0.0.1 -all";
	unsigned long h0, p0, h1, p1;
	char why[160] = "";
	int rc;

	(void)state;
	counts(&h0, &p0);
	for (int i = 0; i < 2; i++) {
		assert_null(spf_cache_get(bad, strlen(bad), &rc, why, sizeof(why)));
		assert_int_equal(rc, -1);
		assert_true(why[0] != '\0');
	}
	counts(&h1, &p1);
	assert_int_equal(p1 - p0, 2);
	assert_int_equal(h1 - h0, 0);
}

static void test_check_host_uses_cache(void **state)
{
	struct mxg_resolver *r = mxg_resolver_zone_new();
	struct mxg_spf_outcome out;
	struct mxg_addr ip;
	unsigned long h0, p0, h1, p1;
	char err[256];

	(void)state;
	assert_non_null(r);
	assert_int_equal(mxg_zone_add_text(r, "c.test. 300 IN TXT \"v=spf1 include:i.c.test -all\"",
					   err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(r, "i.c.test. 300 IN TXT \"v=spf1 ip4:192.0.2.7 ~all\"",
					   err, sizeof(err)), 0);
	assert_int_equal(mxg_addr_parse("192.0.2.7", &ip, 0), 0);
	assert_int_equal(mxg_spf_check_host(r, NULL, &ip, "c.test", "a@c.test", "h", &out),
			 MXG_SPF_PASS);
	counts(&h0, &p0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mxg_spf_check_host(r, NULL, &ip, "c.test", "a@c.test", "h", &out),
				 MXG_SPF_PASS);
	counts(&h1, &p1);
	assert_int_equal(p1 - p0, 0);
	assert_int_equal(h1 - h0, 10);
	assert_string_equal(out.mechanism, "include:i.c.test");
	/* A changed record is a new key: parsed, and its answer is the new one. */
	mxg_resolver_free(r);
	r = mxg_resolver_zone_new();
	assert_int_equal(mxg_zone_add_text(r, "c.test. 300 IN TXT \"v=spf1 -ip4:192.0.2.7 +all\"",
					   err, sizeof(err)), 0);
	assert_int_equal(mxg_spf_check_host(r, NULL, &ip, "c.test", "a@c.test", "h", &out),
			 MXG_SPF_FAIL);
	counts(&h0, &p0);
	assert_int_equal(p0 - p1, 1);
	mxg_resolver_free(r);
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char text[96], why[160];
	int rc;

	for (int round = 0; round < ROUNDS; round++) {
		for (int i = 0; i < DISTINCT; i++) {
			unsigned n = (seed + (unsigned)i * 7u) % DISTINCT;
			snprintf(text, sizeof(text), "v=spf1 ip4:10.%u.%u.0/24 -all", n / 256, n % 256);
			const struct spf_record *rec = spf_cache_get(text, strlen(text), &rc, why, sizeof(why));
			if (rec == NULL || rec->count != 2 || rec->terms[0].net[1] != n / 256 ||
			    rec->terms[0].net[2] != n % 256)
				return (void *)1;
			spf_cache_release(rec);
		}
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[THREADS];
	void *res;

	(void)state;
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)(i * 101)), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &res), 0);
		assert_null(res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_does_not_parse),
		cmocka_unit_test(test_errors_not_kept),
		cmocka_unit_test(test_check_host_uses_cache),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
