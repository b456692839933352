/* mxguard check: audits domains (MX, SPF, DMARC, DKIM keys; each audit one entry of audits[])
 * and reports findings as text or JSON with a monitoring-plugin exit status. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mxguard/addr.h"
#include "mxguard/authns.h"
#include "mxguard/baseline.h"
#include "mxguard/config.h"
#include "mxguard/dkim.h"
#include "mxguard/dkim_sign.h"
#include "mxguard/dmarc.h"
#include "mxguard/mtasts.h"
#include "mxguard/mx.h"
#include "mxguard/probe.h"
#include "mxguard/spf.h"
#include "mxguard/str.h"
#include "mxguard/tlsrpt.h"

#define CHECK_SELECTORS_MAX 16

struct check_opts {
	struct cli_dns_opts dns;
	int json;
	unsigned max_targets;
	const char *selectors[CHECK_SELECTORS_MAX]; /* --dkim-selector */
	size_t selector_count;
	const char *key_paths[CHECK_SELECTORS_MAX];  /* --dkim-key, for the selector before it */
	struct mxg_dkim_signing_key *keys[CHECK_SELECTORS_MAX];
	enum mxg_dmarc_mode dmarc_mode;             /* --rfc7489 */
	const char *psl_path;                       /* --psl */
	struct mxg_psl *psl;                        /* loaded from psl_path, or NULL */
	struct mxg_spf_providers providers;         /* the SPF provider table (required) */
	/* --- the MX endpoint probe (--probe, --ca-file, --probe-timeout) --- */
	int probe;
	struct mxg_probe_options probe_opt;
	/* authns: --authoritative sets 1; --probe sets it to 2 when 0 (on, but quietly skipped
	 * with --zone, which has no name servers to ask). */
	int authoritative;
	struct check_baseline *baseline;            /* --baseline FILE, or NULL */
};

/* authns: the baseline of --baseline FILE, as read and as this run extends it. */
struct check_baseline {
	const char *path;
	int save;           /* --save-baseline: record every domain checked, compare none */
	int dirty;          /* a domain was recorded: the file is written at the end */
	unsigned recorded;
	struct mxg_baseline b;
};

/* What one domain's audit produced. */
struct check_result {
	struct mxg_findings findings;
	struct mxg_mx_input mx;
	struct mxg_probe_input probe; /* what --probe saw (results NULL without it) */
	int unknown;        /* something could not be checked at all */
	char problem[512];  /* why, when unknown ("; " between audits) */
	struct mxg_mtasts_state mtasts; /* after the MTA-STS audit: mxg_mtasts_enforces(&mtasts, host) */
};

/* Marks res as not fully checked and records why. */
static void check_unknown(struct check_result *res, const char *audit, const char *why)
{
	res->unknown = 1;
	if (res->problem[0])
		mxg_strlcat(res->problem, "; ", sizeof(res->problem));
	mxg_strcatf(res->problem, sizeof(res->problem), "%s: %s", audit, why);
}

/* One audit of a domain: appends findings to res and calls check_unknown() for what it
 * could not check. Returns 0, or -1 on a local error (out of memory). A new check joins
 * mxguard check as one such function and one line in audits[] below. */
struct audit {
	const char *name;
	int (*run)(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		   struct check_result *res);
};

static int audit_mx(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		    struct check_result *res)
{
	char err[256];

	if (mxg_mx_gather(r, domain, o->max_targets, &res->mx, err, sizeof(err)) < 0) {
		check_unknown(res, "MX", err);
		return 0;
	}
	if (mxg_dns_is_temporary(res->mx.rcode))
		check_unknown(res, "MX", mxg_dns_rcode_name(res->mx.rcode));
	return mxg_mx_analyze(&res->mx, &res->findings);
}

/* After the MX audit: the provider check reads res->mx. */
static int audit_spf(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		     struct check_result *res)
{
	if (mxg_spf_audit_with(r, domain, &res->mx, &o->providers, &res->findings) < 0)
		return -1;
	if (mxg_findings_has(&res->findings, MXG_F_SPF_LOOKUP_TEMPFAIL))
		check_unknown(res, "SPF", "a record lookup failed temporarily");
	return 0;
}

