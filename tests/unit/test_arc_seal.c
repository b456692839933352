/* Unit tests of the ARC sealer: seal, then validate with our own verifier (keys in the in-memory
 * zone): a first set (cv=none), sets on top (cv=pass), a broken chain sealed cv=fail and never
 * sealed again, the 50-set limit, a chain in temperror left alone, bad options refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/arc_seal.h"
#include "mxguard/dkim.h"
#include "mxguard/dns.h"
#include "zone_publish.h"

#define NOW 1796600000

static const char plain[] =
	"From: Alice <alice@origin.test>\r\n"
	"To: list@fwd.test\r\n"
	"Subject: sealed  on the way\r\n"
	"\tthrough\r\n"
	"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
	"Message-ID: <1@origin.test>\r\n"
	"\r\n"
	"Hello  world \r\n"
	"\r\n";

static struct mxg_resolver *zone;
static struct mxg_dkim_signing_key *rsa, *ed;

static void publish(const char *owner, const struct mxg_dkim_signing_key *k)
{
	zone_publish_key(zone, owner, k);
}

static int setup(void **state)
{
	(void)state;
	zone = mxg_resolver_zone_new();
	rsa = mxg_dkim_signing_key_generate("rsa2048");
	ed = mxg_dkim_signing_key_generate("ed25519");
	assert_non_null(zone);
	assert_non_null(rsa);
	assert_non_null(ed);
	publish("rsa._domainkey.fwd.test", rsa);
	publish("ed._domainkey.fwd.test", ed);
	assert_int_equal(mxg_zone_set_fault(zone, "down._domainkey.fwd.test", 0, MXG_DNS_SERVFAIL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_dkim_signing_key_free(rsa);
	mxg_dkim_signing_key_free(ed);
	mxg_resolver_free(zone);
	return 0;
}

static struct mxg_dkim_verifier *verify(const char *msg)
{
	struct mxg_dkim_options vo = { .now = NOW + 60, .seal_body = 1 };
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(zone, NULL, &vo, msg, strlen(msg));

	assert_non_null(v);
	return v;
}

struct sealing {
	const struct mxg_dkim_signing_key *k;
	const char *selector;
	int lf;
};

/* Seals msg; returns the status and in *out the sealed message (allocated) when sealed. */
static enum mxg_arc_seal_status seal_with(const struct sealing *s, const char *msg, char **out,
					  struct mxg_arc_set *copy)
{
	struct mxg_dkim_verifier *v = verify(msg);
	char authres[128], err[256];
	struct mxg_arc_set set;

	snprintf(authres, sizeof(authres), "fwd.test; arc=%s; spf=pass smtp.mailfrom=origin.test",
		 mxg_arc_result_name(mxg_dkim_arc(v)->result));
	struct mxg_arc_seal_options o = { .domain = "fwd.test", .selector = s->selector,
					  .authserv_id = "fwd.test", .authres = authres,
					  .now = NOW, .lf = s->lf };
	enum mxg_arc_seal_status st = mxg_arc_seal(v, s->k, &o, &set, err, sizeof(err));
	mxg_dkim_verifier_free(v);
	*out = NULL;
	if (st != MXG_ARC_SEALED)
		return st;
	size_t n = strlen(set.as) + strlen(set.ams) + strlen(set.aar) + strlen(msg) + 1;
	*out = malloc(n);
	assert_non_null(*out);
	snprintf(*out, n, "%s%s%s%s", set.as, set.ams, set.aar, msg);
	if (copy != NULL)
		*copy = set;
	else
		mxg_arc_set_clear(&set);
	return st;
}

static const struct mxg_arc_result *chain_of(struct mxg_dkim_verifier *v)
{
	return mxg_dkim_arc(v);
}

static void assert_chain(const char *msg, enum mxg_arc_result_code want, unsigned instances)
{
	struct mxg_dkim_verifier *v = verify(msg);
	const struct mxg_arc_result *a = chain_of(v);

	if (a->result != want)
		fail_msg("chain %s, want %s: %s", mxg_arc_result_name(a->result),
			 mxg_arc_result_name(want), a->reason);
	assert_int_equal(a->instances, instances);
	mxg_dkim_verifier_free(v);
}

