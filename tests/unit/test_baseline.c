/* Unit tests of the MX baseline: the file parser (each error with its line), the atomic round
 * trip, the comparison, and the snapshot over the in-memory zone resolver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mxguard/baseline.h"
#include "mxguard/probe.h"
#include "mxguard/str.h"

static const char good[] =
	"# a comment\n"
	"mxguard-baseline 1\n"
	"\n"
	"domain b.test\n"
	"mx 10 mx1.b.test\n"
	"domain a.test\n"
	"mx 10 mx1.a.test\n"
	"addr mx1.a.test 192.0.2.1\n"
	"addr mx1.a.test 2001:db8::1\n"
	"tlsa mx1.a.test 3 1 1 00ff\n"
	"mta-sts-id 20240101T000000\n";

static int parse(const char *text, struct mxg_baseline *b, char *err, size_t errlen)
{
	return mxg_baseline_parse("f", text, strlen(text), b, err, errlen);
}

static void test_parse_good(void **state)
{
	struct mxg_baseline b;
	char err[256];

	(void)state;
	assert_int_equal(parse(good, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	const struct mxg_baseline_domain *a = mxg_baseline_find(&b, "a.test");
	assert_non_null(a);
	assert_int_equal(a->count, 5);
	assert_string_equal(a->facts[0], "addr mx1.a.test 192.0.2.1"); /* kept sorted */
	assert_null(mxg_baseline_find(&b, "c.test"));
	mxg_baseline_free(&b);
}

/* Each bad file is refused with its line number and a reason; nothing is kept. */
static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "domain a.test\n", "f:1: not an mxguard baseline" },
		{ "mxguard-baseline 2\n", "f:1: baseline format version not supported" },
		{ "mxguard-baseline 1\nmx 10 a.test\n", "f:2: a fact before the first 'domain'" },
		{ "mxguard-baseline 1\ndomain a.test\nmx 10 A.test\n", "f:3: expected: mx PREFERENCE HOST" },
		{ "mxguard-baseline 1\ndomain a.test\nmx 65536 a.test\n", "f:3: expected: mx" },
		{ "mxguard-baseline 1\ndomain a.test\nmx 10  a.test\n", "f:3: fields must be separated" },
		{ "mxguard-baseline 1\ndomain a.test\naddr a.test 192.0.2.01\n", "f:3: expected: addr" },
		{ "mxguard-baseline 1\ndomain a.test\ntlsa a.test 3 1 1 0F\n", "f:3: expected: tlsa" },
		{ "mxguard-baseline 1\ndomain a.test\ntlsa a.test 3 1 1 abc\n", "f:3: expected: tlsa" },
		{ "mxguard-baseline 1\ndomain a.test\nsoa 1\n", "f:3: unknown keyword" },
		{ "mxguard-baseline 1\ndomain a.test\ndomain a.test\n", "f:3: domain listed twice" },
		{ "mxguard-baseline 1\ndomain A.test.\n", "f:2: expected: domain NAME" },
		{ "", "f:0: not an mxguard baseline" },
	};
	struct mxg_baseline b;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(cases[i].text, &b, err, sizeof(err)), -1);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got '%s', want '%s...'", i, err, cases[i].want);
		assert_int_equal(b.count, 0);
	}
}

