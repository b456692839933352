/* mxguard report summary: who sent mail as a domain, from the aggregate reports stored by
 * `report import`: by source address (with its reverse name), by reporting organisation,
 * alignment rates, why failing sources fail and what a known provider's source needs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mxguard/report_store.h"
#include "mxguard/report_summary.h"
#include "mxguard/spf.h"
#include "mxguard/str.h"

#define DEFAULT_SINCE "30d"

static const char prog[] = "mxguard report summary";

struct summary_opts {
	struct cli_dns_opts dns;
	const char *store;
	const char *config;
	const char *since;
	int json;
	int resolve;
	int exact;
	const char *domain;
};

void cli_report_summary_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard report summary [OPTIONS] DOMAIN\n"
		"Who sent mail as DOMAIN and its subdomains, from the aggregate reports `report\n"
		"import` stored (reports on DOMAIN or a subdomain, and records whose header_from is\n"
		"one), by From domain and by source address: each\n"
		"source address with its reverse name and reporting organisations, SPF and DKIM\n"
		"alignment rates, why failing sources fail, and what a failing source of a known\n"
		"hosted provider needs (SPF include, DKIM selector).\n\n"
		"  --store STORE        sqlite:PATH or postgresql://... (default: report_store of\n"
		"                       the milter configuration)\n"
		"  --config FILE        mxguard-milter's configuration (default /etc/mxguard/milter.conf)\n"
		"  --since DURATION     reports whose period ends within it: 30d, 12h, 2w (default "
		DEFAULT_SINCE ")\n"
		"  --exact              only reports whose policy domain is DOMAIN itself\n"
		"  --no-resolve         do not look up reverse names\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --help               this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 every reported message passed DMARC (or none was reported),\n"
		     "1 some failed, 3 the store or resolver could not be used, or a usage error.\n");
}

static int parse_args(int argc, char **argv, struct summary_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "store", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 'S' },
		{ "no-resolve", no_argument, NULL, 'n' },
		{ "exact", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "s:c:S:nxjh", longopts,
				    &o->dns)) != -1) {
		switch (c) {
		case CLI_OPT_BAD: return -1;
		case 's': o->store = optarg; break;
		case 'c': o->config = optarg; break;
		case 'S': o->since = optarg; break;
		case 'n': o->resolve = 0; break;
		case 'x': o->exact = 1; break;
		case 'j': o->json = 1; break;
		case 'h': cli_report_summary_usage(stdout); return 1;
		default: cli_bad_option(prog, c, argv[optind - 1]); return -1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: give one DOMAIN\n", prog);
		return -1;
	}
	o->domain = argv[optind];
	return 0;
}

/* --- output --- */

static double pct(uint64_t part, uint64_t total)
{
	return total > 0 ? 100.0 * (double)part / (double)total : 0.0;
}

static void text_source(const struct mxg_summary_source *src)
{
	printf("  %s (%s): %" PRIu64 " messages, SPF aligned %.1f%%, DKIM aligned %.1f%%, "
	       "DMARC pass %.1f%%; reported by", src->ip, src->reverse[0] ? src->reverse : "no reverse name",
	       src->total, pct(src->spf_aligned, src->total), pct(src->dkim_aligned, src->total),
	       pct(src->passed, src->total));
	for (size_t i = 0; i < src->org_count; i++)
		printf("%s %s", i ? "," : "", src->orgs[i]);
	printf("; From");
	for (size_t i = 0; i < src->from_count; i++)
		printf("%s %s", i ? "," : "", src->froms[i]);
	printf("\n");
	for (size_t i = 0; i < src->why_count; i++)
		printf("    fails (%" PRIu64 "): %s\n", src->why[i].count, src->why[i].text);
	if (src->why_other > 0)
		printf("    fails (%" PRIu64 "): other reasons\n", src->why_other);
	if (src->provider[0])
		printf("    provider %s\n", src->provider);
	if (src->spf_needs[0])
		printf("    needs SPF: include:%s in the SPF record of the MAIL FROM domain\n",
		       src->spf_needs);
	if (src->dkim_needs[0])
		printf("    needs DKIM: the provider's key published at %s (signing with d= the "
		       "domain)\n", src->dkim_needs);
	else if (src->dkim_domain[0] && src->passed < src->total)
		printf("    DKIM: signs as d=%s s=%s; aligned only when it signs as the domain\n",
		       src->dkim_domain, src->dkim_selector[0] ? src->dkim_selector : "-");
}

