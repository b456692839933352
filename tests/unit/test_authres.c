/* Unit tests of Authentication-Results: the field we write (methods, properties, folding),
 * quoting that hostile values cannot break out of, and the authserv-id of existing fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/authres.h"
#include "mxguard/str.h"
#include "../lib/authres_reader.h"

static char buf[2048];

static struct mxg_spf_outcome spf_pass(const char *sender)
{
	struct mxg_spf_outcome o;
	memset(&o, 0, sizeof(o));
	o.result = MXG_SPF_PASS;
	mxg_strlcpy(o.identity, "mailfrom", sizeof(o.identity));
	mxg_strlcpy(o.sender, sender, sizeof(o.sender));
	return o;
}

static struct mxg_dkim_sig_result dkim_sig(enum mxg_dkim_result r, const char *d, const char *s,
					   const char *b)
{
	struct mxg_dkim_sig_result o;
	memset(&o, 0, sizeof(o));
	o.result = r;
	mxg_strlcpy(o.domain, d, sizeof(o.domain));
	mxg_strlcpy(o.selector, s, sizeof(o.selector));
	mxg_strlcpy(o.b_prefix, b, sizeof(o.b_prefix));
	mxg_strlcpy(o.algorithm, "rsa-sha256", sizeof(o.algorithm));
	return o;
}

static void test_format_full(void **state)
{
	struct mxg_spf_outcome spf = spf_pass("bounce@example.com");
	struct mxg_dkim_sig_result sigs[2] = {
		dkim_sig(MXG_DKIM_PASS, "example.com", "s1", "abcdEFGH1234"),
		dkim_sig(MXG_DKIM_FAIL, "other.example", "s2", "zzzz"),
	};
	struct mxg_dmarc_outcome dmarc;
	(void)state;
	mxg_strlcpy(sigs[1].reason, "body hash mismatch", sizeof(sigs[1].reason));
	memset(&dmarc, 0, sizeof(dmarc));
	dmarc.result = MXG_DMARC_PASS;
	dmarc.have_record = 1;
	dmarc.published = MXG_DMARC_POLICY_REJECT;
	mxg_strlcpy(dmarc.from_domain, "example.com", sizeof(dmarc.from_domain));
	struct mxg_authres_input in = { "mx.example.net", &spf, NULL, 2, sigs, &dmarc, NULL, 0, 0, NULL, NULL };

	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; spf=pass smtp.mailfrom=bounce@example.com; "
				 "dkim=pass header.d=example.com header.s=s1 header.a=rsa-sha256 "
				 "header.b=abcdEFGH1234; "
				 "dkim=fail reason=\"body hash mismatch\" header.d=other.example header.s=s2 "
				 "header.a=rsa-sha256 header.b=zzzz; "
				 "dmarc=pass (p=reject) header.from=example.com");
	assert_int_equal(mxg_authres_format(&in, 1, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "mx.example.net;\n\tspf=pass"));
	assert_non_null(strstr(buf, "header.b=zzzz;\n\tdmarc=pass"));
	/* The HELO identity is written as the name, not as postmaster@name. */
	struct mxg_spf_outcome helo = spf_pass("postmaster@mail.example.com");
	mxg_strlcpy(helo.domain, "mail.example.com", sizeof(helo.domain));
	in.helo = &helo;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "; spf=pass smtp.helo=mail.example.com; dkim=pass"));
}

static void test_format_none(void **state)
{
	struct mxg_authres_input in = { "mx.example.net", NULL, NULL, 0, NULL, NULL, NULL, 0, 0, NULL, NULL };
	(void)state;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; none");
	struct mxg_spf_outcome spf = spf_pass("a@example.com");
	in.spf = &spf;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; spf=pass smtp.mailfrom=a@example.com; dkim=none");
	in.authserv_id = "";
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), -1);
}

static void test_format_dmarc_fail(void **state)
{
	struct mxg_dmarc_outcome dmarc;
	(void)state;
	memset(&dmarc, 0, sizeof(dmarc));
	dmarc.result = MXG_DMARC_FAIL;
	dmarc.have_record = 1;
	dmarc.published = MXG_DMARC_POLICY_REJECT;
	dmarc.policy = MXG_DMARC_POLICY_QUARANTINE;
	dmarc.sampled_out = 1;
	dmarc.record.pct = 20;
	mxg_strlcpy(dmarc.from_domain, "example.com", sizeof(dmarc.from_domain));
	struct mxg_authres_input in = { "mx", NULL, NULL, 0, NULL, &dmarc, NULL, 0, 0, NULL, NULL };
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx; dkim=none; dmarc=fail (p=reject dis=quarantine pct=20) "
				 "header.from=example.com");
	/* The receiver's disposition, when given, is what dis= says (a rollout accepts). */
	enum mxg_dmarc_policy done = MXG_DMARC_POLICY_NONE;
	in.disposition = &done;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx; dkim=none; dmarc=fail (p=reject dis=none pct=20) "
				 "header.from=example.com");
}

