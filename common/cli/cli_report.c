/* mxguard report: the DMARC aggregate-report commands, dispatched by their second word
 * (read, import, summary: reports received; see mxguard(1)). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command report_commands[] = {
	{ "read", "print one received report", cli_report_read, cli_report_read_usage },
	{ "import", "store received reports", cli_report_import, cli_report_import_usage },
	{ "summary", "who sends as a domain, from the stored reports", cli_report_summary,
	  cli_report_summary_usage },
};

#define N_REPORT (sizeof(report_commands) / sizeof(report_commands[0]))

void cli_report_usage(FILE *out)
{
	fprintf(out, "usage: mxguard report COMMAND [OPTIONS] ARGS...\n\ncommands:\n");
	for (size_t i = 0; i < N_REPORT; i++)
		fprintf(out, "  %-8s %s\n", report_commands[i].name, report_commands[i].summary);
	fprintf(out, "\nmxguard report COMMAND --help describes each.\n");
}

int cli_report(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_report_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_UNKNOWN : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < N_REPORT; i++)
		if (strcmp(argv[1], report_commands[i].name) == 0)
			return report_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mxguard report: unknown command '%s'; mxguard help report lists them\n",
		argv[1]);
	return CLI_EXIT_UNKNOWN;
}
