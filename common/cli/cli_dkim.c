/* mxguard dkim: verifies every DKIM signature of a message file, streaming it through the
 * verifier as a milter would (header fields one by one, then the body in chunks). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mxguard/dkim.h"
#include "mxguard/str.h"

#define BODY_CHUNK 65536
/* Header fields longer than this are cut; the verifier's own limit then applies. */
#define FIELD_MAX (1024 * 1024)

static const char prog[] = "mxguard dkim";

void cli_dkim_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard dkim [OPTIONS] MESSAGE-FILE\n"
		"Verifies every DKIM signature in the message (\"-\" reads standard input)\n"
		"and prints one RFC 8601 result per signature.\n\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --help               this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 a signature passed, 1 no signature or none usable\n"
		     "(policy, neutral), 2 fail or permerror only, 3 temperror only or could not run.\n");
}

struct field {
	char *buf;
	size_t len, cap;
};

static int field_add(struct field *f, const char *s, size_t n)
{
	if (f->len + n > FIELD_MAX)
		n = FIELD_MAX - f->len;
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : 1024;
		while (cap < f->len + n)
			cap *= 2;
		char *p = realloc(f->buf, cap);
		if (p == NULL)
			return -1;
		f->buf = p;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	return 0;
}

/* Reads the header, one field (with its continuation lines) at a time. */
static int feed_headers(FILE *in, struct mxg_dkim_verifier *v)
{
	struct field f = { 0 };
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &lcap, in)) > 0) {
		int empty = line[0] == '\n' || (line[0] == '\r' && n >= 2 && line[1] == '\n');
		int cont = line[0] == ' ' || line[0] == '\t';
		if (!cont && f.len > 0) {
			if (mxg_dkim_header_raw(v, f.buf, f.len) < 0)
				rc = -1;
			f.len = 0;
		}
		if (empty || rc < 0)
			break;
		if (field_add(&f, line, (size_t)n) < 0)
			rc = -1;
	}
	if (rc == 0 && f.len > 0 && mxg_dkim_header_raw(v, f.buf, f.len) < 0)
		rc = -1;
	free(line);
	free(f.buf);
	if (rc == 0 && mxg_dkim_end_headers(v) < 0)
		rc = -1;
	return rc;
}

static int feed_body(FILE *in, struct mxg_dkim_verifier *v)
{
	uint8_t *chunk = malloc(BODY_CHUNK);
	size_t n;
	int rc = 0;

	if (chunk == NULL)
		return -1;
	while (rc == 0 && (n = fread(chunk, 1, BODY_CHUNK, in)) > 0)
		rc = mxg_dkim_body(v, chunk, n);
	free(chunk);
	return rc;
}

/* The ARC chain, when the message has one. */
static void print_arc_text(const struct mxg_arc_result *a)
{
	if (a->result == MXG_ARC_NONE)
		return;
	printf("arc chain: arc=%s", mxg_arc_result_name(a->result));
	if (a->reason[0])
		printf(" (%s)", a->reason);
	printf(" sets=%u sealed-by=%s\n", a->instances, a->domain[0] ? a->domain : "-");
}

static void print_text(const struct mxg_dkim_verifier *v, const struct mxg_findings *f)
{
	size_t n = mxg_dkim_result_count(v);

	if (n == 0)
		printf("dkim=none (no signature)\n");
	for (size_t i = 0; i < n; i++) {
		const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, i);
		printf("signature %zu: dkim=%s", i + 1, mxg_dkim_result_name(r->result));
		if (r->reason[0])
			printf(" (%s)", r->reason);
		printf(" d=%s s=%s a=%s", r->domain[0] ? r->domain : "-",
		       r->selector[0] ? r->selector : "-", r->algorithm[0] ? r->algorithm : "-");
		if (r->key_bits)
			printf(" key=%u bits", r->key_bits);
		if (r->key_testing)
			printf(" [key in testing mode]");
		printf("\n");
	}
	print_arc_text(mxg_dkim_arc(v));
	cli_text_findings(stdout, f, "  ");
}

