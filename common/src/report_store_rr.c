/* The report store's received aggregate reports: one report with its records, and every auth
 * result and reason of each record, stored in one transaction, de-duplicated by reporting
 * organisation and report id, and read back per domain (and its subdomains) for summaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"
#include "report_store_internal.h"

#define RR_REPORT_COLS "org_name, email, report_id, domain, begin_time, end_time, p, sp, np, " \
	"adkim_strict, aspf_strict, pct, received, fo, testing, discovery_method, version, " \
	"dmarcbis, extra_contact"
#define RR_REPORT_NCOLS 19
#define RR_RECORD_COLS "source_ip, count, disposition, dkim_eval, spf_eval, override, " \
	"header_from, env_from, dkim, spf_domain, spf_result, spf_scope, env_to"
#define RR_RECORD_NCOLS 13
#define RR_DKIM_MAX (MXG_STORE_DKIM_MAX * (MXG_DNS_NAME_MAX + MXG_STORE_SELECTOR_MAX + 20))

static const char *num(char *buf, long long v)
{
	snprintf(buf, 24, "%lld", v);
	return buf;
}

static int id_row(void *arg, const char *const *cols, size_t ncols)
{
	long long *id = arg;
	if (ncols < 1 || cols[0] == NULL)
		return 0;
	*id = store_col_ll(cols[0]);
	return 1;
}

static int insert_report(struct mxg_store *s, const struct mxg_store_rr_report *r, long long *id,
			 char *err, size_t errlen)
{
	char n[7][24];
	const char *p[RR_REPORT_NCOLS] = {
		r->org_name, r->email, r->report_id, r->domain, num(n[0], r->begin),
		num(n[1], r->end), r->p, r->sp, r->np, num(n[2], r->adkim_strict != 0),
		num(n[3], r->aspf_strict != 0), num(n[4], r->pct), num(n[5], r->received),
		r->fo, r->testing, r->discovery_method, r->version, num(n[6], r->dmarcbis != 0),
		r->extra_contact,
	};
	*id = 0;
	int rc = s->ops->exec(s, "INSERT INTO rr_report (" RR_REPORT_COLS ") VALUES ($1, $2, $3, "
			      "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, "
			      "$19) ON CONFLICT DO NOTHING RETURNING id",
			      p, RR_REPORT_NCOLS, id_row, id, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

/* One rr_auth row: method "spf" (b: scope) or "dkim" (b: selector). */
static int insert_auth(struct mxg_store *s, const char *key[2], const char *method, size_t n,
		       const char *domain, const char *sel, const char *scope, const char *result,
		       const char *human, char *err, size_t errlen)
{
	char nn[24];
	const char *p[] = { key[0], key[1], method, num(nn, (long long)n), domain, sel, scope,
			    result, human };
	return s->ops->exec(s, "INSERT INTO rr_auth (report, seq, method, n, domain, selector, "
			    "scope, result, human_result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
			    "$9)", p, 9, NULL, NULL, err, errlen);
}

