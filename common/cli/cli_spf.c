/* mxguard spf: evaluates SPF for one client address and envelope sender, printing the result,
 * the mechanism that matched, the explanation, the problem and a Received-SPF field. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mxguard/spf.h"

static const char prog[] = "mxguard spf";

struct spf_opts {
	struct cli_dns_opts dns;
	int json;
	int helo_identity;
	const char *receiver;
};

void cli_spf_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard spf [OPTIONS] IP MAIL-FROM [HELO]\n"
		"Evaluates SPF (RFC 7208) for mail from IP with envelope sender MAIL-FROM.\n"
		"MAIL-FROM \"\" or \"<>\" (a bounce) checks postmaster@HELO.\n\n"
		"  --json               machine-readable output\n"
		"  --helo               check the HELO identity instead of MAIL FROM\n"
		"  --receiver NAME      this host's name, for %%{r} and Received-SPF\n"
		"  --help               this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 pass, 1 neutral, none or softfail, 2 fail or permerror,\n"
		     "3 temperror or usage error.\n");
}

/* Returns the index of the first operand, 0 after --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, struct spf_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "helo", no_argument, NULL, 'H' },
		{ "receiver", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "jHR:h", longopts, &o->dns)) != -1) {
		if (c == CLI_OPT_BAD)
			return -1;
		switch (c) {
		case 'j': o->json = 1; break;
		case 'H': o->helo_identity = 1; break;
		case 'R': o->receiver = optarg; break;
		case 'h': cli_spf_usage(stdout); return 0;
		default:
			cli_bad_option(prog, c, argv[optind - 1]);
			return -1;
		}
	}
	int need = o->helo_identity ? 1 : 2;
	if (argc - optind < need || argc - optind > 3 || (o->helo_identity && argc - optind > 2)) {
		fprintf(stderr, "%s: expected IP MAIL-FROM [HELO] (or --helo IP HELO)\n"
			"%s: mxguard help spf lists the options\n", prog, prog);
		return -1;
	}
	return optind;
}

static int exit_status(enum mxg_spf_result r)
{
	switch (r) {
	case MXG_SPF_PASS:
		return CLI_EXIT_OK;
	case MXG_SPF_FAIL:
	case MXG_SPF_PERMERROR:
		return CLI_EXIT_ERROR;
	case MXG_SPF_TEMPERROR:
		return CLI_EXIT_UNKNOWN;
	default:
		return CLI_EXIT_WARNING;
	}
}

static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static void print_json(const struct mxg_spf_outcome *out, const char *header)
{
	printf("{");
	cli_json_kv(stdout, "result", mxg_spf_result_name(out->result));
	printf(",");
	cli_json_kv(stdout, "identity", out->identity);
	printf(",");
	cli_json_kv(stdout, "sender", out->sender);
	printf(",");
	cli_json_kv(stdout, "domain", out->domain);
	printf(",");
	cli_json_kv(stdout, "mechanism", or_null(out->mechanism));
	printf(",");
	cli_json_kv(stdout, "explanation", or_null(out->explanation));
	printf(",");
	cli_json_kv(stdout, "problem", or_null(out->problem));
	printf(",");
	cli_json_kv(stdout, "comment", out->comment);
	printf(",\"dns_terms\":%u,\"void_lookups\":%u,", out->dns_terms, out->void_lookups);
	cli_json_kv(stdout, "received_spf", header);
	printf("}\n");
}

static void print_text(const struct mxg_spf_outcome *out, const char *header)
{
	printf("result: %s\n", mxg_spf_result_name(out->result));
	printf("identity: %s (%s)\n", out->identity, out->sender);
	printf("domain: %s\n", out->domain);
	if (out->mechanism[0])
		printf("mechanism: %s\n", out->mechanism);
	if (out->explanation[0])
		printf("explanation: %s\n", out->explanation);
	if (out->problem[0])
		printf("problem: %s\n", out->problem);
	printf("lookups: %u DNS-querying terms, %u void\n", out->dns_terms, out->void_lookups);
	printf("Received-SPF: %s\n", header);
}

int cli_spf(int argc, char **argv)
{
	struct spf_opts o;
	struct mxg_spf_outcome out;
	struct mxg_addr ip;
	char header[2048];

	memset(&o, 0, sizeof(o));
	int first = parse_args(argc, argv, &o);
	if (first <= 0)
		return first == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	if (mxg_addr_parse(argv[first], &ip, 0) < 0) {
		fprintf(stderr, "%s: '%s' is not an IP address\n", prog, argv[first]);
		return CLI_EXIT_UNKNOWN;
	}
	const char *from = o.helo_identity ? NULL : argv[first + 1];
	const char *helo = o.helo_identity ? argv[first + 1] : first + 2 < argc ? argv[first + 2] : NULL;
	if (from && (from[0] == '\0' || strcmp(from, "<>") == 0) && helo == NULL) {
		fprintf(stderr, "%s: a null MAIL FROM needs the HELO name\n", prog);
		return CLI_EXIT_UNKNOWN;
	}
	struct mxg_resolver *r = cli_dns_open(&o.dns, prog);
	if (r == NULL)
		return CLI_EXIT_UNKNOWN;
	struct mxg_spf_options opt = { .receiver = o.receiver };
	if (o.helo_identity)
		mxg_spf_check_helo(r, &opt, &ip, helo, &out);
	else
		mxg_spf_check_mailfrom(r, &opt, &ip, from, helo, &out);
	mxg_resolver_free(r);
	if (mxg_spf_received_spf(&out, &ip, helo, o.receiver, header, sizeof(header)) < 0)
		header[0] = '\0';
	if (o.json)
		print_json(&out, header);
	else
		print_text(&out, header);
	return exit_status(out.result);
}
