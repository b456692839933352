/* Resolver set-up for every subcommand: --zone files use the in-memory backend
 * (offline, tests, demo); otherwise libunbound forwards to --resolver or resolv.conf. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mxguard/config.h"

/* Handles one DNS option (opt is the getopt value). Returns 1 if it was one,
 * 0 if not, -1 (message printed) if its argument is bad. */
static int cli_dns_option(struct cli_dns_opts *o, int opt, const char *arg)
{
	char err[128];
	unsigned long s;

	switch (opt) {
	case 'z':
		if (o->zone_count >= CLI_DNS_MAX) {
			fprintf(stderr, "mxguard: too many --zone options (at most %d)\n", CLI_DNS_MAX);
			return -1;
		}
		o->zones[o->zone_count++] = arg;
		return 1;
	case 'r':
		if (o->resolver_count >= CLI_DNS_MAX) {
			fprintf(stderr, "mxguard: too many --resolver options (at most %d)\n", CLI_DNS_MAX);
			return -1;
		}
		o->resolvers[o->resolver_count++] = arg;
		o->resolvers[o->resolver_count] = NULL;
		return 1;
	case 'T':
		o->trust_anchor = arg;
		return 1;
	case 't':
		if (mxg_config_uint("--timeout", arg, 1, 300, &s, err, sizeof(err)) < 0) {
			fprintf(stderr, "mxguard: %s (seconds)\n", err);
			return -1;
		}
		o->timeout_ms = (unsigned)s * 1000;
		return 1;
	default:
		return 0;
	}
}

static struct mxg_resolver *open_zones(const struct cli_dns_opts *o, const char *prog)
{
	char err[512];
	struct mxg_resolver *r = mxg_resolver_zone_new();

	if (r == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	for (size_t i = 0; i < o->zone_count; i++) {
		if (mxg_zone_load_file(r, o->zones[i], NULL, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			mxg_resolver_free(r);
			return NULL;
		}
	}
	return r;
}

int cli_next_option(int argc, char **argv, const char *optstring, const struct option *longopts,
		    struct cli_dns_opts *dns)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		int d = cli_dns_option(dns, c, optarg);
		if (d < 0)
			return CLI_OPT_BAD;
		if (d == 0)
			return c;
	}
	return -1;
}

struct mxg_resolver *cli_dns_open(const struct cli_dns_opts *o, const char *prog)
{
	struct mxg_unbound_options uo;
	char err[512];

	if (o->zone_count > 0 && o->resolver_count > 0) {
		fprintf(stderr, "%s: --zone and --resolver exclude each other\n", prog);
		return NULL;
	}
	if (o->zone_count > 0)
		return open_zones(o, prog);
	memset(&uo, 0, sizeof(uo));
	uo.forwarders = o->resolver_count > 0 ? o->resolvers : NULL;
	uo.use_system = o->resolver_count == 0;
	uo.trust_anchor = o->trust_anchor;
	uo.timeout_ms = o->timeout_ms;
	struct mxg_resolver *r = mxg_resolver_unbound_new(&uo, err, sizeof(err));
	if (r == NULL)
		fprintf(stderr, "%s: cannot set up the resolver: %s\n", prog, err);
	return r;
}

void cli_dns_usage(FILE *out)
{
	fprintf(out,
		"\nDNS options:\n"
		"  --zone FILE          answer from this zone file (repeatable); no network\n"
		"  --resolver ADDR[@PORT]  forward queries to this server (repeatable);\n"
		"                       default: the servers in /etc/resolv.conf\n"
		"  --trust-anchor FILE  validate DNSSEC with this trust anchor file\n"
		"  --timeout SECONDS    per lookup (default 5)\n");
}
