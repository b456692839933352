/* Unit tests of MX analysis: each finding with a case that raises it and one that must not,
 * on inputs built by hand (mxg_mx_analyze is pure), plus the gatherer over zone data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "mxguard/mx.h"
#include "mxguard/str.h"

static struct mxg_mx_input in;
static struct mxg_findings out;

static int setup(void **state)
{
	(void)state;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	mxg_strlcpy(in.domain, "example.test", sizeof(in.domain));
	in.rcode = MXG_DNS_NOERROR;
	in.ttl = 3600;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_findings_clear(&out);
	return 0;
}

static struct mxg_mx_target *add_target(uint16_t pref, const char *name)
{
	struct mxg_mx_target *t = &in.targets[in.count++];
	in.total = in.count;
	t->pref = pref;
	mxg_strlcpy(t->name, name, sizeof(t->name));
	t->a_state = MXG_MX_NODATA;
	t->aaaa_state = MXG_MX_NODATA;
	return t;
}

static void give_v4(struct mxg_mx_target *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t *p = t->v4[t->n_v4++];
	p[0] = a, p[1] = b, p[2] = c, p[3] = d;
	t->a_state = MXG_MX_FOUND;
}

static void give_v6_doc(struct mxg_mx_target *t, int global)
{
	uint8_t *p = t->v6[t->n_v6++];
	memset(p, 0, 16);
	/* 2a00::1 is global unicast; 2001:db8::1 is documentation space. */
	p[0] = global ? 0x2a : 0x20;
	p[1] = global ? 0x00 : 0x01;
	p[2] = global ? 0x00 : 0x0d;
	p[3] = global ? 0x00 : 0xb8;
	p[15] = 1;
	t->aaaa_state = MXG_MX_FOUND;
}

/* Two healthy targets with public addresses. */
static void healthy(void)
{
	give_v4(add_target(10, "mx1.example.test"), 198, 41, 0, 10);
	give_v4(add_target(20, "mx2.example.test"), 198, 41, 0, 11);
}

static void analyze(void)
{
	assert_int_equal(mxg_mx_analyze(&in, &out), 0);
}

static int has(enum mxg_finding_code c)
{
	return mxg_findings_has(&out, c);
}

static void test_healthy_has_no_findings(void **state)
{
	(void)state;
	healthy();
	analyze();
	assert_int_equal(out.count, 0);
	assert_int_equal(mxg_findings_worst(&out), -1);
}

static void test_no_mx_implicit(void **state)
{
	(void)state;
	give_v4(&in.implicit, 198, 41, 0, 1);
	analyze();
	assert_true(has(MXG_F_MX_NONE_IMPLICIT));
	assert_false(has(MXG_F_MX_NONE_NO_ADDRESS));
}

static void test_no_mx_no_address(void **state)
{
	(void)state;
	in.implicit.a_state = MXG_MX_NODATA;
	in.implicit.aaaa_state = MXG_MX_NODATA;
	analyze();
	assert_true(has(MXG_F_MX_NONE_NO_ADDRESS));
	assert_false(has(MXG_F_MX_NONE_IMPLICIT));
}

static void test_no_mx_address_tempfail(void **state)
{
	(void)state;
	in.implicit.a_state = MXG_MX_TEMPFAIL;
	in.implicit.aaaa_state = MXG_MX_NODATA;
	analyze();
	assert_true(has(MXG_F_MX_LOOKUP_TEMPFAIL));
	assert_false(has(MXG_F_MX_NONE_NO_ADDRESS));
}

static void test_domain_nxdomain(void **state)
{
	(void)state;
	in.rcode = MXG_DNS_NXDOMAIN;
	analyze();
	assert_true(has(MXG_F_MX_DOMAIN_NXDOMAIN));
	assert_int_equal(out.count, 1);
}

static void test_mx_lookup_tempfail_is_not_a_verdict(void **state)
{
	(void)state;
	in.rcode = MXG_DNS_TIMEOUT;
	analyze();
	assert_true(has(MXG_F_MX_LOOKUP_TEMPFAIL));
	assert_true(mxg_findings_worst(&out) < MXG_SEV_ERROR);
}

