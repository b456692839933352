/* Unit tests of address parsing, formatting, CIDR matching and the RFC 6890 table:
 * each accepted form with a near miss that must be refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/addr.h"

static struct mxg_addr addr(const char *text)
{
	struct mxg_addr a;
	assert_int_equal(mxg_addr_parse(text, &a, 0), 0);
	return a;
}

static void assert_formats(const char *in, int unmap, int family, const char *want)
{
	struct mxg_addr a;
	char buf[64];

	assert_int_equal(mxg_addr_parse(in, &a, unmap), 0);
	assert_int_equal(a.family, family);
	assert_int_equal(mxg_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_parse_v4_v6(void **state)
{
	(void)state;
	assert_formats("192.0.2.1", 0, 4, "192.0.2.1");
	assert_formats("2001:DB8:0:0::1", 0, 6, "2001:db8::1");
	assert_formats("::1", 0, 6, "::1");
	struct mxg_addr a = addr("10.1.2.3");
	assert_int_equal(a.bytes[0], 10);
	assert_int_equal(a.bytes[3], 3);
	assert_int_equal(a.bytes[4], 0);
}

static void test_parse_mapped(void **state)
{
	(void)state;
	assert_formats("::ffff:192.0.2.7", 0, 6, "::ffff:192.0.2.7");
	assert_formats("::ffff:192.0.2.7", 1, 4, "192.0.2.7");
	/* unmap leaves ordinary IPv6 alone */
	assert_formats("2001:db8::7", 1, 6, "2001:db8::7");
}

static void test_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "01.2.3.4",
		"1.2.3.4/24", "::1::2", "fe80::1%eth0", "2001:db8:::1", "example.com", "1.2.3.-1",
		"12345::", "0x7f.0.0.1",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee:ffff:0000",
	};
	struct mxg_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mxg_addr_parse(bad[i], &a, 0) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(mxg_addr_parse(NULL, &a, 0), -1);
}

static void test_format_small_buffer(void **state)
{
	(void)state;
	struct mxg_addr a = addr("192.0.2.100");
	char buf[8];
	assert_int_equal(mxg_addr_format(&a, buf, sizeof(buf)), -1);
	char ok[16];
	assert_int_equal(mxg_addr_format(&a, ok, sizeof(ok)), 0);
	a.family = 5;
	assert_int_equal(mxg_addr_format(&a, ok, sizeof(ok)), -1);
}

