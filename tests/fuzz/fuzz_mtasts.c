/* Fuzzes the MTA-STS record and policy parsers and the TLS-RPT record parser with the same
 * input; whatever it is, results stay within their bounds and a failure says why. */
#include <stdint.h>
#include <string.h>

#include "mxguard/mtasts.h"
#include "mxguard/tlsrpt.h"

static void policy(const uint8_t *data, size_t size)
{
	struct mxg_mtasts_policy p;
	char why[MXG_MTASTS_WHY_MAX];

	int rc = mxg_mtasts_policy_parse((const char *)data, size, &p, why, sizeof(why));
	if (rc != 0 && strnlen(why, sizeof(why)) == 0)
		__builtin_trap();
	if (rc == 0 && (p.mx_count > MXG_MTASTS_MX_MAX || p.max_age > MXG_MTASTS_MAX_AGE_MAX ||
			(p.mode != MXG_MTASTS_MODE_NONE && p.mx_count == 0)))
		__builtin_trap();
	for (size_t i = 0; rc == 0 && i < p.mx_count; i++)
		(void)mxg_mtasts_policy_covers(&p, p.mx[i][0] == '*' ? p.mx[i] + 2 : p.mx[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[5000], why[MXG_MTASTS_WHY_MAX];
	struct mxg_mtasts_record rec;
	struct mxg_tlsrpt_record trec;

	policy(data, size);
	size_t len = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, len);
	text[len] = '\0';
	int rc = mxg_mtasts_record_parse(text, &rec, why, sizeof(why));
	if ((rc != 0 && why[0] == '\0') || strnlen(rec.id, sizeof(rec.id)) > MXG_MTASTS_ID_MAX ||
	    (rc == 0 && rec.id[0] == '\0'))
		__builtin_trap();
	why[0] = '\0';
	rc = mxg_tlsrpt_record_parse(text, &trec, why, sizeof(why));
	if ((rc != 0 && why[0] == '\0') || trec.rua_count > MXG_TLSRPT_RUA_MAX ||
	    (rc == 0 && trec.rua_count == 0))
		__builtin_trap();
	return 0;
}
