/* Turns per-signature DKIM results into findings, so that the milter's log, the CLI and
 * JSON output name the weaknesses a verdict alone hides (l= tails, test keys, short keys). */
#include "dkim_internal.h"

#include <stdio.h>
#include <string.h>

static int one(const struct mxg_dkim_sig_result *r, int i, struct mxg_findings *out)
{
	char subj[MXG_DNS_NAME_MAX * 2 + 16];
	int rc = 0;

	snprintf(subj, sizeof(subj), "%s._domainkey.%s", r->selector[0] ? r->selector : "-",
		 r->domain[0] ? r->domain : "-");
	if (r->body_has_unsigned_tail)
		rc |= mxg_findings_add(out, MXG_F_DKIM_BODY_LENGTH_LIMIT, i, subj,
				       "signature %d by %s covers only part of the body (l=): the rest "
				       "could have been added by anyone", i + 1, r->domain);
	if (r->result == MXG_DKIM_POLICY && r->key_bits > 0 && r->key_bits < 1024)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_WEAK, i, subj,
				       "signature %d uses an RSA key of %u bits, which verifiers must refuse",
				       i + 1, r->key_bits);
	if (r->result == MXG_DKIM_FAIL && strcmp(r->reason, "key revoked") == 0)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_REVOKED, i, subj,
				       "signature %d names a revoked key", i + 1);
	if (r->key_testing)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_TESTING, i, subj,
				       "signature %d uses a key in testing mode (t=y)", i + 1);
	if (r->result == MXG_DKIM_TEMPERROR)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_TEMPFAIL, i, subj,
				       "signature %d could not be checked: %s", i + 1, r->reason);
	return rc ? -1 : 0;
}

int mxg_dkim_result_findings(const struct mxg_dkim_verifier *v, struct mxg_findings *out)
{
	for (size_t i = 0; i < mxg_dkim_result_count(v); i++)
		if (one(mxg_dkim_result_get(v, i), (int)i, out) < 0)
			return -1;
	return 0;
}
