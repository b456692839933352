/* Unit tests of DMARC evaluation on the in-memory zone: the RFC 9989 tree walk (psd, shortcut,
 * org and PSD policies), alignment, sp/np, t, RFC 7489 mode with PSL and pct, and DNS trouble. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/dmarc.h"

static struct mxg_resolver *r;
static struct mxg_dmarc_outcome out;
static const struct mxg_dmarc_options opt9989 = { MXG_DMARC_MODE_9989, NULL, 0 };
static const struct mxg_dmarc_options opt7489 = { MXG_DMARC_MODE_7489, NULL, 1 };

static int setup(void **state)
{
	(void)state;
	r = mxg_resolver_zone_new();
	memset(&out, 0, sizeof(out));
	return r == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	mxg_resolver_free(r);
	return 0;
}

static void rr(const char *line)
{
	char err[256];
	if (mxg_zone_add_text(r, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

static void dmarc_txt(const char *domain, const char *txt)
{
	char line[1024];
	snprintf(line, sizeof(line), "_dmarc.%s. 300 IN TXT \"%s\"", domain, txt);
	rr(line);
}

static void host(const char *domain)
{
	char line[512];
	snprintf(line, sizeof(line), "%s. 300 IN A 192.0.2.1", domain);
	rr(line);
}

/* Evaluates From domain with an SPF result for spf_domain and up to two DKIM results. */
static enum mxg_dmarc_result eval(const struct mxg_dmarc_options *o, const char *from,
				  enum mxg_spf_result spf, const char *spf_domain,
				  enum mxg_dkim_result d1, const char *d1dom,
				  enum mxg_dkim_result d2, const char *d2dom)
{
	struct mxg_dmarc_dkim_input dk[2] = { { d1, d1dom }, { d2, d2dom } };
	struct mxg_dmarc_input in = { from, spf, spf_domain, d2dom ? 2 : d1dom ? 1 : 0, dk };
	return mxg_dmarc_evaluate(r, o, &in, &out);
}

static enum mxg_dmarc_result eval_dkim(const struct mxg_dmarc_options *o, const char *from,
				       const char *d)
{
	return eval(o, from, MXG_SPF_NONE, NULL, MXG_DKIM_PASS, d, MXG_DKIM_NONE, NULL);
}

static enum mxg_dmarc_result eval_fail(const struct mxg_dmarc_options *o, const char *from)
{
	return eval(o, from, MXG_SPF_FAIL, from, MXG_DKIM_NONE, NULL, MXG_DKIM_NONE, NULL);
}

/* --- tree walk --- */

static void test_own_record_uses_p(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject; sp=none");
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_FAIL);
	assert_true(out.have_record);
	assert_string_equal(out.policy_domain, "example.com");
	assert_string_equal(out.org_domain, "example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
}

