/* Unit tests of the trusted-forwarder override (arc_override.c, arc_aar.c) through the message
 * engine: messages sealed at test time by the project's sealer with keys published in the
 * in-memory zone, then judged as the milter judges them. One forwarder case passes; every
 * attack (forged seal, untrusted or not-newest sealer, AAR about another From, a contradicting
 * or unparseable AAR, injection in comments and quoted strings, a gap in the chain, a newest
 * signature that leaves From out, a From added after sealing) must leave the policy standing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/arc_aar.h"
#include "mxguard/arc_override.h"
#include "mxguard/arc_seal.h"
#include "mxguard/message.h"
#include "mxguard/report_record.h"
#include "zone_publish.h"
#include "message_start.h"

#define NOW 1796600000

static const char plain[] =
	"From: Alice <alice@victim.example>\r\n"
	"To: list@fwd.test\r\n"
	"Subject: [list] changed by the list\r\n"
	"Date: Mon, 07 Dec 2026 10:00:00 +0000\r\n"
	"Message-ID: <1@victim.example>\r\n"
	"\r\n"
	"Hello world, with a list footer\r\n";

static struct mxg_resolver *zone;
static struct mxg_dkim_signing_key *fwd_key, *gw_key, *evil_key;
static struct mxg_message *msg;
static const struct mxg_message_result *res;
static struct mxg_policy policy;

static void rr(const char *line)
{
	zone_line(zone, line);
}

static void publish(const char *owner, const struct mxg_dkim_signing_key *k)
{
	zone_publish_key(zone, owner, k);
}

static int setup(void **state)
{
	(void)state;
	zone = mxg_resolver_zone_new();
	fwd_key = mxg_dkim_signing_key_generate("rsa2048");
	gw_key = mxg_dkim_signing_key_generate("ed25519");
	evil_key = mxg_dkim_signing_key_generate("rsa2048");
	assert_non_null(zone);
	assert_non_null(fwd_key);
	assert_non_null(gw_key);
	assert_non_null(evil_key);
	publish("s._domainkey.fwd.test", fwd_key);
	publish("s._domainkey.sub.fwd.test", fwd_key);
	publish("s._domainkey.gw.test", gw_key);
	publish("s._domainkey.evil.test", evil_key);
	assert_int_equal(mxg_zone_set_fault(zone, "down._domainkey.fwd.test", 0, MXG_DNS_SERVFAIL), 0);
	rr("_dmarc.victim.example. 300 IN TXT \"v=DMARC1; p=reject\"");
	rr("_dmarc.soft.example. 300 IN TXT \"v=DMARC1; p=quarantine\"");
	rr("victim.example. 300 IN TXT \"v=spf1 ip4:192.0.2.1 -all\"");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_message_free(msg);
	msg = NULL;
	mxg_dkim_signing_key_free(fwd_key);
	mxg_dkim_signing_key_free(gw_key);
	mxg_dkim_signing_key_free(evil_key);
	mxg_resolver_free(zone);
	return 0;
}

/* Before each test: the default policy trusting fwd.test and gw.test. */
static int reset(void **state)
{
	char err[160];

	(void)state;
	mxg_policy_defaults(&policy);
	assert_int_equal(mxg_arc_trust_parse("fwd.test, gw.test", &policy.arc_trust, err, sizeof(err)), 0);
	return 0;
}

struct sealer {
	const struct mxg_dkim_signing_key *key;
	const char *domain, *selector;
	const char *const *headers;  /* AMS h=; NULL: the signer's choice */
	size_t n_headers;
};

static const struct sealer FWD = { NULL, "fwd.test", "s", NULL, 0 };
static const struct sealer GW = { NULL, "gw.test", "s", NULL, 0 };
static const struct sealer EVIL = { NULL, "evil.test", "s", NULL, 0 };

static const struct mxg_dkim_signing_key *key_of(const struct sealer *s)
{
	if (s->key != NULL)
		return s->key;
	return strcmp(s->domain, "gw.test") == 0 ? gw_key :
	       strcmp(s->domain, "evil.test") == 0 ? evil_key : fwd_key;
}