/* RFC 9989 rules (RFC 7489's with --rfc7489); a lookup that failed temporarily leaves the
 * domain not fully checked. */
static int audit_dmarc(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		       struct check_result *res)
{
	const struct mxg_dmarc_options dopt = { o->dmarc_mode, o->psl, 1 };
	size_t first = res->findings.count;

	if (mxg_dmarc_audit(r, &dopt, domain, &res->findings) < 0)
		return -1;
	for (size_t i = first; i < res->findings.count; i++)
		if (res->findings.items[i].code == MXG_F_DMARC_LOOKUP_TEMPFAIL)
			check_unknown(res, "DMARC", res->findings.items[i].text);
	return 0;
}

/* With --dkim-key: whether the record at the selector publishes that private key's public half
 * (a missing or revoked record is also an error then: mail signed with the key cannot verify). */
static int audit_private_key(struct mxg_resolver *r, const struct mxg_dkim_signing_key *k,
			     const char *domain, const char *sel, struct mxg_findings *out)
{
	char why[512], name[MXG_DNS_NAME_MAX + 80];

	snprintf(name, sizeof(name), "%s._domainkey.%s", sel, domain);
	switch (mxg_dkim_key_published(r, k, domain, sel, why, sizeof(why))) {
	case MXG_DKIM_PUBLISHED_MATCH:
		return mxg_findings_add(out, MXG_F_DKIM_PRIVATE_KEY_MATCH, -1, name,
					"the published %s key is the public half of the private key",
					mxg_dkim_signing_key_type(k));
	case MXG_DKIM_PUBLISHED_MISMATCH:
		return mxg_findings_add(out, MXG_F_DKIM_PRIVATE_KEY_MISMATCH, -1, name, "%s", why);
	case MXG_DKIM_PUBLISHED_MISSING:
		return mxg_findings_add(out, MXG_F_DKIM_PRIVATE_KEY_UNPUBLISHED, -1, name, "%s", why);
	case MXG_DKIM_PUBLISHED_TEMP:
		break; /* the selector's own audit reported DKIM_KEY_TEMPFAIL */
	}
	return 0;
}

/* The DKIM keys at the selectors given with --dkim-selector (a domain has no list of them). */
static int audit_dkim(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		      struct check_result *res)
{
	for (size_t i = 0; i < o->selector_count; i++) {
		if (mxg_dkim_audit_selector(r, domain, o->selectors[i], &res->findings) < 0)
			return -1;
		if (o->keys[i] != NULL &&
		    audit_private_key(r, o->keys[i], domain, o->selectors[i], &res->findings) < 0)
			return -1;
	}
	if (mxg_findings_has(&res->findings, MXG_F_DKIM_KEY_TEMPFAIL))
		check_unknown(res, "DKIM", "key lookup failed");
	return 0;
}

/* --probe: every MX address over SMTP (after the MX audit: it reads res->mx), their reverse
 * names and the MX hosts' TLSA records. */
static int audit_probe(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
		       struct check_result *res)
{
	char err[256];

	(void)domain;
	if (!o->probe)
		return 0;
	if (mxg_probe_prepare(&res->mx, &res->probe) < 0)
		return -1;
	/* The MTA-STS audit ran before: an enforce policy that covers a host makes its TLS
	 * failures errors (enforcing senders refuse to deliver there). */
	for (size_t h = 0; h < res->probe.host_count; h++)
		res->probe.sts_enforce[h] = mxg_mtasts_enforces(&res->mtasts, res->probe.hosts[h]);
	if (mxg_probe_run(&o->probe_opt, &res->probe, err, sizeof(err)) < 0) {
		check_unknown(res, "probe", err);
		return 0;
	}
	if (mxg_probe_dns(r, &res->probe, err, sizeof(err)) < 0) {
		check_unknown(res, "probe", err);
		return 0;
	}
	/* A TLSA lookup that fails (SERVFAIL, bogus) makes DANE senders defer (RFC 7672 §2.2). */
	for (size_t h = 0; h < res->probe.host_count; h++) {
		if (!mxg_dns_is_temporary(res->probe.tlsa[h].rcode))
			continue;
		snprintf(err, sizeof(err), "_25._tcp.%.200s TLSA: %s", res->probe.hosts[h],
			 mxg_dns_rcode_name(res->probe.tlsa[h].rcode));
		check_unknown(res, "DANE", err);
	}
	res->probe.now = time(NULL);
	return mxg_probe_analyze(&res->probe, &res->findings);
}