static void print_json(const struct mxg_dkim_verifier *v, const struct mxg_findings *f, int status)
{
	size_t n = mxg_dkim_result_count(v);

	printf("{\"version\":1,\"signatures\":[");
	for (size_t i = 0; i < n; i++) {
		const struct mxg_dkim_sig_result *r = mxg_dkim_result_get(v, i);
		printf(i ? ",{" : "{");
		cli_json_kv(stdout, "result", mxg_dkim_result_name(r->result));
		printf(",");
		cli_json_kv(stdout, "reason", r->reason);
		printf(",");
		cli_json_kv(stdout, "domain", r->domain);
		printf(",");
		cli_json_kv(stdout, "selector", r->selector);
		printf(",");
		cli_json_kv(stdout, "identity", r->identity);
		printf(",");
		cli_json_kv(stdout, "algorithm", r->algorithm);
		printf(",");
		cli_json_kv(stdout, "header_b", r->b_prefix);
		printf(",\"key_bits\":%u,\"key_testing\":%s,\"body_length_limited\":%s,"
		       "\"body_unsigned_tail\":%s}",
		       r->key_bits, r->key_testing ? "true" : "false",
		       r->body_length_limited ? "true" : "false",
		       r->body_has_unsigned_tail ? "true" : "false");
	}
	const struct mxg_arc_result *a = mxg_dkim_arc(v);
	printf("],\"arc\":{");
	cli_json_kv(stdout, "result", mxg_arc_result_name(a->result));
	printf(",\"sets\":%u,", a->instances);
	cli_json_kv(stdout, "sealed_by", a->domain);
	printf(",");
	cli_json_kv(stdout, "reason", a->reason);
	printf("},\"findings\":");
	cli_json_findings(stdout, f);
	printf(",\"exit\":%d}\n", status);
}

/* Best verdict wins: a pass makes the message ok; otherwise fail/permerror outrank temperror. */
static int exit_status(const struct mxg_dkim_verifier *v)
{
	int pass = 0, hard = 0, temp = 0;

	for (size_t i = 0; i < mxg_dkim_result_count(v); i++) {
		enum mxg_dkim_result r = mxg_dkim_result_get(v, i)->result;
		pass |= r == MXG_DKIM_PASS;
		hard |= r == MXG_DKIM_FAIL || r == MXG_DKIM_PERMERROR;
		temp |= r == MXG_DKIM_TEMPERROR;
	}
	if (pass)
		return CLI_EXIT_OK;
	if (hard)
		return CLI_EXIT_ERROR;
	if (temp)
		return CLI_EXIT_UNKNOWN;
	return CLI_EXIT_WARNING;
}

static int parse_args(int argc, char **argv, struct cli_dns_opts *dns, int *json)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "jh", longopts, dns)) != -1) {
		if (c == CLI_OPT_BAD)
			return -1;
		if (c == 'j') {
			*json = 1;
		} else if (c == 'h') {
			cli_dkim_usage(stdout);
			return 0;
		} else {
			cli_bad_option(prog, c, argv[optind - 1]);
			return -1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: give exactly one message file\n%s: mxguard help dkim lists the options\n",
			prog, prog);
		return -1;
	}
	return optind;
}

int cli_dkim(int argc, char **argv)
{
	struct cli_dns_opts dns;
	int json = 0;

	memset(&dns, 0, sizeof(dns));
	int arg = parse_args(argc, argv, &dns, &json);
	if (arg <= 0)
		return arg == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	FILE *in = strcmp(argv[arg], "-") == 0 ? stdin : fopen(argv[arg], "rb");
	if (in == NULL) {
		fprintf(stderr, "%s: cannot open %s\n", prog, argv[arg]);
		return CLI_EXIT_UNKNOWN;
	}
	struct mxg_resolver *r = cli_dns_open(&dns, prog);
	struct mxg_dkim_verifier *v = r != NULL ? mxg_dkim_verifier_new(r, NULL, NULL) : NULL;
	int status = CLI_EXIT_UNKNOWN;
	if (v != NULL && feed_headers(in, v) == 0 && feed_body(in, v) == 0 && mxg_dkim_finish(v) >= 0) {
		struct mxg_findings f = { 0 };
		status = exit_status(v);
		if (mxg_dkim_result_findings(v, &f) < 0)
			fprintf(stderr, "%s: out of memory; findings are incomplete\n", prog);
		if (json)
			print_json(v, &f, status);
		else
			print_text(v, &f);
		mxg_findings_clear(&f);
	} else if (r != NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
	}
	if (in != stdin)
		fclose(in);
	mxg_dkim_verifier_free(v);
	mxg_resolver_free(r);
	return status;
}
