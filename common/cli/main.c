/* The mxguard command: dispatches to the subcommands and answers --help / help CMD.
 * Exit status follows the monitoring-plugin convention: 0 ok, 1 warning, 2 error, 3 unknown. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mxguard/version.h"

static const struct cli_command commands[] = {
	{ "check", "audit the mail DNS of domains", cli_check, cli_check_usage },
	{ "spf", "evaluate SPF for a client address and sender", cli_spf, cli_spf_usage },
	{ "dkim", "verify the DKIM signatures of a message file", cli_dkim, cli_dkim_usage },
	{ "dmarc", "run SPF, DKIM and DMARC on a message file", cli_dmarc, cli_dmarc_usage },
	{ "keygen", "make a DKIM key and print its DNS record", cli_keygen, cli_keygen_usage },
	{ "sign", "DKIM-sign a message file with one or more keys", cli_sign, cli_sign_usage },
	{ "report", "DMARC aggregate reports: send; read, import, summary", cli_report,
	  cli_report_usage },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: mxguard COMMAND [OPTIONS] ARGS...\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "  %-8s %s\n", "help", "describe a command: mxguard help COMMAND");
	fprintf(out, "  %-8s %s\n", "--version", "print the version");
	fprintf(out, "\nExit status: 0 clean, 1 warnings, 2 errors, 3 could not check or usage error.\n"
		     "See mxguard(1).\n");
}

void cli_bad_option(const char *prog, int opt, const char *arg)
{
	if (opt == ':')
		fprintf(stderr, "%s: option %s needs a value\n", prog, arg);
	else
		fprintf(stderr, "%s: unknown option %s\n", prog, arg);
	fprintf(stderr, "%s: mxguard help %s lists the options\n", prog,
		strchr(prog, ' ') ? strchr(prog, ' ') + 1 : prog);
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static int help(int argc, char **argv)
{
	if (argc < 3) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	const struct cli_command *c = find_command(argv[2]);
	if (c == NULL) {
		fprintf(stderr, "mxguard: no command '%s'; mxguard --help lists them\n", argv[2]);
		return CLI_EXIT_UNKNOWN;
	}
	c->usage(stdout);
	return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_UNKNOWN;
	}
	const char *name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("mxguard %s\n", MXG_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
		return help(argc, argv);
	const struct cli_command *c = find_command(name);
	if (c == NULL) {
		fprintf(stderr, "mxguard: unknown command '%s'; mxguard --help lists them\n", name);
		return CLI_EXIT_UNKNOWN;
	}
	return c->run(argc - 1, argv + 1);
}