static void test_null_mx_alone(void **state)
{
	(void)state;
	add_target(0, "");
	analyze();
	assert_true(has(MXG_F_MX_NULL));
	assert_false(has(MXG_F_MX_NULL_MIXED));
	assert_false(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
	assert_int_equal(mxg_findings_worst(&out), MXG_SEV_INFO);
}

static void test_null_mx_mixed(void **state)
{
	(void)state;
	add_target(0, "");
	give_v4(add_target(10, "mx1.example.test"), 198, 41, 0, 10);
	analyze();
	assert_true(has(MXG_F_MX_NULL_MIXED));
	assert_false(has(MXG_F_MX_NULL));
}

static void test_null_mx_bad_preference(void **state)
{
	(void)state;
	add_target(10, "");
	analyze();
	assert_true(has(MXG_F_MX_NULL_BAD_PREF));
	teardown(NULL);
	setup(NULL);
	add_target(0, "");
	analyze();
	assert_false(has(MXG_F_MX_NULL_BAD_PREF));
}

static void test_target_cname(void **state)
{
	(void)state;
	healthy();
	struct mxg_mx_target *t = add_target(30, "alias.example.test");
	give_v4(t, 198, 41, 0, 12);
	t->alias = 1;
	mxg_strlcpy(t->alias_target, "mx1.example.test", sizeof(t->alias_target));
	analyze();
	assert_true(has(MXG_F_MX_TARGET_CNAME));
	assert_int_equal(out.items[0].index, 2);
	assert_string_equal(out.items[0].subject, "alias.example.test");
	assert_false(mxg_mx_target_usable(t));
}

static void test_target_ip_literal(void **state)
{
	(void)state;
	healthy();
	add_target(30, "192.0.2.25");
	add_target(40, "[198.41.0.4]");
	add_target(50, "2001:db8::25");
	analyze();
	size_t n = 0;
	for (size_t i = 0; i < out.count; i++)
		n += out.items[i].code == MXG_F_MX_TARGET_IP_LITERAL;
	assert_int_equal(n, 3);
	assert_false(mxg_mx_name_is_ip_literal("mx1.example.test"));
	assert_false(mxg_mx_name_is_ip_literal("192.0.2.25.example.test"));
}

/* The gatherer never looks an IP literal up: its states stay unknown, yet it is
 * unusable, not pending, so redundancy and the overall verdict still count. */
static void test_ip_literal_is_not_pending(void **state)
{
	(void)state;
	struct mxg_mx_target *lit = add_target(10, "198.41.0.10");
	lit->a_state = lit->aaaa_state = MXG_MX_UNKNOWN;
	give_v4(add_target(20, "mx1.example.test"), 198, 41, 0, 10);
	analyze();
	assert_true(has(MXG_F_MX_SINGLE_TARGET));
	assert_false(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
	mxg_findings_clear(&out);

	in.count = in.total = 1;
	analyze();
	assert_true(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
	assert_false(has(MXG_F_MX_TARGET_TEMPFAIL));
}

static void test_target_nxdomain(void **state)
{
	(void)state;
	healthy();
	struct mxg_mx_target *t = add_target(30, "gone.example.test");
	t->a_state = t->aaaa_state = MXG_MX_NXDOMAIN;
	analyze();
	assert_true(has(MXG_F_MX_TARGET_NXDOMAIN));
	assert_false(has(MXG_F_MX_TARGET_NO_ADDRESS));
}

static void test_target_no_address(void **state)
{
	(void)state;
	healthy();
	add_target(30, "txtonly.example.test");
	analyze();
	assert_true(has(MXG_F_MX_TARGET_NO_ADDRESS));
	assert_false(has(MXG_F_MX_TARGET_NXDOMAIN));
}

static void test_target_ipv6_only_is_fine(void **state)
{
	(void)state;
	healthy();
	give_v6_doc(add_target(30, "v6.example.test"), 1);
	analyze();
	assert_int_equal(out.count, 0);
}

static void test_target_tempfail_not_error(void **state)
{
	(void)state;
	healthy();
	struct mxg_mx_target *t = add_target(30, "slow.example.test");
	t->a_state = MXG_MX_TEMPFAIL;
	analyze();
	assert_true(has(MXG_F_MX_TARGET_TEMPFAIL));
	assert_false(has(MXG_F_MX_TARGET_NO_ADDRESS));
	assert_true(mxg_findings_worst(&out) < MXG_SEV_WARNING);
}

static void test_target_private_address(void **state)
{
	(void)state;
	healthy();
	give_v4(add_target(30, "lan.example.test"), 10, 1, 2, 3);
	struct mxg_mx_target *lo = add_target(40, "lo.example.test");
	give_v4(lo, 127, 0, 0, 1);
	give_v6_doc(add_target(50, "doc.example.test"), 0);
	analyze();
	size_t n = 0;
	for (size_t i = 0; i < out.count; i++)
		n += out.items[i].code == MXG_F_MX_TARGET_PRIVATE_ADDRESS;
	assert_int_equal(n, 3);
	assert_false(mxg_mx_target_usable(lo));
}

static void test_target_mixed_public_private_is_usable(void **state)
{
	(void)state;
	healthy();
	struct mxg_mx_target *t = add_target(30, "dual.example.test");
	give_v4(t, 10, 0, 0, 1);
	give_v4(t, 198, 41, 0, 20);
	analyze();
	assert_false(has(MXG_F_MX_TARGET_PRIVATE_ADDRESS));
	assert_true(mxg_mx_target_usable(t));
}

static void test_duplicate_targets(void **state)
{
	(void)state;
	healthy();
	give_v4(add_target(30, "MX1.example.test"), 198, 41, 0, 10);
	analyze();
	assert_true(has(MXG_F_MX_TARGET_DUPLICATE));
	/* Two names, one host: still only one usable target... plus mx2. */
	assert_false(has(MXG_F_MX_SINGLE_TARGET));
}

static void test_single_target(void **state)
{
	(void)state;
	give_v4(add_target(10, "mx1.example.test"), 198, 41, 0, 10);
	analyze();
	assert_true(has(MXG_F_MX_SINGLE_TARGET));
	teardown(NULL);
	setup(NULL);
	healthy();
	analyze();
	assert_false(has(MXG_F_MX_SINGLE_TARGET));
}

static void test_duplicate_single_host(void **state)
{
	(void)state;
	give_v4(add_target(10, "mx1.example.test"), 198, 41, 0, 10);
	give_v4(add_target(20, "mx1.example.test"), 198, 41, 0, 10);
	analyze();
	assert_true(has(MXG_F_MX_TARGET_DUPLICATE));
	assert_true(has(MXG_F_MX_SINGLE_TARGET));
}

static void test_all_unusable(void **state)
{
	(void)state;
	struct mxg_mx_target *t = add_target(10, "gone.example.test");
	t->a_state = t->aaaa_state = MXG_MX_NXDOMAIN;
	add_target(20, "192.0.2.1");
	analyze();
	assert_true(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
	assert_int_equal(mxg_findings_worst(&out), MXG_SEV_CRITICAL);
}

static void test_all_unusable_not_when_tempfail(void **state)
{
	(void)state;
	struct mxg_mx_target *t = add_target(10, "slow.example.test");
	t->a_state = t->aaaa_state = MXG_MX_TEMPFAIL;
	add_target(20, "192.0.2.1");
	analyze();
	assert_false(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
}

static void test_dnssec_bogus(void **state)
{
	(void)state;
	healthy();
	in.security = MXG_DNSSEC_BOGUS;
	analyze();
	assert_true(has(MXG_F_MX_DNSSEC_BOGUS));
	teardown(NULL);
	setup(NULL);
	healthy();
	in.security = MXG_DNSSEC_SECURE;
	analyze();
	assert_false(has(MXG_F_MX_DNSSEC_BOGUS));
}

static void test_ttl_limits(void **state)
{
	(void)state;
	healthy();
	in.ttl = MXG_MX_TTL_HIGH + 1;
	analyze();
	assert_true(has(MXG_F_MX_TTL_HIGH));
	mxg_findings_clear(&out);
	in.ttl = MXG_MX_TTL_LOW - 1;
	analyze();
	assert_true(has(MXG_F_MX_TTL_LOW));
	mxg_findings_clear(&out);
	in.ttl = MXG_MX_TTL_LOW;
	analyze();
	assert_false(has(MXG_F_MX_TTL_LOW));
	assert_false(has(MXG_F_MX_TTL_HIGH));
}

/* Without the published TTL (only a cache's remaining time) the TTL is not judged: an info
 * note instead of MX_TTL_LOW or MX_TTL_HIGH, so the exit status cannot flap. */
static void test_ttl_unknown(void **state)
{
	(void)state;
	healthy();
	in.ttl = 1;
	in.ttl_unknown = 1;
	mxg_strlcpy(in.ttl_why, "no answer from a name server", sizeof(in.ttl_why));
	analyze();
	assert_true(has(MXG_F_MX_TTL_UNKNOWN));
	assert_false(has(MXG_F_MX_TTL_LOW));
	assert_int_equal(mxg_findings_worst(&out), MXG_SEV_INFO);
	mxg_findings_clear(&out);
	in.ttl = MXG_MX_TTL_HIGH + 1;
	analyze();
	assert_false(has(MXG_F_MX_TTL_HIGH));
}

static void test_too_many_targets(void **state)
{
	(void)state;
	healthy();
	in.total = 40;
	analyze();
	assert_true(has(MXG_F_MX_TARGET_TOO_MANY));
}

static const char zone_text[] =
	"$ORIGIN gather.test.\n"
	"$TTL 3600\n"
	"@ IN SOA ns hostmaster 1 3600 600 86400 300\n"
	"@ IN NS ns\n"
	"ns IN A 198.41.0.53\n"
	"good IN MX 10 mx1.good\n"
	"good IN MX 20 mx2.good\n"
	"mx1.good IN A 198.41.0.10\n"
	"mx2.good IN AAAA 2a00::11\n"
	"cname IN MX 10 alias\n"
	"alias IN CNAME mx1.good\n"
	"dangling IN MX 10 nowhere\n"
	"dangling IN MX 20 txt\n"
	"txt IN TXT \"no address\"\n"
	"null IN MX 0 .\n"
	"implicit IN A 198.41.0.99\n"
	"dup IN MX 10 mx1.good\n"
	"dup IN MX 20 mx1.good\n";

static struct mxg_resolver *zone_resolver_from(const char *text, size_t len)
{
	char path[] = "/tmp/mxg-test-mx-XXXXXX";
	char err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	struct mxg_resolver *r = mxg_resolver_zone_new();
	assert_non_null(r);
	int rc = mxg_zone_load_file(r, path, NULL, err, sizeof(err));
	unlink(path);
	if (rc != 0)
		fail_msg("zone load: %s", err);
	return r;
}

static struct mxg_resolver *zone_resolver(void)
{
	return zone_resolver_from(zone_text, sizeof(zone_text) - 1);
}

static void gather(struct mxg_resolver *r, const char *domain)
{
	char err[256];
	if (mxg_mx_gather(r, domain, 0, &in, err, sizeof(err)) != 0)
		fail_msg("gather %s: %s", domain, err);
	analyze();
}

static void test_gather(void **state)
{
	(void)state;
	struct mxg_resolver *r = zone_resolver();

	gather(r, "good.gather.test.");
	assert_int_equal(in.count, 2);
	assert_int_equal(in.targets[0].n_v4 + in.targets[1].n_v4, 1);
	assert_int_equal(in.targets[0].n_v6 + in.targets[1].n_v6, 1);
	assert_int_equal(out.count, 0);
	mxg_findings_clear(&out);

	gather(r, "cname.gather.test");
	assert_true(has(MXG_F_MX_TARGET_CNAME));
	assert_string_equal(in.targets[0].alias_target, "mx1.good.gather.test");
	mxg_findings_clear(&out);

	gather(r, "dangling.gather.test");
	assert_true(has(MXG_F_MX_TARGET_NXDOMAIN));
	assert_true(has(MXG_F_MX_TARGET_NO_ADDRESS));
	assert_true(has(MXG_F_MX_ALL_TARGETS_UNUSABLE));
	mxg_findings_clear(&out);

	gather(r, "null.gather.test");
	assert_true(has(MXG_F_MX_NULL));
	mxg_findings_clear(&out);

	gather(r, "implicit.gather.test");
	assert_true(has(MXG_F_MX_NONE_IMPLICIT));
	mxg_findings_clear(&out);

	gather(r, "missing.gather.test");
	assert_true(has(MXG_F_MX_DOMAIN_NXDOMAIN));
	mxg_findings_clear(&out);

	unsigned long before = mxg_resolver_lookups(r);
	gather(r, "dup.gather.test");
	/* One MX lookup plus A and AAAA of the single distinct target. */
	assert_int_equal(mxg_resolver_lookups(r) - before, 3);
	assert_true(has(MXG_F_MX_TARGET_DUPLICATE));
	mxg_findings_clear(&out);

	mxg_zone_set_fault(r, "timeout.gather.test", 0, MXG_DNS_TIMEOUT);
	gather(r, "timeout.gather.test");
	assert_int_equal(in.rcode, MXG_DNS_TIMEOUT);
	assert_true(has(MXG_F_MX_LOOKUP_TEMPFAIL));
	mxg_resolver_free(r);
}

/* The zone backend answers with the TTLs the zone publishes: they are judged as they are. */
static void test_gather_ttl_zone(void **state)
{
	static const char text[] = "$ORIGIN ttl.test.\n"
				   "@ 3600 IN SOA ns hostmaster 1 3600 600 86400 300\n"
				   "@ 3600 IN NS ns\n"
				   "ns 3600 IN A 198.41.0.53\n"
				   "low 60 IN MX 10 mx\n"
				   "high 3600 IN MX 10 mx\n"
				   "mx 3600 IN A 198.41.0.10\n";
	(void)state;
	struct mxg_resolver *r = zone_resolver_from(text, sizeof(text) - 1);

	assert_int_equal(mxg_resolver_publishes_ttls(r), 1);
	gather(r, "low.ttl.test");
	assert_int_equal(in.ttl, 60);
	assert_int_equal(in.ttl_unknown, 0);
	assert_true(has(MXG_F_MX_TTL_LOW));
	mxg_findings_clear(&out);
	gather(r, "high.ttl.test");
	assert_false(has(MXG_F_MX_TTL_LOW));
	assert_false(has(MXG_F_MX_TTL_UNKNOWN));
	mxg_resolver_free(r);
}

/* Behind a cache the TTLs may be counted down: the zone's name server is asked directly.
 * Here it sits on a loopback address where nothing answers, so the TTL stays unknown and
 * only MX_TTL_UNKNOWN (info) is reported, never MX_TTL_LOW from the cached copy. */
static void test_gather_ttl_behind_cache(void **state)
{
	static const char text[] = "$ORIGIN ttl.test.\n"
				   "@ 3600 IN SOA ns hostmaster 1 3600 600 86400 300\n"
				   "@ 3600 IN NS ns\n"
				   "ns 3600 IN A 127.0.0.66\n"
				   "low 60 IN MX 10 mx\n"
				   "mx 3600 IN A 198.41.0.10\n";
	(void)state;
	struct mxg_resolver *r = mxg_resolver_cache_new(zone_resolver_from(text, sizeof(text) - 1), 16);

	assert_non_null(r);
	assert_int_equal(mxg_resolver_publishes_ttls(r), 0);
	gather(r, "low.ttl.test");
	assert_int_equal(in.ttl_unknown, 1);
	assert_true(in.ttl_why[0] != '\0');
	assert_true(has(MXG_F_MX_TTL_UNKNOWN));
	assert_false(has(MXG_F_MX_TTL_LOW));
	mxg_resolver_free(r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_healthy_has_no_findings), T(test_no_mx_implicit), T(test_no_mx_no_address),
		T(test_no_mx_address_tempfail), T(test_domain_nxdomain),
		T(test_mx_lookup_tempfail_is_not_a_verdict), T(test_null_mx_alone),
		T(test_null_mx_mixed), T(test_null_mx_bad_preference), T(test_target_cname),
		T(test_target_ip_literal), T(test_ip_literal_is_not_pending),
		T(test_target_nxdomain), T(test_target_no_address),
		T(test_target_ipv6_only_is_fine), T(test_target_tempfail_not_error),
		T(test_target_private_address), T(test_target_mixed_public_private_is_usable),
		T(test_duplicate_targets), T(test_single_target), T(test_duplicate_single_host),
		T(test_all_unusable), T(test_all_unusable_not_when_tempfail), T(test_dnssec_bogus),
		T(test_ttl_limits), T(test_ttl_unknown), T(test_too_many_targets), T(test_gather),
		T(test_gather_ttl_zone), T(test_gather_ttl_behind_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
