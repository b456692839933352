/* Unit tests of the DNS helpers: the name codec (escapes, limits, round trips, comparisons),
 * answer building from wire RDATA, and the TXT string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dns.h"

static void norm_ok(const char *in, const char *want)
{
	char out[MXG_DNS_NAME_MAX];

	if (mxg_dns_name_normalize(in, out, sizeof(out)) != 0)
		fail_msg("normalize('%s') failed", in);
	assert_string_equal(out, want);
}

static void norm_bad(const char *in)
{
	char out[MXG_DNS_NAME_MAX];

	if (mxg_dns_name_normalize(in, out, sizeof(out)) == 0)
		fail_msg("normalize('%s') accepted as '%s'", in, out);
}

static void test_normalize(void **state)
{
	(void)state;
	norm_ok("Example.COM.", "example.com");
	norm_ok("example.com", "example.com");
	norm_ok(".", "");
	norm_ok("", "");
	norm_ok("_dmarc.Example.com", "_dmarc.example.com");
	norm_ok("*.example.com", "*.example.com");
	norm_bad("a..b");
	norm_bad(".a");
	norm_bad("a..");
	norm_bad("..");
}

static void test_escapes(void **state)
{
	(void)state;
	norm_ok("a\\.b.example", "a\\.b.example");   /* a dot inside a label stays escaped */
	norm_ok("\\065bc.test", "abc.test");         /* \DDD decimal, lower-cased */
	norm_ok("a\\ b.test", "a\\032b.test");       /* space becomes \032 */
	norm_ok("x\\\\y.test", "x\\\\y.test");
	norm_bad("a\\2.test");                       /* short \DDD */
	norm_bad("a\\256.test");                     /* over 255 */
	norm_bad("abc\\");                           /* dangling backslash */

	uint8_t wire[64];
	assert_int_equal(mxg_dns_name_to_wire("a\\.b.c", wire, sizeof(wire)), 7);
	assert_memory_equal(wire, "\003a.b\001c\000", 7);
}

static void make_label(char *buf, size_t n)
{
	memset(buf, 'a', n);
	buf[n] = '\0';
}