/* The bounds: a line over MXG_BASELINE_LINE_MAX, a NUL byte, too many facts. */
static void test_parse_bounds(void **state)
{
	struct mxg_baseline b;
	char err[256];
	size_t cap = 64 + 40 * (MXG_BASELINE_FACTS_MAX + 1);
	char *text = malloc(cap);

	(void)state;
	snprintf(text, cap, "mxguard-baseline 1\ndomain a.test\nmx 1 ");
	size_t start = strlen(text);
	memset(text + start, 'a', MXG_BASELINE_LINE_MAX);
	text[start + MXG_BASELINE_LINE_MAX] = '\0';
	assert_int_equal(parse(text, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:3: line too long"));

	static const char nul[] = "mxguard-baseline 1\ndomain a.test\nmx 1\0 a.test\n";
	assert_int_equal(mxg_baseline_parse("f", nul, sizeof(nul) - 1, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:3: NUL byte"));

	size_t n = (size_t)snprintf(text, cap, "mxguard-baseline 1\ndomain a.test\n");
	for (unsigned i = 0; i <= MXG_BASELINE_FACTS_MAX; i++)
		n += (size_t)snprintf(text + n, cap - n, "mx %u m.a.test\n", i);
	assert_int_equal(parse(text, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many facts"));
	free(text);
}

/* Save writes what load reads back, the same facts; a missing file is a first run. */
static void test_round_trip(void **state)
{
	struct mxg_baseline b, again;
	char err[256], dir[] = "/tmp/mxg-baseline.XXXXXX", path[300];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.txt", dir);
	assert_int_equal(mxg_baseline_load(path, &again, err, sizeof(err)), 0);
	assert_int_equal(parse(good, &b, err, sizeof(err)), 0);
	assert_int_equal(mxg_baseline_save(path, &b, err, sizeof(err)), 0);
	assert_int_equal(mxg_baseline_load(path, &again, err, sizeof(err)), 1);
	assert_int_equal(again.count, b.count);
	for (size_t i = 0; i < b.count; i++) {
		assert_string_equal(again.domains[i].name, b.domains[i].name);
		assert_int_equal(again.domains[i].count, b.domains[i].count);
		for (size_t j = 0; j < b.domains[i].count; j++)
			assert_string_equal(again.domains[i].facts[j], b.domains[i].facts[j]);
	}
	mxg_baseline_free(&again);
	mxg_baseline_free(&b);
	unlink(path);
	rmdir(dir);
}

static void test_add_and_put(void **state)
{
	struct mxg_baseline b = { 0 };
	struct mxg_baseline_domain d = { 0 };

	(void)state;
	mxg_strlcpy(d.name, "a.test", sizeof(d.name));
	assert_int_equal(mxg_baseline_add(&d, "mx %u %s", 20, "mx2.a.test"), 0);
	assert_int_equal(mxg_baseline_add(&d, "mx %u %s", 10, "mx1.a.test"), 0);
	assert_int_equal(mxg_baseline_add(&d, "mx %u %s", 10, "mx1.a.test"), 0); /* duplicate */
	assert_int_equal(mxg_baseline_add(&d, "mx 10 %s", "Bad.Name."), -1);
	assert_int_equal(d.count, 2);
	assert_string_equal(d.facts[0], "mx 10 mx1.a.test");
	assert_int_equal(mxg_baseline_put(&b, &d), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(mxg_baseline_find(&b, "a.test")->count, 2);
	mxg_baseline_free(&b);
}

static void test_compare(void **state)
{
	struct mxg_baseline_domain old = { 0 }, cur = { 0 };
	struct mxg_findings out = { 0 };

	(void)state;
	mxg_strlcpy(old.name, "a.test", sizeof(old.name));
	mxg_strlcpy(cur.name, "a.test", sizeof(cur.name));
	mxg_baseline_add(&old, "mx 10 mx1.a.test");
	mxg_baseline_add(&old, "addr mx1.a.test 192.0.2.1");
	mxg_baseline_add(&cur, "mx 10 mx1.a.test");
	assert_int_equal(mxg_baseline_compare(&old, &old, &out), 0);
	assert_int_equal(out.count, 0);
	mxg_baseline_add(&cur, "addr mx1.a.test 198.51.100.7");
	assert_int_equal(mxg_baseline_compare(&old, &cur, &out), 2);
	assert_int_equal(out.count, 2);
	assert_int_equal(out.items[0].code, MXG_F_MX_CHANGED);
	assert_int_equal(out.items[0].severity, MXG_SEV_CRITICAL);
	assert_string_equal(out.items[0].text,
			    "removed since the baseline: addr mx1.a.test 192.0.2.1");
	assert_string_equal(out.items[1].text,
			    "added since the baseline: addr mx1.a.test 198.51.100.7");
	mxg_findings_clear(&out);

	/* Many changes: capped, then one that counts the rest. */
	for (unsigned i = 0; i < MXG_BASELINE_CHANGES_MAX + 5; i++)
		mxg_baseline_add(&cur, "mx %u extra.a.test", 100 + i);
	assert_int_equal(mxg_baseline_compare(&old, &cur, &out), MXG_BASELINE_CHANGES_MAX + 7);
	assert_int_equal(out.count, MXG_BASELINE_CHANGES_MAX + 1);
	assert_non_null(strstr(out.items[out.count - 1].text, "and 7 more changes"));
	mxg_findings_clear(&out);
	mxg_baseline_domain_free(&old);
	mxg_baseline_domain_free(&cur);
}

static struct mxg_resolver *zone(void)
{
	static const char *const lines[] = {
		"a.test. 3600 IN MX 10 mx1.a.test.",
		"a.test. 3600 IN MX 20 mx.b.test.",
		"mx1.a.test. 3600 IN A 192.0.2.1",
		"mx1.a.test. 3600 IN AAAA 2001:db8::1",
		"mx.b.test. 3600 IN A 192.0.2.2",
		"_25._tcp.mx1.a.test. 3600 IN TLSA 3 1 1 00FF",
		"_mta-sts.a.test. 3600 IN TXT \"v=STSv1; id=20240101T000000;\"",
		"_mta-sts.b.test. 3600 IN TXT \"v=spf1 -all id=x\"",
	};
	struct mxg_resolver *r = mxg_resolver_zone_new();
	char err[256];

	for (size_t i = 0; r && i < sizeof(lines) / sizeof(lines[0]); i++)
		if (mxg_zone_add_text(r, lines[i], err, sizeof(err)) < 0)
			fail_msg("%s: %s", lines[i], err);
	return r;
}

static void test_snapshot(void **state)
{
	struct mxg_resolver *r = zone();
	struct mxg_mx_input *mx = malloc(sizeof(*mx));
	struct mxg_baseline_domain d;
	char err[256];

	(void)state;
	assert_int_equal(mxg_mx_gather(r, "a.test", 0, mx, err, sizeof(err)), 0);
	assert_int_equal(mxg_baseline_snapshot(r, mx, NULL, NULL, &d, err, sizeof(err)), 1);
	static const char *const want[] = {
		"addr mx.b.test 192.0.2.2", "addr mx1.a.test 192.0.2.1", "addr mx1.a.test 2001:db8::1",
		"mta-sts-id 20240101T000000", "mx 10 mx1.a.test", "mx 20 mx.b.test",
		"tlsa mx1.a.test 3 1 1 00ff",
	};
	assert_int_equal(d.count, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < d.count; i++)
		assert_string_equal(d.facts[i], want[i]);
	mxg_baseline_domain_free(&d);

	/* A TLSA lookup that fails temporarily: no snapshot, never a false change. */
	assert_int_equal(mxg_zone_set_fault(r, "_25._tcp.mx.b.test", 0, MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_baseline_snapshot(r, mx, NULL, NULL, &d, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "_25._tcp.mx.b.test"));
	assert_int_equal(d.count, 0);

	/* A TXT record that is not MTA-STS gives no id. */
	assert_int_equal(mxg_mx_gather(r, "b.test", 0, mx, err, sizeof(err)), 0);
	assert_int_equal(mxg_baseline_snapshot(r, mx, NULL, NULL, &d, err, sizeof(err)), 1);
	assert_int_equal(d.count, 0);
	mxg_baseline_domain_free(&d);
	free(mx);
	mxg_resolver_free(r);
}

static void assert_same_facts(const struct mxg_baseline_domain *x, const struct mxg_baseline_domain *y)
{
	assert_int_equal(x->count, y->count);
	for (size_t i = 0; i < x->count; i++)
		assert_string_equal(x->facts[i], y->facts[i]);
}

/* check --probe --baseline: the snapshot takes the TLSA answers the probe's DNS step kept, so
 * it asks only the _mta-sts record, and holds what a snapshot asking everything holds. */
static void test_snapshot_after_probe(void **state)
{
	struct mxg_resolver *r = zone();
	struct mxg_mx_input *mx = malloc(sizeof(*mx));
	struct mxg_probe_input *p = calloc(1, sizeof(*p));
	struct mxg_baseline_domain alone, after;
	char err[256];

	(void)state;
	assert_non_null(mx);
	assert_non_null(p);
	assert_int_equal(mxg_mx_gather(r, "a.test", 0, mx, err, sizeof(err)), 0);
	unsigned long n0 = mxg_resolver_lookups(r);
	assert_int_equal(mxg_baseline_snapshot(r, mx, NULL, NULL, &alone, err, sizeof(err)), 1);
	assert_int_equal(mxg_resolver_lookups(r) - n0, 3); /* two TLSA, one TXT */
	assert_int_equal(mxg_probe_prepare(mx, p), 0);
	assert_int_equal(mxg_probe_dns(r, p, err, sizeof(err)), 0);
	assert_non_null(mxg_probe_tlsa_answer(p, "mx1.a.test"));
	assert_null(mxg_probe_tlsa_answer(p, "other.a.test"));
	n0 = mxg_resolver_lookups(r);
	assert_int_equal(mxg_baseline_snapshot(r, mx, mxg_probe_tlsa_answer, p, &after, err,
						sizeof(err)), 1);
	assert_int_equal(mxg_resolver_lookups(r) - n0, 1);
	assert_same_facts(&alone, &after);
	mxg_baseline_domain_free(&after);
	mxg_baseline_domain_free(&alone);
	mxg_probe_clear(p);

	/* A TLSA failure the probe saw still stops the snapshot, named as when asked directly. */
	assert_int_equal(mxg_zone_set_fault(r, "_25._tcp.mx.b.test", 0, MXG_DNS_SERVFAIL), 0);
	assert_int_equal(mxg_probe_prepare(mx, p), 0);
	assert_int_equal(mxg_probe_dns(r, p, err, sizeof(err)), 0);
	n0 = mxg_resolver_lookups(r);
	assert_int_equal(mxg_baseline_snapshot(r, mx, mxg_probe_tlsa_answer, p, &after, err,
						sizeof(err)), 0);
	assert_int_equal(mxg_resolver_lookups(r), n0);
	assert_non_null(strstr(err, "_25._tcp.mx.b.test TLSA: SERVFAIL"));
	mxg_probe_clear(p);
	free(p);
	free(mx);
	mxg_resolver_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),   cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_bounds), cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_add_and_put),  cmocka_unit_test(test_compare),
		cmocka_unit_test(test_snapshot),     cmocka_unit_test(test_snapshot_after_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