/* msg with one more ARC set by s on top, whose AAR is "<s.domain>; <results>". Allocated. */
static char *seal(const struct sealer *s, const char *m, const char *results)
{
	struct mxg_dkim_options vo = { .now = NOW, .seal_body = 1 };
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(zone, NULL, &vo, m, strlen(m));
	char authres[1024], err[256];
	struct mxg_arc_set set;

	assert_non_null(v);
	snprintf(authres, sizeof(authres), "%s; %s", s->domain, results);
	struct mxg_arc_seal_options o = { .domain = s->domain, .selector = s->selector,
					  .authserv_id = s->domain, .authres = authres,
					  .headers = s->headers, .n_headers = s->n_headers, .now = NOW };
	if (mxg_arc_seal(v, key_of(s), &o, &set, err, sizeof(err)) != MXG_ARC_SEALED)
		fail_msg("sealing: %s", err);
	mxg_dkim_verifier_free(v);
	size_t n = strlen(set.as) + strlen(set.ams) + strlen(set.aar) + strlen(m) + 1;
	char *out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%s%s%s%s", set.as, set.ams, set.aar, m);
	mxg_arc_set_clear(&set);
	return out;
}

/* Judges text from 198.51.100.7, MAIL FROM the list's bounce address. */
static void judge(const char *text)
{
	mxg_message_free(msg);
	msg = message_start(zone, &policy, NOW + 60, "list.fwd.test", "<bounce@fwd.test>");
	assert_int_equal(mxg_message_replay(msg, text, strlen(text)), 0);
	mxg_message_finish(msg);
	res = mxg_message_result(msg);
	assert_false(res->internal_error);
}

static void judge_free(char *text)
{
	judge(text);
	free(text);
}

/* The policy stood: rejected for DMARC, no override recorded. */
static void expect_rejected(void)
{
	struct mxg_store_eval row;

	assert_int_equal(res->dmarc.result, MXG_DMARC_FAIL);
	assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
	assert_string_equal(res->verdict.why, "dmarc-reject");
	assert_false(res->verdict.trusted_forwarder);
	assert_null(strstr(res->authres, "arc override"));
	assert_int_equal(mxg_report_eval_from_result(res, NULL, NOW, &row), 0);
	assert_string_equal(row.disposition, "reject");
	assert_string_equal(row.override, "");
}

/* The override applied for sealer at instance with basis. */
static void expect_forwarded(const char *sealer, unsigned instance, const char *basis)
{
	char want[256];
	struct mxg_store_eval row;

	assert_int_equal(res->dmarc.result, MXG_DMARC_FAIL);
	assert_int_equal(res->arc_override.status, MXG_ARC_OVERRIDE_YES);
	assert_int_equal(res->verdict.action, MXG_ACTION_ACCEPT);
	assert_string_equal(res->verdict.why, "trusted-forwarder");
	assert_true(res->verdict.trusted_forwarder);
	assert_int_equal(res->verdict.disposition, MXG_DMARC_POLICY_NONE);
	assert_string_equal(res->arc_override.sealer, sealer);
	assert_int_equal(res->arc_override.instance, instance);
	assert_string_equal(res->arc_override.basis, basis);
	snprintf(want, sizeof(want), "dis=none arc override: trusted forwarder %s i=%u", sealer, instance);
	assert_non_null(strstr(res->authres, want));
	assert_non_null(strstr(res->authres, "arc=pass"));
	assert_non_null(strstr(res->verdict.tag, "trusted forwarder"));
	assert_int_equal(mxg_report_eval_from_result(res, NULL, NOW, &row), 0);
	assert_string_equal(row.disposition, "none");
	assert_string_equal(row.override, "trusted_forwarder");
	snprintf(want, sizeof(want), "ARC sealer %s i=%u: %s", sealer, instance, basis);
	assert_string_equal(row.override_comment, want);
}

/* --- the forwarder the receiver trusts --- */

static void test_trusted_dmarc_pass(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "arc=none; dmarc=pass header.from=victim.example"));
	expect_forwarded("fwd.test", 1, "dmarc=pass");
}

static void test_feature_off_by_default(void **state)
{
	(void)state;
	policy.arc_trust.count = 0;
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example"));
	expect_rejected();
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
}

static void test_trusted_dkim_aligned(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "dkim=pass header.d=mail.victim.example header.s=s1"));
	expect_forwarded("fwd.test", 1, "dkim=pass header.d=mail.victim.example");
	judge_free(seal(&FWD, plain, "spf=pass smtp.mailfrom=bounce@victim.example"));
	expect_forwarded("fwd.test", 1, "spf=pass smtp.mailfrom=victim.example");
}

/* An older trusted set vouches under a newer trusted one that saw the list's change. */
static void test_trusted_custody_chain(void **state)
{
	(void)state;
	char *one = seal(&FWD, plain, "dmarc=pass header.from=victim.example");
	char *two = seal(&GW, one, "arc=pass; dmarc=fail header.from=victim.example");
	judge(two);
	expect_forwarded("fwd.test", 1, "dmarc=pass");
	free(one);
	free(two);
}

