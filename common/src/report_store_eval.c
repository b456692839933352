/* The report store's evaluations: batched inserts from the milter (or `mxguard dmarc
 * --record`) and the two queries aggregate reports are built from (which domains, which
 * groups of rows). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"
#include "report_store_internal.h"

/* Every column of an evaluation, in the order of eval_params and eval_from_cols. */
#define EVAL_COLS "eval_time, source_ip, env_from, header_from, policy_domain, spf_result, " \
	"spf_domain, spf_scope, dkim, dmarc_result, spf_aligned, dkim_aligned, p, sp, np, " \
	"adkim_strict, aspf_strict, pct, testing, rua, disposition, override, override_comment, " \
	"envelope_to, ri, discovery"
#define EVAL_NCOLS 26
#define DKIM_TEXT_MAX (MXG_STORE_DKIM_MAX * (MXG_DNS_NAME_MAX + MXG_STORE_SELECTOR_MAX + 20))

struct eval_text {
	char num[8][24];
	char dkim[DKIM_TEXT_MAX];
	const char *p[EVAL_NCOLS];
};

static const char *num(char *buf, long long v)
{
	snprintf(buf, 24, "%lld", v);
	return buf;
}

static int eval_params(const struct mxg_store_eval *e, struct eval_text *t)
{
	if (mxg_store_dkim_format(e->dkim, e->dkim_count, t->dkim, sizeof(t->dkim)) < 0)
		return -1;
	const char *p[EVAL_NCOLS] = {
		num(t->num[0], e->time), e->source_ip, e->env_from, e->header_from,
		e->policy_domain, e->spf_result, e->spf_domain, e->spf_scope, t->dkim,
		e->dmarc_result, num(t->num[1], e->spf_aligned != 0),
		num(t->num[2], e->dkim_aligned != 0), e->p, e->sp, e->np,
		num(t->num[3], e->adkim_strict != 0), num(t->num[4], e->aspf_strict != 0),
		num(t->num[5], e->pct), num(t->num[6], e->testing != 0), e->rua, e->disposition,
		e->override, e->override_comment, e->envelope_to, num(t->num[7], e->ri),
		e->discovery,
	};
	memcpy(t->p, p, sizeof(p));
	return 0;
}

static void col_copy(char *dst, size_t size, const char *col)
{
	mxg_strlcpy(dst, col != NULL ? col : "", size);
}

#define COPY(field, i) col_copy(e->field, sizeof(e->field), c[i])

static void eval_from_cols(const char *const *c, struct mxg_store_eval *e)
{
	memset(e, 0, sizeof(*e));
	e->time = store_col_ll(c[0]);
	COPY(source_ip, 1); COPY(env_from, 2); COPY(header_from, 3); COPY(policy_domain, 4);
	COPY(spf_result, 5); COPY(spf_domain, 6); COPY(spf_scope, 7);
	mxg_store_dkim_parse(c[8] != NULL ? c[8] : "", e->dkim, MXG_STORE_DKIM_MAX, &e->dkim_count);
	COPY(dmarc_result, 9);
	e->spf_aligned = (int)store_col_ll(c[10]);
	e->dkim_aligned = (int)store_col_ll(c[11]);
	COPY(p, 12); COPY(sp, 13); COPY(np, 14);
	e->adkim_strict = (int)store_col_ll(c[15]);
	e->aspf_strict = (int)store_col_ll(c[16]);
	e->pct = (int)store_col_ll(c[17]);
	e->testing = (int)store_col_ll(c[18]);
	COPY(rua, 19); COPY(disposition, 20); COPY(override, 21); COPY(override_comment, 22);
	COPY(envelope_to, 23);
	e->ri = store_col_ll(c[24]);
	COPY(discovery, 25);
}

struct batch {
	const struct mxg_store_eval *rows;
	size_t n;
};

