/* mxguard report send: for every policy domain with a rua and every interval its ri asks for
 * (whole hours dividing the day, at most a day) after the last one reported, the aggregate
 * report (RFC 7489 or DMARCbis), gzip'd and mailed through sendmail(8) to each authorised rua
 * address within its size limit. The interval is marked reported before it goes out, so it
 * never goes out twice; a destination that fails for now is retried alone on later runs.
 * --dry-run --out DIR writes the files instead and marks nothing. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "mxguard/hash.h"
#include "mxguard/dmarc.h"
#include "mxguard/str.h"

static const char prog[] = "mxguard report send";

struct send_opts {
	struct cli_dns_opts dns;
	const char *config;
	int config_given;
	const char *through;
	int dry_run;
	const char *out_dir;
	const char *sendmail;
	struct cli_report_settings set;
};

struct run {
	const struct send_opts *o;
	struct mxg_store *store;
	enum mxg_report_format format;
	int64_t through;                /* report the intervals ending by then, */
	int through_now;                /* or (--through now) every interval begun */
	struct cli_report_out out;
	unsigned reports;
};

void cli_report_send_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard report send [--store STORE] [--through UNIX|now] [--format FORMAT]\n"
		"                           [--dry-run --out DIR]\n"
		"Builds the DMARC aggregate report of every domain with a rua for every interval\n"
		"recorded and not yet reported (as long as its ri= asks: whole hours dividing the\n"
		"UTC day, at most a day), and mails it to each authorised rua address; a destination\n"
		"that failed for now is retried alone on the next runs, for %d days.\n\n"
		"  --store STORE        sqlite:PATH or postgresql://... (default: report_store of\n"
		"                       the milter configuration)\n"
		"  --config FILE        mxguard-milter's configuration (default %s)\n"
		"  --through UNIX|now   report the intervals ending by then (default: every\n"
		"                       complete one); now includes the intervals in progress\n"
		"  --format FORMAT      rfc7489 (RFC 7489 Appendix C) or dmarcbis (RFC 9990,\n"
		"                       namespace urn:ietf:params:xml:ns:dmarc-2.0) (default:\n"
		"                       report_format of the milter configuration, else rfc7489)\n"
		"  --dry-run            send nothing, mark nothing\n"
		"  --out DIR            with --dry-run, write the .xml.gz files into DIR\n"
		"  --org-name NAME      <org_name> (default: report_org_name, else the host's domain)\n"
		"  --email ADDR         <email> and sender (default: report_email, else\n"
		"                       noreply-dmarc@ the host's domain)\n"
		"  --receiver DOMAIN    the receiving domain in file names (default: the email's)\n"
		"  --sendmail PATH      the sendmail(8) to mail through (default %s)\n",
		CLI_REPORT_RETRY_S / 86400, CLI_REPORT_DEFAULT_CONFIG, CLI_REPORT_SENDMAIL);
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 done, 2 a report could not be delivered to some destination (it\n"
		     "is tried again on the next run), 3 the store or the options failed.\n");
}

enum { O_STORE = 1000, O_CONFIG, O_THROUGH, O_DRY, O_OUT, O_ORG, O_EMAIL, O_RECEIVER, O_SENDMAIL,
       O_FORMAT };

static int parse_args(int argc, char **argv, struct send_opts *o)
{
	static const struct option longopts[] = {
		CLI_DNS_LONGOPTS,
		{ "store", required_argument, NULL, O_STORE },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "through", required_argument, NULL, O_THROUGH },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "out", required_argument, NULL, O_OUT },
		{ "org-name", required_argument, NULL, O_ORG },
		{ "email", required_argument, NULL, O_EMAIL },
		{ "receiver", required_argument, NULL, O_RECEIVER },
		{ "sendmail", required_argument, NULL, O_SENDMAIL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_report_settings *s = &o->set;
	int c;
	while ((c = cli_next_option(argc, argv, ":" CLI_DNS_SHORTOPTS "h", longopts, &o->dns)) != -1) {
		switch (c) {
		case CLI_OPT_BAD: return -1;
		case O_STORE: mxg_strlcpy(s->store, optarg, sizeof(s->store)); break;
		case O_CONFIG: o->config = optarg; o->config_given = 1; break;
		case O_THROUGH: o->through = optarg; break;
		case O_DRY: o->dry_run = 1; break;
		case O_OUT: o->out_dir = optarg; break;
		case O_ORG: mxg_strlcpy(s->org_name, optarg, sizeof(s->org_name)); break;
		case O_EMAIL: mxg_strlcpy(s->email, optarg, sizeof(s->email)); break;
		case O_RECEIVER: mxg_strlcpy(s->receiver, optarg, sizeof(s->receiver)); break;
		case O_SENDMAIL: o->sendmail = optarg; break;
		case O_FORMAT: mxg_strlcpy(s->format, optarg, sizeof(s->format)); break;
		case 'h': cli_report_send_usage(stdout); return 0;
		default: cli_bad_option(prog, c, argv[optind - 1]); return -1;
		}
	}
	if (optind != argc || (o->out_dir != NULL && !o->dry_run)) {
		fprintf(stderr, "%s: %s\n", prog, optind != argc ? "takes no arguments"
							: "--out needs --dry-run");
		return -1;
	}
	return 1;
}

