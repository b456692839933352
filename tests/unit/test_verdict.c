/* Unit tests of the policy decision (common/src/verdict.c): each rule with the case
 * that triggers it and the neighbouring case that must not, under the policy knobs that matter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/verdict.h"
#include "mxguard/str.h"

static struct mxg_policy pol;
static struct mxg_verdict_input in;
static struct mxg_dmarc_outcome dm;
static struct mxg_spf_outcome spf;
static struct mxg_dkim_sig_result sigs[2];
static struct mxg_verdict v;

static int setup(void **state)
{
	(void)state;
	memset(&pol, 0, sizeof(pol));
	pol.dmarc_reject = 1;
	pol.quarantine = MXG_QUARANTINE_HOLD;
	pol.temperror_tempfail = 1;
	memset(&in, 0, sizeof(in));
	memset(&dm, 0, sizeof(dm));
	memset(&spf, 0, sizeof(spf));
	memset(sigs, 0, sizeof(sigs));
	mxg_strlcpy(dm.from_domain, "example.com", sizeof(dm.from_domain));
	mxg_strlcpy(spf.domain, "bounce.example.net", sizeof(spf.domain));
	spf.result = MXG_SPF_NONE;
	in.spf = &spf;
	in.dmarc = &dm;
	in.dkim = sigs;
	return 0;
}

static void dmarc_fail(enum mxg_dmarc_policy p)
{
	dm.result = MXG_DMARC_FAIL;
	dm.policy = p;
	dm.published = p;
}

static void test_reject(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_REJECT);
	assert_string_equal(v.rcode, "550");
	assert_string_equal(v.xcode, "5.7.1");
	assert_non_null(strstr(v.text, "example.com"));
	assert_string_equal(v.why, "dmarc-reject");
}

static void test_reject_off(void **state)
{
	(void)state;
	pol.dmarc_reject = 0;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.tag, "");
}

static void test_policy_none(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_NONE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
}

/* A signature whose key lookup timed out might have passed: no 550 on DNS trouble. */
static void test_reject_with_dkim_temperror(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	sigs[0].result = MXG_DKIM_FAIL;
	sigs[1].result = MXG_DKIM_TEMPERROR;
	in.dkim_count = 2;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
	assert_string_equal(v.rcode, "451");
	assert_true(strncmp(v.xcode, "4.7.", 4) == 0);
	pol.temperror_tempfail = 0;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_non_null(strstr(v.tag, "temperror"));
}

static void test_reject_with_spf_temperror(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	spf.result = MXG_SPF_TEMPERROR;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
}

static void test_dmarc_temperror(void **state)
{
	(void)state;
	dm.result = MXG_DMARC_TEMPERROR;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
	assert_non_null(strstr(v.text, "example.com"));
	pol.temperror_tempfail = 0;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.why, "temperror-accepted");
}

static void test_quarantine_modes(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_QUARANTINE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_QUARANTINE);
	assert_non_null(strstr(v.text, "example.com"));
	pol.quarantine = MXG_QUARANTINE_TAG;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_non_null(strstr(v.tag, "quarantine"));
	pol.quarantine = MXG_QUARANTINE_IGNORE;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.tag, "");
}

static void test_pass(void **state)
{
	(void)state;
	dm.result = MXG_DMARC_PASS;
	dm.policy = MXG_DMARC_POLICY_REJECT;
	spf.result = MXG_SPF_FAIL;
	pol.spf_reject_fail = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.why, "accept");
}

static void test_spf_fail(void **state)
{
	(void)state;
	dm.result = MXG_DMARC_NONE;
	spf.result = MXG_SPF_FAIL;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	pol.spf_reject_fail = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_REJECT);
	assert_string_equal(v.xcode, "5.7.23");
	assert_non_null(strstr(v.text, "bounce.example.net"));
	spf.result = MXG_SPF_SOFTFAIL;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	spf.result = MXG_SPF_TEMPERROR;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
}

static void test_internal_error(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	in.internal_error = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.why, "internal-error");
	pol.internal_error_tempfail = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
	assert_string_equal(v.xcode, "4.3.0");
}