/* authns: --authoritative asks each name server of the zone directly and compares. */
static int audit_authns(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
			struct check_result *res)
{
	char why[256];

	if (!o->authoritative)
		return 0;
	if (mxg_resolver_publishes_ttls(r)) {
		if (o->authoritative == 1)
			check_unknown(res, "authoritative", "--zone has no name servers to ask");
		return 0;
	}
	struct mxg_authns_input *in = malloc(sizeof(*in));
	if (in == NULL)
		return -1;
	int rc = mxg_authns_gather(r, domain, o->dns.timeout_ms, in, why, sizeof(why));
	if (rc <= 0)
		check_unknown(res, "authoritative", why);
	else if (mxg_authns_answered(in) == 0)
		check_unknown(res, "authoritative", "no name server of the zone answered");
	rc = rc > 0 ? mxg_authns_analyze(in, &res->findings) : 0;
	free(in);
	return rc;
}

/* authns: with --baseline, compares the domain's snapshot with the saved one (MX_CHANGED), or
 * records it when the file has none or --save-baseline asks. After the MX audit. */
static int audit_baseline(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
			  struct check_result *res)
{
	struct check_baseline *cb = o->baseline;
	struct mxg_baseline_domain cur;
	char why[256];

	(void)domain;
	if (cb == NULL)
		return 0;
	if (res->mx.domain[0] == '\0') {
		check_unknown(res, "baseline", "no MX data to compare");
		return 0;
	}
	/* With --probe, the TLSA records the probe looked up are not asked for again. */
	int rc = mxg_baseline_snapshot(r, &res->mx, o->probe ? mxg_probe_tlsa_answer : NULL,
				       &res->probe, &cur, why, sizeof(why));
	if (rc <= 0) {
		if (rc == 0)
			check_unknown(res, "baseline", why);
		return rc;
	}
	const struct mxg_baseline_domain *old = mxg_baseline_find(&cb->b, cur.name);
	if (old != NULL && !cb->save)
		rc = mxg_baseline_compare(old, &cur, &res->findings) < 0 ? -1 : 0;
	else if ((rc = mxg_baseline_put(&cb->b, &cur)) == 0)
		cb->dirty = 1, cb->recorded++;
	mxg_baseline_domain_free(&cur);
	return rc;
}

/* --- MTA-STS and TLS-RPT --- */

/* The MX host names res->mx examined (a null MX and the implicit MX have none), as a list. */
static size_t mx_names(const struct check_result *res, const char **names, size_t max)
{
	size_t n = 0;

	for (unsigned i = 0; i < res->mx.count && n < max; i++)
		if (res->mx.targets[i].name[0])
			names[n++] = res->mx.targets[i].name;
	return n;
}

static const char *audited_name(const struct check_result *res, const char *domain)
{
	return res->mx.domain[0] ? res->mx.domain : domain;
}

/* After the MX audit. The policy is fetched whenever the _mta-sts record exists (not only
 * with --probe): the MX/policy conflict is what the audit is for, and one bounded HTTPS GET
 * to the host the domain names for it is no probe of its mail servers. */
static int audit_mtasts(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
			struct check_result *res)
{
	const struct mxg_mtasts_fetch_opts fo = { r, o->probe_opt.ca_file, 0, 0 };
	const char *names[MXG_MX_MAX_TARGETS];
	size_t n = mx_names(res, names, MXG_MX_MAX_TARGETS);

