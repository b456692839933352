/* mxguard dmarc: replays a message file through the message engine exactly as mxguard-milter
 * feeds it (SPF for MAIL FROM and HELO, DKIM, ARC, DMARC over every author domain) and prints
 * the Authentication-Results field and the verdict the milter would give. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "mxguard/addr.h"
#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/message.h"
#include "mxguard/report_record.h"
#include "mxguard/report_store.h"
#include "mxguard/spf.h"
#include "mxguard/str.h"

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
	const char *record;      /* store to record the evaluation in, or NULL */
	int64_t record_time;     /* its time; 0: now */
	struct mxg_arc_trust arc_trust; /* --arc-trusted-sealers, --arc-trusted-disposition */
	const char *rcpt;        /* the first RCPT TO, for the recorded envelope_to; or NULL */
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
		"  --record STORE       record the DMARC evaluation in the report store as the milter\n"
		"                       does (sqlite:PATH or postgresql://...)\n"
		"  --record-time UNIX   with --record, the evaluation's time (default: now)\n"
		"  --arc-trusted-sealers LIST  ARC sealers (d=) trusted to vouch for forwarded mail,\n"
		"                       as mxguard-milter's arc_trusted_sealers (default: none)\n"
		"  --arc-trusted-disposition none|quarantine  what such mail gets (default: none)\n"
		"  --rcpt ADDR          the (first) SMTP RCPT TO address; with --record, its domain\n"
		"                       is recorded as the report's envelope_to\n"
		"  --help               this text\n");
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 DMARC pass or no policy, 1 fail with nothing to apply (p=none,\n"
		     "t=y on p=quarantine, sampled out), 2 fail with quarantine or reject, permerror, or\n"
		     "a message the milter would refuse (the Verdict line), 3 temperror, a message the\n"
		     "milter would defer, or could not run.\n");
}

static int parse_time(const char *text, int64_t *out)
{
	char *end;
	long long v = strtoll(text, &end, 10);
	if (end == text || *end != '\0' || v <= 0) {
		fprintf(stderr, "%s: --record-time %s is not a positive Unix time\n", prog, text);
		return -1;
	}
	*out = v;
	return 0;
}

