/* Unit tests of the zone backend: loading master files and record lines, and answering
 * with authoritative semantics (NXDOMAIN/NODATA, empty non-terminals, CNAMEs, wildcards, faults). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pthread.h>

#include "mxguard/dns.h"

static const char zone_text[] =
	"$ORIGIN z.test.\n"
	"$TTL 3600\n"
	"@          IN SOA ns hostmaster ( 1 3600 600 86400 120 )\n"
	"@          IN NS  ns\n"
	"ns         IN A   127.0.0.1\n"
	"www   600  IN A   192.0.2.1\n"
	"www        IN A   192.0.2.2\n"
	"www        IN AAAA 2001:db8::1\n"
	"a.b.c      IN TXT \"deep\"\n"
	"alias      IN CNAME step\n"
	"step       IN CNAME www\n"
	"loop1      IN CNAME loop2\n"
	"loop2      IN CNAME loop1\n"
	"dangling   IN CNAME nowhere\n"
	"*.wild     IN TXT \"from the wildcard\"\n"
	"*.wild     IN MX  10 mx.wild\n"
	"real.wild  IN A   192.0.2.9\n"
	"x.sub.wild IN A   192.0.2.10\n"
	"spf        IN TXT \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\"\n"
	"mail       IN MX  10 mx1\n"
	"mail       IN MX  0 .\n";

static char zone_path[64];

static int write_zone(const char *text)
{
	strcpy(zone_path, "/tmp/mxguard-zone-XXXXXX");
	int fd = mkstemp(zone_path);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	int ok = write(fd, text, len) == (ssize_t)len;
	close(fd);
	return ok ? 0 : -1;
}

static int setup(void **state)
{
	char err[256];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	if (r == NULL || write_zone(zone_text) < 0)
		return -1;
	if (mxg_zone_load_file(r, zone_path, NULL, err, sizeof(err)) < 0) {
		print_error("load: %s\n", err);
		return -1;
	}
	unlink(zone_path);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	mxg_resolver_free(*state);
	return 0;
}

static struct mxg_dns_answer *ask(struct mxg_resolver *r, const char *name, uint16_t type)
{
	char err[256];
	struct mxg_dns_answer *a = NULL;

	if (mxg_dns_lookup(r, name, type, &a, err, sizeof(err)) != 0)
		fail_msg("lookup %s: %s", name, err);
	return a;
}

/* Looks up and checks rcode and record count, then frees. */
static void expect(struct mxg_resolver *r, const char *name, uint16_t type,
		   enum mxg_dns_rcode rcode, size_t count)
{
	struct mxg_dns_answer *a = ask(r, name, type);
	if (a->rcode != rcode || a->count != count)
		fail_msg("%s/%s: got %s with %zu records, want %s with %zu", name,
			 mxg_dns_type_name(type), mxg_dns_rcode_name(a->rcode), a->count,
			 mxg_dns_rcode_name(rcode), count);
	mxg_dns_answer_free(a);
}