static void test_first_set_and_more(void **state)
{
	const struct sealing s = { rsa, "rsa", 0 };
	char *one, *two, *three;
	struct mxg_arc_set set;

	(void)state;
	assert_int_equal(seal_with(&s, plain, &one, &set), MXG_ARC_SEALED);
	assert_int_equal(set.instance, 1);
	assert_int_equal(set.cv, MXG_ARC_NONE);
	assert_non_null(strstr(set.as, "cv=none; d=fwd.test; i=1; s=rsa; t=1796600000\r\n"));
	assert_non_null(strstr(set.aar, "ARC-Authentication-Results: i=1; fwd.test; arc=none;"));
	/* The signer's h= choice: once-only fields oversigned, never ARC fields. */
	assert_non_null(strstr(set.ams, "h=from:from:"));
	assert_null(strstr(set.ams, "arc-"));
	mxg_arc_set_clear(&set);
	assert_chain(one, MXG_ARC_PASS, 1);
	assert_int_equal(seal_with(&s, one, &two, &set), MXG_ARC_SEALED);
	assert_int_equal(set.instance, 2);
	assert_int_equal(set.cv, MXG_ARC_PASS);
	assert_non_null(strstr(set.aar, "i=2; fwd.test; arc=pass;"));
	mxg_arc_set_clear(&set);
	assert_chain(two, MXG_ARC_PASS, 2);
	assert_int_equal(seal_with(&s, two, &three, NULL), MXG_ARC_SEALED);
	assert_chain(three, MXG_ARC_PASS, 3);
	free(one);
	free(two);
	free(three);
}

static void test_lf_and_ed25519(void **state)
{
	const char lf_msg[] = "From: a@origin.test\nTo: b@fwd.test\nSubject: lf\n\nline one\n\n\n";
	const struct sealing s = { ed, "ed", 1 };
	char *one, *two;

	(void)state;
	assert_int_equal(seal_with(&s, lf_msg, &one, NULL), MXG_ARC_SEALED);
	assert_null(strchr(one, '\r'));
	assert_non_null(strstr(one, "ARC-Seal: a=ed25519-sha256;\n"));
	assert_chain(one, MXG_ARC_PASS, 1);
	assert_int_equal(seal_with(&s, one, &two, NULL), MXG_ARC_SEALED);
	assert_chain(two, MXG_ARC_PASS, 2);
	free(one);
	free(two);
}

static void test_empty_body(void **state)
{
	const char empty[] = "From: a@origin.test\r\nSubject: nothing\r\n\r\n";
	const char no_body[] = "From: a@origin.test\r\nSubject: nothing at all\r\n";
	const struct sealing s = { rsa, "rsa", 0 };
	char *one;

	(void)state;
	assert_int_equal(seal_with(&s, empty, &one, NULL), MXG_ARC_SEALED);
	assert_chain(one, MXG_ARC_PASS, 1);
	free(one);
	assert_int_equal(seal_with(&s, no_body, &one, NULL), MXG_ARC_SEALED);
	assert_chain(one, MXG_ARC_PASS, 1);
	free(one);
}

/* A body changed after the first seal: the chain fails, is sealed cv=fail over the new set
 * only, stays failed, and nothing more is added (§5.1 step 1). */
static void test_failed_chain(void **state)
{
	const struct sealing s = { rsa, "rsa", 0 };
	char *one, *two, *three;
	struct mxg_arc_set set;

	(void)state;
	assert_int_equal(seal_with(&s, plain, &one, NULL), MXG_ARC_SEALED);
	char *hello = strstr(one, "Hello");
	assert_non_null(hello);
	hello[0] = 'J';
	assert_chain(one, MXG_ARC_FAIL, 1);
	assert_int_equal(seal_with(&s, one, &two, &set), MXG_ARC_SEALED);
	assert_int_equal(set.instance, 2);
	assert_int_equal(set.cv, MXG_ARC_FAIL);
	assert_non_null(strstr(set.as, "cv=fail;"));
	assert_non_null(strstr(set.aar, "arc=fail;"));
	mxg_arc_set_clear(&set);
	assert_chain(two, MXG_ARC_FAIL, 2);
	assert_int_equal(seal_with(&s, two, &three, NULL), MXG_ARC_SEAL_CHAIN_ENDED);
	assert_null(three);
	free(one);
	free(two);
}

