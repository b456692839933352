/* mxguard report import: reads received aggregate reports (files, the files of a directory, or
 * standard input), validates each and stores it in the report store; a report already stored
 * (same organisation and report id) is skipped. One bad file never stops the others. */
#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "mxguard/report_read.h"
#include "mxguard/report_store.h"
#include "mxguard/str.h"

/* Files taken from one directory (sorted by name); more is refused, not cut silently. */
#define IMPORT_DIR_FILES_MAX 100000

static const char prog[] = "mxguard report import";

void cli_report_import_usage(FILE *out)
{
	fprintf(out,
		"usage: mxguard report import [--store STORE | --config FILE] FILE|DIR|- ...\n"
		"Stores received DMARC aggregate reports: mail messages as receivers send them, or\n"
		"bare .xml, .xml.gz or .zip files; a directory's regular files are read in name\n"
		"order; \"-\" reads standard input. A report already stored (same organisation and\n"
		"report id) is skipped.\n\n"
		"  --store STORE        sqlite:PATH or postgresql://... (default: report_store of\n"
		"                       the milter configuration)\n"
		"  --config FILE        mxguard-milter's configuration (default /etc/mxguard/milter.conf)\n"
		"  --help               this text\n"
		"\nExit status: 0 every file stored or a duplicate, 2 some file refused or not\n"
		"stored (each is named with its reason), 3 usage error or the store cannot open.\n");
}

struct import_counts {
	unsigned long stored, duplicates, refused;
};

static void copy_policy(const struct mxg_report *r, struct mxg_store_rr_report *out)
{
	memset(out, 0, sizeof(*out));
	mxg_strlcpy(out->org_name, r->org_name, sizeof(out->org_name));
	mxg_strlcpy(out->email, r->email, sizeof(out->email));
	mxg_strlcpy(out->report_id, r->report_id, sizeof(out->report_id));
	mxg_strlcpy(out->domain, r->policy.domain, sizeof(out->domain));
	out->begin = r->begin;
	out->end = r->end;
	mxg_strlcpy(out->p, r->policy.p, sizeof(out->p));
	mxg_strlcpy(out->sp, r->policy.sp, sizeof(out->sp));
	mxg_strlcpy(out->np, r->policy.np, sizeof(out->np));
	out->adkim_strict = strcmp(r->policy.adkim, "s") == 0;
	out->aspf_strict = strcmp(r->policy.aspf, "s") == 0;
	out->pct = r->policy.pct;
	out->received = (int64_t)time(NULL);
	mxg_strlcpy(out->fo, r->policy.fo, sizeof(out->fo));
	mxg_strlcpy(out->testing, r->policy.testing, sizeof(out->testing));
	mxg_strlcpy(out->discovery_method, r->policy.discovery_method,
		    sizeof(out->discovery_method));
	mxg_strlcpy(out->version, r->version, sizeof(out->version));
	out->dmarcbis = r->dmarcbis;
	mxg_strlcpy(out->extra_contact, r->extra_contact, sizeof(out->extra_contact));
}

/* The SPF result the version 1 columns keep: the MAIL FROM one when several are given. */
static const struct mxg_report_spf_auth *main_spf(const struct mxg_report_record *r)
{
	for (size_t i = 0; i < r->spf_count; i++)
		if (strcmp(r->spf[i].scope, "helo") != 0)
			return &r->spf[i];
	return r->spf_count > 0 ? &r->spf[0] : NULL;
}

_Static_assert(MXG_REPORT_AUTH_MAX <= MXG_STORE_DKIM_MAX && MXG_REPORT_AUTH_MAX <= MXG_STORE_RR_AUTH_MAX &&
		       MXG_REPORT_REASONS_MAX <= MXG_STORE_RR_AUTH_MAX &&
		       MXG_REPORT_COMMENT_MAX <= MXG_STORE_COMMENT_MAX,
	       "the store keeps every auth result and reason the parser keeps");

/* Every auth result and reason of the record (the parser keeps at most what the store does). */
static void copy_details(const struct mxg_report_record *r, struct mxg_store_rr_record *out)
{
	for (size_t i = 0; i < r->dkim_count && i < MXG_STORE_DKIM_MAX; i++) {
		struct mxg_store_dkim *d = &out->dkim[out->dkim_count];
		mxg_strlcpy(d->domain, r->dkim[i].domain, sizeof(d->domain));
		mxg_strlcpy(d->selector, r->dkim[i].selector, sizeof(d->selector));
		mxg_strlcpy(d->result, r->dkim[i].result, sizeof(d->result));
		mxg_strlcpy(out->dkim_human[out->dkim_count++], r->dkim[i].human_result,
			    sizeof(out->dkim_human[0]));
	}
	for (size_t i = 0; i < r->spf_count && i < MXG_STORE_RR_AUTH_MAX; i++) {
		struct mxg_store_spf *f = &out->spf[out->spf_count++];
		mxg_strlcpy(f->domain, r->spf[i].domain, sizeof(f->domain));
		mxg_strlcpy(f->scope, r->spf[i].scope, sizeof(f->scope));
		mxg_strlcpy(f->result, r->spf[i].result, sizeof(f->result));
	}
	for (size_t i = 0; i < r->reason_count && i < MXG_STORE_RR_AUTH_MAX; i++) {
		struct mxg_store_reason *w = &out->reasons[out->reason_count++];
		mxg_strlcpy(w->type, r->reasons[i].type, sizeof(w->type));
		mxg_strlcpy(w->comment, r->reasons[i].comment, sizeof(w->comment));
	}
}