static void test_limits(void **state)
{
	char l63[64], l64[65], name[400];

	(void)state;
	make_label(l63, 63);
	make_label(l64, 64);
	snprintf(name, sizeof(name), "%s.test", l63);
	norm_ok(name, name);
	snprintf(name, sizeof(name), "%s.test", l64);
	norm_bad(name);
	/* 63.63.63.61: 253 characters, 255 wire octets, the most allowed */
	snprintf(name, sizeof(name), "%s.%s.%s.%s", l63, l63, l63, l63);
	assert_int_equal(strlen(name), 255);
	norm_bad(name);
	snprintf(name, sizeof(name), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	assert_int_equal(strlen(name), 253);
	norm_ok(name, name);
	uint8_t wire[300];
	assert_int_equal(mxg_dns_name_to_wire(name, wire, sizeof(wire)), 255);
	char dotted[400];
	snprintf(dotted, sizeof(dotted), "%s.", name);
	norm_ok(dotted, name);
	snprintf(name, sizeof(name), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	assert_int_equal(strlen(name), 254);
	norm_bad(name);
	/* a too small output buffer is an error, not a truncation */
	char small[8];
	assert_int_equal(mxg_dns_name_normalize("example.com", small, sizeof(small)), -1);
}

static void test_wire_round_trip(void **state)
{
	uint8_t wire[300];
	char text[MXG_DNS_NAME_MAX];
	size_t used;

	(void)state;
	int n = mxg_dns_name_to_wire("Mail.Example.ORG.", wire, sizeof(wire));
	assert_int_equal(n, 18);
	assert_int_equal(mxg_dns_name_from_wire(wire, (size_t)n, text, sizeof(text)), 16);
	assert_string_equal(text, "mail.example.org");
	assert_int_equal(mxg_dns_name_to_wire("", wire, sizeof(wire)), 1);
	assert_int_equal(wire[0], 0);
	assert_int_equal(mxg_dns_name_from_wire(wire, 1, text, sizeof(text)), 0);
	assert_string_equal(text, "");

	static const uint8_t odd[] = { 3, 'a', 0x00, 0xff, 1, '.', 0, 'x' };
	assert_int_equal(mxg_dns_name_decode(odd, sizeof(odd), text, sizeof(text), &used), 12);
	assert_string_equal(text, "a\\000\\255.\\.");
	assert_int_equal(used, 7);
	n = mxg_dns_name_to_wire(text, wire, sizeof(wire));
	assert_int_equal(n, 7);
	assert_memory_equal(wire, odd, 7);

	static const uint8_t truncated[] = { 5, 'a', 'b' };
	assert_int_equal(mxg_dns_name_from_wire(truncated, sizeof(truncated), text, sizeof(text)), -1);
	static const uint8_t pointer[] = { 1, 'a', 0xc0, 0x00 };
	assert_int_equal(mxg_dns_name_from_wire(pointer, sizeof(pointer), text, sizeof(text)), -1);
	static const uint8_t unterminated[] = { 1, 'a' };
	assert_int_equal(mxg_dns_name_from_wire(unterminated, 2, text, sizeof(text)), -1);
	assert_int_equal(mxg_dns_name_to_wire("example.com", wire, 5), -1);
}

static void test_equal_and_sub(void **state)
{
	(void)state;
	assert_true(mxg_dns_name_equal("Example.com.", "example.COM"));
	assert_false(mxg_dns_name_equal("example.com", "example.org"));
	assert_false(mxg_dns_name_equal("a.example.com", "example.com"));
	assert_true(mxg_dns_name_equal("\\065.test", "a.test"));
	assert_true(mxg_dns_name_is_sub("mail.example.com", "example.com"));
	assert_true(mxg_dns_name_is_sub("Example.com.", "example.com"));
	assert_true(mxg_dns_name_is_sub("example.com", ""));
	assert_false(mxg_dns_name_is_sub("badexample.com", "example.com"));
	assert_false(mxg_dns_name_is_sub("example.com", "mail.example.com"));
	assert_false(mxg_dns_name_is_sub("a\\.example.com", "example.com"));
	assert_true(mxg_dns_name_is_sub("x.a\\.example.com", "a\\.example.com"));
}

static void test_answer_decode(void **state)
{
	(void)state;
	struct mxg_dns_answer *a = mxg_dns_answer_new("Example.TEST.", MXG_DNS_MX);
	assert_non_null(a);
	assert_string_equal(a->qname, "example.test");
	assert_string_equal(a->canonical, "example.test");

	static const uint8_t mx[] = { 0, 10, 3, 'm', 'x', '1', 4, 't', 'e', 's', 't', 0 };
	assert_int_equal(mxg_dns_answer_add(a, "example.test", MXG_DNS_MX, 300, mx, sizeof(mx)), 0);
	static const uint8_t nullmx[] = { 0, 0, 0 };
	assert_int_equal(mxg_dns_answer_add(a, "example.test", MXG_DNS_MX, 200, nullmx, 3), 0);
	static const uint8_t v4[] = { 192, 0, 2, 1 };
	assert_int_equal(mxg_dns_answer_add(a, "h.test", MXG_DNS_A, 100, v4, 4), 0);
	assert_int_equal(mxg_dns_answer_add(a, "h.test", MXG_DNS_A, 100, v4, 3), -1);
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	assert_int_equal(mxg_dns_answer_add(a, "h.test", MXG_DNS_AAAA, 50, v6, 16), 0);
	assert_int_equal(mxg_dns_answer_add(a, "h.test", MXG_DNS_AAAA, 50, v6, 4), -1);
	static const uint8_t cname[] = { 1, 'x', 4, 't', 'e', 's', 't', 0, 'j' };
	assert_int_equal(mxg_dns_answer_add(a, "c.test", MXG_DNS_CNAME, 9, cname, 8), 0);
	assert_int_equal(mxg_dns_answer_add(a, "c.test", MXG_DNS_CNAME, 9, cname, 9), -1);
	static const uint8_t other[] = { 1, 2, 3 };
	assert_int_equal(mxg_dns_answer_add(a, "c.test", 999, 9, other, 3), 0);

	assert_int_equal(a->count, 6);
	assert_int_equal(a->rrs[0].pref, 10);
	assert_string_equal(a->rrs[0].target, "mx1.test");
	assert_string_equal(a->rrs[1].target, "");
	assert_memory_equal(a->rrs[2].addr, v4, 4);
	assert_memory_equal(a->rrs[3].addr, v6, 16);
	assert_string_equal(a->rrs[4].target, "x.test");
	assert_int_equal(a->rrs[5].rdlen, 3);
	assert_memory_equal(a->rrs[5].rdata, other, 3);
	assert_int_equal(a->ttl, 9);
	mxg_dns_answer_free(a);
}

static void test_txt(void **state)
{
	char buf[64];
	size_t len;

	(void)state;
	struct mxg_dns_answer *a = mxg_dns_answer_new("t.test", MXG_DNS_TXT);
	static const uint8_t txt[] = { 6, 'v', '=', 's', 'p', 'f', '1', 0, 4, ' ', '-', 'a', 'l' };
	assert_int_equal(mxg_dns_answer_add(a, "t.test", MXG_DNS_TXT, 60, txt, sizeof(txt)), 0);
	const struct mxg_dns_rr *rr = &a->rrs[0];
	assert_int_equal(mxg_dns_txt_count(rr), 3);
	const uint8_t *s = mxg_dns_txt_string(rr, 0, &len);
	assert_non_null(s);
	assert_int_equal(len, 6);
	assert_memory_equal(s, "v=spf1", 6);
	s = mxg_dns_txt_string(rr, 1, &len);
	assert_non_null(s);
	assert_int_equal(len, 0);
	s = mxg_dns_txt_string(rr, 2, &len);
	assert_int_equal(len, 4);
	assert_null(mxg_dns_txt_string(rr, 3, &len));
	assert_int_equal(mxg_dns_txt_join(rr, buf, sizeof(buf)), 10);
	assert_string_equal(buf, "v=spf1 -al");
	assert_int_equal(mxg_dns_txt_join(rr, buf, 10), -1); /* no room for the NUL */

	static const uint8_t nul[] = { 3, 'a', 0, 'b' };
	assert_int_equal(mxg_dns_answer_add(a, "t.test", MXG_DNS_TXT, 60, nul, sizeof(nul)), 0);
	assert_int_equal(mxg_dns_txt_join(&a->rrs[1], buf, sizeof(buf)), -1);
	static const uint8_t ragged[] = { 5, 'a', 'b' };
	assert_int_equal(mxg_dns_answer_add(a, "t.test", MXG_DNS_TXT, 60, ragged, 3), -1);
	assert_int_equal(mxg_dns_answer_add(a, "t.test", MXG_DNS_SPF, 60, txt, sizeof(txt)), 0);
	assert_int_equal(mxg_dns_txt_count(&a->rrs[2]), 3);
	mxg_dns_answer_free(a);
}

/* A response with compressed names: alias.t CNAME www.t, two A records of www.t, and
 * a record of an unrelated name that must be left out. */
static const uint8_t response[] = {
	0x12, 0x34, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0,
	5, 'a', 'l', 'i', 'a', 's', 1, 't', 0, 0, 1, 0, 1,
	0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'w', 'w', 'w', 0xc0, 18,
	0xc0, 37, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 1,
	0xc0, 37, 0, 1, 0, 1, 0, 0, 0, 20, 0, 4, 192, 0, 2, 2,
	5, 'o', 't', 'h', 'e', 'r', 0xc0, 18, 0, 1, 0, 1, 0, 0, 0, 20, 0, 4, 192, 0, 2, 3,
};

static void test_from_packet(void **state)
{
	(void)state;
	struct mxg_dns_answer *a = mxg_dns_answer_new("alias.t", MXG_DNS_A);
	assert_int_equal(mxg_dns_answer_from_packet(a, response, sizeof(response)), 0);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->cname_count, 1);
	assert_string_equal(a->cname_chain[0], "www.t");
	assert_string_equal(a->canonical, "www.t");
	assert_string_equal(a->rrs[0].owner, "www.t");
	assert_int_equal(a->rrs[0].addr[3] + a->rrs[1].addr[3], 3);
	assert_int_equal(a->ttl, 20);
	mxg_dns_answer_free(a);

	a = mxg_dns_answer_new("alias.t", MXG_DNS_CNAME);
	assert_int_equal(mxg_dns_answer_from_packet(a, response, sizeof(response)), 0);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->cname_count, 0);
	assert_string_equal(a->rrs[0].target, "www.t");
	mxg_dns_answer_free(a);

	a = mxg_dns_answer_new("alias.t", MXG_DNS_MX); /* NODATA at the end of the chain */
	assert_int_equal(mxg_dns_answer_from_packet(a, response, sizeof(response)), 0);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->cname_count, 1);
	mxg_dns_answer_free(a);

	a = mxg_dns_answer_new("alias.t", MXG_DNS_A);
	assert_int_equal(mxg_dns_answer_from_packet(a, response, 50), -1); /* truncated */
	assert_int_equal(mxg_dns_answer_from_packet(a, response, 5), -1);
	assert_true(strlen(a->why) > 0);
	mxg_dns_answer_free(a);
}

