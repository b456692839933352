/* Runs ValiMail's ARC suite: chain validation (arc-draft-validation-tests.yml) through the
 * verifier, each test's message verified whole and its ARC result compared with cv; with --sign,
 * the signing half (arc-draft-sign-tests.yml) through the sealer (arc_sign_suite.c). Each
 * scenario's txt-records go into the zone backend; "N passed, N failed" ends the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mxguard/dkim.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"
#include "arc_sign_suite.h"
#include "suite_yaml.h"

/* Cases where this validator deliberately gives another answer than the suite, the answer
 * the RFCs call for, and why. The runner checks that answer for them. */
static const struct {
	const char *test;
	const char *answer;
	const char *reason;
} deviations[] = {
	{ "cv_fail_i1_as_cv_fail", "fail", "RFC 8617 §5.2 step 2: the newest ARC-Seal says cv=fail, "
					   "so the chain fails; the suite expects no result at all" },
	{ "cv_fail_i2_as2_fail", "fail", "RFC 8617 §5.2 step 2: the newest ARC-Seal says cv=fail, so "
					 "the chain fails; the suite expects no result at all" },
	{ "cv_fail_i2_as1_fail", "fail", "RFC 8617 §5.2 step 3: ARC-Seal i=1 must say cv=none, so the "
					 "chain fails; the suite expects no result at all" },
	{ "ams_fields_c_na", "fail", "RFC 6376 §3.5, whose tags RFC 8617 §4.1.2 takes over: no c= "
				     "means simple/simple, and this signature only verifies relaxed "
				     "(Mail::DKIM's copy of the suite expects Fail too)" },
	{ "ams_fields_h_mis_hdr", "fail", "RFC 6376 §3.5 grammar, taken over by RFC 8617 §4.1.2: an "
					  "h= entry is a field name of one character or more, so "
					  "h=from:to::date is malformed and the signature unusable" },
	{ NULL, NULL, NULL },
};

static unsigned passed, failed;
unsigned arc_sign_passed, arc_sign_failed;

static int deviation(const char *test)
{
	for (int i = 0; deviations[i].test != NULL; i++)
		if (strcmp(deviations[i].test, test) == 0)
			return i;
	return -1;
}

int arc_suite_load_records(struct mxg_resolver *r, yaml_document_t *d, yaml_node_t *records)
{
	static uint8_t rd[65536];

	if (records == NULL)
		return 0;
	if (records->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = records->data.mapping.pairs.start; p < records->data.mapping.pairs.top; p++) {
		yaml_node_t *v = suite_node(d, p->value);
		const char *owner = suite_text(suite_node(d, p->key));
		size_t n = 0;
		if (owner == NULL || v->type != YAML_SCALAR_NODE ||
		    suite_txt_strings(v->data.scalar.value, v->data.scalar.length, rd, &n, sizeof(rd)) < 0 ||
		    mxg_zone_add_rr(r, owner, MXG_DNS_TXT, 300, rd, n) < 0) {
			fprintf(stderr, "arc-suite: cannot load the TXT record of %s\n", owner ? owner : "?");
			return -1;
		}
	}
	return 0;
}

/* The expected cv, trimmed (the suite's own harness trims and ignores case). */
static void expected(const char *cv, char *out, size_t size)
{
	while (*cv == ' ' || *cv == '\n' || *cv == '\t')
		cv++;
	mxg_strlcpy(out, cv, size);
	size_t n = strlen(out);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\n' || out[n - 1] == '\t'))
		out[--n] = '\0';
}

static void run_test(struct mxg_resolver *r, yaml_document_t *d, const char *name, yaml_node_t *t)
{
	yaml_node_t *msg = suite_map_get(d, t, "message");
	const char *cv = suite_text(suite_map_get(d, t, "cv"));
	char want[32];

	if (msg == NULL || msg->type != YAML_SCALAR_NODE || cv == NULL) {
		printf("not ok - %s: malformed test\n", name);
		failed++;
		return;
	}
	expected(cv, want, sizeof(want));
	struct mxg_dkim_verifier *v = mxg_dkim_verify_buffer(r, NULL, NULL, (const char *)msg->data.scalar.value,
							     msg->data.scalar.length);
	if (v == NULL) {
		printf("not ok - %s: out of memory\n", name);
		failed++;
		return;
	}
	const struct mxg_arc_result *a = mxg_dkim_arc(v);
	const char *got = mxg_arc_result_name(a->result);
	int dev = deviation(name);
	if (dev >= 0)
		mxg_strlcpy(want, deviations[dev].answer, sizeof(want));
	if (mxg_strcaseeq(got, want)) {
		printf("ok - %s: %s", name, got);
		passed++;
	} else {
		printf("not ok - %s: got %s, want \"%s\"", name, got, want);
		if (a->reason[0])
			printf(" [%s]", a->reason);
		failed++;
	}
	if (dev >= 0)
		printf(" (deliberately not the suite's answer: %s)", deviations[dev].reason);
	printf("\n");
	mxg_dkim_verifier_free(v);
}

int main(int argc, char **argv)
{
	static const struct suite_runner runner = {
		"arc-suite", "txt-records", arc_suite_load_records, run_test, &passed, &failed,
	};
	static const struct suite_runner signing = {
		"arc-suite --sign", "txt-records", arc_sign_load, arc_sign_test, &arc_sign_passed,
		&arc_sign_failed,
	};

	if (argc == 3 && strcmp(argv[1], "--sign") == 0) {
		argv[1] = argv[0];
		int rc = suite_main(&signing, argc - 1, argv + 1);
		arc_sign_done();
		return rc;
	}
	return suite_main(&runner, argc, argv);
}