/* RFC 9989 §4.10.1: the org domain's record (the shortest with a record), not the nearest. */
static void test_org_record_not_nearest(void **state)
{
	(void)state;
	host("a.mail.example.com");
	dmarc_txt("mail.example.com", "v=DMARC1; p=none");
	dmarc_txt("example.com", "v=DMARC1; p=reject; sp=quarantine");
	assert_int_equal(eval_fail(&opt9989, "a.mail.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "example.com");
	assert_string_equal(out.policy_domain, "example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* The same under RFC 7489: the PSL says example.com too. */
	assert_int_equal(eval_fail(&opt7489, "a.mail.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
}

static void test_psd_n_stops(void **state)
{
	(void)state;
	host("a.dept.example.com");
	dmarc_txt("dept.example.com", "v=DMARC1; p=quarantine; psd=n");
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	assert_int_equal(eval_fail(&opt9989, "a.dept.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "dept.example.com");
	assert_string_equal(out.policy_domain, "dept.example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* dept.example.com is its own organisation: example.com signatures do not align. */
	assert_int_equal(eval_dkim(&opt9989, "a.dept.example.com", "example.com"), MXG_DMARC_FAIL);
	assert_int_equal(eval_dkim(&opt9989, "a.dept.example.com", "b.dept.example.com"), MXG_DMARC_PASS);
}

/* A PSD record: the org domain is the name one label below it, its policy the fallback. */
static void test_psd_y(void **state)
{
	(void)state;
	dmarc_txt("tld", "v=DMARC1; p=reject; sp=quarantine; np=reject; psd=y");
	host("mail.brand.tld");
	assert_int_equal(eval_fail(&opt9989, "mail.brand.tld"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "brand.tld");
	assert_string_equal(out.policy_domain, "tld");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE); /* exists: sp */
	assert_int_equal(eval_fail(&opt9989, "ghost.brand.tld"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT); /* does not exist: np */
	/* Relaxed alignment within brand.tld, never across the PSD. */
	assert_int_equal(eval_dkim(&opt9989, "mail.brand.tld", "brand.tld"), MXG_DMARC_PASS);
	assert_int_equal(eval_dkim(&opt9989, "mail.brand.tld", "other.tld"), MXG_DMARC_FAIL);
	assert_int_equal(eval_dkim(&opt9989, "mail.brand.tld", "tld"), MXG_DMARC_FAIL);
	/* With its own record, brand.tld's policy wins over the PSD's. */
	dmarc_txt("brand.tld", "v=DMARC1; p=none");
	assert_int_equal(eval_fail(&opt9989, "mail.brand.tld"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "brand.tld");
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE);
}

/* RFC 9989 §4.10.2 rule 2: below a psd=y record each name one label down is its own
 * organisation, so two registrants under one public suffix never align with each other. */
static void test_psd_y_separates_registrants(void **state)
{
	char org[256];
	(void)state;
	dmarc_txt("psd.example", "v=DMARC1; p=reject; psd=y");
	assert_int_equal(eval_dkim(&opt9989, "victim.psd.example", "evil.psd.example"), MXG_DMARC_FAIL);
	assert_false(out.dkim_aligned);
	assert_string_equal(out.org_domain, "victim.psd.example");
	assert_string_equal(out.policy_domain, "psd.example");
	assert_int_equal(eval(&opt9989, "victim.psd.example", MXG_SPF_PASS, "evil.psd.example", MXG_DKIM_NONE,
			      NULL, MXG_DKIM_NONE, NULL),
			 MXG_DMARC_FAIL);
	assert_false(out.spf_aligned);
	/* Deeper names: each one's org domain is its name right below the PSD. */
	assert_int_equal(eval_dkim(&opt9989, "a.b.victim.psd.example", "mail.evil.psd.example"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "victim.psd.example");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt9989, "mail.evil.psd.example", org, sizeof(org)), 0);
	assert_string_equal(org, "evil.psd.example");
	/* The PSD itself is no organisation for the names below it. */
	assert_int_equal(eval_dkim(&opt9989, "victim.psd.example", "psd.example"), MXG_DMARC_FAIL);
	/* Within one registrant, relaxed alignment holds. */
	assert_int_equal(eval_dkim(&opt9989, "a.b.victim.psd.example", "c.victim.psd.example"), MXG_DMARC_PASS);
	assert_int_equal(eval_dkim(&opt9989, "victim.psd.example", "mail.victim.psd.example"), MXG_DMARC_PASS);
	/* Records of their own change nothing: the PSD still separates them. */
	dmarc_txt("victim.psd.example", "v=DMARC1; p=reject");
	dmarc_txt("evil.psd.example", "v=DMARC1; p=none");
	assert_int_equal(eval_dkim(&opt9989, "victim.psd.example", "evil.psd.example"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "victim.psd.example");
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
	/* Strict alignment still needs the exact name. */
	dmarc_txt("s.psd.example", "v=DMARC1; p=reject; adkim=s");
	assert_int_equal(eval_dkim(&opt9989, "mail.s.psd.example", "s.psd.example"), MXG_DMARC_FAIL);
}

/* RFC 9989 §4.10 steps 2 and 6: a single record with psd=y or psd=n stops the walk, the
 * starting name's included; nothing above it is asked for or used. */
static void test_psd_stops_walk(void **state)
{
	char org[256];
	(void)state;
	/* psd=y at the starting name: its org domain is itself (rule 3 over the one record),
	 * not a name further up that happens to publish a record without psd. */
	dmarc_txt("co.example", "v=DMARC1; p=reject; psd=y");
	dmarc_txt("example", "v=DMARC1; p=none");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt9989, "co.example", org, sizeof(org)), 0);
	assert_string_equal(org, "co.example");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt9989, "brand.example", org, sizeof(org)), 0);
	assert_string_equal(org, "example");
	assert_int_equal(eval_dkim(&opt9989, "co.example", "brand.example"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "co.example");
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
	/* One query for the walk from a psd=y name: DNS trouble above it does not matter. */
	mxg_zone_set_fault(r, "_dmarc.example", 0, MXG_DNS_SERVFAIL);
	unsigned long before = mxg_resolver_lookups(r);
	assert_int_equal(eval_fail(&opt9989, "co.example"), MXG_DMARC_FAIL);
	assert_int_equal(mxg_resolver_lookups(r) - before, 1);
	assert_int_equal(eval_fail(&opt9989, "shop.co.example"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "shop.co.example");
	assert_string_equal(out.policy_domain, "co.example");
	/* psd=n below: that name is the org domain, and the walk stops there too. */
	dmarc_txt("dept.corp.test", "v=DMARC1; p=quarantine; psd=n");
	mxg_zone_set_fault(r, "_dmarc.corp.test", 0, MXG_DNS_SERVFAIL);
	mxg_zone_set_fault(r, "_dmarc.test", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(eval_fail(&opt9989, "a.b.dept.corp.test"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "dept.corp.test");
	assert_string_equal(out.policy_domain, "dept.corp.test");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(mxg_dmarc_org_domain(r, &opt9989, "dept.corp.test", org, sizeof(org)), 0);
	assert_string_equal(org, "dept.corp.test");
	assert_int_equal(eval_dkim(&opt9989, "x.dept.corp.test", "y.dept.corp.test"), MXG_DMARC_PASS);
	/* Without the stop the walk would reach the faults: they are temperror. */
	assert_int_equal(eval_fail(&opt9989, "other.corp.test"), MXG_DMARC_TEMPERROR);
}

/* psd=y found after the shortcut of a long name: one label below the PSD, of the From name. */
static void test_psd_y_long_name(void **state)
{
	(void)state;
	dmarc_txt("psd.example", "v=DMARC1; p=reject; sp=quarantine; psd=y");
	host("a.b.c.d.e.f.g.h.victim.psd.example");
	assert_int_equal(eval_dkim(&opt9989, "a.b.c.d.e.f.g.h.victim.psd.example", "evil.psd.example"),
			 MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "victim.psd.example");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(eval_dkim(&opt9989, "a.b.c.d.e.f.g.h.victim.psd.example", "victim.psd.example"),
			 MXG_DMARC_PASS);
}

/* Without psd tags the shortest name with a record is the org domain, even a TLD's. */
static void test_fewest_labels(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	assert_int_equal(eval_dkim(&opt9989, "example.com", "com"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "example.com");
	/* No records at all: the From domain is its own org domain, and no policy applies. */
	assert_int_equal(eval_fail(&opt9989, "nothing.example.net"), MXG_DMARC_NONE);
	assert_false(out.have_record);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_UNSET);
}

/* RFC 9989 §4.10: a long name jumps to its last 7 labels; never more than 8 queries. */
static void test_walk_shortcut(void **state)
{
	(void)state;
	dmarc_txt("f.e.d.c.b.example.com", "v=DMARC1; p=quarantine"); /* 7 labels */
	dmarc_txt("g.f.e.d.c.b.example.com", "v=DMARC1; p=none");      /* 8: skipped */
	host("j.i.h.g.f.e.d.c.b.example.com");
	unsigned long before = mxg_resolver_lookups(r);
	assert_int_equal(eval_fail(&opt9989, "j.i.h.g.f.e.d.c.b.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "f.e.d.c.b.example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* 8 TXT lookups at most for the walk (plus none for np: no np tag). */
	assert_true(mxg_resolver_lookups(r) - before <= 8);
}

/* Several records at one name are all discarded: RFC 9989 walks on, RFC 7489 stops. */
static void test_multiple_records(void **state)
{
	(void)state;
	host("sub.example.com");
	dmarc_txt("sub.example.com", "v=DMARC1; p=none");
	dmarc_txt("sub.example.com", "v=DMARC1; p=quarantine");
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	assert_int_equal(eval_fail(&opt9989, "sub.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(eval_fail(&opt7489, "sub.example.com"), MXG_DMARC_NONE);
	assert_non_null(strstr(out.reason, "several"));
	/* Non-DMARC TXT records beside one DMARC record are no problem. */
	rr("_dmarc.example.org. 300 IN TXT \"hello\"");
	dmarc_txt("example.org", "v=DMARC1; p=reject");
	assert_int_equal(eval_fail(&opt9989, "example.org"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
}

/* RFC 9989 §4.10 step 2, RFC 7489 §6.6.3: TXT records at _dmarc whose first tag is not exactly
 * v=DMARC1 are no DMARC records: they neither count as a second record nor apply. */
static void test_version_not_dmarc1_ignored(void **state)
{
	static const char *const others[] = { "v=DMARC10; p=none", "v=DMARC2; p=none", "v=dmarc1; p=none",
					      "v=DMARC1 p=none", "v=DMARC1x; p=none", "v = DMARC1 ,p=none" };
	char dom[64];
	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		snprintf(dom, sizeof(dom), "v%zu.example", i);
		dmarc_txt(dom, "v=DMARC1; p=reject");
		dmarc_txt(dom, others[i]);
		if (eval_fail(&opt9989, dom) != MXG_DMARC_FAIL || out.published != MXG_DMARC_POLICY_REJECT)
			fail_msg("9989, beside '%s': %s, published %s", others[i],
				 mxg_dmarc_result_name(out.result), mxg_dmarc_policy_name(out.published));
		/* RFC 7489 stops at several records, so a miscount would show as no policy. */
		if (eval_fail(&opt7489, dom) != MXG_DMARC_FAIL || out.published != MXG_DMARC_POLICY_REJECT)
			fail_msg("7489, beside '%s': %s (%s)", others[i], mxg_dmarc_result_name(out.result),
				 out.reason);
	}
}

/* A lone record without the ';' after v=DMARC1 is not a DMARC record: no policy there. */
static void test_version_without_separator(void **state)
{
	(void)state;
	dmarc_txt("nosep.example", "v=DMARC1 p=reject");
	assert_int_equal(eval_fail(&opt9989, "nosep.example"), MXG_DMARC_NONE);
	assert_false(out.have_record);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_UNSET);
	assert_int_equal(eval_fail(&opt7489, "nosep.example"), MXG_DMARC_NONE);
	assert_false(out.have_record);
	/* Below an organisation with a real record, the organisation's record applies. */
	host("sub.org.example");
	dmarc_txt("sub.org.example", "v=DMARC1 p=none");
	dmarc_txt("org.example", "v=DMARC1; p=reject; sp=quarantine");
	assert_int_equal(eval_fail(&opt9989, "sub.org.example"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "org.example");
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* Blanks around '=' and before ';' are allowed, and so is the end of the record. */
	dmarc_txt("blanks.example", "v = DMARC1 \t; p=reject");
	assert_int_equal(eval_fail(&opt9989, "blanks.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	dmarc_txt("bare.example", "v=DMARC1");
	assert_int_equal(eval_fail(&opt9989, "bare.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE); /* RFC 9989: no p is p=none */
}

/* Where the modes differ: a record on an intermediate name only. */
static void test_modes_differ(void **state)
{
	(void)state;
	host("a.b.example.com");
	dmarc_txt("b.example.com", "v=DMARC1; p=reject");
	assert_int_equal(eval_fail(&opt9989, "a.b.example.com"), MXG_DMARC_FAIL);
	assert_string_equal(out.org_domain, "b.example.com");
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(eval_fail(&opt7489, "a.b.example.com"), MXG_DMARC_NONE);
	assert_string_equal(out.org_domain, "example.com");
	/* Alignment differs with it: example.com aligns with a.b.example.com only under 7489. */
	dmarc_txt("a.b.example.com", "v=DMARC1; p=reject");
	assert_int_equal(eval_dkim(&opt9989, "a.b.example.com", "example.com"), MXG_DMARC_FAIL);
	assert_int_equal(eval_dkim(&opt7489, "a.b.example.com", "example.com"), MXG_DMARC_PASS);
}

/* --- alignment --- */

static void test_alignment_relaxed_strict(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	dmarc_txt("strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s");
	assert_int_equal(eval_dkim(&opt9989, "news.example.com", "example.com"), MXG_DMARC_PASS);
	assert_true(out.dkim_aligned);
	assert_false(out.spf_aligned);
	assert_string_equal(out.aligned_dkim_domain, "example.com");
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT); /* shown on pass too */
	assert_int_equal(eval(&opt9989, "example.com", MXG_SPF_PASS, "bounces.example.com", MXG_DKIM_NONE,
			      NULL, MXG_DKIM_NONE, NULL),
			 MXG_DMARC_PASS);
	assert_true(out.spf_aligned);
	assert_int_equal(eval_dkim(&opt9989, "news.example.com", "EXAMPLE.COM."), MXG_DMARC_PASS);
	/* Strict: only the exact name. */
	assert_int_equal(eval_dkim(&opt9989, "strict.example", "strict.example"), MXG_DMARC_PASS);
	assert_int_equal(eval_dkim(&opt9989, "mail.strict.example", "strict.example"), MXG_DMARC_FAIL);
	assert_int_equal(eval(&opt9989, "strict.example", MXG_SPF_PASS, "bounce.strict.example",
			      MXG_DKIM_NONE, NULL, MXG_DKIM_NONE, NULL),
			 MXG_DMARC_FAIL);
	assert_int_equal(eval(&opt9989, "strict.example", MXG_SPF_PASS, "strict.example", MXG_DKIM_NONE,
			      NULL, MXG_DKIM_NONE, NULL),
			 MXG_DMARC_PASS);
}

static void test_alignment_needs_pass(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	static const enum mxg_spf_result spf_bad[] = { MXG_SPF_NONE, MXG_SPF_NEUTRAL, MXG_SPF_FAIL,
						       MXG_SPF_SOFTFAIL, MXG_SPF_TEMPERROR, MXG_SPF_PERMERROR };
	for (size_t i = 0; i < sizeof(spf_bad) / sizeof(spf_bad[0]); i++)
		assert_int_equal(eval(&opt9989, "example.com", spf_bad[i], "example.com", MXG_DKIM_NONE, NULL,
				      MXG_DKIM_NONE, NULL),
				 MXG_DMARC_FAIL);
	static const enum mxg_dkim_result dkim_bad[] = { MXG_DKIM_FAIL, MXG_DKIM_NEUTRAL, MXG_DKIM_POLICY,
							 MXG_DKIM_TEMPERROR, MXG_DKIM_PERMERROR };
	for (size_t i = 0; i < sizeof(dkim_bad) / sizeof(dkim_bad[0]); i++)
		assert_int_equal(eval(&opt9989, "example.com", MXG_SPF_NONE, NULL, dkim_bad[i], "example.com",
				      MXG_DKIM_NONE, NULL),
				 MXG_DMARC_FAIL);
	/* A pass from another organisation next to an aligned failure: fail. */
	assert_int_equal(eval(&opt9989, "example.com", MXG_SPF_PASS, "example.net", MXG_DKIM_FAIL,
			      "example.com", MXG_DKIM_PASS, "example.net"),
			 MXG_DMARC_FAIL);
	/* The second signature aligns. */
	assert_int_equal(eval(&opt9989, "example.com", MXG_SPF_NONE, NULL, MXG_DKIM_PASS, "example.net",
			      MXG_DKIM_PASS, "mail.example.com"),
			 MXG_DMARC_PASS);
	assert_string_equal(out.aligned_dkim_domain, "mail.example.com");
}

/* --- policies: sp, np, t, pct --- */

static void test_sp_np(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
	host("exists.example.com");
	rr("mxonly.example.com. 300 IN MX 10 exists.example.com.");
	rr("txtonly.example.com. 300 IN TXT \"only text\"");
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_fail(&opt9989, "exists.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(eval_fail(&opt9989, "mxonly.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* RFC 9989 §3.2.13, Appendix A.4: any record makes a name exist, a TXT record too. */
	assert_int_equal(eval_fail(&opt9989, "txtonly.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(eval_fail(&opt9989, "ghost.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	/* RFC 7489 knows no np: sp applies to every subdomain. */
	assert_int_equal(eval_fail(&opt7489, "ghost.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
}

/* Existence is the rcode of the From domain: NXDOMAIN alone means "does not exist" (np);
 * NOERROR with or without data (one record of any type, an empty non-terminal) means sp. */
static void test_np_existence_by_rcode(void **state)
{
	static const struct {
		const char *from;
		enum mxg_dmarc_policy published;
	} cases[] = {
		{ "mx.example.com", MXG_DMARC_POLICY_QUARANTINE },    /* only an MX */
		{ "txt.example.com", MXG_DMARC_POLICY_QUARANTINE },   /* only a TXT */
		{ "v6.example.com", MXG_DMARC_POLICY_QUARANTINE },    /* only an AAAA */
		{ "b.example.com", MXG_DMARC_POLICY_QUARANTINE },     /* empty non-terminal above a.b */
		{ "c.b.example.com", MXG_DMARC_POLICY_REJECT },       /* a sibling of a.b: NXDOMAIN */
		{ "alias.example.com", MXG_DMARC_POLICY_QUARANTINE }, /* CNAME to a missing name */
		{ "ghost.example.com", MXG_DMARC_POLICY_REJECT },     /* NXDOMAIN */
		{ "deep.ghost.example.com", MXG_DMARC_POLICY_REJECT },
		{ "any.wild.example.com", MXG_DMARC_POLICY_QUARANTINE }, /* a wildcard answers */
	};
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=none; sp=quarantine; np=reject");
	rr("mx.example.com. 300 IN MX 10 mail.example.net.");
	rr("txt.example.com. 300 IN TXT \"hello\"");
	rr("v6.example.com. 300 IN AAAA 2001:db8::1");
	rr("a.b.example.com. 300 IN TXT \"below\"");
	rr("alias.example.com. 300 IN CNAME nowhere.example.net.");
	rr("*.wild.example.com. 300 IN TXT \"wild\"");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (eval_fail(&opt9989, cases[i].from) != MXG_DMARC_FAIL || out.published != cases[i].published)
			fail_msg("%s: %s, published %s, wanted %s", cases[i].from, mxg_dmarc_result_name(out.result),
				 mxg_dmarc_policy_name(out.published), mxg_dmarc_policy_name(cases[i].published));
	/* np is for subdomains: the policy domain itself gets p. */
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE);
}

/* A failed existence check is no NXDOMAIN: temperror, whichever of sp and np is stricter. */
static void test_np_existence_temperror(void **state)
{
	static const enum mxg_dns_rcode faults[] = { MXG_DNS_SERVFAIL, MXG_DNS_TIMEOUT };
	char from[64];
	(void)state;
	dmarc_txt("strict-np.example", "v=DMARC1; p=none; sp=none; np=reject");
	dmarc_txt("weak-np.example", "v=DMARC1; p=reject; np=none");
	for (size_t i = 0; i < 2; i++) {
		const char *org = i == 0 ? "strict-np.example" : "weak-np.example";
		for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
			snprintf(from, sizeof(from), "f%zu.%s", k, org);
			mxg_zone_set_fault(r, from, 0, faults[k]);
			if (eval_fail(&opt9989, from) != MXG_DMARC_TEMPERROR || out.policy != MXG_DMARC_POLICY_UNSET)
				fail_msg("%s: %s, policy %s", from, mxg_dmarc_result_name(out.result),
					 mxg_dmarc_policy_name(out.policy));
			assert_non_null(strstr(out.reason, from));
		}
	}
	/* No np, or np equal to sp: nothing to decide, no lookup, no temperror. */
	dmarc_txt("same.example", "v=DMARC1; p=reject; sp=quarantine; np=quarantine");
	mxg_zone_set_fault(r, "x.same.example", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(eval_fail(&opt9989, "x.same.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	/* RFC 7489 mode has no np: no existence check either. */
	mxg_zone_set_fault(r, "y.strict-np.example", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(eval_fail(&opt7489, "y.strict-np.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE);
}

static void test_np_falls_back(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	dmarc_txt("example.net", "v=DMARC1; p=reject; sp=none");
	assert_int_equal(eval_fail(&opt9989, "ghost.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT); /* no sp, no np: p */
	assert_int_equal(eval_fail(&opt9989, "ghost.example.net"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_NONE); /* no np: sp */
}

/* RFC 9989 §4.7: t=y applies the policy one level below the published one. */
static void test_testing(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject; t=y");
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_FAIL);
	assert_true(out.testing);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE);
	assert_false(out.sampled_out);
	/* RFC 7489 has no t tag: the policy applies. */
	assert_int_equal(eval_fail(&opt7489, "example.com"), MXG_DMARC_FAIL);
	assert_false(out.testing);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
}

static void test_testing_levels(void **state)
{
	static const struct {
		const char *domain, *txt;
		enum mxg_dmarc_policy published, applied;
		int testing;
	} cases[] = {
		{ "q.example", "v=DMARC1; p=quarantine; t=y", MXG_DMARC_POLICY_QUARANTINE, MXG_DMARC_POLICY_NONE, 1 },
		{ "n.example", "v=DMARC1; p=none; t=y", MXG_DMARC_POLICY_NONE, MXG_DMARC_POLICY_NONE, 1 },
		{ "r.example", "v=DMARC1; p=reject; t=n", MXG_DMARC_POLICY_REJECT, MXG_DMARC_POLICY_REJECT, 0 },
		{ "upper.example", "v=DMARC1; p=REJECT; T=Y", MXG_DMARC_POLICY_REJECT, MXG_DMARC_POLICY_QUARANTINE, 1 },
		/* An invalid t falls back to the default n. */
		{ "bad.example", "v=DMARC1; p=reject; t=yes", MXG_DMARC_POLICY_REJECT, MXG_DMARC_POLICY_REJECT, 0 },
		/* An invalid policy with a valid rua acts as p=none, and t keeps it there. */
		{ "inv.example", "v=DMARC1; p=bogus; t=y; rua=mailto:d@inv.example", MXG_DMARC_POLICY_NONE,
		  MXG_DMARC_POLICY_NONE, 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dmarc_txt(cases[i].domain, cases[i].txt);
		if (eval_fail(&opt9989, cases[i].domain) != MXG_DMARC_FAIL || out.testing != cases[i].testing ||
		    out.published != cases[i].published || out.policy != cases[i].applied)
			fail_msg("'%s': %s, testing %d, published %s, applied %s", cases[i].txt,
				 mxg_dmarc_result_name(out.result), out.testing,
				 mxg_dmarc_policy_name(out.published), mxg_dmarc_policy_name(out.policy));
	}
}

/* t=y steps down whichever of p, sp and np applies; a pass applies nothing. */
static void test_testing_sub_policies(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=none; sp=reject; np=quarantine; t=y");
	host("exists.example.com");
	assert_int_equal(eval_fail(&opt9989, "exists.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(eval_fail(&opt9989, "ghost.example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.published, MXG_DMARC_POLICY_QUARANTINE);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_FAIL);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_dkim(&opt9989, "exists.example.com", "example.com"), MXG_DMARC_PASS);
	assert_true(out.testing);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	/* A PSD's t=y steps down its policy for the names below it. */
	dmarc_txt("tld", "v=DMARC1; p=reject; psd=y; t=y");
	host("brand.tld");
	assert_int_equal(eval_fail(&opt9989, "brand.tld"), MXG_DMARC_FAIL);
	assert_string_equal(out.policy_domain, "tld");
	assert_int_equal(out.published, MXG_DMARC_POLICY_REJECT);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE);
	/* Under RFC 7489 t is unknown, pct rules: pct=0 steps down, t=y alone does not. */
	dmarc_txt("pct.example", "v=DMARC1; p=reject; pct=0; t=y");
	assert_int_equal(eval_fail(&opt7489, "pct.example"), MXG_DMARC_FAIL);
	assert_false(out.testing);
	assert_true(out.sampled_out);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE);
	/* ...and under RFC 9989 pct is unknown, t rules: one step, not two. */
	assert_int_equal(eval_fail(&opt9989, "pct.example"), MXG_DMARC_FAIL);
	assert_true(out.testing);
	assert_false(out.sampled_out);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE);
}

static void test_pct_7489(void **state)
{
	struct mxg_dmarc_options no_sampling = opt7489;
	(void)state;
	dmarc_txt("zero.example", "v=DMARC1; p=reject; pct=0");
	dmarc_txt("zeroq.example", "v=DMARC1; p=quarantine; pct=0");
	dmarc_txt("full.example", "v=DMARC1; p=reject; pct=100");
	dmarc_txt("half.example", "v=DMARC1; p=reject; pct=50");
	assert_int_equal(eval_fail(&opt7489, "zero.example"), MXG_DMARC_FAIL);
	assert_true(out.sampled_out);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_QUARANTINE); /* the next milder one */
	assert_int_equal(eval_fail(&opt7489, "zeroq.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_fail(&opt7489, "full.example"), MXG_DMARC_FAIL);
	assert_false(out.sampled_out);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
	no_sampling.apply_pct = 0;
	assert_int_equal(eval_fail(&no_sampling, "zero.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
	/* RFC 9989 ignores pct. */
	assert_int_equal(eval_fail(&opt9989, "zero.example"), MXG_DMARC_FAIL);
	assert_false(out.sampled_out);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_REJECT);
	/* pct=50 samples about half: 400 tries land far inside 100..300. */
	int rejected = 0;
	for (int i = 0; i < 400; i++) {
		eval_fail(&opt7489, "half.example");
		rejected += out.policy == MXG_DMARC_POLICY_REJECT;
		assert_int_equal(out.sampled_out, out.policy != MXG_DMARC_POLICY_REJECT);
	}
	assert_in_range(rejected, 100, 300);
	/* Sampling never touches a pass. */
	assert_int_equal(eval_dkim(&opt7489, "zero.example", "zero.example"), MXG_DMARC_PASS);
	assert_false(out.sampled_out);
}

/* RFC 9989 §4.10.1: an invalid policy with a valid rua acts as p=none; without one, no DMARC. */
static void test_invalid_policy(void **state)
{
	(void)state;
	dmarc_txt("withrua.example", "v=DMARC1; p=bogus; rua=mailto:d@withrua.example");
	dmarc_txt("norua.example", "v=DMARC1; p=bogus");
	dmarc_txt("badsp.example", "v=DMARC1; p=reject; sp=bogus");
	dmarc_txt("noP.example", "v=DMARC1; adkim=s");
	assert_int_equal(eval_fail(&opt9989, "withrua.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_fail(&opt9989, "norua.example"), MXG_DMARC_NONE);
	assert_false(out.have_record);
	assert_int_equal(eval_fail(&opt9989, "badsp.example"), MXG_DMARC_NONE);
	/* No p at all: p=none under RFC 9989, no DMARC under RFC 7489 (no rua either). */
	assert_int_equal(eval_fail(&opt9989, "nop.example"), MXG_DMARC_FAIL);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_NONE);
	assert_int_equal(eval_fail(&opt7489, "nop.example"), MXG_DMARC_NONE);
}

static void test_no_from_domain(void **state)
{
	(void)state;
	struct mxg_dmarc_input in = { NULL, MXG_SPF_PASS, "example.com", 0, NULL };
	assert_int_equal(mxg_dmarc_evaluate(r, &opt9989, &in, &out), MXG_DMARC_PERMERROR);
	in.from_domain = "bad..name";
	assert_int_equal(mxg_dmarc_evaluate(r, &opt9989, &in, &out), MXG_DMARC_PERMERROR);
	assert_int_equal(mxg_dmarc_evaluate(r, &opt9989, NULL, &out), MXG_DMARC_PERMERROR);
	assert_string_equal(mxg_dmarc_result_name(MXG_DMARC_PERMERROR), "permerror");
	assert_string_equal(mxg_dmarc_policy_name(MXG_DMARC_POLICY_QUARANTINE), "quarantine");
}

/* --- DNS trouble is temperror, never a verdict --- */

static void test_temperror(void **state)
{
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject; np=quarantine");
	mxg_zone_set_fault(r, "_dmarc.sub.example.com", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(eval_fail(&opt9989, "sub.example.com"), MXG_DMARC_TEMPERROR);
	assert_int_equal(out.policy, MXG_DMARC_POLICY_UNSET);
	assert_non_null(strstr(out.reason, "_dmarc.sub.example.com"));
	/* Higher up the walk counts too: the org domain could change. */
	mxg_zone_set_fault(r, "_dmarc.com", MXG_DNS_TXT, MXG_DNS_TIMEOUT);
	assert_int_equal(eval_fail(&opt9989, "example.com"), MXG_DMARC_TEMPERROR);
	/* RFC 7489 mode looks up no more than the two names, so it still decides. */
	assert_int_equal(eval_fail(&opt7489, "example.com"), MXG_DMARC_FAIL);
}

static void test_temperror_alignment(void **state)
{
	(void)state;
	dmarc_txt("example.net", "v=DMARC1; p=reject; psd=n");
	mxg_zone_set_fault(r, "_dmarc.mail.example.net", 0, MXG_DNS_SERVFAIL);
	/* The signer's org domain cannot be found: no verdict... */
	assert_int_equal(eval_dkim(&opt9989, "example.net", "mail.example.net"), MXG_DMARC_TEMPERROR);
	/* ...unless something else aligns anyway. */
	assert_int_equal(eval(&opt9989, "example.net", MXG_SPF_PASS, "example.net", MXG_DKIM_PASS,
			      "mail.example.net", MXG_DKIM_NONE, NULL),
			 MXG_DMARC_PASS);
	/* Whether the From domain exists decides np: unknown is temperror. */
	dmarc_txt("example.org", "v=DMARC1; p=none; np=reject");
	mxg_zone_set_fault(r, "maybe.example.org", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(eval_fail(&opt9989, "maybe.example.org"), MXG_DMARC_TEMPERROR);
}

static void test_org_domain_api(void **state)
{
	char org[256];
	(void)state;
	dmarc_txt("example.com", "v=DMARC1; p=reject");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt9989, "A.B.Example.COM", org, sizeof(org)), 0);
	assert_string_equal(org, "example.com");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt7489, "a.b.example.co.uk", org, sizeof(org)), 0);
	assert_string_equal(org, "example.co.uk");
	assert_int_equal(mxg_dmarc_org_domain(r, &opt7489, "co.uk", org, sizeof(org)), 0);
	assert_string_equal(org, "co.uk");
	assert_int_equal(mxg_dmarc_org_domain(r, NULL, "x..y", org, sizeof(org)), -1);
	mxg_zone_set_fault(r, "_dmarc.com", 0, MXG_DNS_SERVFAIL);
	assert_int_equal(mxg_dmarc_org_domain(r, NULL, "example.com", org, sizeof(org)), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_own_record_uses_p),   T(test_org_record_not_nearest), T(test_psd_n_stops),
		T(test_psd_y),               T(test_fewest_labels),          T(test_walk_shortcut),
		T(test_multiple_records),    T(test_modes_differ),           T(test_alignment_relaxed_strict),
		T(test_alignment_needs_pass), T(test_sp_np),                 T(test_np_falls_back),
		T(test_testing),             T(test_pct_7489),               T(test_invalid_policy),
		T(test_no_from_domain),      T(test_temperror),              T(test_temperror_alignment),
		T(test_org_domain_api),      T(test_version_not_dmarc1_ignored),
		T(test_version_without_separator), T(test_testing_levels),   T(test_testing_sub_policies),
		T(test_np_existence_by_rcode), T(test_np_existence_temperror),
		T(test_psd_y_separates_registrants), T(test_psd_stops_walk), T(test_psd_y_long_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
