/* The report store's received aggregate reports: one report with its records stored in one
 * transaction, de-duplicated by reporting organisation and report id, and read back per
 * domain for summaries. */
#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"
#include "report_store_internal.h"

#define RR_REPORT_COLS "org_name, email, report_id, domain, begin_time, end_time, p, sp, np, " \
	"adkim_strict, aspf_strict, pct, received"
#define RR_REPORT_NCOLS 13
#define RR_RECORD_COLS "source_ip, count, disposition, dkim_eval, spf_eval, override, " \
	"header_from, env_from, dkim, spf_domain, spf_result, spf_scope"
#define RR_RECORD_NCOLS 12
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
	char n[6][24];
	const char *p[RR_REPORT_NCOLS] = {
		r->org_name, r->email, r->report_id, r->domain, num(n[0], r->begin),
		num(n[1], r->end), r->p, r->sp, r->np, num(n[2], r->adkim_strict != 0),
		num(n[3], r->aspf_strict != 0), num(n[4], r->pct), num(n[5], r->received),
	};
	*id = 0;
	int rc = s->ops->exec(s, "INSERT INTO rr_report (" RR_REPORT_COLS ") VALUES ($1, $2, $3, "
			      "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
			      "ON CONFLICT DO NOTHING RETURNING id",
			      p, RR_REPORT_NCOLS, id_row, id, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

static int insert_record(struct mxg_store *s, long long id, const struct mxg_store_rr_record *r,
			 char *err, size_t errlen)
{
	static char dkim[RR_DKIM_MAX];
	if (mxg_store_dkim_format(r->dkim, r->dkim_count, dkim, sizeof(dkim)) < 0)
		return mxg_fail(err, errlen, "report store: DKIM results of a record do not fit");
	char n[2][24];
	const char *p[RR_RECORD_NCOLS + 1] = {
		num(n[0], id), r->source_ip, num(n[1], (long long)r->count), r->disposition,
		r->dkim_eval, r->spf_eval, r->override, r->header_from, r->env_from, dkim,
		r->spf_domain, r->spf_result, r->spf_scope,
	};
	return s->ops->exec(s, "INSERT INTO rr_record (report, " RR_RECORD_COLS ") VALUES ($1, "
			    "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
			    p, RR_RECORD_NCOLS + 1, NULL, NULL, err, errlen);
}

struct rr_batch {
	const struct mxg_store_rr_report *rep;
	const struct mxg_store_rr_record *recs;
	size_t n;
};

static int insert_all(struct mxg_store *s, void *arg, char *err, size_t errlen)
{
	const struct rr_batch *b = arg;
	const struct mxg_store_rr_report *rep = b->rep;
	const struct mxg_store_rr_record *recs = b->recs;
	size_t n = b->n;
	long long id;
	int rc = insert_report(s, rep, &id, err, errlen);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (insert_record(s, id, &recs[i], err, errlen) != 0)
			return -1;
	}
	return 0;
}

int mxg_store_rr_insert(struct mxg_store *s, const struct mxg_store_rr_report *rep,
			const struct mxg_store_rr_record *recs, size_t n, char *err, size_t errlen)
{
	struct rr_batch b = { rep, recs, n };
	return store_in_tx(s, insert_all, &b, err, errlen);
}

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
}

struct rr_walk {
	mxg_store_rr_fn fn;
	void *arg;
};

static int rr_row(void *arg, const char *const *cols, size_t ncols)
{
	struct rr_walk *w = arg;
	if (ncols < RR_REPORT_NCOLS + RR_RECORD_NCOLS)
		return 0;
	static struct mxg_store_rr_report rep;
	static struct mxg_store_rr_record rec;
	report_from_cols(cols, &rep);
	record_from_cols(cols + RR_REPORT_NCOLS, &rec);
	return w->fn(w->arg, &rep, &rec);
}

int mxg_store_rr_records(struct mxg_store *s, const char *domain, int64_t since,
			 mxg_store_rr_fn fn, void *arg, char *err, size_t errlen)
{
	char t[24];
	const char *p[] = { domain, num(t, since) };
	struct rr_walk w = { fn, arg };
	return s->ops->exec(s, "SELECT " RR_REPORT_COLS ", " RR_RECORD_COLS " FROM rr_report "
			    "JOIN rr_record ON rr_record.report = rr_report.id "
			    "WHERE domain = $1 AND end_time >= $2 ORDER BY begin_time, rr_report.id",
			    p, 2, rr_row, &w, err, errlen);
}