static void print_text(const struct mxg_summary *s, int exact, const char *since)
{
	printf("%s%s: %" PRIu64 " messages in %" PRIu64 " records, reports ending since %s\n",
	       s->domain, exact ? "" : " and subdomains", s->total, s->records, since);
	if (s->total == 0)
		return;
	printf("DMARC pass %.1f%% (%" PRIu64 "), SPF aligned %.1f%% (%" PRIu64 "), "
	       "DKIM aligned %.1f%% (%" PRIu64 ")\n", pct(s->passed, s->total), s->passed,
	       pct(s->spf_aligned, s->total), s->spf_aligned, pct(s->dkim_aligned, s->total),
	       s->dkim_aligned);
	printf("reporting organisations:\n");
	for (size_t i = 0; i < s->org_count; i++)
		printf("  %s: %" PRIu64 " messages\n", s->orgs[i].name, s->orgs[i].messages);
	if (s->other_orgs_messages)
		printf("  others: %" PRIu64 " messages\n", s->other_orgs_messages);
	printf("by From domain:\n");
	for (size_t i = 0; i < s->from_count; i++)
		printf("  %s: %" PRIu64 " messages, DMARC pass %.1f%%\n", s->froms[i].name,
		       s->froms[i].messages, pct(s->froms[i].passed, s->froms[i].messages));
	if (s->other_froms_messages)
		printf("  other From domains: %" PRIu64 " messages\n", s->other_froms_messages);
	printf("by the registered domain of the reverse name:\n");
	for (size_t i = 0; i < s->rdomain_count; i++) {
		const struct mxg_summary_rdomain *d = &s->rdomains[i];
		printf("  %s: %" PRIu64 " messages from %zu source%s, DMARC pass %.1f%%\n", d->name,
		       d->messages, d->sources, d->sources == 1 ? "" : "s", pct(d->passed, d->messages));
	}
	if (s->other_rdomains_messages)
		printf("  other domains: %" PRIu64 " messages\n", s->other_rdomains_messages);
	if (s->no_reverse_messages)
		printf("  no reverse name: %" PRIu64 " messages\n", s->no_reverse_messages);
	printf("sources, largest first:\n");
	for (size_t i = 0; i < s->source_count; i++)
		text_source(&s->sources[i]);
	if (s->other_sources_messages)
		printf("  further sources (past %d): %" PRIu64 " messages\n", MXG_SUMMARY_SOURCES_MAX,
		       s->other_sources_messages);
	if (s->resolve_failed)
		printf("reverse names: %u of %u lookups failed\n", s->resolve_failed, s->resolved);
	if (s->resolve_skipped)
		printf("reverse names: %u not looked up (past %d s)\n", s->resolve_skipped,
		       MXG_SUMMARY_RESOLVE_BUDGET_MS / 1000);
}

static void json_counts(uint64_t total, uint64_t spf, uint64_t dkim, uint64_t passed)
{
	printf("\"messages\":%" PRIu64 ",\"spf_aligned\":%" PRIu64 ",\"dkim_aligned\":%" PRIu64
	       ",\"dmarc_pass\":%" PRIu64, total, spf, dkim, passed);
}

static void json_source(const struct mxg_summary_source *src)
{
	printf("{");
	cli_json_kv(stdout, "ip", src->ip);
	printf(",");
	cli_json_kv(stdout, "reverse", src->reverse[0] ? src->reverse : NULL);
	printf(",");
	json_counts(src->total, src->spf_aligned, src->dkim_aligned, src->passed);
	printf(",\"organisations\":[");
	for (size_t i = 0; i < src->org_count; i++) {
		printf("%s", i ? "," : "");
		cli_json_string(stdout, src->orgs[i]);
	}
	printf("],\"from_domains\":[");
	for (size_t i = 0; i < src->from_count; i++) {
		printf("%s", i ? "," : "");
		cli_json_string(stdout, src->froms[i]);
	}
	printf("],\"failures\":[");
	for (size_t i = 0; i < src->why_count; i++) {
		printf("%s{", i ? "," : "");
		cli_json_kv(stdout, "reason", src->why[i].text);
		printf(",\"messages\":%" PRIu64 "}", src->why[i].count);
	}
	printf("],\"failures_other\":%" PRIu64 ",", src->why_other);
	cli_json_kv(stdout, "provider", src->provider[0] ? src->provider : NULL);
	printf(",");
	cli_json_kv(stdout, "spf_include_needed", src->spf_needs[0] ? src->spf_needs : NULL);
	printf(",");
	cli_json_kv(stdout, "dkim_key_needed", src->dkim_needs[0] ? src->dkim_needs : NULL);
	printf("}");
}

