/* The SPF provider table for the commands that need it (check, report summary): loaded from
 * the installed path, or the reason printed with where it looked. */
#include <stdio.h>

#include "cli.h"
#include "mxguard/spf.h"

int cli_providers_load(const char *prog, struct mxg_spf_providers *out)
{
	char path[512], err[600];

	if (mxg_spf_providers_load(mxg_spf_providers_path(path, sizeof(path)), out, err,
				   sizeof(err)) == 0)
		return 0;
	fprintf(stderr,
		"%s: cannot read the SPF provider table: %s\n"
		"%s: it is installed as DATADIR/spf-providers.tsv; set MXGUARD_DATADIR to its directory\n",
		prog, err, prog);
	return -1;
}
