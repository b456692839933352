/* The report store of the received-report commands (import, summary): --store, else the
 * report_store of mxguard-milter's configuration, as `report send` finds it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_report.h"
#include "mxguard/str.h"

struct mxg_store *cli_report_store_open(const char *store, const char *config, const char *prog)
{
	struct cli_report_settings set;
	memset(&set, 0, sizeof(set));
	if (store != NULL)
		mxg_strlcpy(set.store, store, sizeof(set.store));
	const char *path = config != NULL ? config : CLI_REPORT_DEFAULT_CONFIG;
	if (cli_report_settings(&set, path, config != NULL, prog) != 0)
		return NULL;
	if (set.store[0] == '\0') {
		fprintf(stderr, "%s: no store: give --store or set report_store in %s\n", prog, path);
		return NULL;
	}
	char err[512];
	struct mxg_store *st = mxg_store_open(set.store, err, sizeof(err));
	if (st == NULL)
		fprintf(stderr, "%s: %s\n", prog, err);
	return st;
}