	if (mxg_mtasts_gather(r, &fo, audited_name(res, domain), &res->mtasts) < 0)
		return -1;
	if (res->mtasts.dns == MXG_MTASTS_DNS_TEMPFAIL)
		check_unknown(res, "MTA-STS", res->mtasts.dns_why);
	return mxg_mtasts_analyze(&res->mtasts, names, n, &res->findings);
}

/* After the MTA-STS audit: a TLS-RPT record is asked for where MTA-STS or DANE is published. */
static int audit_tlsrpt(struct mxg_resolver *r, const struct check_opts *o, const char *domain,
			struct check_result *res)
{
	const char *names[MXG_MX_MAX_TARGETS];
	size_t n = mx_names(res, names, MXG_MX_MAX_TARGETS);
	struct mxg_tlsrpt_state st;

	(void)o;
	if (mxg_tlsrpt_gather(r, audited_name(res, domain), names, n,
			      res->mtasts.dns == MXG_MTASTS_DNS_FOUND, &st) < 0)
		return -1;
	if (st.dns == MXG_TLSRPT_DNS_TEMPFAIL)
		check_unknown(res, "TLS-RPT", st.why);
	return mxg_tlsrpt_analyze(&st, &res->findings);
}

static const struct audit audits[] = {
	{ "MX", audit_mx },
	{ "SPF", audit_spf },
	{ "DMARC", audit_dmarc },
	{ "DKIM", audit_dkim },
	{ "MTA-STS", audit_mtasts },
	{ "TLS-RPT", audit_tlsrpt },
	{ "probe", audit_probe },
	{ "authoritative", audit_authns },
	{ "baseline", audit_baseline },
};

void cli_check_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard check [OPTIONS] DOMAIN...\n"
		"Audits each domain's mail DNS and lists the problems found, worst first.\n\n"
		"  --json               machine-readable output (schema in mxguard(1))\n"
		"  --max-targets N      MX targets examined per domain (1 to %d, default %d)\n"
		"  --dkim-selector SEL  also audit the DKIM key at SEL._domainkey.DOMAIN (repeatable)\n"
		"  --dkim-key FILE      the private key (PEM) of the --dkim-selector before it: the\n"
		"                       published key must be its public half\n"
		"  --rfc7489            DMARC by RFC 7489 (organizational domain from the public suffix\n"
		"                       list) instead of RFC 9989's DNS tree walk\n"
		"  --psl FILE           with --rfc7489, the public suffix list file (default: libpsl's)\n"
		"  --probe              also talk SMTP to every MX address (banner, STARTTLS and the\n"
		"                       certificate, backup MX and open relay checks; never DATA),\n"
		"                       and check reverse names and DANE TLSA records\n"
		"  --ca-file FILE       trust these CAs (PEM) instead of the system's, for the\n"
		"                       MTA-STS policy fetch and the --probe TLS checks\n"
		"  --probe-timeout SEC  with --probe, the whole probe of a domain (1 to 600, default %d)\n"
		"  --authoritative      ask each name server of the zone directly and compare what\n"
		"                       they serve (MX, targets' addresses, SOA serial)\n"
		"  --baseline FILE      compare MX targets, addresses, TLSA and MTA-STS id with FILE\n"
		"                       (MX_CHANGED); domains FILE lacks are recorded in it\n"
		"  --save-baseline      with --baseline, record every domain checked (accept changes)\n"
		"  --help               this text\n",
		MXG_MX_MAX_TARGETS, MXG_MX_MAX_TARGETS, MXG_PROBE_TIMEOUT_MS / 1000);
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 clean or info only, 1 warnings, 2 errors or worse,\n"
		     "3 could not check (DNS failure, bad option or zone file).\n");
}

static const char prog[] = "mxguard check";

/* Long-only options (values above any character, so that options added later cannot clash). */
enum { OPT_PROBE = 0x100, OPT_CA_FILE, OPT_PROBE_TIMEOUT };

