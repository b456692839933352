/* Unit tests of the authoritative-servers analysis (mxg_authns_analyze is pure): inputs built
 * by hand, each finding with a case that raises it and one that must not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdlib.h>

#include "../../common/src/dns_auth_internal.h"
#include "mxguard/authns.h"
#include "mxguard/str.h"

static struct mxg_authns_input *in;
static struct mxg_findings out;

static int setup(void **state)
{
	(void)state;
	in = calloc(1, sizeof(*in));
	memset(&out, 0, sizeof(out));
	mxg_strlcpy(in->domain, "a.test", sizeof(in->domain));
	mxg_strlcpy(in->zone, "a.test", sizeof(in->zone));
	return in ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	mxg_findings_clear(&out);
	free(in);
	return 0;
}

/* A server that answered, at 127.0.0.last, with serial. */
static struct mxg_authns_server *server(const char *ns, int last, uint32_t serial)
{
	struct mxg_authns_server *s = &in->servers[in->n_servers++];

	mxg_strlcpy(s->ns, ns, sizeof(s->ns));
	s->addr.family = 4;
	s->addr.bytes[0] = 127;
	s->addr.bytes[3] = (uint8_t)last;
	s->state = MXG_AUTHNS_ANSWERED;
	s->serial = serial;
	s->mx_known = 1;
	s->mx_ttl = 3600;
	return s;
}

static void mx(struct mxg_authns_server *s, uint16_t pref, const char *name)
{
	s->mx[s->mx_count].pref = pref;
	mxg_strlcpy(s->mx[s->mx_count++].name, name, MXG_DNS_NAME_MAX);
}

static unsigned target(const char *name)
{
	mxg_strlcpy(in->targets[in->n_targets], name, MXG_DNS_NAME_MAX);
	return in->n_targets++;
}

static void addr4(struct mxg_authns_server *s, unsigned t, uint8_t last)
{
	struct mxg_authns_addrs *a = &s->targets[t];
	struct mxg_addr *x = &a->addrs[a->count++];

	a->known = 1;
	x->family = 4;
	x->bytes[0] = 192, x->bytes[1] = 0, x->bytes[2] = 2, x->bytes[3] = last;
}

static const struct mxg_finding *find(enum mxg_finding_code code, size_t nth)
{
	for (size_t i = 0; i < out.count; i++)
		if (out.items[i].code == code && nth-- == 0)
			return &out.items[i];
	return NULL;
}

static size_t count(enum mxg_finding_code code)
{
	size_t n = 0;

	for (size_t i = 0; i < out.count; i++)
		n += out.items[i].code == code;
	return n;
}

/* Two servers with the same data, records in another order: nothing to report. */
static void test_agree(void **state)
{
	(void)state;
	unsigned t1 = target("mx1.a.test"), t2 = target("mx2.a.test");
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 7);
	mx(a, 10, "mx1.a.test"), mx(a, 20, "mx2.a.test");
	mx(b, 20, "mx2.a.test"), mx(b, 10, "mx1.a.test");
	addr4(a, t1, 1), addr4(a, t2, 2), addr4(a, t2, 3);
	addr4(b, t1, 1), addr4(b, t2, 3), addr4(b, t2, 2);
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 0);
	assert_int_equal(mxg_authns_answered(in), 2);
}

/* The stale secondary: another MX set and an older serial. */
static void test_stale_secondary(void **state)
{
	(void)state;
	struct mxg_authns_server *a = server("ns1.a.test", 2, 8), *b = server("ns2.a.test", 3, 7);
	struct mxg_authns_server *c = server("ns3.a.test", 4, 8);
	mx(a, 10, "new.a.test"), mx(b, 10, "old.a.test"), mx(c, 10, "new.a.test");
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	const struct mxg_finding *f = find(MXG_F_MX_NS_INCONSISTENT, 0);
	assert_non_null(f);
	assert_int_equal(f->severity, MXG_SEV_ERROR);
	assert_string_equal(f->subject, "a.test");
	assert_non_null(strstr(f->text, "ns1.a.test (127.0.0.2), ns3.a.test (127.0.0.4): 10 new.a.test"));
	assert_non_null(strstr(f->text, "ns2.a.test (127.0.0.3): 10 old.a.test"));
	assert_int_equal(count(MXG_F_MX_NS_INCONSISTENT), 1);
	f = find(MXG_F_NS_SERIAL_MISMATCH, 0);
	assert_non_null(f);
	assert_int_equal(f->severity, MXG_SEV_INFO);
	assert_non_null(strstr(f->text, "ns2.a.test (127.0.0.3): 7"));
}

/* Same serial, same MX set, different addresses for a target. */
static void test_target_addresses_differ(void **state)
{
	(void)state;
	unsigned t = target("mx1.a.test");
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 7);
	mx(a, 10, "mx1.a.test"), mx(b, 10, "mx1.a.test");
	addr4(a, t, 1), addr4(b, t, 9);
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 1);
	const struct mxg_finding *f = find(MXG_F_MX_NS_INCONSISTENT, 0);
	assert_non_null(f);
	assert_string_equal(f->subject, "mx1.a.test");
	assert_non_null(strstr(f->text, "192.0.2.1"));
	assert_non_null(strstr(f->text, "192.0.2.9"));
}