/* --through: UNIX time, now (every interval begun), or absent (every interval ended). */
static int through_time(const char *arg, struct run *run)
{
	run->through = run->out.now;
	run->through_now = arg != NULL && strcmp(arg, "now") == 0;
	if (arg == NULL || run->through_now)
		return 0;
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0' || v <= 0) {
		fprintf(stderr, "%s: --through %s is not a Unix time or now\n", prog, arg);
		return -1;
	}
	run->through = v;
	return 0;
}

/* A stable report id: the interval and a hash of the domain (FNV-1a). */
static void report_id(const char *domain, int64_t begin, char *out, size_t size)
{
	snprintf(out, size, "%lld.%016llx", (long long)begin, (unsigned long long)mxg_hash_str(domain));
}

struct build {
	struct mxg_report_xml *x;
	char err[256];
};

static int add_group(void *arg, const struct mxg_store_group *g)
{
	struct build *b = arg;
	return mxg_report_xml_record(b->x, g, b->err, sizeof(b->err)) == 0 ? 0 : -3;
}

/* The report of one domain and interval as .xml.gz in *gz; 0 or -1 (printed). */
static int build_report(struct run *run, const struct mxg_report_meta *m,
			const struct mxg_store_eval *latest, char *name, size_t namesize,
			uint8_t **gz, size_t *gzlen)
{
	char err[512];
	struct build b = { .x = mxg_report_xml_new(m, latest, err, sizeof(err)) };
	char *xml = NULL;
	size_t len = 0;
	int rc = -1;
	if (b.x == NULL)
		goto out;
	int q = mxg_store_groups(run->store, latest->policy_domain, m->begin, m->end,
				 MXG_REPORT_RECORDS_MAX, add_group, &b, err, sizeof(err));
	if (q == -3)
		mxg_strlcpy(err, b.err, sizeof(err));
	if (q != 0 || mxg_report_xml_dump(b.x, &xml, &len, err, sizeof(err)) != 0)
		goto out;
	if (mxg_report_filename(m, latest->policy_domain, name, namesize) != 0) {
		snprintf(err, sizeof(err), "cannot name the report file (receiver %s)", m->receiver);
		goto out;
	}
	rc = mxg_report_gzip(xml, len, name, m->end, gz, gzlen, err, sizeof(err));
out:
	if (rc != 0)
		fprintf(stderr, "%s: %s: %s\n", prog, latest->policy_domain, err);
	free(xml);
	mxg_report_xml_free(b.x);
	return rc;
}

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ok = fd >= 0 && write(fd, data, len) == (ssize_t)len;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (!ok)
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
	return ok ? 0 : -1;
}

/* Marks the interval reported first, so that two runs on one store cannot both send it, then
 * delivers to each destination; one that fails for now stays pending for the next runs. */
