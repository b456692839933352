/* mxguard report send: for every policy domain with a rua and every complete day in the store
 * not yet reported, the RFC 7489 aggregate report, gzip'd and mailed through sendmail(8) to
 * each authorised rua address within its size limit. The day is marked reported before it goes
 * out (taken back if a delivery fails for now), so it never goes out twice. --dry-run --out DIR
 * writes the files instead and marks nothing. */
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
	struct mxg_resolver *r;
	struct mxg_dmarc_options dopt;
	unsigned reports, sent, problems;
};

void cli_report_send_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard report send [--store STORE] [--through UNIX|now] [--dry-run --out DIR]\n"
		"Builds the DMARC aggregate report (RFC 7489) of every domain with a rua for every\n"
		"UTC day recorded and not yet reported, and mails it to each authorised rua address.\n\n"
		"  --store STORE        sqlite:PATH or postgresql://... (default: report_store of\n"
		"                       the milter configuration)\n"
		"  --config FILE        mxguard-milter's configuration (default %s)\n"
		"  --through UNIX|now   report the days ending by then (default: the last complete\n"
		"                       day); now includes the day in progress\n"
		"  --dry-run            send nothing, mark nothing\n"
		"  --out DIR            with --dry-run, write the .xml.gz files into DIR\n"
		"  --org-name NAME      <org_name> (default: report_org_name, else the host's domain)\n"
		"  --email ADDR         <email> and sender (default: report_email, else\n"
		"                       noreply-dmarc@ the host's domain)\n"
		"  --receiver DOMAIN    the receiving domain in file names (default: the email's)\n"
		"  --sendmail PATH      the sendmail(8) to mail through (default %s)\n",
		CLI_REPORT_DEFAULT_CONFIG, CLI_REPORT_SENDMAIL);
	cli_dns_usage(out);
	fprintf(out, "\nExit status: 0 done, 2 a report could not be delivered (it is tried again on\n"
		     "the next run), 3 the store or the options failed.\n");
}

enum { O_STORE = 1000, O_CONFIG, O_THROUGH, O_DRY, O_OUT, O_ORG, O_EMAIL, O_RECEIVER, O_SENDMAIL };

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