static void test_records(void **state)
{
	struct mxg_resolver *r = *state;
	struct mxg_dns_answer *a = ask(r, "WWW.z.test.", MXG_DNS_A);

	assert_int_equal(a->rcode, MXG_DNS_NOERROR);
	assert_int_equal(a->count, 2);
	assert_string_equal(a->qname, "www.z.test");
	assert_string_equal(a->rrs[0].owner, "www.z.test");
	assert_int_equal(a->rrs[0].addr[3] + a->rrs[1].addr[3], 3);
	assert_int_equal(a->ttl, 600);
	assert_int_equal(a->cname_count, 0);
	assert_int_equal(a->security, MXG_DNSSEC_INSECURE);
	mxg_dns_answer_free(a);

	a = ask(r, "mail.z.test", MXG_DNS_MX);
	assert_int_equal(a->count, 2);
	int nul = a->rrs[0].pref == 0 ? 0 : 1;
	assert_string_equal(a->rrs[nul].target, "");
	assert_string_equal(a->rrs[1 - nul].target, "mx1.z.test");
	mxg_dns_answer_free(a);

	a = ask(r, "spf.z.test", MXG_DNS_TXT);
	char buf[128];
	assert_int_equal(a->count, 1);
	assert_int_equal(mxg_dns_txt_count(&a->rrs[0]), 3);
	assert_true(mxg_dns_txt_join(&a->rrs[0], buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "v=spf1 ip4:192.0.2.0/24 -all");
	mxg_dns_answer_free(a);
}

static void test_nxdomain_nodata(void **state)
{
	struct mxg_resolver *r = *state;

	expect(r, "www.z.test", MXG_DNS_MX, MXG_DNS_NOERROR, 0);   /* NODATA */
	expect(r, "nope.z.test", MXG_DNS_A, MXG_DNS_NXDOMAIN, 0);
	expect(r, "b.c.z.test", MXG_DNS_A, MXG_DNS_NOERROR, 0);    /* empty non-terminal */
	expect(r, "c.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 0);
	expect(r, "x.b.c.z.test", MXG_DNS_TXT, MXG_DNS_NXDOMAIN, 0);
	expect(r, "a.b.c.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 1);
	/* above the loaded apex nothing exists, even though z.test has data under "test" */
	expect(r, "test", MXG_DNS_A, MXG_DNS_NXDOMAIN, 0);
	expect(r, "other.example", MXG_DNS_A, MXG_DNS_NXDOMAIN, 0);

	/* negative TTL: min(SOA TTL 3600, MINIMUM 120) */
	struct mxg_dns_answer *a = ask(r, "nope.z.test", MXG_DNS_A);
	assert_int_equal(a->ttl, 120);
	mxg_dns_answer_free(a);
	a = ask(r, "www.z.test", MXG_DNS_TXT);
	assert_int_equal(a->ttl, 120);
	mxg_dns_answer_free(a);
}

static void test_cname(void **state)
{
	struct mxg_resolver *r = *state;
	struct mxg_dns_answer *a = ask(r, "alias.z.test", MXG_DNS_A);

	assert_int_equal(a->rcode, MXG_DNS_NOERROR);
	assert_int_equal(a->count, 2);
	assert_int_equal(a->cname_count, 2);
	assert_string_equal(a->cname_chain[0], "step.z.test");
	assert_string_equal(a->cname_chain[1], "www.z.test");
	assert_string_equal(a->canonical, "www.z.test");
	assert_string_equal(a->rrs[0].owner, "www.z.test");
	mxg_dns_answer_free(a);

	a = ask(r, "alias.z.test", MXG_DNS_CNAME); /* the alias itself, not chased */
	assert_int_equal(a->count, 1);
	assert_int_equal(a->cname_count, 0);
	assert_string_equal(a->rrs[0].target, "step.z.test");
	mxg_dns_answer_free(a);

	a = ask(r, "loop1.z.test", MXG_DNS_A);
	assert_int_equal(a->rcode, MXG_DNS_SERVFAIL);
	assert_int_equal(a->count, 0);
	assert_int_equal(a->cname_count, MXG_DNS_CNAME_MAX);
	mxg_dns_answer_free(a);

	a = ask(r, "dangling.z.test", MXG_DNS_A);
	assert_int_equal(a->rcode, MXG_DNS_NXDOMAIN);
	assert_int_equal(a->cname_count, 1);
	assert_string_equal(a->canonical, "nowhere.z.test");
	mxg_dns_answer_free(a);

	expect(r, "alias.z.test", MXG_DNS_MX, MXG_DNS_NOERROR, 0);
}

static void test_wildcard(void **state)
{
	struct mxg_resolver *r = *state;
	struct mxg_dns_answer *a = ask(r, "anything.wild.z.test", MXG_DNS_TXT);

	assert_int_equal(a->rcode, MXG_DNS_NOERROR);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].owner, "anything.wild.z.test");
	mxg_dns_answer_free(a);
	expect(r, "deeper.anything.wild.z.test", MXG_DNS_MX, MXG_DNS_NOERROR, 1);
	expect(r, "anything.wild.z.test", MXG_DNS_A, MXG_DNS_NOERROR, 0); /* wildcard NODATA */
	/* names that exist are not matched by the wildcard (RFC 4592 §2.2) */
	expect(r, "real.wild.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 0);
	expect(r, "real.wild.z.test", MXG_DNS_A, MXG_DNS_NOERROR, 1);
	expect(r, "sub.wild.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 0);   /* empty non-terminal */
	/* the closest encloser of y.sub.wild is sub.wild, which has no wildcard */
	expect(r, "y.sub.wild.z.test", MXG_DNS_TXT, MXG_DNS_NXDOMAIN, 0);
	expect(r, "wild.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 0);
	expect(r, "*.wild.z.test", MXG_DNS_TXT, MXG_DNS_NOERROR, 1);
}

static void test_faults(void **state)
{
	struct mxg_resolver *r = *state;

	assert_int_equal(mxg_zone_set_fault(r, "www.z.test", MXG_DNS_AAAA, MXG_DNS_TIMEOUT), 0);
	expect(r, "www.z.test", MXG_DNS_AAAA, MXG_DNS_TIMEOUT, 0);
	expect(r, "www.z.test", MXG_DNS_A, MXG_DNS_NOERROR, 2);
	assert_int_equal(mxg_zone_set_fault(r, "Spf.Z.Test.", 0, MXG_DNS_SERVFAIL), 0);
	expect(r, "spf.z.test", MXG_DNS_TXT, MXG_DNS_SERVFAIL, 0);
	expect(r, "spf.z.test", MXG_DNS_A, MXG_DNS_SERVFAIL, 0);
	/* a fault on a name that has no data, and one met along a CNAME chain */
	assert_int_equal(mxg_zone_set_fault(r, "ghost.z.test", 0, MXG_DNS_TIMEOUT), 0);
	expect(r, "ghost.z.test", MXG_DNS_TXT, MXG_DNS_TIMEOUT, 0);
	assert_int_equal(mxg_zone_set_fault(r, "step.z.test", MXG_DNS_A, MXG_DNS_SERVFAIL), 0);
	expect(r, "alias.z.test", MXG_DNS_A, MXG_DNS_SERVFAIL, 0);
	expect(r, "sub.wild.z.test", MXG_DNS_A, MXG_DNS_NOERROR, 0);
	assert_int_equal(mxg_zone_set_fault(r, "x.test", 0, MXG_DNS_NOERROR), -1);
	assert_int_equal(mxg_zone_set_fault(r, "a..b", 0, MXG_DNS_TIMEOUT), -1);
}

static void test_security(void **state)
{
	struct mxg_resolver *r = *state;
	struct mxg_dns_answer *a;

	assert_int_equal(mxg_zone_set_security(r, "z.test", MXG_DNSSEC_SECURE), 0);
	assert_int_equal(mxg_zone_set_security(r, "wild.z.test", MXG_DNSSEC_BOGUS), 0);
	a = ask(r, "www.z.test", MXG_DNS_A);
	assert_int_equal(a->security, MXG_DNSSEC_SECURE);
	mxg_dns_answer_free(a);
	a = ask(r, "nope.z.test", MXG_DNS_A);
	assert_int_equal(a->security, MXG_DNSSEC_SECURE);
	mxg_dns_answer_free(a);
	a = ask(r, "x.wild.z.test", MXG_DNS_TXT);
	assert_int_equal(a->security, MXG_DNSSEC_BOGUS);
	assert_int_equal(a->rcode, MXG_DNS_SERVFAIL);
	assert_int_equal(a->count, 0);
	mxg_dns_answer_free(a);
	/* a secure alias to a bogus name is bogus */
	char err[128];
	assert_int_equal(mxg_zone_add_text(r, "towild.z.test. 60 IN CNAME x.wild.z.test.", err, sizeof(err)), 0);
	a = ask(r, "towild.z.test", MXG_DNS_TXT);
	assert_int_equal(a->security, MXG_DNSSEC_BOGUS);
	mxg_dns_answer_free(a);
	a = ask(r, "elsewhere.test", MXG_DNS_A);
	assert_int_equal(a->security, MXG_DNSSEC_INSECURE);
	mxg_dns_answer_free(a);
}

static void test_add_text_and_rr(void **state)
{
	char err[256];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	(void)state;
	assert_int_equal(mxg_zone_add_text(r, "t.example. 300 IN TXT \"a\" \"b c\"", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(r, "h.example 60 IN A 192.0.2.7", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(r, "h.example 60 IN A 192.0.2.7", err, sizeof(err)), 0);
	assert_int_equal(mxg_zone_add_text(r, "bad.example 60 IN A 999.0.0.1", err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_int_equal(mxg_zone_add_text(r, "", err, sizeof(err)), -1);
	assert_int_equal(mxg_zone_add_text(r, "; comment", err, sizeof(err)), -1);
	assert_int_equal(mxg_zone_add_text(r, "$ORIGIN x.", err, sizeof(err)), -1);

	static const uint8_t spf[] = { 8, 'v', '=', 's', 'p', 'f', '1', ' ', 'a', 0 };
	assert_int_equal(mxg_zone_add_rr(r, "t.example", MXG_DNS_SPF, 120, spf, sizeof(spf)), 0);
	static const uint8_t ragged[] = { 9, 'x' };
	assert_int_equal(mxg_zone_add_rr(r, "t.example", MXG_DNS_TXT, 120, ragged, 2), -1);
	assert_int_equal(mxg_zone_add_rr(r, "bad..name", MXG_DNS_TXT, 120, spf, sizeof(spf)), -1);
	assert_int_equal(mxg_zone_add_rr(r, "t.example", 0, 120, spf, sizeof(spf)), -1);

	expect(r, "h.example", MXG_DNS_A, MXG_DNS_NOERROR, 1); /* duplicate kept once */
	struct mxg_dns_answer *a = ask(r, "t.example", MXG_DNS_TXT);
	assert_int_equal(a->count, 1);
	assert_int_equal(mxg_dns_txt_count(&a->rrs[0]), 2);
	assert_int_equal(a->ttl, 300);
	mxg_dns_answer_free(a);
	a = ask(r, "t.example", MXG_DNS_SPF);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->rrs[0].rdlen, sizeof(spf));
	mxg_dns_answer_free(a);
	/* no SOA loaded: "example" is an empty non-terminal, the default negative TTL applies */
	a = ask(r, "example", MXG_DNS_A);
	assert_int_equal(a->rcode, MXG_DNS_NOERROR);
	assert_int_equal(a->ttl, 300);
	mxg_dns_answer_free(a);
	assert_true(mxg_resolver_lookups(r) >= 4);
	mxg_resolver_free(r);
}

static void load_bad(const char *text, const char *want)
{
	char err[256], expected[128];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	assert_int_equal(write_zone(text), 0);
	int rc = mxg_zone_load_file(r, zone_path, NULL, err, sizeof(err));
	unlink(zone_path);
	mxg_resolver_free(r);
	assert_int_equal(rc, -1);
	snprintf(expected, sizeof(expected), "%s:%s", zone_path, want);
	if (strncmp(err, expected, strlen(expected)) != 0)
		fail_msg("error '%s' does not start with '%s'", err, expected);
}

static void test_bad_files(void **state)
{
	char err[256];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	(void)state;
	load_bad("$ORIGIN b.test.\nok IN A 192.0.2.1\nbroken IN A not-an-address\n", "3: ");
	load_bad("$ORIGIN b.test.\n\n; fine\nx IN MX ten mx\n", "4: ");
	load_bad("$INCLUDE /etc/passwd\n", "1: $INCLUDE");
	assert_int_equal(mxg_zone_load_file(r, "/nonexistent/zone", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/zone:"));
	mxg_resolver_free(r);
}

static void test_origin_argument(void **state)
{
	char err[256];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	(void)state;
	assert_int_equal(write_zone("@ 60 IN MX 5 mx\nmx 60 IN A 192.0.2.3\n"), 0);
	assert_int_equal(mxg_zone_load_file(r, zone_path, "o.test", err, sizeof(err)), 0);
	unlink(zone_path);
	struct mxg_dns_answer *a = ask(r, "o.test", MXG_DNS_MX);
	assert_int_equal(a->count, 1);
	assert_string_equal(a->rrs[0].target, "mx.o.test");
	mxg_dns_answer_free(a);
	expect(r, "mx.o.test", MXG_DNS_A, MXG_DNS_NOERROR, 1);
	mxg_resolver_free(r);
}

/* Several threads looking up at once see the same answers. */
static void *lookup_many(void *arg)
{
	struct mxg_resolver *r = arg;
	char err[128];

	for (int i = 0; i < 2000; i++) {
		struct mxg_dns_answer *a = NULL;
		if (mxg_dns_lookup(r, i % 2 ? "alias.z.test" : "x.wild.z.test", i % 2 ? MXG_DNS_A : MXG_DNS_TXT,
				   &a, err, sizeof(err)) != 0 || a->count == 0) {
			mxg_dns_answer_free(a);
			return (void *)1;
		}
		mxg_dns_answer_free(a);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct mxg_resolver *r = *state;
	pthread_t t[4];

	unsigned long before = mxg_resolver_lookups(r);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, lookup_many, r), 0);
	for (int i = 0; i < 4; i++) {
		void *res;
		assert_int_equal(pthread_join(t[i], &res), 0);
		assert_null(res);
	}
	assert_int_equal(mxg_resolver_lookups(r) - before, 8000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_nodata, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wildcard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_security, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test(test_add_text_and_rr),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_origin_argument),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