static void test_cidr_parse(void **state)
{
	(void)state;
	struct mxg_cidr c;

	assert_int_equal(mxg_cidr_parse("192.0.2.0/24", &c), 0);
	assert_int_equal(c.prefix, 24);
	assert_int_equal(mxg_cidr_parse("192.0.2.9", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(mxg_cidr_parse("2001:db8::/32", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(mxg_cidr_parse("::/0", &c), 0);
	assert_int_equal(c.prefix, 0);
	assert_int_equal(mxg_cidr_parse("2001:db8::1", &c), 0);
	assert_int_equal(c.prefix, 128);
	static const char *const bad[] = {
		"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "192.0.2.0/024", "192.0.2.0/2x",
		"/24", "192.0.2.0/24/1", "192.0.2.0/-1", "example.com/24", "10.0.0.0/1000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (mxg_cidr_parse(bad[i], &c) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static int match(const char *cidr, const char *a)
{
	struct mxg_cidr c;
	assert_int_equal(mxg_cidr_parse(cidr, &c), 0);
	struct mxg_addr x = addr(a);
	return mxg_cidr_match(&c, &x);
}

static void test_cidr_match(void **state)
{
	(void)state;
	assert_true(match("192.0.2.0/24", "192.0.2.255"));
	assert_false(match("192.0.2.0/24", "192.0.3.0"));
	assert_true(match("10.0.0.0/9", "10.127.255.255"));
	assert_false(match("10.0.0.0/9", "10.128.0.0"));
	assert_true(match("0.0.0.0/0", "203.0.113.5"));
	assert_true(match("2001:db8::/33", "2001:db8:7fff::1"));
	assert_false(match("2001:db8::/33", "2001:db8:8000::1"));
	assert_true(match("::/0", "2001:db8::1"));
	/* families never cross, except IPv4-mapped clients against IPv4 networks */
	assert_false(match("::/0", "192.0.2.1"));
	assert_false(match("0.0.0.0/0", "2001:db8::1"));
	assert_true(match("192.0.2.0/24", "::ffff:192.0.2.1"));
	assert_false(match("192.0.2.0/24", "::ffff:198.51.100.1"));
}

static void test_prefix_equal(void **state)
{
	(void)state;
	struct mxg_addr x = addr("192.0.2.1"), y = addr("192.0.2.129"), z = addr("2001:db8::1");
	assert_true(mxg_addr_prefix_equal(&x, &y, 24));
	assert_false(mxg_addr_prefix_equal(&x, &y, 25));
	assert_true(mxg_addr_prefix_equal(&x, &y, 0));
	assert_false(mxg_addr_prefix_equal(&x, &y, 200)); /* clamped to 32 */
	assert_false(mxg_addr_prefix_equal(&x, &z, 0));
}

static void assert_kind(const char *a, const char *kind)
{
	struct mxg_addr x = addr(a);
	const char *got = mxg_addr_special_kind(&x);
	if (kind == NULL) {
		if (got != NULL)
			fail_msg("%s reported as %s", a, got);
		assert_false(mxg_addr_is_special(&x));
		return;
	}
	if (got == NULL)
		fail_msg("%s not reported special (want %s)", a, kind);
	assert_string_equal(got, kind);
	assert_true(mxg_addr_is_special(&x));
}

static void test_special_v4(void **state)
{
	(void)state;
	assert_kind("0.1.2.3", "this-network");
	assert_kind("10.0.0.1", "private");
	assert_kind("172.16.0.1", "private");
	assert_kind("172.31.255.255", "private");
	assert_kind("192.168.1.1", "private");
	assert_kind("100.64.0.1", "shared");
	assert_kind("127.0.0.1", "loopback");
	assert_kind("169.254.1.1", "link-local");
	assert_kind("192.0.0.8", "ietf-protocol");
	assert_kind("192.0.2.1", "documentation");
	assert_kind("198.51.100.1", "documentation");
	assert_kind("203.0.113.1", "documentation");
	assert_kind("198.19.255.1", "benchmarking");
	assert_kind("224.0.0.1", "multicast");
	assert_kind("240.0.0.1", "reserved");
	assert_kind("255.255.255.255", "broadcast");
	/* just outside each block */
	assert_kind("172.32.0.1", NULL);
	assert_kind("100.128.0.1", NULL);
	assert_kind("198.20.0.1", NULL);
	assert_kind("11.0.0.1", NULL);
	assert_kind("8.8.8.8", NULL);
	assert_kind("223.255.255.255", NULL);
}

static void test_special_v6(void **state)
{
	(void)state;
	assert_kind("::", "unspecified");
	assert_kind("::1", "loopback");
	assert_kind("fe80::1", "link-local");
	assert_kind("fd00::1", "unique-local");
	assert_kind("fc00::1", "unique-local");
	assert_kind("ff02::1", "multicast");
	assert_kind("2001:db8::25", "documentation");
	assert_kind("3fff::1", "documentation");
	assert_kind("100::1", "discard");
	assert_kind("fec0::1", "deprecated");
	assert_kind("::ffff:10.0.0.1", "private");
	assert_kind("::ffff:8.8.8.8", "ipv4-mapped");
	assert_kind("2001:4860:4860::8888", NULL);
	assert_kind("2a00:1450::1", NULL);
	assert_kind("64:ff9b::192.0.2.1", NULL); /* well-known NAT64 is globally reachable */
	assert_kind("2001:db9::1", NULL);
	assert_kind("fe00::1", NULL);
}

static void test_cidr_list(void **state)
{
	(void)state;
	struct mxg_cidr_list l;
	char err[128];

	assert_int_equal(mxg_cidr_list_parse(" 127.0.0.0/8, ::1\t10.0.0.0/8,,", &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 3);
	struct mxg_addr in = addr("10.9.9.9"), v6 = addr("::1"), out = addr("192.0.2.1");
	assert_true(mxg_cidr_list_match(&l, &in));
	assert_true(mxg_cidr_list_match(&l, &v6));
	assert_false(mxg_cidr_list_match(&l, &out));
	mxg_cidr_list_free(&l);
	assert_int_equal(l.count, 0);

	assert_int_equal(mxg_cidr_list_parse("", &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 0);
	assert_false(mxg_cidr_list_match(&l, &in));
	mxg_cidr_list_free(&l);

	assert_int_equal(mxg_cidr_list_parse("127.0.0.1, bogus/8 ::1", &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bogus/8"));
	assert_int_equal(l.count, 0);
	assert_null(l.items);
}

static void test_cidr_list_many(void **state)
{
	(void)state;
	char text[4096] = "";
	struct mxg_cidr_list l;
	char err[128];

	for (int i = 0; i < 200; i++) {
		char item[32];
		snprintf(item, sizeof(item), "10.%d.0.0/16 ", i);
		strcat(text, item);
	}
	assert_int_equal(mxg_cidr_list_parse(text, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 200);
	struct mxg_addr a = addr("10.199.3.4"), b = addr("10.200.0.1");
	assert_true(mxg_cidr_list_match(&l, &a));
	assert_false(mxg_cidr_list_match(&l, &b));
	mxg_cidr_list_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_v6),     cmocka_unit_test(test_parse_mapped),
		cmocka_unit_test(test_parse_rejects),   cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_cidr_parse),      cmocka_unit_test(test_cidr_match),
		cmocka_unit_test(test_prefix_equal),    cmocka_unit_test(test_special_v4),
		cmocka_unit_test(test_special_v6),      cmocka_unit_test(test_cidr_list),
		cmocka_unit_test(test_cidr_list_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
