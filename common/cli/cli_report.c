/* mxguard report: dispatches to its subcommands (send: aggregate reports out), and reads the
 * settings they share from mxguard-milter's configuration file. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "mxguard/config.h"
#include "mxguard/str.h"

static const struct cli_command subcommands[] = {
	{ "send", "build and mail the aggregate reports due", cli_report_send,
	  cli_report_send_usage },
	/* reports received (cli_report_read.c, cli_report_import.c, cli_report_summary.c) */
	{ "read", "print one received report", cli_report_read, cli_report_read_usage },
	{ "import", "store received reports", cli_report_import, cli_report_import_usage },
	{ "summary", "who sends as a domain, from the stored reports", cli_report_summary,
	  cli_report_summary_usage },
};

#define N_SUB (sizeof(subcommands) / sizeof(subcommands[0]))

void cli_report_usage(FILE *out)
{
	fprintf(out, "usage: mxguard report SUBCOMMAND [OPTIONS]\nDMARC reports over the report "
		     "store (sqlite:PATH or postgresql://...).\n\nsubcommands:\n");
	for (size_t i = 0; i < N_SUB; i++)
		fprintf(out, "  %-8s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n");
	for (size_t i = 0; i < N_SUB; i++)
		subcommands[i].usage(out);
}

int cli_report(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_report_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_UNKNOWN : CLI_EXIT_OK;
	}
	for (size_t i = 0; i < N_SUB; i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "mxguard report: unknown subcommand '%s'; mxguard help report lists them\n",
		argv[1]);
	return CLI_EXIT_UNKNOWN;
}

/* The host's domain: the name after its first label, or the name itself. */
static void host_domain(char *out, size_t size)
{
	char host[MXG_DNS_NAME_MAX];
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		mxg_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	const char *dot = strchr(host, '.');
	mxg_strlcpy(out, dot != NULL && dot[1] != '\0' ? dot + 1 : host, size);
}

void cli_report_defaults(struct cli_report_settings *s)
{
	char dom[MXG_DNS_NAME_MAX];
	host_domain(dom, sizeof(dom));
	if (s->org_name[0] == '\0')
		mxg_strlcpy(s->org_name, dom, sizeof(s->org_name));
	if (s->email[0] == '\0') {
		mxg_strlcpy(s->email, "noreply-dmarc@", sizeof(s->email));
		mxg_strlcat(s->email, dom, sizeof(s->email));
	}
	if (s->receiver[0] != '\0')
		return;
	const char *at = strrchr(s->email, '@');
	mxg_strlcpy(s->receiver, at != NULL && at[1] != '\0' ? at + 1 : dom, sizeof(s->receiver));
}

static void take(char *dst, size_t size, const struct mxg_config *c, const char *key)
{
	const char *v = mxg_config_get(c, key);
	if (dst[0] == '\0' && v != NULL)
		mxg_strlcpy(dst, v, size);
}

int cli_report_settings(struct cli_report_settings *s, const char *path, int path_given,
			const char *prog)
{
	struct mxg_config c;
	char err[600];
	if (!path_given && access(path, F_OK) != 0)
		return 0;
	if (mxg_config_load(path, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	take(s->store, sizeof(s->store), &c, "report_store");
	take(s->org_name, sizeof(s->org_name), &c, "report_org_name");
	take(s->email, sizeof(s->email), &c, "report_email");
	take(s->format, sizeof(s->format), &c, "report_format");
	mxg_config_free(&c);
	return 0;
}
