/* mxguard dmarc: runs SPF (MAIL FROM, and HELO if given), DKIM and DMARC on a message file
 * and prints the Authentication-Results field a receiver would add. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mxguard/addr.h"
#include "mxguard/authres.h"
#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/spf.h"
#include "mxguard/str.h"

/* A message file larger than this is refused (the milter streams; the CLI reads it whole). */
#define MESSAGE_MAX (64u * 1024 * 1024)
/* From fields looked at; more than one is already a verdict. */
#define FROM_FIELDS_MAX 4
#define AUTHRES_MAX 8192

static const char prog[] = "mxguard dmarc";

struct dmarc_opts {
	struct cli_dns_opts dns;
	int json;
	const char *ip;
	const char *mail_from;
	const char *helo;
	const char *authserv_id;
	const char *psl;
	enum mxg_dmarc_mode mode;
	int apply_pct;
	const char *file;
};

/* What one run found, gathered for the two output formats. */
struct dmarc_run {
	struct mxg_spf_outcome spf, helo;
	struct mxg_dkim_verifier *dkim;
	enum mxg_from_status from_status;
	char from_domain[MXG_DNS_NAME_MAX];
	struct mxg_dmarc_outcome dmarc;
	char authres[AUTHRES_MAX];
};

void cli_dmarc_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard dmarc [OPTIONS] --ip IP --mail-from ADDR MESSAGE-FILE\n"
		"Runs SPF, DKIM and DMARC on the message as a receiver would (\"-\" reads standard\n"
		"input) and prints the Authentication-Results field it would add.\n\n"
		"  --ip IP              the connecting client's address\n"
		"  --mail-from ADDR     the SMTP MAIL FROM address (\"\" for the null reverse-path)\n"
		"  --helo NAME          the HELO/EHLO name (also checked with SPF)\n"
		"  --authserv-id ID     the authserv-id to write (default: this host's name)\n"
		"  --rfc7489            RFC 7489 rules: PSL organisational domain, pct sampling\n"
		"  --no-pct             with --rfc7489, apply the policy to every failing message\n"
		"  --psl FILE           with --rfc7489, the public suffix list file (default: libpsl's)\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --help               this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 DMARC pass or no policy, 1 fail with nothing to apply (p=none,\n"
		     "t=y, sampled out), 2 fail with quarantine or reject, or permerror,\n"
		     "3 temperror or could not run.\n");
}

static int parse_args(int argc, char **argv, struct dmarc_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "ip", required_argument, NULL, 'i' },
		{ "mail-from", required_argument, NULL, 'f' },
		{ "helo", required_argument, NULL, 'H' },
		{ "authserv-id", required_argument, NULL, 'a' },
		{ "rfc7489", no_argument, NULL, '7' },
		{ "no-pct", no_argument, NULL, 'P' },
		{ "psl", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "ji:f:H:a:7Pp:h", longopts, &o->dns)) != -1) {
		if (c == CLI_OPT_BAD)
			return -1;
		switch (c) {
		case 'j': o->json = 1; break;
		case 'i': o->ip = optarg; break;
		case 'f': o->mail_from = optarg; break;
		case 'H': o->helo = optarg; break;
		case 'a': o->authserv_id = optarg; break;
		case '7': o->mode = MXG_DMARC_MODE_7489; break;
		case 'P': o->apply_pct = 0; break;
		case 'p': o->psl = optarg; break;
		case 'h':
			cli_dmarc_usage(stdout);
			return 0;
		default:
			cli_bad_option(prog, c, argv[optind - 1]);
			return -1;
		}
	}
	if (o->ip == NULL || o->mail_from == NULL || optind + 1 != argc) {
		fprintf(stderr, "%s: needs --ip, --mail-from and one MESSAGE-FILE\n"
				"%s: mxguard help dmarc lists the options\n", prog, prog);
		return -1;
	}
	if (!o->apply_pct && o->mode != MXG_DMARC_MODE_7489) {
		fprintf(stderr, "%s: --no-pct needs --rfc7489 (RFC 9989 removed the pct tag)\n", prog);
		return -1;
	}
	o->file = argv[optind];
	return 1;
}