static void copy_record(const struct mxg_report_record *r, struct mxg_store_rr_record *out)
{
	memset(out, 0, sizeof(*out));
	mxg_strlcpy(out->source_ip, r->source_ip, sizeof(out->source_ip));
	out->count = r->count;
	mxg_strlcpy(out->disposition, r->disposition, sizeof(out->disposition));
	mxg_strlcpy(out->dkim_eval, r->dkim_eval, sizeof(out->dkim_eval));
	mxg_strlcpy(out->spf_eval, r->spf_eval, sizeof(out->spf_eval));
	if (r->reason_count > 0)
		mxg_strlcpy(out->override, r->reasons[0].type, sizeof(out->override));
	mxg_strlcpy(out->header_from, r->header_from, sizeof(out->header_from));
	mxg_strlcpy(out->env_from, r->envelope_from, sizeof(out->env_from));
	mxg_strlcpy(out->env_to, r->envelope_to, sizeof(out->env_to));
	copy_details(r, out);
	const struct mxg_report_spf_auth *spf = main_spf(r);
	if (spf == NULL)
		return;
	mxg_strlcpy(out->spf_domain, spf->domain, sizeof(out->spf_domain));
	mxg_strlcpy(out->spf_result, spf->result, sizeof(out->spf_result));
	mxg_strlcpy(out->spf_scope, spf->scope[0] ? spf->scope : "mfrom", sizeof(out->spf_scope));
}

static void fill_record(void *arg, size_t i, struct mxg_store_rr_record *out)
{
	copy_record(&((const struct mxg_report *)arg)->records[i], out);
}

/* Stores one parsed report: 0 stored, 1 duplicate, -1 with the reason in err. */
static int store_report(struct mxg_store *st, const struct mxg_report *r, char *err, size_t errlen)
{
	struct mxg_store_rr_report rep;
	copy_policy(r, &rep);
	return mxg_store_rr_insert_each(st, &rep, r->record_count, fill_record, (void *)r, err,
					errlen);
}

static void import_file(struct mxg_store *st, const char *path, struct import_counts *n)
{
	struct mxg_report rep;
	char err[512];
	if (cli_report_read_file(path, &rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s: refused: %s\n", prog, path, err);
		n->refused++;
		return;
	}
	int rc = store_report(st, &rep, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s: %s: not stored: %s\n", prog, path, err);
		n->refused++;
	} else if (rc == 1) {
		printf("%s: duplicate: %s report %s is already stored\n", path, rep.org_name,
		       rep.report_id);
		n->duplicates++;
	} else {
		size_t skipped = 0;
		for (size_t i = 0; i < rep.record_count; i++)
			skipped += rep.records[i].skipped;
		printf("%s: stored: %s report %s for %s, %zu records, %" PRIu64 " messages", path,
		       rep.org_name, rep.report_id, rep.policy.domain, rep.record_count,
		       rep.message_total);
		if (skipped > 0)
			printf(" (%zu not kept: past %d auth results of a kind or %d reasons in a "
			       "record)", skipped, MXG_REPORT_AUTH_MAX, MXG_REPORT_REASONS_MAX);
		printf("\n");
		n->stored++;
	}
	mxg_report_free(&rep);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of dir (not hidden), sorted; NULL with a message on failure. */
static char **list_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "%s: %s: cannot read the directory\n", prog, dir);
		return NULL;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		struct stat sb;
		const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";
		if (snprintf(path, sizeof(path), "%s%s%s", dir, sep, e->d_name) >= (int)sizeof(path) ||
		    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == IMPORT_DIR_FILES_MAX) {
			fprintf(stderr, "%s: %s: more than %d files; import it in parts\n", prog, dir,
				IMPORT_DIR_FILES_MAX);
			goto fail;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL)
				goto fail;
			names = grown;
		}
		if ((names[n] = strdup(path)) == NULL)
			goto fail;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	*count = n;
	return names != NULL ? names : calloc(1, sizeof(*names));
fail:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return NULL;
}

static void import_arg(struct mxg_store *st, const char *arg, struct import_counts *n)
{
	struct stat sb;
	if (strcmp(arg, "-") == 0 || stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		import_file(st, arg, n);
		return;
	}
	size_t count = 0;
	char **names = list_dir(arg, &count);
	if (names == NULL) {
		n->refused++;
		return;
	}
	for (size_t i = 0; i < count; i++) {
		import_file(st, names[i], n);
		free(names[i]);
	}
	free(names);
}

int cli_report_import(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *spec = NULL, *config = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:c:h", longopts, NULL)) != -1) {
		if (c == 's') {
			spec = optarg;
		} else if (c == 'c') {
			config = optarg;
		} else if (c == 'h') {
			cli_report_import_usage(stdout);
			return CLI_EXIT_OK;
		} else {
			cli_bad_option(prog, c, argv[optind - 1]);
			return CLI_EXIT_UNKNOWN;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: give FILE, DIR or - (standard input)\n", prog);
		return CLI_EXIT_UNKNOWN;
	}
	struct mxg_store *st = cli_report_store_open(spec, config, prog);
	if (st == NULL)
		return CLI_EXIT_UNKNOWN;
	struct import_counts n = { 0 };
	for (int i = optind; i < argc; i++)
		import_arg(st, argv[i], &n);
	mxg_store_close(st);
	printf("%lu stored, %lu duplicates, %lu refused\n", n.stored, n.duplicates, n.refused);
	return n.refused > 0 ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}