/* --arc-trusted-sealers (c 1003) or --arc-trusted-disposition into t. 0, or -1 (printed). */
static int parse_trust(int c, const char *v, struct mxg_arc_trust *t)
{
	char err[160];

	if (c == 1003 && mxg_arc_trust_parse(v, t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: --arc-trusted-sealers: %s\n", prog, err);
		return -1;
	}
	if (c == 1004 && strcmp(v, "none") != 0 && strcmp(v, "quarantine") != 0) {
		fprintf(stderr, "%s: --arc-trusted-disposition: expected none or quarantine\n", prog);
		return -1;
	}
	if (c == 1004)
		t->disposition = v[0] == 'q' ? MXG_DMARC_POLICY_QUARANTINE : MXG_DMARC_POLICY_NONE;
	return 0;
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
		{ "record", required_argument, NULL, 1001 },
		{ "record-time", required_argument, NULL, 1002 },
		{ "arc-trusted-sealers", required_argument, NULL, 1003 },
		{ "arc-trusted-disposition", required_argument, NULL, 1004 },
		{ "rcpt", required_argument, NULL, 1005 },
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
		case 1001: o->record = optarg; break;
		case 1002:
			if (parse_time(optarg, &o->record_time) < 0)
				return -1;
			break;
		case 1003:
		case 1004:
			if (parse_trust(c, optarg, &o->arc_trust) < 0)
				return -1;
			break;
		case 1005: o->rcpt = optarg; break;
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

static struct mxg_message *engine_new(struct mxg_resolver *r, const struct dmarc_opts *o,
				     const struct mxg_psl *psl, const char *authserv_id, int fold)
{
	struct mxg_message_options opt = { 0 };

	opt.authserv_id = authserv_id;
	opt.spf_helo = o->helo != NULL;
	opt.dmarc_mode = o->mode;
	opt.psl = psl;
	opt.apply_pct = o->apply_pct;
	opt.fold = fold;
	mxg_policy_defaults(&opt.policy);
	opt.policy.arc_trust = o->arc_trust;
	return mxg_message_new(r, &opt);
}

/* The message through the engine exactly as the milter feeds it: client, HELO, MAIL FROM,
 * then the header fields and body as an MTA splits them. NULL on ENOMEM (message printed). */
static struct mxg_message *judge(struct mxg_resolver *r, const struct dmarc_opts *o,
				 const struct mxg_psl *psl, const struct mxg_addr *ip, const char *msg,
				 size_t len)
{
	char host[256] = "localhost";
	struct mxg_message *m;

	if (o->authserv_id == NULL)
		(void)gethostname(host, sizeof(host) - 1);
	m = engine_new(r, o, psl, o->authserv_id ? o->authserv_id : host, !o->json);
	if (m == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return NULL;
	}
	mxg_message_client(m, ip);
	mxg_message_helo(m, o->helo != NULL ? o->helo : "");
	if (mxg_message_mail_from(m, o->mail_from) != 0 || mxg_message_replay(m, msg, len) != 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		mxg_message_free(m);
		return NULL;
	}
	mxg_message_finish(m);
	return m;
}

/* DMARC's own status, raised by the verdict: a message the milter would refuse exits 2
 * (rejected or quarantined) or 3 (deferred) even when DMARC alone said less. */
static int exit_status(const struct mxg_message_result *run)
{
	const struct mxg_dmarc_outcome *d = &run->dmarc;
	int status;

	switch (d->result) {
	case MXG_DMARC_PASS:
	case MXG_DMARC_NONE:
		status = CLI_EXIT_OK;
		break;
	case MXG_DMARC_FAIL:
		status = d->policy >= MXG_DMARC_POLICY_QUARANTINE ? CLI_EXIT_ERROR : CLI_EXIT_WARNING;
		break;
	case MXG_DMARC_PERMERROR:
		status = CLI_EXIT_ERROR;
		break;
	default:
		status = CLI_EXIT_UNKNOWN;
	}
	if (run->verdict.action == MXG_ACTION_TEMPFAIL)
		return CLI_EXIT_UNKNOWN;
	if (run->verdict.action != MXG_ACTION_ACCEPT && status < CLI_EXIT_ERROR)
		return CLI_EXIT_ERROR;
	return status;
}

static void print_domains(const struct mxg_message_result *run)
{
	for (size_t i = 0; i < run->from_domain_count; i++)
		printf(" %s", run->from_domains[i]);
	if (run->from_lenient)
		printf(" (read leniently: the field does not parse)");
	if (run->from_overflow)
		printf(" (and more: not all evaluated)");
	printf("\n");
}

static void print_text(const struct mxg_message_result *run)
{
	const struct mxg_dmarc_outcome *d = &run->dmarc;
	const struct mxg_verdict *v = &run->verdict;

	printf("Authentication-Results: %s\n", run->authres);
	printf("From: %s", mxg_from_status_name(run->from_status));
	print_domains(run);
	printf("DMARC: %s", mxg_dmarc_result_name(d->result));
	if (d->from_domain[0] && run->from_domain_count > 1)
		printf(" (for %s, the strictest of %zu author domains)", d->from_domain,
		       run->from_domain_count);
	if (d->have_record)
		printf("; apply %s (published %s at _dmarc.%s); organisational domain %s",
		       mxg_dmarc_policy_name(d->policy), mxg_dmarc_policy_name(d->published),
		       d->policy_domain, d->org_domain);
	if (d->spf_aligned)
		printf("; SPF aligned");
	if (d->dkim_aligned)
		printf("; DKIM aligned (d=%s)", d->aligned_dkim_domain);
	printf("; %s\n", d->reason);
	if (v->trusted_forwarder)
		printf("ARC override: trusted forwarder %s (i=%u): %s\n", run->arc_override.sealer,
		       run->arc_override.instance, run->arc_override.basis);
	else if (run->arc_override.why_not[0] != '\0')
		printf("ARC override: not applied: %s\n", run->arc_override.why_not);
	if (run->forged_authres > 0)
		printf("Forged Authentication-Results: %u (removed by the milter)\n", run->forged_authres);
	printf("Verdict: %s", mxg_action_name(v->action));
	if (v->rcode[0])
		printf(" %s %s %s", v->rcode, v->xcode, v->text);
	else if (v->text[0])
		printf(" (%s)", v->text);
	printf(" [%s]\n", v->why);
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

static void json_verdict(const struct mxg_verdict *v)
{
	printf(",\"verdict\":{");
	cli_json_kv(stdout, "action", mxg_action_name(v->action));
	printf(",");
	cli_json_kv(stdout, "rcode", v->rcode[0] ? v->rcode : NULL);
	printf(",");
	cli_json_kv(stdout, "xcode", v->xcode[0] ? v->xcode : NULL);
	printf(",");
	cli_json_kv(stdout, "text", v->text[0] ? v->text : NULL);
	printf(",");
	cli_json_kv(stdout, "tag", v->tag[0] ? v->tag : NULL);
	printf(",");
	cli_json_kv(stdout, "why", v->why);
	json_bool("trusted_forwarder", v->trusted_forwarder);
	printf("}");
}

static void json_from(const struct mxg_message_result *run)
{
	printf("{\"version\":1,\"from\":{");
	cli_json_kv(stdout, "status", mxg_from_status_name(run->from_status));
	printf(",");
	cli_json_kv(stdout, "domain", run->dmarc.from_domain[0] ? run->dmarc.from_domain : NULL);
	printf(",\"domains\":[");
	for (size_t i = 0; i < run->from_domain_count; i++) {
		printf(i ? "," : "");
		cli_json_string(stdout, run->from_domains[i]);
	}
	printf("],\"fields\":%u", run->from_fields);
	json_bool("lenient", run->from_lenient);
	json_bool("overflow", run->from_overflow);
	printf("}");
}

static void print_json(const struct dmarc_opts *o, const struct mxg_message_result *run, int status)
{
	const struct mxg_dmarc_outcome *d = &run->dmarc;

	json_from(run);
	if (run->spf_done)
		json_spf("spf", &run->spf);
	if (run->helo_done)
		json_spf("helo", &run->helo);
	printf(",\"dkim\":[");
	for (size_t i = 0; i < run->dkim_count; i++) {
		const struct mxg_dkim_sig_result *s = &run->dkim[i];
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
	printf("}");
	json_verdict(&run->verdict);
	printf(",\"forged_authres\":%u,", run->forged_authres);
	cli_json_kv(stdout, "authentication_results", run->authres);
	printf(",\"exit\":%d}\n", status);
}

/* The evaluation into the report store, as the milter records it. 0, or -1 (printed). */
static int record_eval(const struct dmarc_opts *o, const struct mxg_message_result *run,
		       const struct mxg_addr *ip)
{
	static struct mxg_store_eval row;
	int64_t now = o->record_time != 0 ? o->record_time : (int64_t)time(NULL);
	if (mxg_report_eval_from_result(run, ip, now, &row) != 0) {
		fprintf(stderr, "%s: nothing recorded: no DMARC record for the author domain\n", prog);
		return 0;
	}
	mxg_report_eval_envelope(&row, o->rcpt, o->mode);
	char err[512];
	struct mxg_store *s = mxg_store_open(o->record, err, sizeof(err));
	int rc = s != NULL ? mxg_store_insert(s, &row, 1, err, sizeof(err)) : -1;
	mxg_store_close(s);
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	return rc;
}

static int run_dmarc(struct mxg_resolver *r, const struct dmarc_opts *o, const struct mxg_psl *psl,
		     const struct mxg_addr *ip, const char *msg, size_t len)
{
	struct mxg_message *m = judge(r, o, psl, ip, msg, len);
	const struct mxg_message_result *run;
	int status;

	if (m == NULL)
		return CLI_EXIT_UNKNOWN;
	run = mxg_message_result(m);
	if (run->internal_error) {
		fprintf(stderr, "%s: %s\n", prog, run->error_why);
		mxg_message_free(m);
		return CLI_EXIT_UNKNOWN;
	}
	status = exit_status(run);
	if (o->record != NULL && record_eval(o, run, ip) != 0) {
		mxg_message_free(m);
		return CLI_EXIT_UNKNOWN;
	}
	if (o->json)
		print_json(o, run, status);
	else
		print_text(run);
	mxg_message_free(m);
	return status;
}

int cli_dmarc(int argc, char **argv)
{
	struct dmarc_opts o = { .apply_pct = 1 };
	o.arc_trust.disposition = MXG_DMARC_POLICY_NONE;
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
	char *msg = cli_read_message(prog, o.file, &len);
	struct mxg_resolver *r = msg ? cli_dns_open(&o.dns, prog) : NULL;
	int status = r ? run_dmarc(r, &o, psl, &ip, msg, len) : CLI_EXIT_UNKNOWN;
	mxg_resolver_free(r);
	free(msg);
	mxg_psl_free(psl);
	return status;
}
