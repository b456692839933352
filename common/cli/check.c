/* mxguard check: placeholder until the MX audit lands. */
#include <stdio.h>

#include "cli.h"

int cli_check(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "mxguard check: not built yet\n");
	return CLI_EXIT_UNKNOWN;
}