/* --probe, --ca-file, --probe-timeout. Returns 0, or -1 with the message printed. */
static int probe_option(int c, const char *arg, struct check_opts *o)
{
	char err[128];
	unsigned long n;

	if (c == OPT_PROBE) {
		o->probe = 1;
		if (o->authoritative == 0)
			o->authoritative = 2; /* authns: the zone's own servers are asked too */
		return 0;
	}
	if (c == OPT_CA_FILE) {
		if (access(arg, R_OK) != 0) {
			fprintf(stderr, "%s: --ca-file %s: %s\n", prog, arg, strerror(errno));
			return -1;
		}
		o->probe_opt.ca_file = arg;
		return 0;
	}
	if (mxg_config_uint("--probe-timeout", arg, 1, 600, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	o->probe_opt.timeout_ms = (unsigned)n * 1000;
	return 0;
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "json", no_argument, NULL, 'j' },
		{ "max-targets", required_argument, NULL, 'm' },
		{ "dkim-selector", required_argument, NULL, 's' },
		{ "dkim-key", required_argument, NULL, 'k' },
		{ "rfc7489", no_argument, NULL, '7' },
		{ "psl", required_argument, NULL, 'p' },
		{ "authoritative", no_argument, NULL, 'A' },
		{ "baseline", required_argument, NULL, 'B' },
		{ "save-baseline", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "probe", no_argument, NULL, OPT_PROBE },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT },
		{ NULL, 0, NULL, 0 },
	};
	char err[128];
	unsigned long n;
	int c;

	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "jm:hs:k:7p:AB:S", longopts,
				     &o->dns)) != -1) {
		if (c == CLI_OPT_BAD)
			return -1;
		switch (c) {
		case 'j':
			o->json = 1;
			break;
		case 'm':
			if (mxg_config_uint("--max-targets", optarg, 1, MXG_MX_MAX_TARGETS, &n, err,
					    sizeof(err)) < 0) {
				fprintf(stderr, "mxguard check: %s\n", err);
				return -1;
			}
			o->max_targets = (unsigned)n;
			break;
		case 's':
			if (o->selector_count >= CHECK_SELECTORS_MAX) {
				fprintf(stderr, "%s: at most %d --dkim-selector options\n", prog,
					CHECK_SELECTORS_MAX);
				return -1;
			}
			o->selectors[o->selector_count++] = optarg;
			break;
		case 'k':
			if (o->selector_count == 0 || o->key_paths[o->selector_count - 1] != NULL) {
				fprintf(stderr, "%s: --dkim-key follows the --dkim-selector it belongs to"
					" (one key each)\n", prog);
				return -1;
			}
			o->key_paths[o->selector_count - 1] = optarg;
			break;
		case '7':
			o->dmarc_mode = MXG_DMARC_MODE_7489;
			break;
		case 'p':
			o->psl_path = optarg;
			break;
		case 'A':
			o->authoritative = 1;
			break;
		case 'B':
			o->baseline->path = optarg;
			break;
		case 'S':
			o->baseline->save = 1;
			break;
		case 'h':
			cli_check_usage(stdout);
			return 0;
		case OPT_PROBE:
		case OPT_CA_FILE:
		case OPT_PROBE_TIMEOUT:
			if (probe_option(c, optarg, o) < 0)
				return -1;
			break;
		default:
			cli_bad_option(prog, c, argv[optind - 1]);
			return -1;
		}
	}
	if (o->baseline->save && o->baseline->path == NULL) {
		fprintf(stderr, "%s: --save-baseline needs --baseline FILE\n", prog);
		return -1;
	}
	if (!o->probe && o->probe_opt.timeout_ms) {
		fprintf(stderr, "%s: --probe-timeout goes with --probe\n", prog);
		return -1;
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: no domain given\n%s: mxguard help check lists the options\n",
			prog, prog);
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