/* The record's auth results and reasons, keyed by report id and seq. */
static int insert_details(struct mxg_store *s, const char *key[2],
			  const struct mxg_store_rr_record *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->dkim_count && i < MXG_STORE_DKIM_MAX; i++) {
		const struct mxg_store_dkim *d = &r->dkim[i];
		if (insert_auth(s, key, "dkim", i, d->domain, d->selector, "", d->result,
				r->dkim_human[i], err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < r->spf_count && i < MXG_STORE_RR_AUTH_MAX; i++) {
		const struct mxg_store_spf *f = &r->spf[i];
		if (insert_auth(s, key, "spf", i, f->domain, "", f->scope, f->result, "", err,
				errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < r->reason_count && i < MXG_STORE_RR_AUTH_MAX; i++) {
		char nn[24];
		const char *p[] = { key[0], key[1], num(nn, (long long)i), r->reasons[i].type,
				    r->reasons[i].comment };
		if (s->ops->exec(s, "INSERT INTO rr_reason (report, seq, n, type, comment) VALUES "
				 "($1, $2, $3, $4, $5)", p, 5, NULL, NULL, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int insert_record(struct mxg_store *s, long long id, size_t seq,
			 const struct mxg_store_rr_record *r, char *err, size_t errlen)
{
	static char dkim[RR_DKIM_MAX];
	if (mxg_store_dkim_format(r->dkim, r->dkim_count, dkim, sizeof(dkim)) < 0)
		return mxg_fail(err, errlen, "report store: DKIM results of a record do not fit");
	char n[3][24];
	const char *key[2] = { num(n[0], id), num(n[2], (long long)seq) };
	const char *p[RR_RECORD_NCOLS + 2] = {
		key[0], key[1], r->source_ip, num(n[1], (long long)r->count), r->disposition,
		r->dkim_eval, r->spf_eval, r->override, r->header_from, r->env_from, dkim,
		r->spf_domain, r->spf_result, r->spf_scope, r->env_to,
	};
	if (s->ops->exec(s, "INSERT INTO rr_record (report, seq, " RR_RECORD_COLS ") VALUES ($1, "
			 "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
			 p, RR_RECORD_NCOLS + 2, NULL, NULL, err, errlen) != 0)
		return -1;
	return insert_details(s, key, r, err, errlen);
}

struct rr_batch {
	const struct mxg_store_rr_report *rep;
	size_t n;
	mxg_store_rr_fill_fn fill;
	void *arg;
	struct mxg_store_rr_record *one;  /* the record being stored */
};

static int insert_all(struct mxg_store *s, void *arg, char *err, size_t errlen)
{
	const struct rr_batch *b = arg;
	long long id;
	int rc = insert_report(s, b->rep, &id, err, errlen);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < b->n; i++) {
		b->fill(b->arg, i, b->one);
		/* seq starts at 1: 0 marks a record stored before schema version 2. */
		if (insert_record(s, id, i + 1, b->one, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int mxg_store_rr_insert_each(struct mxg_store *s, const struct mxg_store_rr_report *rep,
			     size_t n, mxg_store_rr_fill_fn fill, void *arg, char *err,
			     size_t errlen)
{
	struct rr_batch b = { rep, n, fill, arg, malloc(sizeof(*b.one)) };
	if (b.one == NULL)
		return mxg_fail(err, errlen, "report store: out of memory");
	int rc = store_in_tx(s, insert_all, &b, err, errlen);
	free(b.one);
	return rc;
}

static void from_array(void *arg, size_t i, struct mxg_store_rr_record *out)
{
	*out = ((const struct mxg_store_rr_record *)arg)[i];
}

int mxg_store_rr_insert(struct mxg_store *s, const struct mxg_store_rr_report *rep,
			const struct mxg_store_rr_record *recs, size_t n, char *err, size_t errlen)
{
	return mxg_store_rr_insert_each(s, rep, n, from_array, (void *)recs, err, errlen);
}

int store_rr_prune(struct mxg_store *s, const char *cut, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"DELETE FROM rr_auth WHERE report IN (SELECT id FROM rr_report WHERE end_time < $1)",
		"DELETE FROM rr_reason WHERE report IN (SELECT id FROM rr_report WHERE end_time < $1)",
		"DELETE FROM rr_record WHERE report IN (SELECT id FROM rr_report WHERE end_time < $1)",
		"DELETE FROM rr_report WHERE end_time < $1",
	};
	const char *p[] = { cut };
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (s->ops->exec(s, sql[i], p, 1, NULL, NULL, err, errlen) != 0)
			return -1;
	return 0;
}

/* --- reading back --- */

#define COPY(dst, col) mxg_strlcpy(dst, (col) != NULL ? (col) : "", sizeof(dst))

static void report_from_cols(const char *const *c, struct mxg_store_rr_report *r)
{
	memset(r, 0, sizeof(*r));
	COPY(r->org_name, c[0]); COPY(r->email, c[1]); COPY(r->report_id, c[2]);
	COPY(r->domain, c[3]);
	r->begin = store_col_ll(c[4]);
	r->end = store_col_ll(c[5]);
	COPY(r->p, c[6]); COPY(r->sp, c[7]); COPY(r->np, c[8]);
	r->adkim_strict = (int)store_col_ll(c[9]);
	r->aspf_strict = (int)store_col_ll(c[10]);
	r->pct = (int)store_col_ll(c[11]);
	r->received = store_col_ll(c[12]);
	COPY(r->fo, c[13]); COPY(r->testing, c[14]); COPY(r->discovery_method, c[15]);
	COPY(r->version, c[16]);
	r->dmarcbis = (int)store_col_ll(c[17]);
	COPY(r->extra_contact, c[18]);
}

static void record_from_cols(const char *const *c, struct mxg_store_rr_record *r)
{
	memset(r, 0, sizeof(*r));
	COPY(r->source_ip, c[0]);
	r->count = (uint64_t)store_col_ll(c[1]);
	COPY(r->disposition, c[2]); COPY(r->dkim_eval, c[3]); COPY(r->spf_eval, c[4]);
	COPY(r->override, c[5]); COPY(r->header_from, c[6]); COPY(r->env_from, c[7]);
	mxg_store_dkim_parse(c[8] != NULL ? c[8] : "", r->dkim, MXG_STORE_DKIM_MAX, &r->dkim_count);
	COPY(r->spf_domain, c[9]); COPY(r->spf_result, c[10]); COPY(r->spf_scope, c[11]);
	COPY(r->env_to, c[12]);
}

/* A record stored under schema version 1: its one SPF result and first reason type. */
static void legacy_details(struct mxg_store_rr_record *r)
{
	if (r->spf_result[0] != '\0') {
		mxg_strlcpy(r->spf[0].domain, r->spf_domain, sizeof(r->spf[0].domain));
		mxg_strlcpy(r->spf[0].scope, r->spf_scope, sizeof(r->spf[0].scope));
		mxg_strlcpy(r->spf[0].result, r->spf_result, sizeof(r->spf[0].result));
		r->spf_count = 1;
	}
	if (r->override[0] != '\0') {
		mxg_strlcpy(r->reasons[0].type, r->override, sizeof(r->reasons[0].type));
		r->reason_count = 1;
	}
}

/* One detail row: kind ("dkim", "spf", "reason"), n, then three or four texts. */
static int detail_row(void *arg, const char *const *c, size_t ncols)
{
	struct mxg_store_rr_record *r = arg;
	if (ncols < 7 || c[0] == NULL)
		return 0;
	long long n = store_col_ll(c[1]);
	if (strcmp(c[0], "reason") == 0 && n >= 0 && n < MXG_STORE_RR_AUTH_MAX) {
		COPY(r->reasons[n].type, c[2]); COPY(r->reasons[n].comment, c[3]);
		if ((size_t)n >= r->reason_count)
			r->reason_count = (size_t)n + 1;
	} else if (strcmp(c[0], "spf") == 0 && n >= 0 && n < MXG_STORE_RR_AUTH_MAX) {
		COPY(r->spf[n].domain, c[2]); COPY(r->spf[n].scope, c[4]); COPY(r->spf[n].result, c[5]);
		if ((size_t)n >= r->spf_count)
			r->spf_count = (size_t)n + 1;
	} else if (strcmp(c[0], "dkim") == 0 && n >= 0 && n < MXG_STORE_DKIM_MAX) {
		COPY(r->dkim[n].domain, c[2]); COPY(r->dkim[n].selector, c[3]);
		COPY(r->dkim[n].result, c[5]); COPY(r->dkim_human[n], c[6]);
		if ((size_t)n >= r->dkim_count)
			r->dkim_count = (size_t)n + 1;
	}
	return 0;
}

static int load_details(struct mxg_store *s, const char *id, const char *seq,
			struct mxg_store_rr_record *r, char *err, size_t errlen)
{
	if (strcmp(seq, "0") == 0) {
		legacy_details(r);
		return 0;
	}
	r->dkim_count = 0;
	const char *p[] = { id, seq };
	return s->ops->exec(s, "SELECT method, n, domain, selector, scope, result, human_result "
			    "FROM rr_auth WHERE report = $1 AND seq = $2 UNION ALL "
			    "SELECT 'reason', n, type, comment, '', '', '' FROM rr_reason "
			    "WHERE report = $1 AND seq = $2", p, 2, detail_row, r, err, errlen);
}

struct rr_walk {
	struct mxg_store *s;
	const char *domain;
	int subdomains;
	mxg_store_rr_fn fn;
	void *arg;
	char *err;
	size_t errlen;
	int failed;
};

/* The row belongs to the summary: its report's domain, or its From domain, is the domain (or
 * under it). The SQL only narrowed the rows to names ending in the domain. */
static int wanted(const struct rr_walk *w, const struct mxg_store_rr_report *rep,
		  const struct mxg_store_rr_record *rec)
{
	if (!w->subdomains)
		return 1;
	return mxg_dns_name_is_sub(rep->domain, w->domain) ||
	       mxg_dns_name_is_sub(rec->header_from, w->domain);
}

static int rr_row(void *arg, const char *const *cols, size_t ncols)
{
	struct rr_walk *w = arg;
	if (ncols < RR_REPORT_NCOLS + RR_RECORD_NCOLS + 2)
		return 0;
	static struct mxg_store_rr_report rep;
	static struct mxg_store_rr_record rec;
	report_from_cols(cols, &rep);
	record_from_cols(cols + RR_REPORT_NCOLS, &rec);
	if (!wanted(w, &rep, &rec))
		return 0;
	const char *id = cols[RR_REPORT_NCOLS + RR_RECORD_NCOLS];
	const char *seq = cols[RR_REPORT_NCOLS + RR_RECORD_NCOLS + 1];
	if (load_details(w->s, id != NULL ? id : "0", seq != NULL ? seq : "0", &rec, w->err,
			 w->errlen) != 0) {
		w->failed = 1;
		return -1;
	}
	return w->fn(w->arg, &rep, &rec);
}

/* "%domain" for LIKE, with LIKE's own characters escaped: every name ending in domain. */
static void like_suffix(const char *domain, char *out, size_t size)
{
	size_t o = 0;
	out[o++] = '%';
	for (const char *c = domain; *c != '\0' && o + 3 < size; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			out[o++] = '\\';
		out[o++] = *c;
	}
	out[o] = '\0';
}

#define RR_SELECT "SELECT " RR_REPORT_COLS ", " RR_RECORD_COLS ", rr_report.id, rr_record.seq " \
	"FROM rr_report JOIN rr_record ON rr_record.report = rr_report.id "

int mxg_store_rr_records(struct mxg_store *s, const char *domain, int subdomains, int64_t since,
			 mxg_store_rr_fn fn, void *arg, char *err, size_t errlen)
{
	char t[24], lower[MXG_DNS_NAME_MAX], like[2 * MXG_DNS_NAME_MAX + 2];
	mxg_strlcpy(lower, domain, sizeof(lower));
	mxg_str_lower(lower);
	like_suffix(lower, like, sizeof(like));
	/* $1 the domain (or the LIKE pattern), $2 since: PostgreSQL refuses unused parameters. */
	const char *p[] = { subdomains ? like : domain, num(t, since) };
	struct rr_walk w = { s, lower, subdomains, fn, arg, err, errlen, 0 };
	const char *sql = subdomains
		? RR_SELECT "WHERE end_time >= $2 AND (lower(domain) LIKE $1 ESCAPE '\\' OR "
		  "lower(header_from) LIKE $1 ESCAPE '\\') ORDER BY begin_time, rr_report.id, seq"
		: RR_SELECT "WHERE domain = $1 AND end_time >= $2 ORDER BY begin_time, rr_report.id, "
		  "seq";
	int rc = s->ops->exec(s, sql, p, 2, rr_row, &w, err, errlen);
	return w.failed ? -1 : rc;
}