static void claim_and_deliver(struct run *run, const struct mxg_report_meta *m,
			      const struct mxg_store_eval *latest, const char *name,
			      const uint8_t *gz, size_t gzlen)
{
	char err[512];
	int claim = mxg_store_mark_reported(run->store, latest->policy_domain, m->begin, m->end,
					    m->report_id, err, sizeof(err));
	if (claim != 0) {
		if (claim < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		else
			printf("  already reported by another run\n");
		run->out.problems += claim < 0;
		return;
	}
	cli_report_deliver_new(&run->out, m, latest, name, gz, gzlen);
}

static void fill_meta(const struct run *run, enum mxg_report_format f, const char *domain,
		      int64_t begin, int64_t end, struct mxg_report_meta *m)
{
	const struct send_opts *o = run->o;
	memset(m, 0, sizeof(*m));
	m->format = f;
	m->begin = begin;
	m->end = end;
	mxg_strlcpy(m->org_name, o->set.org_name, sizeof(m->org_name));
	mxg_strlcpy(m->email, o->set.email, sizeof(m->email));
	mxg_strlcpy(m->receiver, o->set.receiver, sizeof(m->receiver));
	report_id(domain, begin, m->report_id, sizeof(m->report_id));
}

static void report_one(struct run *run, int64_t begin, int64_t end,
		       const struct mxg_store_eval *latest)
{
	const struct send_opts *o = run->o;
	char name[1024];
	struct mxg_report_meta m;
	fill_meta(run, run->format, latest->policy_domain, begin, end, &m);
	uint8_t *gz = NULL;
	size_t gzlen = 0;
	if (build_report(run, &m, latest, name, sizeof(name), &gz, &gzlen) != 0) {
		run->out.problems++;
		return;
	}
	run->reports++;
	printf("%s: report %s (%zu bytes gzip'd)\n", latest->policy_domain, name, gzlen);
	if (o->dry_run) {
		if (o->out_dir != NULL && write_file(o->out_dir, name, gz, gzlen) != 0)
			run->out.problems++;
	} else {
		claim_and_deliver(run, &m, latest, name, gz, gzlen);
	}
	free(gz);
}

/* Whether the interval [begin, end) is due: ended by through, or (--through now) begun. */
static int due(const struct run *run, int64_t begin, int64_t end)
{
	return run->through_now ? begin < run->out.now : end <= run->through;
}

/* The start of the first interval of length len, at or after from, that holds an evaluation of
 * the domain: 0 with *begin set, 1 when there is none, -1 (printed). from is on len's grid or
 * the end of the last reported interval; a later start is always on len's grid. */
static int next_begin(struct run *run, const char *domain, int64_t from, int64_t len,
		      int64_t *begin)
{
	char err[512];
	int64_t t;
	int rc = mxg_store_domain_next_time(run->store, domain, from, &t, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		return rc;
	}
	int64_t grid = t / len * len;
	*begin = grid > from ? grid : from;
	return 0;
}

/* Every due interval of one domain after the last one reported, each as long as the domain's
 * current ri asks (mxg_report_interval_len); empty stretches are skipped over. The first
 * report of a domain starts at the interval of its first evaluation. */
static int report_domain(struct run *run, const struct mxg_store_domain *d)
{
	char err[512];
	const char *domain = d->policy_domain;
	int64_t len = mxg_report_interval_len(d->latest.ri), from = 0, begin;
	int rc = mxg_store_reported_until(run->store, domain, &from, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return -1;
	}
	static struct mxg_store_domain in;
	for (int n = 0; n < CLI_REPORT_INTERVALS_MAX; n++) {
		rc = next_begin(run, domain, from, len, &begin);
		if (rc != 0)
			return rc < 0 ? -1 : 0;
		int64_t end = mxg_report_interval_end(begin, len);
		if (!due(run, begin, end))
			return 0;
		rc = mxg_store_domain_latest(run->store, domain, begin, end, &in, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return -1;
		}
		if (rc == 0 && in.latest.rua[0] != '\0')
			report_one(run, begin, end, &in.latest);
		from = end;
	}
	return 0;
}

struct domains {
	struct mxg_store_domain *items;
	size_t count;
};

static int collect(void *arg, const struct mxg_store_domain *d)
{
	struct domains *ds = arg;
	if (ds->count == CLI_REPORT_DOMAINS_MAX)
		return -3;
	ds->items[ds->count++] = *d;
	return 0;
}

struct pending {
	struct mxg_store_delivery *items;
	size_t count;
};

static int collect_pending(void *arg, const struct mxg_store_delivery *d)
{
	struct pending *p = arg;
	p->items[p->count++] = *d;
	return 0;
}

/* One destination that failed for now on an earlier run: the same report (same interval,
 * format, report id and file name) rebuilt from the store and sent to it alone. */
static void retry_one(struct run *run, const struct mxg_store_delivery *d)
{
	struct mxg_report_meta m;
	enum mxg_report_format f = MXG_REPORT_RFC7489;
	(void)mxg_report_format_parse(d->format, &f);
	fill_meta(run, f, d->policy_domain, d->begin, d->end, &m);
	printf("%s: retrying %s (%lld-%lld, attempt %d)\n", d->policy_domain, d->destination,
	       (long long)d->begin, (long long)(d->end - 1), d->attempts + 1);
	if (run->out.now - d->first_try > CLI_REPORT_RETRY_S) {
		cli_report_deliver_retry(&run->out, &m, d, NULL, NULL, 0);
		return;
	}
	char err[512], name[1024];
	static struct mxg_store_domain in;
	int rc = mxg_store_domain_latest(run->store, d->policy_domain, d->begin, d->end, &in, err,
					 sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, d->policy_domain,
			rc < 0 ? err : "its evaluations are gone (report_keep)");
		run->out.problems++;
		return;
	}
	uint8_t *gz = NULL;
	size_t gzlen = 0;
	if (build_report(run, &m, &in.latest, name, sizeof(name), &gz, &gzlen) != 0) {
		run->out.problems++;
		return;
	}
	cli_report_deliver_retry(&run->out, &m, d, name, gz, gzlen);
	free(gz);
}