/* A target outside the zone (not known at one server) is not compared. */
static void test_unknown_target_not_compared(void **state)
{
	(void)state;
	unsigned t = target("mx.elsewhere.test");
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 7);
	mx(a, 10, "mx.elsewhere.test"), mx(b, 10, "mx.elsewhere.test");
	addr4(a, t, 1);
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 0);
}

/* The TTL differs: a lowered TTL that one server does not serve yet. */
static void test_ttl_differs(void **state)
{
	(void)state;
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 7);
	mx(a, 10, "mx1.a.test"), mx(b, 10, "mx1.a.test");
	b->mx_ttl = 300;
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	const struct mxg_finding *f = find(MXG_F_MX_NS_INCONSISTENT, 0);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "MX TTL"));
	assert_non_null(strstr(f->text, "300 s"));
}

/* NXDOMAIN at one server against records at the other. */
static void test_nxdomain_against_records(void **state)
{
	(void)state;
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 7);
	mx(a, 10, "mx1.a.test");
	b->mx_nxdomain = 1;
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	const struct mxg_finding *f = find(MXG_F_MX_NS_INCONSISTENT, 0);
	assert_non_null(f);
	assert_non_null(strstr(f->text, "NXDOMAIN"));
}

/* Silent and lame servers: one finding each, and they take no part in the comparisons. */
static void test_unreachable_and_lame(void **state)
{
	(void)state;
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns2.a.test", 3, 1);
	struct mxg_authns_server *c = server("ns3.a.test", 4, 2);
	mx(a, 10, "mx1.a.test"), mx(b, 10, "old.a.test"), mx(c, 10, "old.a.test");
	b->state = MXG_AUTHNS_NO_ANSWER;
	mxg_strlcpy(b->why, "no answer (timeout)", sizeof(b->why));
	c->state = MXG_AUTHNS_LAME;
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 2);
	const struct mxg_finding *f = find(MXG_F_NS_UNREACHABLE, 0);
	assert_non_null(f);
	assert_int_equal(f->severity, MXG_SEV_WARNING);
	assert_string_equal(f->subject, "ns2.a.test (127.0.0.3)");
	assert_non_null(strstr(f->text, "timeout"));
	assert_non_null(find(MXG_F_NS_LAME, 0));
	assert_int_equal(mxg_authns_answered(in), 1);
}

/* A host without IPv6: the AAAA addresses of the servers stay silent while every IPv4 one
 * answers; not the zone's fault, not reported. A silent IPv6 address when another IPv6 one
 * answered is. */
static void test_family_unreachable_from_here(void **state)
{
	(void)state;
	struct mxg_authns_server *a = server("ns1.a.test", 2, 7), *b = server("ns1.a.test", 3, 7);
	mx(a, 10, "mx1.a.test");
	b->addr.family = 6;
	b->state = MXG_AUTHNS_NO_ANSWER;
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 0);
	struct mxg_authns_server *c = server("ns2.a.test", 4, 7);
	mx(c, 10, "mx1.a.test");
	c->addr.family = 6;
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(count(MXG_F_NS_UNREACHABLE), 1);
}

/* A single server has nothing to disagree with. */
static void test_single_server(void **state)
{
	(void)state;
	mx(server("ns1.a.test", 2, 7), 10, "mx1.a.test");
	assert_int_equal(mxg_authns_analyze(in, &out), 0);
	assert_int_equal(out.count, 0);
}

/* Counts beyond the limits are refused, not read past. */
static void test_bounds(void **state)
{
	(void)state;
	in->n_servers = MXG_AUTHNS_MAX_SERVERS + 1;
	assert_int_equal(mxg_authns_analyze(in, &out), -1);
}

/* The zone's servers, whatever order the NS RRset comes in: the first in name order, each
 * once, found at the closest ancestor that has NS records. */
static void test_zone_servers_order(void **state)
{
	static const char *const lines[] = {
		"a.test. 3600 IN NS ns5.a.test.", "a.test. 3600 IN NS ns2.a.test.",
		"a.test. 3600 IN NS ns9.a.test.", "a.test. 3600 IN NS ns1.a.test.",
		"a.test. 3600 IN NS ns2.a.test.", "a.test. 3600 IN NS ns3.a.test.",
		"www.a.test. 3600 IN A 192.0.2.1",
	};
	struct mxg_resolver *r = mxg_resolver_zone_new();
	char ns[3][MXG_DNS_NAME_MAX], apex[MXG_DNS_NAME_MAX], why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_int_equal(mxg_zone_add_text(r, lines[i], why, sizeof(why)), 0);
	assert_int_equal(mxg_auth_zone_servers(r, "www.a.test", apex, ns, 3, why, sizeof(why)), 3);
	assert_string_equal(apex, "a.test");
	assert_string_equal(ns[0], "ns1.a.test");
	assert_string_equal(ns[1], "ns2.a.test");
	assert_string_equal(ns[2], "ns3.a.test");
	mxg_resolver_free(r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_agree), T(test_stale_secondary), T(test_target_addresses_differ),
		T(test_unknown_target_not_compared), T(test_ttl_differs),
		T(test_nxdomain_against_records), T(test_unreachable_and_lame),
		T(test_single_server), T(test_bounds), T(test_family_unreachable_from_here),
		T(test_zone_servers_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