static void test_soft_scope(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	in.scope = MXG_SCOPE_SOFT;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.why, "not-enforced");
}

static void test_bad_from(void **state)
{
	(void)state;
	in.dmarc = NULL;
	in.from_status = MXG_FROM_MULTIPLE_FIELDS;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	pol.reject_bad_from = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_REJECT);
	assert_non_null(strstr(v.text, "repeated"));
}

/* The From domain comes from the message: nothing of it may break the SMTP reply. */
static void test_reply_text_safe(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	mxg_strlcpy(dm.from_domain, "ex%s\r\n250 ok", sizeof(dm.from_domain));
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_REJECT);
	assert_null(strchr(v.text, '%'));
	assert_null(strchr(v.text, '\r'));
	assert_null(strchr(v.text, '\n'));
	mxg_strlcpy(dm.from_domain, "", sizeof(dm.from_domain));
	mxg_verdict_decide(&pol, &in, &v);
	assert_non_null(strstr(v.text, "(unknown)"));
}

/* The disposition the A-R reports is what was done: reject only when refused for DMARC. */
static void test_disposition(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_REJECT);
	pol.dmarc_reject = 0;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_NONE);
	dmarc_fail(MXG_DMARC_POLICY_QUARANTINE);
	pol.quarantine = MXG_QUARANTINE_TAG;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_QUARANTINE);
	pol.quarantine = MXG_QUARANTINE_IGNORE;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_NONE);
}

/* decide under rollout: accepted, would and the tag say what enforcing would do. */
static void rollout_decide(enum mxg_action would, const char *tag_start, const char *why)
{
	pol.rollout = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_int_equal(v.would, would);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_NONE);
	assert_int_equal(strncmp(v.tag, tag_start, strlen(tag_start)), 0);
	assert_string_equal(v.why, why);
	pol.rollout = 0;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, would);
	assert_int_equal(v.would, would);
}

static void test_rollout_refuses_nothing(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	rollout_decide(MXG_ACTION_REJECT, "would reject 550 5.7.1: Message rejected: the DMARC policy of example.com",
		       "dmarc-reject");
	sigs[0].result = MXG_DKIM_TEMPERROR;
	in.dkim_count = 1;
	rollout_decide(MXG_ACTION_TEMPFAIL, "would tempfail 451 4.7.1: Temporary DNS failure", "temperror");
	in.dkim_count = 0;
	dm.result = MXG_DMARC_TEMPERROR;
	rollout_decide(MXG_ACTION_TEMPFAIL, "would tempfail 451 4.7.1: Temporary DNS failure", "temperror");
	dm.result = MXG_DMARC_NONE;
	pol.spf_reject_fail = 1;
	spf.result = MXG_SPF_TEMPERROR;
	rollout_decide(MXG_ACTION_TEMPFAIL, "would tempfail 451 4.7.1:", "temperror");
	spf.result = MXG_SPF_FAIL;
	rollout_decide(MXG_ACTION_REJECT, "would reject 550 5.7.23:", "spf-fail");
	spf.result = MXG_SPF_NONE;
	pol.reject_bad_from = 1;
	in.from_status = MXG_FROM_MULTIPLE_FIELDS;
	rollout_decide(MXG_ACTION_REJECT, "would reject 550 5.7.1: Message rejected: the From header field is repeated",
		       "bad-from");
	in.from_status = MXG_FROM_OK;
	in.from_overflow = 1;
	rollout_decide(MXG_ACTION_REJECT, "would reject 550 5.7.1:", "bad-from");
	in.from_overflow = 0;
	pol.internal_error_tempfail = 1;
	in.internal_error = 1;
	rollout_decide(MXG_ACTION_TEMPFAIL, "would tempfail 451 4.3.0:", "internal-error");
	in.internal_error = 0;
	dmarc_fail(MXG_DMARC_POLICY_QUARANTINE);
	rollout_decide(MXG_ACTION_QUARANTINE, "would quarantine: DMARC policy of example.com", "dmarc-quarantine");
}