static void print_json(const struct mxg_summary *s, int exact, int64_t since)
{
	printf("{");
	cli_json_kv(stdout, "domain", s->domain);
	printf(",\"subdomains\":%s,\"since\":%" PRId64 ",\"records\":%" PRIu64 ",", exact ? "false" : "true", since, s->records);
	json_counts(s->total, s->spf_aligned, s->dkim_aligned, s->passed);
	printf(",\"organisations\":[");
	for (size_t i = 0; i < s->org_count; i++) {
		printf("%s{", i ? "," : "");
		cli_json_kv(stdout, "name", s->orgs[i].name);
		printf(",\"messages\":%" PRIu64 "}", s->orgs[i].messages);
	}
	printf("],\"other_organisations_messages\":%" PRIu64 ",\"from_domains\":[",
	       s->other_orgs_messages);
	for (size_t i = 0; i < s->from_count; i++) {
		printf("%s{", i ? "," : "");
		cli_json_kv(stdout, "name", s->froms[i].name);
		printf(",\"messages\":%" PRIu64 ",\"dmarc_pass\":%" PRIu64 "}",
		       s->froms[i].messages, s->froms[i].passed);
	}
	printf("],\"other_from_domains_messages\":%" PRIu64 ",\"reverse_domains\":[",
	       s->other_froms_messages);
	for (size_t i = 0; i < s->rdomain_count; i++) {
		printf("%s{", i ? "," : "");
		cli_json_kv(stdout, "name", s->rdomains[i].name);
		printf(",\"sources\":%zu,\"messages\":%" PRIu64 ",\"dmarc_pass\":%" PRIu64 "}",
		       s->rdomains[i].sources, s->rdomains[i].messages, s->rdomains[i].passed);
	}
	printf("],\"other_reverse_domains_messages\":%" PRIu64 ",\"no_reverse_messages\":%" PRIu64
	       ",\"sources\":[", s->other_rdomains_messages, s->no_reverse_messages);
	for (size_t i = 0; i < s->source_count; i++) {
		printf("%s", i ? "," : "");
		json_source(&s->sources[i]);
	}
	printf("],\"other_sources_messages\":%" PRIu64 ",\"reverse_lookups\":%u,"
	       "\"reverse_lookups_failed\":%u,\"reverse_lookups_skipped\":%u}\n",
	       s->other_sources_messages, s->resolved, s->resolve_failed, s->resolve_skipped);
}

/* --- gathering --- */

static int add_row(void *arg, const struct mxg_store_rr_report *rep,
		   const struct mxg_store_rr_record *rec)
{
	struct mxg_summary *s = arg;
	if (mxg_summary_add(s, rep->org_name, rec) != 0)
		fprintf(stderr, "%s: %s report %s: source '%s' skipped (not an address)\n", prog,
			rep->org_name, rep->report_id, rec->source_ip);
	return 0;
}

static int gather(const struct summary_opts *o, int64_t since, struct mxg_summary *s)
{
	char err[512];
	struct mxg_store *st = cli_report_store_open(o->store, o->config, prog);
	if (st == NULL)
		return -1;
	int rc = mxg_store_rr_records(st, s->domain, !o->exact, since, add_row, s, err,
				      sizeof(err));
	mxg_store_close(st);
	if (rc < 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	return rc < 0 ? -1 : 0;
}

static void finish(const struct summary_opts *o, struct mxg_summary *s,
		   const struct mxg_spf_providers *providers)
{
	struct mxg_resolver *r = NULL;
	int failing = s->passed < s->total;
	if (o->resolve && s->source_count > 0) {
		r = cli_dns_open(&o->dns, prog);
		if (r == NULL)
			fprintf(stderr, "%s: reverse names are not looked up\n", prog);
	}
	char err[256];
	struct mxg_psl *psl = mxg_psl_load(NULL, err, sizeof(err));
	if (psl == NULL)
		fprintf(stderr, "%s: reverse names are grouped whole: %s\n", prog, err);
	mxg_summary_finish(s, r, failing ? providers : NULL, psl);
	mxg_psl_free(psl);
	mxg_resolver_free(r);
}

int cli_report_summary(int argc, char **argv)
{
	struct summary_opts o = { .since = DEFAULT_SINCE, .resolve = 1 };
	int rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	int64_t span;
	if (mxg_store_parse_duration(o.since, &span) != 0) {
		fprintf(stderr, "%s: --since %s is not a duration (30d, 12h, 2w, seconds)\n", prog,
			o.since);
		return CLI_EXIT_UNKNOWN;
	}
	int64_t since = (int64_t)time(NULL) - span;
	struct mxg_spf_providers providers = { 0 };
	struct mxg_summary s;
	if (cli_providers_load(prog, &providers) != 0)
		return CLI_EXIT_UNKNOWN;
	if (mxg_summary_init(&s, o.domain) != 0) {
		fprintf(stderr, "%s: no memory\n", prog);
		mxg_spf_providers_free(&providers);
		return CLI_EXIT_UNKNOWN;
	}
	rc = CLI_EXIT_UNKNOWN;
	if (gather(&o, since, &s) == 0) {
		finish(&o, &s, &providers);
		if (o.json)
			print_json(&s, o.exact, since);
		else
			print_text(&s, o.exact, o.since);
		rc = s.passed < s.total ? CLI_EXIT_WARNING : CLI_EXIT_OK;
	}
	mxg_summary_free(&s);
	mxg_spf_providers_free(&providers);
	return rc;
}