static int dummy_lookup(void *ctx, const char *name, uint16_t type,
			struct mxg_dns_answer **out, char *err, size_t errlen)
{
	(void)ctx, (void)err, (void)errlen;
	*out = mxg_dns_answer_new(name, type);
	return *out != NULL ? 0 : -1;
}

static const struct mxg_resolver_ops dummy_ops = { dummy_lookup, NULL };

static void test_resolver_handle(void **state)
{
	char err[128];
	struct mxg_dns_answer *a = NULL;

	(void)state;
	struct mxg_resolver *r = mxg_resolver_new(&dummy_ops, NULL);
	assert_non_null(r);
	assert_int_equal(mxg_dns_lookup(r, "Host.Example.", MXG_DNS_A, &a, err, sizeof(err)), 0);
	assert_string_equal(a->qname, "host.example"); /* the backend gets the normalised name */
	mxg_dns_answer_free(a);
	assert_int_equal(mxg_dns_lookup(r, "bad..name", MXG_DNS_A, &a, err, sizeof(err)), -1);
	assert_null(a);
	assert_non_null(strstr(err, "bad..name"));
	assert_int_equal(mxg_resolver_lookups(r), 1);
	/* zone calls on a resolver that is not a zone are refused */
	static const uint8_t v4[] = { 192, 0, 2, 1 };
	assert_int_equal(mxg_zone_add_rr(r, "x.test", MXG_DNS_A, 60, v4, 4), -1);
	assert_int_equal(mxg_zone_set_fault(r, "x.test", 0, MXG_DNS_TIMEOUT), -1);
	assert_int_equal(mxg_zone_add_text(r, "x.test. 60 IN A 192.0.2.1", err, sizeof(err)), -1);
	mxg_resolver_free(r);
}