/* A pass under rollout is a plain accept: no tag. */
static void test_rollout_pass(void **state)
{
	(void)state;
	dm.result = MXG_DMARC_PASS;
	pol.rollout = 1;
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_int_equal(v.would, MXG_ACTION_ACCEPT);
	assert_string_equal(v.tag, "");
}

/* The trusted-forwarder decision (arc_override.h) as the verdict applies it. */
static struct mxg_arc_override ov;

static void forwarded(enum mxg_arc_override_status st, enum mxg_dmarc_policy to)
{
	memset(&ov, 0, sizeof(ov));
	ov.status = st;
	ov.disposition = to;
	ov.instance = 2;
	mxg_strlcpy(ov.sealer, "lists.example\r\n%s", sizeof(ov.sealer));
	in.arc_override = &ov;
}

static void test_trusted_forwarder(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	forwarded(MXG_ARC_OVERRIDE_NO, MXG_DMARC_POLICY_NONE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_REJECT);
	assert_false(v.trusted_forwarder);

	forwarded(MXG_ARC_OVERRIDE_YES, MXG_DMARC_POLICY_NONE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_string_equal(v.why, "trusted-forwarder");
	assert_true(v.trusted_forwarder);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_NONE);
	/* The sealer name comes from the message: no line break or '%' reaches the tag. */
	assert_non_null(strstr(v.tag, "ARC sealed by lists.example???s (i=2)"));

	/* A temporary error validating the chain defers, even with a DKIM temperror beside it. */
	sigs[0].result = MXG_DKIM_TEMPERROR;
	in.dkim_count = 1;
	forwarded(MXG_ARC_OVERRIDE_DOUBT, MXG_DMARC_POLICY_NONE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_TEMPFAIL);
	assert_false(v.trusted_forwarder);
}

static void test_trusted_forwarder_quarantine(void **state)
{
	(void)state;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	forwarded(MXG_ARC_OVERRIDE_YES, MXG_DMARC_POLICY_QUARANTINE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_QUARANTINE);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_QUARANTINE);
	assert_true(v.trusted_forwarder);
	/* p=quarantine stays quarantined: nothing was overridden. */
	dmarc_fail(MXG_DMARC_POLICY_QUARANTINE);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_QUARANTINE);
	assert_false(v.trusted_forwarder);
	/* Quarantine ignored by the receiver: the reject becomes none, on the forwarder's word. */
	pol.quarantine = MXG_QUARANTINE_IGNORE;
	dmarc_fail(MXG_DMARC_POLICY_REJECT);
	mxg_verdict_decide(&pol, &in, &v);
	assert_int_equal(v.action, MXG_ACTION_ACCEPT);
	assert_true(v.trusted_forwarder);
	assert_int_equal(v.disposition, MXG_DMARC_POLICY_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reject, setup),
		cmocka_unit_test_setup(test_reject_off, setup),
		cmocka_unit_test_setup(test_policy_none, setup),
		cmocka_unit_test_setup(test_reject_with_dkim_temperror, setup),
		cmocka_unit_test_setup(test_reject_with_spf_temperror, setup),
		cmocka_unit_test_setup(test_dmarc_temperror, setup),
		cmocka_unit_test_setup(test_quarantine_modes, setup),
		cmocka_unit_test_setup(test_pass, setup),
		cmocka_unit_test_setup(test_spf_fail, setup),
		cmocka_unit_test_setup(test_internal_error, setup),
		cmocka_unit_test_setup(test_soft_scope, setup),
		cmocka_unit_test_setup(test_bad_from, setup),
		cmocka_unit_test_setup(test_reply_text_safe, setup),
		cmocka_unit_test_setup(test_disposition, setup),
		cmocka_unit_test_setup(test_rollout_refuses_nothing, setup),
		cmocka_unit_test_setup(test_rollout_pass, setup),
		cmocka_unit_test_setup(test_trusted_forwarder, setup),
		cmocka_unit_test_setup(test_trusted_forwarder_quarantine, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
