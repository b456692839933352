/* Shared pieces of the mxguard command: subcommand table entries, exit codes,
 * resolver set-up from --zone/--resolver options, and the JSON writer. */
#ifndef MXGUARD_CLI_H
#define MXGUARD_CLI_H

#include <stdio.h>

#include "mxguard/dns.h"
#include "mxguard/finding.h"

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_WARNING = 1,
	CLI_EXIT_ERROR = 2,
	CLI_EXIT_UNKNOWN = 3,
};

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

int cli_check(int argc, char **argv);

#endif
