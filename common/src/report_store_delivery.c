/* The report store's delivery state: one row per reported interval and rua destination, so a
 * destination that failed for now is retried alone and the others are not sent twice. A claim
 * (pending to sending) is one conditional UPDATE, so two runs never send to one destination. */
#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"
#include "report_store_internal.h"

#define DELIVERY_COLS "policy_domain, begin_time, end_time, destination, format, state, " \
	"attempts, first_try, last_try, last_error"
#define DELIVERY_NCOLS 10

int mxg_store_delivery_add(struct mxg_store *s, const struct mxg_store_delivery *d, char *err,
			   size_t errlen)
{
	char b[24], e[24], t[24];
	const char *p[] = { d->policy_domain, store_num(b, sizeof(b), d->begin),
			    store_num(e, sizeof(e), d->end), d->destination, d->format,
			    store_num(t, sizeof(t), d->first_try) };
	return s->ops->exec(s, "INSERT INTO delivery (" DELIVERY_COLS ") VALUES ($1, $2, $3, $4, "
			    "$5, 'pending', 0, $6, 0, '') ON CONFLICT DO NOTHING", p, 6, NULL, NULL,
			    err, errlen) == 0 ? 0 : -1;
}

int mxg_store_delivery_claim(struct mxg_store *s, const char *policy_domain, int64_t begin,
			     const char *destination, int64_t now, char *err, size_t errlen)
{
	char b[24], n[24], stale[24];
	const char *p[] = { policy_domain, store_num(b, sizeof(b), begin), destination,
			    store_num(n, sizeof(n), now),
			    store_num(stale, sizeof(stale), now - MXG_STORE_STALE_CLAIM_S) };
	int rc = s->ops->exec(s, "UPDATE delivery SET state = 'sending', attempts = attempts + 1, "
			      "last_try = $4 WHERE policy_domain = $1 AND begin_time = $2 AND "
			      "destination = $3 AND (state = 'pending' OR (state = 'sending' AND "
			      "last_try < $5)) RETURNING 1", p, 5, store_found_row, NULL, err, errlen);
	if (rc < 0)
		return -1;
	return rc == 1 ? 0 : 1;
}

int mxg_store_delivery_set(struct mxg_store *s, const char *policy_domain, int64_t begin,
			   const char *destination, const char *state, const char *why,
			   char *err, size_t errlen)
{
	char b[24];
	const char *p[] = { policy_domain, store_num(b, sizeof(b), begin), destination, state, why };
	return s->ops->exec(s, "UPDATE delivery SET state = $4, last_error = $5 WHERE "
			    "policy_domain = $1 AND begin_time = $2 AND destination = $3", p, 5, NULL,
			    NULL, err, errlen) == 0 ? 0 : -1;
}

struct due_walk {
	mxg_store_delivery_fn fn;
	void *arg;
};

#define COPY(field, i) mxg_strlcpy(d.field, c[i] != NULL ? c[i] : "", sizeof(d.field))

static int due_row(void *arg, const char *const *c, size_t ncols)
{
	struct due_walk *w = arg;
	if (ncols < DELIVERY_NCOLS)
		return 0;
	struct mxg_store_delivery d;
	memset(&d, 0, sizeof(d));
	COPY(policy_domain, 0);
	d.begin = store_col_ll(c[1]);
	d.end = store_col_ll(c[2]);
	COPY(destination, 3); COPY(format, 4); COPY(state, 5);
	d.attempts = (int)store_col_ll(c[6]);
	d.first_try = store_col_ll(c[7]);
	d.last_try = store_col_ll(c[8]);
	COPY(last_error, 9);
	return w->fn(w->arg, &d);
}

int mxg_store_delivery_due(struct mxg_store *s, int64_t now, size_t limit,
			   mxg_store_delivery_fn fn, void *arg, char *err, size_t errlen)
{
	char stale[24], l[24];
	const char *p[] = { store_num(stale, sizeof(stale), now - MXG_STORE_STALE_CLAIM_S),
			    store_num(l, sizeof(l), (long long)limit) };
	struct due_walk w = { fn, arg };
	return s->ops->exec(s, "SELECT " DELIVERY_COLS " FROM delivery WHERE state = 'pending' OR "
			    "(state = 'sending' AND last_try < $1) ORDER BY begin_time, "
			    "policy_domain, destination LIMIT $2", p, 2, due_row, &w, err, errlen);
}