/* The addresses of t as a JSON array of strings. */
static void json_addresses(const struct mxg_mx_target *t)
{
	struct mxg_addr a;
	char text[64];

	unsigned n = 0;

	putchar('[');
	for (unsigned i = 0; i < t->n_v4 + t->n_v6; i++) {
		memset(&a, 0, sizeof(a));
		a.family = i < t->n_v4 ? 4 : 6;
		if (i < t->n_v4)
			memcpy(a.bytes, t->v4[i], 4);
		else
			memcpy(a.bytes, t->v6[i - t->n_v4], 16);
		if (mxg_addr_format(&a, text, sizeof(text)) != 0)
			continue;
		printf("%s", n++ ? "," : "");
		cli_json_string(stdout, text);
	}
	putchar(']');
}

/* The MX records examined, in answer order: what the findings' indexes refer to. */
static void json_mx(const struct mxg_mx_input *mx)
{
	putchar('[');
	for (unsigned i = 0; i < mx->count; i++) {
		const struct mxg_mx_target *t = &mx->targets[i];
		printf("%s{\"preference\":%u,", i ? "," : "", t->pref);
		cli_json_kv(stdout, "exchange", t->name[0] ? t->name : ".");
		printf(",\"usable\":%s,\"addresses\":", mxg_mx_target_usable(t) ? "true" : "false");
		json_addresses(t);
		putchar('}');
	}
	putchar(']');
}

static const char *stage_name(enum mxg_probe_stage s)
{
	static const char *const names[] = { "not-probed", "connect", "banner", "ehlo", "tls",
					     "envelope", "done" };
	return names[s];
}

/* What --probe saw at each address: [{"host","address","stage","starttls","tls"},...]. */
static void json_probe(const struct mxg_probe_input *p)
{
	char a[64];

	putchar('[');
	for (size_t i = 0; i < p->count; i++) {
		const struct mxg_probe_result *r = &p->results[i];
		if (mxg_addr_format(&r->addr, a, sizeof(a)) != 0)
			a[0] = '\0';
		printf("%s{", i ? "," : "");
		cli_json_kv(stdout, "host", r->host);
		putchar(',');
		cli_json_kv(stdout, "address", a);
		putchar(',');
		cli_json_kv(stdout, "stage", stage_name(r->stage));
		printf(",\"starttls\":%s,", r->starttls_offered ? "true" : "false");
		cli_json_kv(stdout, "tls", r->tls_done ? r->tls_version_name : NULL);
		putchar('}');
	}
	putchar(']');
}

static void print_json(const char *domain, const struct check_result *res, int status, int first)
{
	printf("%s{", first ? "" : ",");
	cli_json_kv(stdout, "domain", domain);
	printf(",");
	cli_json_kv(stdout, "status", status_name(status));
	printf(",\"exit\":%d,", status);
	cli_json_kv(stdout, "problem", res->problem[0] ? res->problem : NULL);
	printf(",\"mx\":");
	json_mx(&res->mx);
	if (res->probe.results != NULL) {
		printf(",\"probe\":");
		json_probe(&res->probe);
	}
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
			fprintf(stderr, "%s: out of memory in the %s audit\n", prog, audits[i].name);
			return -1;
		}
	}
	return 0;
}

/* The provider table is part of the SPF audit: without it the audit would be silently
 * incomplete, so a missing or broken table stops the check (exit 3) and says where it looked. */
static int load_providers(struct check_opts *o)
{
	return cli_providers_load(prog, &o->providers);
}

/* authns: reads the --baseline file (a missing one is a first run). A file that cannot be read
 * or parsed stops the check (exit 3) and is left as it is. */
static int baseline_open(struct check_opts *o)
{
	char err[512];

	if (o->baseline->path == NULL) {
		o->baseline = NULL;
		return 0;
	}
	if (mxg_baseline_load(o->baseline->path, &o->baseline->b, err, sizeof(err)) >= 0)
		return 0;
	fprintf(stderr, "%s: baseline %s\n%s: the file was left unchanged; fix or remove it\n", prog,
		err, prog);
	return -1;
}

