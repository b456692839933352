/* mxguard report read: one received aggregate report (a mail message, .xml, .xml.gz or .zip),
 * validated and printed as text or JSON. The same reader `report import` stores with. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mxguard/report_read.h"

static const char prog[] = "mxguard report read";

void cli_report_read_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard report read [--json] FILE\n"
		"Reads one received DMARC aggregate report (\"-\" reads standard input): a mail\n"
		"message as receivers send it, or the bare .xml, .xml.gz or .zip attachment.\n\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --help               this text\n"
		"\nExit status: 0 read, 2 refused (the reason is printed), 3 usage error.\n");
}

static const char *source_name(enum mxg_report_source s)
{
	static const char *const names[] = { "xml", "gzip", "zip", "mail" };
	return names[s];
}

static void utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%" PRId64, t);
}

static void text_record(const struct mxg_report_record *r, size_t i)
{
	printf("record %zu: %s count %" PRIu64 " disposition %s dkim %s spf %s header_from %s\n",
	       i + 1, r->source_ip, r->count, r->disposition, r->dkim_eval[0] ? r->dkim_eval : "-",
	       r->spf_eval[0] ? r->spf_eval : "-", r->header_from);
	if (r->envelope_from[0])
		printf("  envelope_from %s\n", r->envelope_from);
	for (size_t k = 0; k < r->reason_count; k++)
		printf("  reason %s%s%s\n", r->reasons[k].type, r->reasons[k].comment[0] ? ": " : "",
		       r->reasons[k].comment);
	for (size_t k = 0; k < r->dkim_count; k++)
		printf("  dkim %s selector %s %s\n", r->dkim[k].domain,
		       r->dkim[k].selector[0] ? r->dkim[k].selector : "-", r->dkim[k].result);
	for (size_t k = 0; k < r->spf_count; k++)
		printf("  spf %s%s%s %s\n", r->spf[k].domain, r->spf[k].scope[0] ? " scope " : "",
		       r->spf[k].scope, r->spf[k].result);
}

static void print_text(const struct mxg_report *r)
{
	char b[32], e[32];
	utc(r->begin, b, sizeof(b));
	utc(r->end, e, sizeof(e));
	const struct mxg_report_policy *p = &r->policy;
	printf("report %s from %s <%s> (%s%s)\n", r->report_id, r->org_name, r->email,
	       source_name(r->source), r->dmarcbis ? ", DMARCbis" : "");
	printf("period %s .. %s\n", b, e);
	printf("policy %s p=%s", p->domain, p->p);
	const char *tags[][2] = { { "sp", p->sp }, { "np", p->np }, { "adkim", p->adkim },
				  { "aspf", p->aspf }, { "t", p->testing }, { "fo", p->fo } };
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (tags[i][1][0])
			printf(" %s=%s", tags[i][0], tags[i][1]);
	if (p->pct >= 0)
		printf(" pct=%d", p->pct);
	printf("\nmessages %" PRIu64 " in %zu record%s\n", r->message_total, r->record_count,
	       r->record_count == 1 ? "" : "s");
	for (size_t i = 0; i < r->record_count; i++)
		text_record(&r->records[i], i);
}

/* Writes {"k1":"v1",...} for n pairs, without the closing brace when open is set. */
static void json_fields(const char *const kv[][2], size_t n, int open)
{
	printf("{");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', stdout);
		cli_json_kv(stdout, kv[i][0], kv[i][1]);
	}
	if (!open)
		printf("}");
}

static void json_record(const struct mxg_report_record *r)
{
	const char *const kv[][2] = { { "source_ip", r->source_ip },
				      { "disposition", r->disposition },
				      { "dkim", r->dkim_eval },
				      { "spf", r->spf_eval },
				      { "header_from", r->header_from },
				      { "envelope_from", r->envelope_from },
				      { "envelope_to", r->envelope_to } };
	json_fields(kv, 7, 1);
	printf(",\"count\":%" PRIu64 ",\"skipped\":%zu,\"reasons\":[", r->count, r->skipped);
	for (size_t k = 0; k < r->reason_count; k++) {
		const char *const why[][2] = { { "type", r->reasons[k].type },
					       { "comment", r->reasons[k].comment } };
		printf("%s", k ? "," : "");
		json_fields(why, 2, 0);
	}
	printf("],\"dkim_results\":[");
	for (size_t k = 0; k < r->dkim_count; k++) {
		const char *const d[][2] = { { "domain", r->dkim[k].domain },
					     { "selector", r->dkim[k].selector },
					     { "result", r->dkim[k].result },
					     { "human_result", r->dkim[k].human_result } };
		printf("%s", k ? "," : "");
		json_fields(d, 4, 0);
	}
	printf("],\"spf_results\":[");
	for (size_t k = 0; k < r->spf_count; k++) {
		const char *const f[][2] = { { "domain", r->spf[k].domain },
					     { "scope", r->spf[k].scope },
					     { "result", r->spf[k].result } };
		printf("%s", k ? "," : "");
		json_fields(f, 3, 0);
	}
	printf("]}");
}

static void json_policy(const struct mxg_report_policy *p)
{
	const char *const kv[][2] = { { "domain", p->domain }, { "p", p->p }, { "sp", p->sp },
				      { "np", p->np }, { "adkim", p->adkim }, { "aspf", p->aspf },
				      { "testing", p->testing }, { "fo", p->fo },
				      { "discovery_method", p->discovery_method } };
	json_fields(kv, sizeof(kv) / sizeof(kv[0]), 1);
	if (p->pct >= 0)
		printf(",\"pct\":%d}", p->pct);
	else
		printf(",\"pct\":null}");
}

static void print_json(const struct mxg_report *r)
{
	const char *const kv[][2] = { { "format", source_name(r->source) },
				      { "org_name", r->org_name },
				      { "email", r->email },
				      { "report_id", r->report_id } };
	json_fields(kv, 4, 1);
	printf(",\"dmarcbis\":%s", r->dmarcbis ? "true" : "false");
	printf(",\"begin\":%" PRId64 ",\"end\":%" PRId64 ",\"policy\":", r->begin, r->end);
	json_policy(&r->policy);
	printf(",\"message_total\":%" PRIu64 ",\"records\":[", r->message_total);
	for (size_t i = 0; i < r->record_count; i++) {
		if (i > 0)
			fputc(',', stdout);
		json_record(&r->records[i]);
	}
	printf("]}\n");
}

int cli_report_read_file(const char *path, struct mxg_report *rep, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (mxg_report_load_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	int rc = mxg_report_read(buf, len, rep, err, errlen);
	free(buf);
	return rc;
}

int cli_report_read(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			cli_report_read_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			cli_bad_option(prog, c, argv[optind - 1]);
			return CLI_EXIT_UNKNOWN;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: give one FILE (\"-\" for standard input)\n", prog);
		return CLI_EXIT_UNKNOWN;
	}
	struct mxg_report rep;
	char err[256];
	if (cli_report_read_file(argv[optind], &rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind], err);
		return CLI_EXIT_ERROR;
	}
	if (json)
		print_json(&rep);
	else
		print_text(&rep);
	mxg_report_free(&rep);
	return CLI_EXIT_OK;
}
