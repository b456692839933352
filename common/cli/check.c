/* mxguard check: audits domains (MX now; SPF, DMARC and DKIM keys as those checks join)
 * and reports findings as text or JSON with a monitoring-plugin exit status. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mxguard/mx.h"

#define CHECK_MAX_SELECTORS 16

struct check_opts {
	struct cli_dns_opts dns;
	int json;
	unsigned max_targets;
	const char *selectors[CHECK_MAX_SELECTORS];
	size_t selector_count;
};

/* What one domain's audit produced. */
struct check_result {
	struct mxg_findings findings;
	struct mxg_mx_input mx;
	int unknown;        /* something could not be checked at all */
	char problem[512];  /* why, when unknown */
};

struct audit {
	const char *name;
	int (*run)(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		   struct check_result *res);
};

static int audit_mx(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		    struct check_result *res)
{
	if (mxg_mx_gather(r, domain, o->max_targets, &res->mx, res->problem,
			  sizeof(res->problem)) < 0) {
		res->unknown = 1;
		return 0;
	}
	if (res->mx.rcode == MXG_DNS_SERVFAIL || res->mx.rcode == MXG_DNS_TIMEOUT)
		res->unknown = 1;
	return mxg_mx_analyze(&res->mx, &res->findings);
}

static const struct audit audits[] = {
	{ "mx", audit_mx },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard check [OPTIONS] DOMAIN...\n"
		"Audits each domain's mail DNS and lists the problems found.\n\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --dkim-selector SEL  also audit the DKIM key at SEL._domainkey.DOMAIN (repeatable)\n"
		"  --max-targets N      MX targets examined per domain (default %d)\n",
		MXG_MX_MAX_TARGETS);
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 clean or info only, 1 warnings, 2 errors, 3 could not check.\n");
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "dkim-selector", required_argument, NULL, 's' },
		{ "max-targets", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, CLI_DNS_SHORTOPTS "js:m:h", longopts, NULL)) != -1) {
		int d = cli_dns_option(&o->dns, c, optarg);
		if (d < 0)
			return -1;
		if (d > 0)
			continue;
		switch (c) {
		case 'j':
			o->json = 1;
			break;
		case 's':
			if (o->selector_count >= CHECK_MAX_SELECTORS) {
				fprintf(stderr, "mxguard check: at most %d --dkim-selector options\n",
					CHECK_MAX_SELECTORS);
				return -1;
			}
			o->selectors[o->selector_count++] = optarg;
			break;
		case 'm':
			o->max_targets = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o->max_targets == 0 || o->max_targets > MXG_MX_MAX_TARGETS) {
				fprintf(stderr, "mxguard check: --max-targets takes 1 to %d\n",
					MXG_MX_MAX_TARGETS);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mxguard check: no domain given\n");
		usage(stderr);
		return -1;
	}
	return optind;
}

/* The exit status of one domain: errors outrank "could not check", which outranks warnings. */
static int result_status(const struct check_result *res)
{
	int worst = mxg_findings_worst(&res->findings);

	if (worst >= MXG_SEV_ERROR)
		return CLI_EXIT_ERROR;
	if (res->unknown)
		return CLI_EXIT_UNKNOWN;
	if (worst == MXG_SEV_WARNING)
		return CLI_EXIT_WARNING;
	return CLI_EXIT_OK;
}

static int status_rank(int status)
{
	static const int rank[] = { 0, 1, 3, 2 }; /* ok, warning, error, unknown */
	return rank[status];
}

static const char *status_name(int status)
{
	static const char *const names[] = { "ok", "warning", "error", "unknown" };
	return names[status];
}

static void print_text(const char *domain, const struct check_result *res, int status)
{
	size_t n[4] = { 0 };

	for (size_t i = 0; i < res->findings.count; i++)
		n[res->findings.items[i].severity]++;
	printf("%s: %s (%zu critical, %zu error, %zu warning, %zu info)\n", domain,
	       status_name(status), n[MXG_SEV_CRITICAL], n[MXG_SEV_ERROR], n[MXG_SEV_WARNING],
	       n[MXG_SEV_INFO]);
	if (res->unknown && res->problem[0])
		printf("  could not check: %s\n", res->problem);
	cli_text_findings(stdout, &res->findings, "  ");
}

static void print_json(const char *domain, const struct check_result *res, int status, int first)
{
	printf("%s{", first ? "" : ",");
	cli_json_kv(stdout, "domain", domain);
	printf(",");
	cli_json_kv(stdout, "status", status_name(status));
	printf(",\"exit\":%d,", status);
	cli_json_kv(stdout, "problem", res->problem[0] ? res->problem : NULL);
	printf(",\"findings\":");
	cli_json_findings(stdout, &res->findings);
	printf("}");
}

static int check_domain(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
			struct check_result *res)
{
	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < sizeof(audits) / sizeof(audits[0]); i++) {
		if (audits[i].run(r, o, domain, res) < 0) {
			fprintf(stderr, "mxguard check: out of memory in the %s audit\n", audits[i].name);
			return -1;
		}
	}
	return 0;
}

int cli_check(int argc, char **argv)
{
	struct check_opts o;
	struct check_result *res;
	int worst = CLI_EXIT_OK;

	memset(&o, 0, sizeof(o));
	int first = parse_args(argc, argv, &o);
	if (first < 0)
		return CLI_EXIT_UNKNOWN;
	struct mxg_resolver *r = cli_dns_open(&o.dns, "mxguard check");
	if (r == NULL)
		return CLI_EXIT_UNKNOWN;
	res = malloc(sizeof(*res));
	if (res == NULL) {
		mxg_resolver_free(r);
		return CLI_EXIT_UNKNOWN;
	}
	if (o.json)
		printf("{\"version\":1,\"domains\":[");
	for (int i = first; i < argc; i++) {
		if (check_domain(r, &o, argv[i], res) < 0) {
			worst = CLI_EXIT_UNKNOWN;
			break;
		}
		int status = result_status(res);
		if (status_rank(status) > status_rank(worst))
			worst = status;
		if (o.json)
			print_json(argv[i], res, status, i == first);
		else
			print_text(argv[i], res, status);
		mxg_findings_clear(&res->findings);
	}
	if (o.json)
		printf("],\"status\":\"%s\",\"exit\":%d}\n", status_name(worst), worst);
	free(res);
	mxg_resolver_free(r);
	return worst;
}