/* authns: writes the baseline when this run recorded a domain and write is set (every domain
 * was checked); returns status, or CLI_EXIT_UNKNOWN when the file could not be written. */
static int baseline_close(struct check_opts *o, int status, int write)
{
	struct check_baseline *cb = o->baseline;
	char err[600];

	if (cb == NULL)
		return status;
	if (cb->dirty && write) {
		if (mxg_baseline_save(cb->path, &cb->b, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: cannot write the baseline: %s\n", prog, err);
			status = CLI_EXIT_UNKNOWN;
		} else {
			fprintf(stderr, "%s: baseline %s: recorded %u domain%s\n", prog, cb->path,
				cb->recorded, cb->recorded == 1 ? "" : "s");
		}
	}
	mxg_baseline_free(&cb->b);
	return status;
}

/* Reads the --dkim-key files (mode and size checked as for signing). 0, or -1 said. */
static int load_keys(struct check_opts *o)
{
	char err[512];

	for (size_t i = 0; i < o->selector_count; i++) {
		if (o->key_paths[i] == NULL)
			continue;
		o->keys[i] = mxg_dkim_signing_key_load(o->key_paths[i], err, sizeof(err));
		if (o->keys[i] == NULL) {
			fprintf(stderr, "%s: --dkim-key %s\n", prog, err);
			return -1;
		}
	}
	return 0;
}

static void free_keys(struct check_opts *o)
{
	for (size_t i = 0; i < o->selector_count; i++)
		mxg_dkim_signing_key_free(o->keys[i]);
}

static int check_all(struct check_opts *o_in, int argc, char **argv, int first);

int cli_check(int argc, char **argv)
{
	struct check_opts o;
	struct check_baseline cb;

	memset(&o, 0, sizeof(o));
	memset(&cb, 0, sizeof(cb));
	o.baseline = &cb;
	int first = parse_args(argc, argv, &o);
	if (first <= 0)
		return first == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	if (load_keys(&o) < 0) {
		free_keys(&o);
		return CLI_EXIT_UNKNOWN;
	}
	int rc = check_all(&o, argc, argv, first);
	free_keys(&o);
	return rc;
}

/* The audits of argv[first..] under the options. */
static int check_all(struct check_opts *o_in, int argc, char **argv, int first)
{
	struct check_opts o = *o_in;
	struct check_result *res;
	int worst = CLI_EXIT_OK;

	if (baseline_open(&o) < 0 || load_providers(&o) < 0)
		return baseline_close(&o, CLI_EXIT_UNKNOWN, 0);
	if (cli_psl_open(o.psl_path, o.dmarc_mode, prog, &o.psl) < 0) {
		mxg_spf_providers_free(&o.providers);
		return baseline_close(&o, CLI_EXIT_UNKNOWN, 0);
	}
	if (o.probe)
		signal(SIGPIPE, SIG_IGN); /* a server closing mid-command is a finding, not our end */
	struct mxg_resolver *r = cli_dns_open(&o.dns, prog);
	res = r ? malloc(sizeof(*res)) : NULL;
	if (res == NULL) {
		mxg_resolver_free(r);
		mxg_psl_free(o.psl);
		mxg_spf_providers_free(&o.providers);
		return baseline_close(&o, CLI_EXIT_UNKNOWN, 0);
	}
	int broke = 0;
	if (o.json)
		printf("{\"version\":1,\"domains\":[");
	for (int i = first; i < argc; i++) {
		if (check_domain(r, &o, argv[i], res) < 0) {
			worst = CLI_EXIT_UNKNOWN;
			broke = 1;
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
		mxg_probe_clear(&res->probe);
	}
	mxg_probe_clear(&res->probe);
	worst = baseline_close(&o, worst, !broke);
	if (o.json)
		printf("],\"status\":\"%s\",\"exit\":%d}\n", status_name(worst), worst);
	free(res);
	mxg_resolver_free(r);
	mxg_psl_free(o.psl);
	mxg_spf_providers_free(&o.providers);
	return worst;
}