static void test_injection(void **state)
{
	struct mxg_spf_outcome spf = spf_pass("x\"; dmarc=pass@evil.example");
	struct mxg_dkim_sig_result sig = dkim_sig(MXG_DKIM_FAIL, "evil.example; dkim=pass header.d=bank.example",
						  "s1\r\nX-Injected: yes", "ab/c=");
	(void)state;
	mxg_strlcpy(spf.comment, "evil) ; dmarc=pass (x", sizeof(spf.comment));
	mxg_strlcpy(sig.reason, "bad\" ; dkim=pass \\", sizeof(sig.reason));
	struct mxg_authres_input in = { "mx.example.net", &spf, NULL, 1, &sig, NULL, NULL, 0, 0, NULL, NULL };

	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	/* Exactly the separators we wrote: one after the id, one between spf and dkim. */
	assert_int_equal(authres_structural(buf, ';'), 2);
	assert_null(strchr(buf, '\r'));
	assert_null(strchr(buf, '\n'));
	assert_non_null(strstr(buf, "header.d=\"evil.example; dkim=pass header.d=bank.example\""));
	assert_non_null(strstr(buf, "header.b=\"ab/c=\""));
	assert_non_null(strstr(buf, "(evil\\) ; dmarc=pass \\(x)"));
	assert_non_null(strstr(buf, "reason=\"bad\\\" ; dkim=pass \\\\\""));

	/* A hostile authserv-id is quoted too. */
	in.authserv_id = "a; spf=pass";
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_int_equal(strncmp(buf, "\"a; spf=pass\"; ", 15), 0);
	char id[64];
	assert_int_equal(mxg_authres_authserv_id(buf, id, sizeof(id)), 0);
	assert_string_equal(id, "a; spf=pass");
}

static void test_format_arc(void **state)
{
	struct mxg_arc_result arc = { MXG_ARC_PASS, 2, "", "relay.example" };
	struct mxg_authres_input in = { "mx.example.net", NULL, NULL, 0, NULL, NULL, &arc, 0, 0, NULL, NULL };
	(void)state;

	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; dkim=none; arc=pass (i=2 d=relay.example)");
	arc.result = MXG_ARC_FAIL;
	mxg_strlcpy(arc.reason, "ARC-Seal i=1: \"bad\"; arc=pass", sizeof(arc.reason));
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; dkim=none; arc=fail reason=\"ARC-Seal i=1: \\\"bad\\\"; "
				 "arc=pass\" (i=2 d=relay.example)");
	assert_int_equal(authres_structural(buf, ';'), 2);
	/* No verdict to give (a temporary failure) and no chain: nothing about ARC is written. */
	arc.result = MXG_ARC_TEMPERROR;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_null(strstr(buf, "arc="));
	arc.result = MXG_ARC_NONE;
	assert_int_equal(mxg_authres_format(&in, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "mx.example.net; none");
}

static void test_format_bounds(void **state)
{
	struct mxg_spf_outcome spf = spf_pass("a@example.com");
	struct mxg_authres_input in = { "mx.example.net", &spf, NULL, 0, NULL, NULL, NULL, 0, 0, NULL, NULL };
	char small[24];
	(void)state;
	assert_int_equal(mxg_authres_format(&in, 0, small, sizeof(small)), -1);
	assert_true(strlen(small) < sizeof(small));
}

static void test_authserv_id(void **state)
{
	static const struct {
		const char *value, *id;
	} good[] = {
		{ " mx.example.net; spf=pass", "mx.example.net" },
		{ "mx.example.net;spf=pass", "mx.example.net" },
		{ " MX.Example.NET ; none", "MX.Example.NET" },
		{ " (comment) mx.example.net (another (nested)); dkim=pass", "mx.example.net" },
		{ "\r\n\tmx.example.net\r\n\t; spf=pass", "mx.example.net" },
		{ " \"mx.example.net\"; spf=pass", "mx.example.net" },
		{ " \"mx.exa\\mple.net\"; none", "mx.example.net" },
		{ " mx.example.net 1; spf=pass", "mx.example.net" },
		{ " mx.example.net", "mx.example.net" },
	};
	static const char *const bad[] = {
		"", "   ", " (only a comment)", " ; spf=pass", " \"unterminated; spf=pass",
		" (unterminated mx.example.net; spf=pass", " mx.example.net spf=pass",
	};
	char id[256];
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (mxg_authres_authserv_id(good[i].value, id, sizeof(id)) != 0 || strcmp(id, good[i].id) != 0)
			fail_msg("'%s': got '%s', wanted '%s'", good[i].value, id, good[i].id);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mxg_authres_authserv_id(bad[i], id, sizeof(id)) != -1)
			fail_msg("'%s' gave an authserv-id '%s'", bad[i], id);
	char tiny[4];
	assert_int_equal(mxg_authres_authserv_id(" mx.example.net; none", tiny, sizeof(tiny)), -1);
}

static void test_claims(void **state)
{
	(void)state;
	assert_true(mxg_authres_claims(" mx.example.net; spf=pass", "mx.example.net"));
	assert_true(mxg_authres_claims(" MX.EXAMPLE.NET; spf=pass", "mx.example.net"));
	assert_true(mxg_authres_claims(" (forged) \"mx.example.net\" ; dkim=pass", "mx.example.net"));
	assert_true(mxg_authres_claims("\r\n mx.example.net\r\n ;\r\n dmarc=pass", "mx.example.net"));
	/* Malformed after the id: still a claim a reader could believe. */
	assert_true(mxg_authres_claims(" mx.example.net spf=pass", "mx.example.net"));
	assert_false(mxg_authres_claims(" mx.example.net.evil; spf=pass", "mx.example.net"));
	assert_false(mxg_authres_claims(" evil.example; spf=pass smtp.mailfrom=mx.example.net",
					"mx.example.net"));
	assert_false(mxg_authres_claims(" (mx.example.net) evil.example; none", "mx.example.net"));
	assert_false(mxg_authres_claims(" (unterminated mx.example.net; none", "mx.example.net"));
	assert_false(mxg_authres_claims(NULL, "mx.example.net"));
	assert_false(mxg_authres_claims(" mx.example.net; none", ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_full),
		cmocka_unit_test(test_format_none),
		cmocka_unit_test(test_format_dmarc_fail),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_format_arc),
		cmocka_unit_test(test_format_bounds),
		cmocka_unit_test(test_authserv_id),
		cmocka_unit_test(test_claims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