static int insert_rows(struct mxg_store *s, void *arg, char *err, size_t errlen)
{
	const struct batch *b = arg;
	const struct mxg_store_eval *rows = b->rows;
	size_t n = b->n;
	static const char sql[] = "INSERT INTO evaluations (" EVAL_COLS ") VALUES ($1, $2, $3, "
		"$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "
		"$21, $22, $23, $24, $25, $26)";
	static struct eval_text t; /* large; callers are one thread per store handle */
	for (size_t i = 0; i < n; i++) {
		if (eval_params(&rows[i], &t) < 0)
			return mxg_fail(err, errlen, "report store: DKIM results of row %zu do not fit", i);
		if (s->ops->exec(s, sql, t.p, EVAL_NCOLS, NULL, NULL, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int mxg_store_insert(struct mxg_store *s, const struct mxg_store_eval *rows, size_t n,
		     char *err, size_t errlen)
{
	if (n > MXG_STORE_BATCH_MAX)
		return mxg_fail(err, errlen, "report store: batch of %zu rows is over %d", n,
				MXG_STORE_BATCH_MAX);
	if (n == 0)
		return 0;
	struct batch b = { rows, n };
	return store_in_tx(s, insert_rows, &b, err, errlen);
}

struct domain_walk {
	mxg_store_domain_fn fn;
	void *arg;
};

static int domain_row(void *arg, const char *const *cols, size_t ncols)
{
	struct domain_walk *w = arg;
	if (ncols < EVAL_NCOLS + 1)
		return 0;
	static struct mxg_store_domain d;
	eval_from_cols(cols, &d.latest);
	mxg_strlcpy(d.policy_domain, d.latest.policy_domain, sizeof(d.policy_domain));
	d.count = (uint64_t)store_col_ll(cols[EVAL_NCOLS]);
	return w->fn(w->arg, &d);
}

int mxg_store_domains(struct mxg_store *s, int64_t begin, int64_t end, mxg_store_domain_fn fn,
		      void *arg, char *err, size_t errlen)
{
	static const char sql[] = "SELECT " EVAL_COLS ", n FROM evaluations JOIN "
		"(SELECT MAX(id) AS last_id, COUNT(*) AS n FROM evaluations "
		"WHERE eval_time >= $1 AND eval_time < $2 GROUP BY policy_domain) c "
		"ON id = c.last_id WHERE rua <> '' ORDER BY policy_domain";
	char b[24], e[24];
	const char *p[] = { num(b, begin), num(e, end) };
	struct domain_walk w = { fn, arg };
	return s->ops->exec(s, sql, p, 2, domain_row, &w, err, errlen);
}

struct group_walk {
	mxg_store_group_fn fn;
	void *arg;
	size_t seen, limit;
};

static int group_row(void *arg, const char *const *cols, size_t ncols)
{
	struct group_walk *w = arg;
	if (ncols < EVAL_NCOLS + 1)
		return 0;
	if (++w->seen > w->limit)
		return -2;
	static struct mxg_store_group g;
	eval_from_cols(cols, &g.e);
	g.count = (uint64_t)store_col_ll(cols[EVAL_NCOLS]);
	return w->fn(w->arg, &g);
}

int mxg_store_groups(struct mxg_store *s, const char *policy_domain, int64_t begin, int64_t end,
		     size_t limit, mxg_store_group_fn fn, void *arg, char *err, size_t errlen)
{
	/* Grouped by what a <record> reports; the policy columns are the same within a domain
	 * and interval in practice, MAX picks one when the record changed. */
	static const char sql[] = "SELECT MIN(eval_time), source_ip, env_from, header_from, "
		"MAX(policy_domain), spf_result, spf_domain, spf_scope, dkim, dmarc_result, "
		"spf_aligned, dkim_aligned, MAX(p), MAX(sp), MAX(np), MAX(adkim_strict), "
		"MAX(aspf_strict), MAX(pct), MAX(testing), MAX(rua), disposition, override, "
		"override_comment, envelope_to, MAX(ri), MAX(discovery), COUNT(*) FROM evaluations "
		"WHERE policy_domain = $1 AND eval_time >= $2 AND eval_time < $3 "
		"GROUP BY source_ip, env_from, header_from, spf_result, spf_domain, spf_scope, dkim, "
		"dmarc_result, spf_aligned, dkim_aligned, disposition, override, override_comment, "
		"envelope_to "
		"ORDER BY source_ip, header_from, env_from, envelope_to, dkim, spf_result, "
		"disposition, override "
		"LIMIT $4";
	char b[24], e[24], l[24];
	const char *p[] = { policy_domain, num(b, begin), num(e, end), num(l, (long long)limit + 1) };
	struct group_walk w = { fn, arg, 0, limit };
	int rc = s->ops->exec(s, sql, p, 4, group_row, &w, err, errlen);
	if (rc == -2)
		return mxg_fail(err, errlen, "report store: %s has more than %zu record groups in one "
				"interval", policy_domain, limit);
	return rc;
}

static int first_row(void *arg, const char *const *cols, size_t ncols)
{
	int64_t *out = arg;
	if (ncols >= 1 && cols[0] != NULL) {
		*out = store_col_ll(cols[0]);
		return 1;
	}
	return 0;
}

int mxg_store_first_time(struct mxg_store *s, int64_t *out, char *err, size_t errlen)
{
	int rc = s->ops->exec(s, "SELECT MIN(eval_time) FROM evaluations", NULL, 0, first_row, out,
			      err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

static int latest_row(void *arg, const char *const *cols, size_t ncols)
{
	struct mxg_store_domain *d = arg;
	if (ncols < EVAL_NCOLS + 1 || cols[EVAL_NCOLS] == NULL)
		return 0;
	eval_from_cols(cols, &d->latest);
	mxg_strlcpy(d->policy_domain, d->latest.policy_domain, sizeof(d->policy_domain));
	d->count = (uint64_t)store_col_ll(cols[EVAL_NCOLS]);
	return 1;
}

int mxg_store_domain_latest(struct mxg_store *s, const char *policy_domain, int64_t begin,
			    int64_t end, struct mxg_store_domain *out, char *err, size_t errlen)
{
	static const char sql[] = "SELECT " EVAL_COLS ", n FROM evaluations JOIN "
		"(SELECT MAX(id) AS last_id, COUNT(*) AS n FROM evaluations "
		"WHERE policy_domain = $1 AND eval_time >= $2 AND eval_time < $3) c ON id = c.last_id";
	char b[24], e[24];
	const char *p[] = { policy_domain, num(b, begin), num(e, end) };
	memset(out, 0, sizeof(*out));
	int rc = s->ops->exec(s, sql, p, 3, latest_row, out, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

int mxg_store_domain_next_time(struct mxg_store *s, const char *policy_domain, int64_t from,
			       int64_t *out, char *err, size_t errlen)
{
	char f[24];
	const char *p[] = { policy_domain, num(f, from) };
	int rc = s->ops->exec(s, "SELECT MIN(eval_time) FROM evaluations WHERE policy_domain = $1 "
			      "AND eval_time >= $2", p, 2, first_row, out, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}