/* Set-up errors of the libunbound backend; nothing here sends a query. */
static void test_unbound_options(void **state)
{
	char err[256];
	const char *bad[] = { "not-an-address", NULL };
	const char *good[] = { "127.0.0.1@5399", "::1", NULL };
	struct mxg_unbound_options o = { .forwarders = bad };

	(void)state;
	assert_null(mxg_resolver_unbound_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "not-an-address"));
	o.forwarders = good;
	o.timeout_ms = 600001;
	assert_null(mxg_resolver_unbound_new(&o, err, sizeof(err)));
	o.timeout_ms = 0;
	o.trust_anchor = "/nonexistent/root.key";
	assert_null(mxg_resolver_unbound_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/root.key"));
	o.trust_anchor = NULL;
	struct mxg_resolver *r = mxg_resolver_unbound_new(&o, err, sizeof(err));
	assert_non_null(r);
	mxg_resolver_free(r);
}

static void test_names_tables(void **state)
{
	(void)state;
	assert_string_equal(mxg_dns_type_name(MXG_DNS_MX), "MX");
	assert_string_equal(mxg_dns_type_name(MXG_DNS_TLSA), "TLSA");
	assert_string_equal(mxg_dns_type_name(MXG_DNS_SPF), "SPF");
	assert_string_equal(mxg_dns_type_name(4242), "UNKNOWN");
	assert_string_equal(mxg_dns_rcode_name(MXG_DNS_NXDOMAIN), "NXDOMAIN");
	assert_string_equal(mxg_dns_rcode_name(MXG_DNS_TIMEOUT), "TIMEOUT");
	assert_string_equal(mxg_dnssec_name(MXG_DNSSEC_BOGUS), "bogus");
}

/* SERVFAIL and timeouts are temporary; NOERROR (records or none) and NXDOMAIN are answers. */
static void test_is_temporary(void **state)
{
	(void)state;
	assert_false(mxg_dns_is_temporary(MXG_DNS_NOERROR));
	assert_false(mxg_dns_is_temporary(MXG_DNS_NXDOMAIN));
	assert_true(mxg_dns_is_temporary(MXG_DNS_SERVFAIL));
	assert_true(mxg_dns_is_temporary(MXG_DNS_TIMEOUT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_wire_round_trip),
		cmocka_unit_test(test_equal_and_sub),
		cmocka_unit_test(test_answer_decode),
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_from_packet),
		cmocka_unit_test(test_resolver_handle),
		cmocka_unit_test(test_unbound_options),
		cmocka_unit_test(test_names_tables),
		cmocka_unit_test(test_is_temporary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