/* Reads the whole message (at most MESSAGE_MAX bytes). NULL with a message printed. */
static char *read_message(const char *path, size_t *len)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (in == NULL || buf == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, in == NULL ? "cannot open" : "out of memory");
		free(buf);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *p = cap < MESSAGE_MAX ? realloc(buf, cap * 2) : NULL;
			if (p == NULL) {
				fprintf(stderr, "%s: %s: larger than %u bytes\n", prog, path, MESSAGE_MAX);
				free(buf);
				buf = NULL;
				break;
			}
			buf = p;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n, in);
		n += got;
		if (got == 0)
			break;
	}
	if (in != stdin)
		fclose(in);
	*len = n;
	return buf;
}

/* The values of the From fields in the header (heap copies, up to max). -1 on ENOMEM. */
static int from_fields(const char *msg, size_t len, char **values, size_t max, size_t *count)
{
	const char *p = msg, *end = msg + len;

	*count = 0;
	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		const char *field = p;
		/* A field runs until a line that does not start with white space. */
		do {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		size_t flen = (size_t)(p - field);
		if (flen < 5 || !mxg_strncaseeq(field, "from", 4))
			continue;
		const char *colon = field + 4;
		while (colon < p && (*colon == ' ' || *colon == '\t'))
			colon++; /* obs-optional WSP before the colon (RFC 5322 §4.5) */
		if (colon >= p || *colon != ':')
			continue;
		if (*count < max) {
			values[*count] = mxg_strndup(colon + 1, (size_t)(p - colon - 1));
			if (values[*count] == NULL)
				return -1;
		}
		(*count)++;
	}
	return 0;
}

static int find_from(const char *msg, size_t len, struct dmarc_run *run)
{
	char *values[FROM_FIELDS_MAX];
	size_t count = 0;

	int rc = from_fields(msg, len, values, FROM_FIELDS_MAX, &count);
	size_t kept = count < FROM_FIELDS_MAX ? count : FROM_FIELDS_MAX;
	if (rc == 0)
		run->from_status = mxg_from_fields((const char *const *)values, count, run->from_domain,
						   sizeof(run->from_domain));
	for (size_t i = 0; i < kept; i++)
		free(values[i]);
	return rc;
}

/* The SPF domain DMARC aligns: the MAIL FROM domain, or the HELO name for <>. */
static const char *spf_domain(const struct mxg_spf_outcome *spf)
{
	const char *at = strrchr(spf->sender, '@');
	return at ? at + 1 : spf->sender;
}