static void test_fifty_sets(void **state)
{
	const struct sealing s = { ed, "ed", 0 };
	char *msg = strdup(plain), *next;
	char err[256];

	(void)state;
	for (int i = 1; i <= MXG_ARC_SEAL_MAX_INSTANCE; i++) {
		assert_int_equal(seal_with(&s, msg, &next, NULL), MXG_ARC_SEALED);
		free(msg);
		msg = next;
	}
	assert_chain(msg, MXG_ARC_PASS, MXG_ARC_SEAL_MAX_INSTANCE);
	struct mxg_dkim_verifier *v = verify(msg);
	struct mxg_arc_seal_options o = { .domain = "fwd.test", .selector = "ed",
					  .authserv_id = "fwd.test", .authres = "fwd.test; arc=pass" };
	struct mxg_arc_set set;
	assert_int_equal(mxg_arc_seal(v, ed, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	assert_non_null(strstr(err, "50 ARC sets"));
	assert_null(set.as);
	mxg_dkim_verifier_free(v);
	free(msg);
}

/* A chain whose key lookup fails temporarily is of unknown state: not sealed. */
static void test_temperror_not_sealed(void **state)
{
	const struct sealing down = { rsa, "down", 0 };
	char *one, *two;

	(void)state;
	assert_int_equal(seal_with(&down, plain, &one, NULL), MXG_ARC_SEALED);
	assert_chain(one, MXG_ARC_TEMPERROR, 1);
	const struct sealing s = { rsa, "rsa", 0 };
	assert_int_equal(seal_with(&s, one, &two, NULL), MXG_ARC_SEAL_ERROR);
	free(one);
}

static void test_refusals(void **state)
{
	const char *const arc_h[] = { "from", "arc-seal" };
	const char *const ar_h[] = { "from", "Authentication-Results" };
	const char two_from[] = "From: a@x.test\r\nFrom: b@x.test\r\n\r\nbody\r\n";
	struct mxg_arc_seal_options o = { .domain = "fwd.test", .selector = "rsa",
					  .authserv_id = "fwd.test", .authres = "fwd.test; arc=none" };
	struct mxg_dkim_verifier *v = verify(plain);
	struct mxg_arc_set set;
	char err[256];

	(void)state;
	o.authres = "other.test; arc=none";
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	o.authres = "fwd.testing; arc=none";
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	o.authres = "fwd.test; arc=none";
	o.headers = arc_h;
	o.n_headers = 2;
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	o.headers = ar_h;
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	o.headers = NULL;
	o.domain = "bad domain";
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	o.domain = "fwd.test";
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEALED);
	mxg_arc_set_clear(&set);
	mxg_dkim_verifier_free(v);
	/* The signer's rule: exactly one From. */
	v = verify(two_from);
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	assert_non_null(strstr(err, "From"));
	mxg_dkim_verifier_free(v);
	/* A verifier not asked for the seal's body hash. */
	v = mxg_dkim_verify_buffer(zone, NULL, NULL, plain, strlen(plain));
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEAL_ERROR);
	mxg_dkim_verifier_free(v);
}

/* The caller's h= list is what the signature covers: a change to a field outside it keeps the
 * chain, a change to one inside breaks it. */
static void test_caller_headers(void **state)
{
	const char *const h[] = { "from", "subject" };
	struct mxg_dkim_verifier *v = verify(plain);
	struct mxg_arc_seal_options o = { .domain = "fwd.test", .selector = "rsa",
					  .authserv_id = "fwd.test", .authres = "fwd.test; arc=none",
					  .headers = h, .n_headers = 2, .now = NOW };
	struct mxg_arc_set set;
	char err[256], msg[4096];

	(void)state;
	assert_int_equal(mxg_arc_seal(v, rsa, &o, &set, err, sizeof(err)), MXG_ARC_SEALED);
	assert_non_null(strstr(set.ams, "h=from:subject;"));
	snprintf(msg, sizeof(msg), "%s%s%s%s", set.as, set.ams, set.aar, plain);
	char *to = strstr(msg, "To: list");
	to[4] = 'L';
	assert_chain(msg, MXG_ARC_PASS, 1);
	char *subj = strstr(msg, "Subject: sealed");
	subj[9] = 'S';
	assert_chain(msg, MXG_ARC_FAIL, 1);
	mxg_arc_set_clear(&set);
	mxg_dkim_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_set_and_more),
		cmocka_unit_test(test_lf_and_ed25519),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_failed_chain),
		cmocka_unit_test(test_fifty_sets),
		cmocka_unit_test(test_temperror_not_sealed),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_caller_headers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