/* --through: the end of the last interval to report. */
static int through_time(const char *arg, int64_t *out)
{
	int64_t now = (int64_t)time(NULL);
	int64_t day = now / CLI_REPORT_INTERVAL * CLI_REPORT_INTERVAL;
	if (arg == NULL) {
		*out = day;
		return 0;
	}
	if (strcmp(arg, "now") == 0) {
		*out = day + CLI_REPORT_INTERVAL;
		return 0;
	}
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (end == arg || *end != '\0' || v <= 0) {
		fprintf(stderr, "%s: --through %s is not a Unix time or now\n", prog, arg);
		return -1;
	}
	*out = v;
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

/* One destination: 0 sent, 1 refused for good (invalid, unauthorised, too large), -1 failed
 * for now (DNS or sendmail trouble: the interval stays unreported). */
static int deliver_one(struct run *run, const struct mxg_report_meta *m, const char *domain,
		       const char *uri, const char *name, const uint8_t *gz, size_t gzlen)
{
	struct mxg_dmarc_mailto to;
	char why[600], *mail = NULL;
	size_t mlen = 0;
	if (mxg_dmarc_mailto_parse(uri, &to) != 0) {
		printf("  %s: skipped: not a usable mailto: URI\n", uri);
		return 1;
	}
	enum mxg_dmarc_dest d = mxg_dmarc_report_destination(run->r, &run->dopt, domain, NULL,
							     to.host, why, sizeof(why));
	if (d != MXG_DMARC_DEST_OK) {
		printf("  %s: %s: %s\n", to.address, d == MXG_DMARC_DEST_TEMPFAIL ? "deferred"
			: "skipped, not authorised (RFC 7489 7.1)", why);
		return d == MXG_DMARC_DEST_TEMPFAIL ? -1 : 1;
	}
	if (mxg_report_mail(m, domain, to.address, name, gz, gzlen, &mail, &mlen, why,
			    sizeof(why)) != 0) {
		printf("  %s: failed: %s\n", to.address, why);
		return -1;
	}
	int rc = 0;
	if (to.max_size > 0 && mlen > to.max_size) {
		printf("  %s: skipped: the report mail is %zu bytes, over its limit of %llu\n",
		       to.address, mlen, (unsigned long long)to.max_size);
		rc = 1;
	} else if (cli_report_sendmail(run->o->sendmail, m->email, to.address, mail, mlen, why,
				       sizeof(why)) != 0) {
		printf("  %s: failed: %s\n", to.address, why);
		rc = -1;
	} else {
		printf("  %s: sent (%zu bytes)\n", to.address, mlen);
		run->sent++;
	}
	free(mail);
	return rc;
}

/* Every rua of the domain; 0 when none failed for now. */
static int deliver(struct run *run, const struct mxg_report_meta *m,
		   const struct mxg_store_eval *latest, const char *name, const uint8_t *gz,
		   size_t gzlen)
{
	char list[MXG_STORE_RUA_MAX];
	int failed = 0;
	mxg_strlcpy(list, latest->rua, sizeof(list));
	char *save = NULL;
	for (char *uri = strtok_r(list, ",", &save); uri != NULL; uri = strtok_r(NULL, ",", &save))
		failed |= deliver_one(run, m, latest->policy_domain, mxg_str_trim(uri), name, gz,
				      gzlen) < 0;
	return failed ? -1 : 0;
}

/* Marks the day reported first, so that two runs on one store cannot both send it, then
 * delivers; a delivery that failed for now takes the mark back for the next run. */
static void claim_and_deliver(struct run *run, const struct mxg_report_meta *m,
			      const struct mxg_store_eval *latest, const char *name,
			      const uint8_t *gz, size_t gzlen)
{
	char err[512];
	const char *domain = latest->policy_domain;
	int claim = mxg_store_mark_reported(run->store, domain, m->begin, m->end, m->report_id, err,
					    sizeof(err));
	if (claim != 0) {
		if (claim < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		else
			printf("  already reported by another run\n");
		run->problems += claim < 0;
		return;
	}
	if (deliver(run, m, latest, name, gz, gzlen) == 0)
		return;
	run->problems++;
	if (mxg_store_unmark_reported(run->store, domain, m->begin, err, sizeof(err)) != 0)
		fprintf(stderr, "%s: %s: the day stays marked, it will not be tried again: %s\n",
			prog, domain, err);
}

static void report_one(struct run *run, int64_t begin, const struct mxg_store_eval *latest)
{
	const struct send_opts *o = run->o;
	char err[512], name[1024];
	struct mxg_report_meta m = { .begin = begin, .end = begin + CLI_REPORT_INTERVAL };
	mxg_strlcpy(m.org_name, o->set.org_name, sizeof(m.org_name));
	mxg_strlcpy(m.email, o->set.email, sizeof(m.email));
	mxg_strlcpy(m.receiver, o->set.receiver, sizeof(m.receiver));
	report_id(latest->policy_domain, begin, m.report_id, sizeof(m.report_id));
	int done = mxg_store_is_reported(run->store, latest->policy_domain, begin, err, sizeof(err));
	if (done != 0) {
		if (done < 0)
			fprintf(stderr, "%s: %s\n", prog, err);
		run->problems += done < 0;
		return;
	}
	uint8_t *gz = NULL;
	size_t gzlen = 0;
	if (build_report(run, &m, latest, name, sizeof(name), &gz, &gzlen) != 0) {
		run->problems++;
		return;
	}
	run->reports++;
	printf("%s: report %s (%zu bytes gzip'd)\n", latest->policy_domain, name, gzlen);
	if (o->dry_run) {
		if (o->out_dir != NULL && write_file(o->out_dir, name, gz, gzlen) != 0)
			run->problems++;
	} else {
		claim_and_deliver(run, &m, latest, name, gz, gzlen);
	}
	free(gz);
}

struct domains {
	struct mxg_store_eval *items;
	size_t count;
};

static int collect(void *arg, const struct mxg_store_domain *d)
{
	struct domains *ds = arg;
	if (ds->count == CLI_REPORT_DOMAINS_MAX)
		return -3;
	ds->items[ds->count++] = d->latest;
	return 0;
}

static int report_interval(struct run *run, int64_t begin, struct domains *ds)
{
	char err[512];
	ds->count = 0;
	int rc = mxg_store_domains(run->store, begin, begin + CLI_REPORT_INTERVAL, collect, ds, err,
				   sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog, rc == -3 ? "more reporting domains in one day than "
			"this run handles" : err);
		return -1;
	}
	for (size_t i = 0; i < ds->count; i++)
		report_one(run, begin, &ds->items[i]);
	return 0;
}

static int run_all(struct run *run, int64_t through)
{
	char err[512];
	int64_t first;
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
	int64_t begin = first / CLI_REPORT_INTERVAL * CLI_REPORT_INTERVAL;
	for (int n = 0; n < CLI_REPORT_INTERVALS_MAX && begin + CLI_REPORT_INTERVAL <= through; n++) {
		if (report_interval(run, begin, &ds) != 0) {
			rc = -1;
			break;
		}
		begin += CLI_REPORT_INTERVAL;
	}
	free(ds.items);
	return rc;
}

int cli_report_send(int argc, char **argv)
{
	struct send_opts o = { .config = CLI_REPORT_DEFAULT_CONFIG, .sendmail = CLI_REPORT_SENDMAIL };
	int64_t through;
	char err[512];
	int a = parse_args(argc, argv, &o);
	if (a <= 0)
		return a == 0 ? CLI_EXIT_OK : CLI_EXIT_UNKNOWN;
	if (through_time(o.through, &through) != 0 ||
	    cli_report_settings(&o.set, o.config, o.config_given, prog) != 0)
		return CLI_EXIT_UNKNOWN;
	cli_report_defaults(&o.set);
	if (o.set.store[0] == '\0') {
		fprintf(stderr, "%s: no store: give --store or set report_store in %s\n", prog, o.config);
		return CLI_EXIT_UNKNOWN;
	}
	struct run run = { .o = &o };
	run.store = mxg_store_open(o.set.store, err, sizeof(err));
	if (run.store == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return CLI_EXIT_UNKNOWN;
	}
	if (!o.dry_run && (run.r = cli_dns_open(&o.dns, prog)) == NULL) {
		mxg_store_close(run.store);
		return CLI_EXIT_UNKNOWN;
	}
	int rc = run_all(&run, through);
	printf("%u report(s), %u mail(s) sent%s\n", run.reports, run.sent,
	       o.dry_run ? " (dry run: nothing sent or marked)" : "");
	mxg_resolver_free(run.r);
	mxg_store_close(run.store);
	if (rc != 0)
		return CLI_EXIT_UNKNOWN;
	return run.problems > 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