static int run_checks(struct mxg_resolver *r, const struct dmarc_opts *o, const struct mxg_psl *psl,
		      const struct mxg_addr *ip, const char *msg, size_t len, struct dmarc_run *run)
{
	const char *helo = o->helo ? o->helo : "unknown";

	mxg_spf_check_mailfrom(r, NULL, ip, o->mail_from, helo, &run->spf);
	if (o->helo)
		mxg_spf_check_helo(r, NULL, ip, o->helo, &run->helo);
	run->dkim = mxg_dkim_verify_buffer(r, NULL, NULL, msg, len);
	if (run->dkim == NULL || find_from(msg, len, run) < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	size_t n = mxg_dkim_result_count(run->dkim);
	struct mxg_dmarc_dkim_input *dk = calloc(n ? n : 1, sizeof(*dk));
	if (dk == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct mxg_dkim_sig_result *s = mxg_dkim_result_get(run->dkim, i);
		dk[i].result = s->result;
		dk[i].domain = s->domain;
	}
	struct mxg_dmarc_options dopt = { o->mode, psl, o->apply_pct };
	struct mxg_dmarc_input in = {
		run->from_status == MXG_FROM_OK ? run->from_domain : NULL,
		run->spf.result, spf_domain(&run->spf), n, dk,
	};
	mxg_dmarc_evaluate(r, &dopt, &in, &run->dmarc);
	if (run->from_status != MXG_FROM_OK)
		snprintf(run->dmarc.reason, sizeof(run->dmarc.reason), "From field: %s",
			 mxg_from_status_name(run->from_status));
	free(dk);
	return 0;
}

static int format_authres(const struct dmarc_opts *o, struct dmarc_run *run, int fold)
{
	char host[256] = "localhost";
	size_t n = mxg_dkim_result_count(run->dkim);
	struct mxg_dkim_sig_result *sigs = calloc(n ? n : 1, sizeof(*sigs));

	if (sigs == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		sigs[i] = *mxg_dkim_result_get(run->dkim, i);
	if (o->authserv_id == NULL)
		(void)gethostname(host, sizeof(host) - 1);
	struct mxg_authres_input in = {
		o->authserv_id ? o->authserv_id : host,
		&run->spf,
		o->helo ? &run->helo : NULL,
		n,
		sigs,
		&run->dmarc,
		mxg_dkim_arc(run->dkim),
	};
	int rc = mxg_authres_format(&in, fold, run->authres, sizeof(run->authres));
	free(sigs);
	return rc;
}

static int exit_status(const struct mxg_dmarc_outcome *d)
{
	switch (d->result) {
	case MXG_DMARC_PASS:
	case MXG_DMARC_NONE:
		return CLI_EXIT_OK;
	case MXG_DMARC_FAIL:
		return d->policy >= MXG_DMARC_POLICY_QUARANTINE ? CLI_EXIT_ERROR : CLI_EXIT_WARNING;
	case MXG_DMARC_PERMERROR:
		return CLI_EXIT_ERROR;
	default:
		return CLI_EXIT_UNKNOWN;
	}
}

static void print_text(const struct dmarc_run *run)
{
	const struct mxg_dmarc_outcome *d = &run->dmarc;

	printf("Authentication-Results: %s\n", run->authres);
	printf("From: %s%s%s\n", mxg_from_status_name(run->from_status), run->from_domain[0] ? " " : "",
	       run->from_domain);
	printf("DMARC: %s", mxg_dmarc_result_name(d->result));
	if (d->have_record)
		printf("; apply %s (published %s at _dmarc.%s); organisational domain %s",
		       mxg_dmarc_policy_name(d->policy), mxg_dmarc_policy_name(d->published),
		       d->policy_domain, d->org_domain);
	if (d->spf_aligned)
		printf("; SPF aligned");
	if (d->dkim_aligned)
		printf("; DKIM aligned (d=%s)", d->aligned_dkim_domain);
	printf("; %s\n", d->reason);
}

static void json_bool(const char *key, int v)
{
	printf(",\"%s\":%s", key, v ? "true" : "false");
}

static void json_spf(const char *key, const struct mxg_spf_outcome *s)
{
	printf(",\"%s\":{", key);
	cli_json_kv(stdout, "result", mxg_spf_result_name(s->result));
	printf(",");
	cli_json_kv(stdout, "sender", s->sender);
	printf(",");
	cli_json_kv(stdout, "problem", s->problem);
	printf("}");
}

static void print_json(const struct dmarc_opts *o, const struct dmarc_run *run, int status)
{
	const struct mxg_dmarc_outcome *d = &run->dmarc;

	printf("{\"version\":1,\"from\":{");
	cli_json_kv(stdout, "status", mxg_from_status_name(run->from_status));
	printf(",");
	cli_json_kv(stdout, "domain", run->from_domain[0] ? run->from_domain : NULL);
	printf("}");
	json_spf("spf", &run->spf);
	if (o->helo)
		json_spf("helo", &run->helo);
	printf(",\"dkim\":[");
	for (size_t i = 0; i < mxg_dkim_result_count(run->dkim); i++) {
		const struct mxg_dkim_sig_result *s = mxg_dkim_result_get(run->dkim, i);
		printf(i ? ",{" : "{");
		cli_json_kv(stdout, "result", mxg_dkim_result_name(s->result));
		printf(",");
		cli_json_kv(stdout, "domain", s->domain);
		printf(",");
		cli_json_kv(stdout, "selector", s->selector);
		printf(",");
		cli_json_kv(stdout, "reason", s->reason);
		printf("}");
	}
	printf("],\"dmarc\":{");
	cli_json_kv(stdout, "result", mxg_dmarc_result_name(d->result));
	printf(",");
	cli_json_kv(stdout, "mode", o->mode == MXG_DMARC_MODE_7489 ? "rfc7489" : "rfc9989");
	printf(",");
	cli_json_kv(stdout, "policy", d->have_record ? mxg_dmarc_policy_name(d->policy) : NULL);
	printf(",");
	cli_json_kv(stdout, "published", d->have_record ? mxg_dmarc_policy_name(d->published) : NULL);
	printf(",");
	cli_json_kv(stdout, "policy_domain", d->policy_domain[0] ? d->policy_domain : NULL);
	printf(",");
	cli_json_kv(stdout, "org_domain", d->org_domain[0] ? d->org_domain : NULL);
	json_bool("spf_aligned", d->spf_aligned);
	json_bool("dkim_aligned", d->dkim_aligned);
	printf(",");
	cli_json_kv(stdout, "aligned_dkim_domain", d->dkim_aligned ? d->aligned_dkim_domain : NULL);
	json_bool("testing", d->testing);
	json_bool("sampled_out", d->sampled_out);
	printf(",");
	cli_json_kv(stdout, "reason", d->reason);
	printf("},");
	cli_json_kv(stdout, "authentication_results", run->authres);
	printf(",\"exit\":%d}\n", status);
}

static int run_dmarc(struct mxg_resolver *r, const struct dmarc_opts *o, const struct mxg_psl *psl,
		     const struct mxg_addr *ip, const char *msg, size_t len)
{
	struct dmarc_run *run = calloc(1, sizeof(*run));
	int status = CLI_EXIT_UNKNOWN;

	if (run == NULL)
		return CLI_EXIT_UNKNOWN;
	if (run_checks(r, o, psl, ip, msg, len, run) == 0) {
		if (format_authres(o, run, !o->json) < 0) {
			fprintf(stderr, "%s: the Authentication-Results field does not fit\n", prog);
		} else {
			status = exit_status(&run->dmarc);
			if (o->json)
				print_json(o, run, status);
			else
				print_text(run);
		}
	}
	mxg_dkim_verifier_free(run->dkim);
	free(run);
	return status;
}

int cli_dmarc(int argc, char **argv)
{
	struct dmarc_opts o = { .apply_pct = 1 };
	struct mxg_addr ip;
	struct mxg_psl *psl = NULL;
	size_t len = 0;

	int a = parse_args(argc, argv, &o);
	if (a <= 0)
		return a == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	if (mxg_addr_parse(o.ip, &ip, 1) < 0) {
		fprintf(stderr, "%s: --ip %s is not an IP address\n", prog, o.ip);
		return CLI_EXIT_UNKNOWN;
	}
	if (cli_psl_open(o.psl, o.mode, prog, &psl) < 0)
		return CLI_EXIT_UNKNOWN;
	char *msg = read_message(o.file, &len);
	struct mxg_resolver *r = msg ? cli_dns_open(&o.dns, prog) : NULL;
	int status = r ? run_dmarc(r, &o, psl, &ip, msg, len) : CLI_EXIT_UNKNOWN;
	mxg_resolver_free(r);
	free(msg);
	mxg_psl_free(psl);
	return status;
}
