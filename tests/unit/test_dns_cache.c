/* Unit tests of the DNS answer cache (dns_cache.c) over the in-memory zone
 * resolver: hits skip the inner resolver, copies are independent, failures are not kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dns.h"


static struct mxg_resolver *zone, *cache;

static int setup(void **state)
{
	char err[256];

	(void)state;
	zone = mxg_resolver_zone_new();
	assert_non_null(zone);
	assert_int_equal(mxg_zone_add_text(zone, "a.example. 300 IN TXT \"v=spf1 -all\"", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(zone, "a.example. 300 IN A 192.0.2.1", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(zone, "example. 300 IN SOA ns.example. h.example. 1 2 3 4 60", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_set_fault(zone, "slow.example", 0, MXG_DNS_TIMEOUT), 0);
	cache = mxg_resolver_cache_new(zone, 64);
	assert_non_null(cache);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_resolver_free(cache);
	return 0;
}

static struct mxg_dns_answer *ask(const char *name, uint16_t type)
{
	struct mxg_dns_answer *a = NULL;
	char err[128];

	assert_int_equal(mxg_dns_lookup(cache, name, type, &a, err, sizeof(err)), 0);
	assert_non_null(a);
	return a;
}

static void test_hit(void **state)
{
	struct mxg_dns_answer *a, *b;
	char txt[64];

	(void)state;
	a = ask("a.example", MXG_DNS_TXT);
	assert_int_equal(mxg_resolver_lookups(zone), 1);
	b = ask("A.Example.", MXG_DNS_TXT);
	assert_int_equal(mxg_resolver_lookups(zone), 1);
	assert_int_equal(b->rcode, MXG_DNS_NOERROR);
	assert_int_equal(b->count, 1);
	assert_true(mxg_dns_txt_join(&b->rrs[0], txt, sizeof(txt)) > 0);
	assert_string_equal(txt, "v=spf1 -all");
	/* Each caller owns its copy. */
	assert_ptr_not_equal(a->rrs[0].rdata, b->rrs[0].rdata);
	mxg_dns_answer_free(a);
	mxg_dns_answer_free(b);
	/* Another type of the same name is another entry. */
	a = ask("a.example", MXG_DNS_A);
	assert_int_equal(mxg_resolver_lookups(zone), 2);
	assert_int_equal(a->rrs[0].addr[3], 1);
	mxg_dns_answer_free(a);
}

static void test_negative_kept(void **state)
{
	struct mxg_dns_answer *a;

	(void)state;
	a = ask("missing.example", MXG_DNS_TXT);
	assert_int_equal(a->rcode, MXG_DNS_NXDOMAIN);
	mxg_dns_answer_free(a);
	a = ask("missing.example", MXG_DNS_TXT);
	assert_int_equal(a->rcode, MXG_DNS_NXDOMAIN);
	mxg_dns_answer_free(a);
	assert_int_equal(mxg_resolver_lookups(zone), 1);
}

static void test_failure_not_kept(void **state)
{
	struct mxg_dns_answer *a;

	(void)state;
	for (int i = 0; i < 3; i++) {
		a = ask("slow.example", MXG_DNS_TXT);
		assert_int_equal(a->rcode, MXG_DNS_TIMEOUT);
		mxg_dns_answer_free(a);
	}
	assert_int_equal(mxg_resolver_lookups(zone), 3);
}

/* Far more names than slots: answers stay right, the cache stays bounded. */
static void test_collisions(void **state)
{
	char name[64];

	(void)state;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 500; i++) {
			struct mxg_dns_answer *a;
			snprintf(name, sizeof(name), "n%d.example", i);
			a = ask(name, MXG_DNS_TXT);
			assert_int_equal(a->rcode, MXG_DNS_NXDOMAIN);
			assert_string_equal(a->qname, name);
			mxg_dns_answer_free(a);
		}
	}
	assert_true(mxg_resolver_lookups(zone) > 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_negative_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collisions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