static void test_disposition_quarantine(void **state)
{
	(void)state;
	policy.arc_trust.disposition = MXG_DMARC_POLICY_QUARANTINE;
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->verdict.action, MXG_ACTION_QUARANTINE);
	assert_int_equal(res->verdict.disposition, MXG_DMARC_POLICY_QUARANTINE);
	assert_true(res->verdict.trusted_forwarder);
	assert_non_null(strstr(res->verdict.text, "trusted ARC sealer fwd.test"));
}

static void test_rollout_records_forwarder(void **state)
{
	struct mxg_store_eval row;

	(void)state;
	policy.rollout = 1;
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->verdict.action, MXG_ACTION_ACCEPT);
	assert_true(res->verdict.trusted_forwarder);
	assert_int_equal(mxg_report_eval_from_result(res, NULL, NOW, &row), 0);
	assert_string_equal(row.override, "trusted_forwarder");
}

/* A temporary error validating a trusted chain defers; it never rejects. */
static void test_temperror_defers(void **state)
{
	static const struct sealer down = { NULL, "fwd.test", "down", NULL, 0 };

	(void)state;
	judge_free(seal(&down, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->arc->result, MXG_ARC_TEMPERROR);
	assert_int_equal(res->arc_override.status, MXG_ARC_OVERRIDE_DOUBT);
	assert_int_equal(res->verdict.action, MXG_ACTION_TEMPFAIL);
	assert_string_equal(res->verdict.rcode, "451");
}

/* --- attacks: each must leave the reject standing --- */

static void test_untrusted_sealer(void **state)
{
	(void)state;
	judge_free(seal(&EVIL, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
	expect_rejected();
}

/* Subdomains of a trusted sealer are not trusted unless listed. */
static void test_subdomain_not_trusted(void **state)
{
	static const struct sealer sub = { NULL, "sub.fwd.test", "s", NULL, 0 };

	(void)state;
	judge_free(seal(&sub, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
	expect_rejected();
}

/* d=fwd.test claimed, signed with the attacker's key: the chain does not validate. */
static void test_forged_trusted_seal(void **state)
{
	(void)state;
	struct sealer forged = { evil_key, "fwd.test", "s", NULL, 0 };
	judge_free(seal(&forged, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->arc->result, MXG_ARC_FAIL);
	expect_rejected();
}

static void test_aar_about_other_from(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=other.example"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dmarc=pass"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dkim=pass header.d=fwd.test; spf=pass smtp.mailfrom=bounce@fwd.test"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dkim=pass header.d=victim.example.evil.test"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dkim=pass header.d=\"x\t\\\"y.victim.example\""));
	expect_rejected();
}

/* The AAR contradicts itself: a dmarc fail beside an aligned pass. */
static void test_aar_contradiction(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "dkim=pass header.d=victim.example; dmarc=fail header.from=victim.example"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example; dmarc=pass header.from=other.example"));
	expect_rejected();
}

/* A second authserv-id, or anything else outside the grammar, refuses the whole field. */
static void test_aar_malformed(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "spf=fail smtp.mailfrom=x@fwd.test; mx.other.example; dmarc=pass header.from=victim.example"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example (unterminated"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dmarc=pass header.from=victim.example header"));
	expect_rejected();
}

/* What a comment or a quoted string holds is never read as a result. */
static void test_aar_injection(void **state)
{
	(void)state;
	judge_free(seal(&FWD, plain, "dmarc=fail (\\) ; dmarc=pass header.from=victim.example) header.from=victim.example"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "dmarc=fail reason=\"; dmarc=pass header.from=victim.example\" header.from=victim.example"));
	expect_rejected();
	judge_free(seal(&FWD, plain, "spf=fail (dmarc=pass header.from=victim.example) smtp.mailfrom=bounce@fwd.test"));
	expect_rejected();
}

/* A trusted set under an untrusted newest seal: custody left the trusted sealers. */
static void test_trusted_not_newest(void **state)
{
	(void)state;
	char *one = seal(&FWD, plain, "dmarc=pass header.from=victim.example");
	char *two = seal(&EVIL, one, "arc=pass; dmarc=pass header.from=victim.example");
	judge(two);
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
	expect_rejected();
	free(one);
	free(two);
}

/* An untrusted sealer between two trusted ones: its AAR is not read, the older one is cut off. */
static void test_untrusted_in_between(void **state)
{
	(void)state;
	char *one = seal(&FWD, plain, "dmarc=fail header.from=victim.example");
	char *two = seal(&EVIL, one, "arc=pass; dmarc=pass header.from=victim.example");
	char *three = seal(&GW, two, "arc=pass; dmarc=fail header.from=victim.example");
	judge(three);
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
	assert_int_equal(res->arc->instances, 3);
	expect_rejected();
	free(one);
	free(two);
	free(three);
}

/* Removes the first header field starting with prefix, with its continuation lines. */
static void drop_field(char *m, const char *prefix)
{
	char *p = strstr(m, prefix);

	assert_non_null(p);
	char *e = strstr(p, "\r\n");
	while (e != NULL && (e[2] == ' ' || e[2] == '\t'))
		e = strstr(e + 2, "\r\n");
	assert_non_null(e);
	memmove(p, e + 2, strlen(e + 2) + 1);
}

/* i= gap: set 1's AAR is gone, so the chain is broken (and no AAR of set 1 can vouch). */
static void test_instance_gap(void **state)
{
	(void)state;
	char *one = seal(&FWD, plain, "dmarc=pass header.from=victim.example");
	char *two = seal(&GW, one, "arc=pass; dmarc=pass header.from=victim.example");
	drop_field(two, "ARC-Authentication-Results: i=1");
	judge(two);
	assert_int_equal(res->arc->result, MXG_ARC_FAIL);
	expect_rejected();
	free(one);
	free(two);
}

/* The newest message signature leaves From out: From could have been swapped after sealing. */
static void test_from_not_signed(void **state)
{
	static const char *const h[] = { "subject", "to", "date" };
	static const struct sealer nofrom = { NULL, "fwd.test", "s", h, 3 };

	(void)state;
	judge_free(seal(&nofrom, plain, "dmarc=pass header.from=victim.example"));
	assert_int_equal(res->arc->result, MXG_ARC_PASS);
	expect_rejected();
}

/* A second From added after sealing: the author is no longer one. */
static void test_from_added(void **state)
{
	(void)state;
	policy.reject_bad_from = 0;
	char *sealed = seal(&FWD, plain, "dmarc=pass header.from=victim.example");
	size_t n = strlen(sealed) + 64;
	char *two = malloc(n);
	assert_non_null(two);
	snprintf(two, n, "From: <ceo@victim.example>\r\n%s", sealed);
	judge(two);
	assert_int_equal(res->verdict.action, MXG_ACTION_REJECT);
	assert_false(res->verdict.trusted_forwarder);
	free(sealed);
	free(two);
}

/* --- the pure decision and the pieces --- */

static void test_decide_limits(void **state)
{
	struct mxg_dmarc_outcome dm = { .result = MXG_DMARC_FAIL, .policy = MXG_DMARC_POLICY_REJECT };
	struct mxg_arc_result arc = { .result = MXG_ARC_PASS, .instances = 51 };
	static struct mxg_arc_set_view sets[51];
	static const char aar[] = "i=51; fwd.test; dmarc=pass header.from=victim.example";
	struct mxg_arc_override_input in = { &dm, MXG_FROM_OK, 1, &arc, sets, 51, 1 };
	struct mxg_arc_override out;

	(void)state;
	strcpy(dm.from_domain, "victim.example");
	strcpy(arc.domain, "fwd.test");
	for (unsigned i = 0; i < 51; i++) {
		sets[i].instance = i + 1;
		strcpy(sets[i].sealer, "fwd.test");
	}
	sets[50].aar = aar;
	sets[50].aar_len = strlen(aar);
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_NO);      /* over 50 sets */
	arc.instances = 50;
	in.set_count = 50;
	sets[49].aar = aar;
	sets[49].aar_len = strlen(aar);
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_NO);      /* AAR names another instance */
	static const char aar50[] = "i=50; fwd.test; dmarc=pass header.from=victim.example";
	sets[49].aar = aar50;
	sets[49].aar_len = strlen(aar50);
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_YES);
	strcpy(arc.domain, "gw.test");       /* not the seal the validator checked */
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_NO);
	strcpy(arc.domain, "fwd.test");
	in.from_domain_count = 2;
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_NO);
	in.from_domain_count = 1;
	dm.policy = MXG_DMARC_POLICY_NONE;                      /* nothing to override */
	mxg_arc_override_decide(&policy.arc_trust, &in, &out);
	assert_int_equal(out.status, MXG_ARC_OVERRIDE_NO);
}