static int retry_pending(struct run *run)
{
	char err[512];
	struct pending p = { calloc(CLI_REPORT_RETRIES_MAX, sizeof(*p.items)), 0 };
	if (p.items == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	int rc = mxg_store_delivery_due(run->store, run->out.now, CLI_REPORT_RETRIES_MAX,
					collect_pending, &p, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, err);
	for (size_t i = 0; rc == 0 && i < p.count; i++)
		retry_one(run, &p.items[i]);
	free(p.items);
	return rc == 0 ? 0 : -1;
}

static int run_all(struct run *run)
{
	char err[512];
	int64_t first;
	if (!run->o->dry_run && retry_pending(run) != 0)
		return -1;
	int rc = mxg_store_first_time(run->store, &first, err, sizeof(err));
	if (rc != 0) {
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		return rc < 0 ? -1 : 0;
	}
	struct domains ds = { calloc(CLI_REPORT_DOMAINS_MAX, sizeof(*ds.items)), 0 };
	if (ds.items == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	int64_t horizon = run->through_now ? run->out.now + 1 : run->through;
	rc = mxg_store_domains(run->store, first, horizon, collect, &ds, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "%s: %s\n", prog, rc == -3 ? "more reporting domains than this run "
			"handles" : err);
	for (size_t i = 0; rc == 0 && i < ds.count; i++)
		rc = report_domain(run, &ds.items[i]);
	free(ds.items);
	return rc == 0 ? 0 : -1;
}

/* The format from --format or report_format; 0, or -1 (printed). */
static int pick_format(struct run *run, const char *name)
{
	if (name[0] == '\0') {
		run->format = MXG_REPORT_RFC7489;
		return 0;
	}
	if (mxg_report_format_parse(name, &run->format) == 0)
		return 0;
	fprintf(stderr, "%s: unknown report format '%s' (rfc7489 or dmarcbis)\n", prog, name);
	return -1;
}

int cli_report_send(int argc, char **argv)
{
	struct send_opts o = { .config = CLI_REPORT_DEFAULT_CONFIG, .sendmail = CLI_REPORT_SENDMAIL };
	struct run run = { .o = &o };
	char err[512];
	int a = parse_args(argc, argv, &o);
	if (a <= 0)
		return a == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	run.out.now = (int64_t)time(NULL);
	run.out.sendmail = o.sendmail;
	if (through_time(o.through, &run) != 0 ||
	    cli_report_settings(&o.set, o.config, o.config_given, prog) != 0 ||
	    pick_format(&run, o.set.format) != 0)
		return CLI_EXIT_UNKNOWN;
	cli_report_defaults(&o.set);
	if (o.set.store[0] == '\0') {
		fprintf(stderr, "%s: no store: give --store or set report_store in %s\n", prog, o.config);
		return CLI_EXIT_UNKNOWN;
	}
	run.store = mxg_store_open(o.set.store, err, sizeof(err));
	if (run.store == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return CLI_EXIT_UNKNOWN;
	}
	run.out.store = run.store;
	if (!o.dry_run && (run.out.r = cli_dns_open(&o.dns, prog)) == NULL) {
		mxg_store_close(run.store);
		return CLI_EXIT_UNKNOWN;
	}
	int rc = run_all(&run);
	printf("%u report(s), %u mail(s) sent%s\n", run.reports, run.out.sent,
	       o.dry_run ? " (dry run: nothing sent or marked)" : "");
	mxg_resolver_free(run.out.r);
	mxg_store_close(run.store);
	if (rc != 0)
		return CLI_EXIT_UNKNOWN;
	return run.out.problems > 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
