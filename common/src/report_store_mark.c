/* The report store's bookkeeping: which intervals were reported (each once) and retention
 * (report_keep), over evaluations, marks and received reports alike. */
#include <stdio.h>
#include <time.h>

#include "report_store_internal.h"

int mxg_store_is_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			  char *err, size_t errlen)
{
	char b[24];
	const char *p[] = { policy_domain, store_num(b, sizeof(b), begin) };
	return s->ops->exec(s, "SELECT 1 FROM reported WHERE policy_domain = $1 AND begin_time = $2",
			    p, 2, store_found_row, NULL, err, errlen);
}

int mxg_store_mark_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			    int64_t end, const char *report_id, char *err, size_t errlen)
{
	char b[24], e[24], t[24];
	const char *p[] = { policy_domain, store_num(b, sizeof(b), begin),
			    store_num(e, sizeof(e), end), report_id,
			    store_num(t, sizeof(t), (long long)time(NULL)) };
	int rc = s->ops->exec(s, "INSERT INTO reported (policy_domain, begin_time, end_time, "
			      "report_id, sent) VALUES ($1, $2, $3, $4, $5) "
			      "ON CONFLICT DO NOTHING RETURNING 1",
			      p, 5, store_found_row, NULL, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

int mxg_store_unmark_reported(struct mxg_store *s, const char *policy_domain, int64_t begin,
			      char *err, size_t errlen)
{
	char b[24];
	const char *p[] = { policy_domain, store_num(b, sizeof(b), begin) };
	return s->ops->exec(s, "DELETE FROM reported WHERE policy_domain = $1 AND begin_time = $2",
			    p, 2, NULL, NULL, err, errlen) == 0 ? 0 : -1;
}

struct counted {
	uint64_t n;
};

static int count_row(void *arg, const char *const *cols, size_t ncols)
{
	struct counted *c = arg;
	(void)cols;
	(void)ncols;
	c->n++;
	return 0;
}

struct prune {
	char cut[24];
	uint64_t *deleted;
};

static int prune_all(struct mxg_store *s, void *arg, char *err, size_t errlen)
{
	struct prune *pr = arg;
	uint64_t *deleted = pr->deleted;
	const char *p[] = { pr->cut };
	struct counted c = { 0 };
	if (s->ops->exec(s, "DELETE FROM evaluations WHERE eval_time < $1 RETURNING 1", p, 1,
			 count_row, &c, err, errlen) != 0)
		return -1;
	if (deleted != NULL)
		*deleted = c.n;
	if (s->ops->exec(s, "DELETE FROM reported WHERE end_time < $1", p, 1, NULL, NULL, err,
			 errlen) != 0 ||
	    s->ops->exec(s, "DELETE FROM delivery WHERE end_time < $1", p, 1, NULL, NULL, err,
			 errlen) != 0)
		return -1;
	if (s->ops->exec(s, "DELETE FROM rr_record WHERE report IN "
			 "(SELECT id FROM rr_report WHERE end_time < $1)", p, 1, NULL, NULL, err,
			 errlen) != 0)
		return -1;
	return s->ops->exec(s, "DELETE FROM rr_report WHERE end_time < $1", p, 1, NULL, NULL, err,
			    errlen);
}

int mxg_store_prune(struct mxg_store *s, int64_t now, int64_t keep, uint64_t *deleted,
		    char *err, size_t errlen)
{
	struct prune pr = { .deleted = deleted };
	store_num(pr.cut, sizeof(pr.cut), (long long)(now - keep));
	return store_in_tx(s, prune_all, &pr, err, errlen);
}

static int until_row(void *arg, const char *const *cols, size_t ncols)
{
	int64_t *end = arg;
	if (ncols < 1 || cols[0] == NULL)
		return 0;
	*end = store_col_ll(cols[0]);
	return 1;
}

int mxg_store_reported_until(struct mxg_store *s, const char *policy_domain, int64_t *end,
			     char *err, size_t errlen)
{
	const char *p[] = { policy_domain };
	int rc = s->ops->exec(s, "SELECT MAX(end_time) FROM reported WHERE policy_domain = $1", p,
			      1, until_row, end, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}