static void test_trust_list(void **state)
{
	struct mxg_arc_trust t = { 0 };
	char err[160], many[64 * 40] = "";

	(void)state;
	assert_int_equal(mxg_arc_trust_parse("Fwd.Test. gw.test", &t, err, sizeof(err)), 0);
	assert_int_equal(t.count, 2);
	assert_true(mxg_arc_trust_has(&t, "fwd.test"));
	assert_true(mxg_arc_trust_has(&t, "FWD.TEST."));
	assert_false(mxg_arc_trust_has(&t, "sub.fwd.test"));
	assert_false(mxg_arc_trust_has(&t, "test"));
	assert_false(mxg_arc_trust_has(&t, ""));
	assert_int_equal(mxg_arc_trust_parse("fwd..test", &t, err, sizeof(err)), -1);
	assert_int_equal(mxg_arc_trust_parse("localhost", &t, err, sizeof(err)), -1);
	assert_int_equal(t.count, 2);  /* unchanged on error */
	for (int i = 0; i < MXG_ARC_TRUST_MAX + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "s%d.test ", i);
	assert_int_equal(mxg_arc_trust_parse(many, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
	assert_int_equal(mxg_arc_trust_parse("", &t, err, sizeof(err)), 0);
	assert_int_equal(t.count, 0);
}

struct seen {
	size_t n;
	char first[128];
};

static int count_result(void *arg, const struct mxg_aar_result *r)
{
	struct seen *s = arg;

	if (s->n++ == 0)
		snprintf(s->first, sizeof(s->first), "%.20s=%.20s %.60s", r->method, r->result,
			 r->nprops > 0 ? r->props[0].value : "");
	return 0;
}

static int parse(const char *v, struct seen *s)
{
	char id[64], err[128];
	unsigned inst = 0;

	memset(s, 0, sizeof(*s));
	return mxg_aar_parse(v, strlen(v), &inst, id, sizeof(id), count_result, s, err, sizeof(err));
}

static void test_aar_grammar(void **state)
{
	struct seen s;
	char deep[256] = "i=1; a.test; dkim=pass ";

	(void)state;
	assert_int_equal(parse("i=1; a.test; none", &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(parse(" i = 2 ;\r\n\t\"a.test\" 1; DKIM/1 = Pass (x (y)) header.d=\"v.example\"\r\n", &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.first, "dkim=pass v.example");
	assert_int_equal(parse("i=1; a.test; spf=pass smtp.mailfrom=a@b.example; dmarc=pass (p=reject) header.from=b.example;", &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(parse("i=1 a.test; dmarc=pass", &s), -1);
	assert_int_equal(parse("a.test; dmarc=pass", &s), -1);
	assert_int_equal(parse("i=1; a.test; dmarc", &s), -1);
	assert_int_equal(parse("i=1; a.test; dmarc=pass header.from=\"b.example", &s), -1);
	assert_int_equal(parse("i=1; a.test b.test; dmarc=pass", &s), -1);
	for (int i = 0; i < MXG_AAR_COMMENT_DEPTH + 1; i++)
		strcat(deep, "(");
	for (int i = 0; i < MXG_AAR_COMMENT_DEPTH + 1; i++)
		strcat(deep, ")");
	assert_int_equal(parse(deep, &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_trusted_dmarc_pass, reset),
		cmocka_unit_test_setup(test_feature_off_by_default, reset),
		cmocka_unit_test_setup(test_trusted_dkim_aligned, reset),
		cmocka_unit_test_setup(test_trusted_custody_chain, reset),
		cmocka_unit_test_setup(test_disposition_quarantine, reset),
		cmocka_unit_test_setup(test_rollout_records_forwarder, reset),
		cmocka_unit_test_setup(test_temperror_defers, reset),
		cmocka_unit_test_setup(test_untrusted_sealer, reset),
		cmocka_unit_test_setup(test_subdomain_not_trusted, reset),
		cmocka_unit_test_setup(test_forged_trusted_seal, reset),
		cmocka_unit_test_setup(test_aar_about_other_from, reset),
		cmocka_unit_test_setup(test_aar_contradiction, reset),
		cmocka_unit_test_setup(test_aar_malformed, reset),
		cmocka_unit_test_setup(test_aar_injection, reset),
		cmocka_unit_test_setup(test_trusted_not_newest, reset),
		cmocka_unit_test_setup(test_untrusted_in_between, reset),
		cmocka_unit_test_setup(test_instance_gap, reset),
		cmocka_unit_test_setup(test_from_not_signed, reset),
		cmocka_unit_test_setup(test_from_added, reset),
		cmocka_unit_test_setup(test_decide_limits, reset),
		cmocka_unit_test_setup(test_trust_list, reset),
		cmocka_unit_test_setup(test_aar_grammar, reset),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
