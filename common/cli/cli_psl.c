/* The --psl option of mxguard check and mxguard dmarc: a Public Suffix List file, which only
 * RFC 7489 rules use, so both commands refuse it in the default RFC 9989 mode alike. */
#include <stdio.h>

#include "cli.h"

int cli_psl_open(const char *path, enum mxg_dmarc_mode mode, const char *prog, struct mxg_psl **out)
{
	char err[256];

	*out = NULL;
	if (path == NULL)
		return 0;
	if (mode != MXG_DMARC_MODE_7489) {
		fprintf(stderr, "%s: --psl needs --rfc7489 (RFC 9989 uses no public suffix list)\n",
			prog);
		return -1;
	}
	*out = mxg_psl_load(path, err, sizeof(err));
	if (*out == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	return 0;
}
