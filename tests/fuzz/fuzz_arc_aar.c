/* Fuzzes ARC-Authentication-Results and the trusted-forwarder decision over them: the input is
 * the AAR of the newest set of a chain trusted and valid in every other respect. Invariants: the
 * parser returns 0 or -1 and never overruns; the override is granted only for a field that
 * parses, names instance 1, and holds "pass" (in any case: RFC 8601 keywords are
 * case-insensitive). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/arc_aar.h"
#include "mxguard/arc_override.h"
#include "mxguard/str.h"

/* Whether data holds "pass" in any case. */
static int holds_pass(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 4 <= size; i++)
		if (mxg_strncaseeq((const char *)data + i, "pass", 4))
			return 1;
	return 0;
}

static int count(void *arg, const struct mxg_aar_result *r)
{
	(void)r;
	(*(size_t *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mxg_arc_trust trust;
	struct mxg_dmarc_outcome dm = { .result = MXG_DMARC_FAIL, .policy = MXG_DMARC_POLICY_REJECT };
	struct mxg_arc_result arc = { .result = MXG_ARC_PASS, .instances = 1 };
	struct mxg_arc_set_view set = { .instance = 1, .aar = (const char *)data, .aar_len = size };
	struct mxg_arc_override_input in = { &dm, MXG_FROM_OK, 1, &arc, &set, 1, 1 };
	struct mxg_arc_override out;
	char id[MXG_DNS_NAME_MAX], err[160];
	unsigned inst = 0;
	size_t n = 0;

	if (trust.count == 0 && mxg_arc_trust_parse("fwd.example", &trust, err, sizeof(err)) != 0)
		abort();
	mxg_strlcpy(dm.from_domain, "victim.example", sizeof(dm.from_domain));
	mxg_strlcpy(dm.org_domain, "victim.example", sizeof(dm.org_domain));
	mxg_strlcpy(set.sealer, "fwd.example", sizeof(set.sealer));
	mxg_strlcpy(arc.domain, "fwd.example", sizeof(arc.domain));
	int rc = mxg_aar_parse((const char *)data, size, &inst, id, sizeof(id), count, &n, err, sizeof(err));
	if (rc != 0 && rc != -1)
		abort();
	if (rc == 0 && n > MXG_AAR_RESULTS_MAX)
		abort();
	mxg_arc_override_decide(&trust, &in, &out);
	if (out.status == MXG_ARC_OVERRIDE_YES &&
	    (rc != 0 || inst != 1 || !holds_pass(data, size)))
		abort();
	return 0;
}
