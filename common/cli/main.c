/* The mxguard command: dispatches to the subcommands (check, spf, dkim, dmarc).
 * Exit status follows the monitoring-plugin convention: 0 ok, 1 warning, 2 error, 3 unknown. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command commands[] = {
	{ "check", "audit domains: MX, SPF, DMARC, DKIM keys", cli_check },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mxguard COMMAND [OPTIONS] ARGS...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nmxguard COMMAND --help describes each; see mxguard(1).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_UNKNOWN;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mxguard: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_EXIT_UNKNOWN;
}
