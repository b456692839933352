/* The recorder's queue and writer thread. Connection threads only convert and copy a row under
 * a mutex; the writer opens the store, inserts batches, reconnects after a failure with a
 * pause, prunes by report_keep, and logs drops at most once a minute. A reload hands the
 * writer a store already opened, which it takes before its next batch. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "milter_metrics.h"
#include "milter_record.h"
#include "mxguard/log.h"
#include "mxguard/report_record.h"
#include "mxguard/report_store.h"
#include "mxguard/str.h"

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct mxg_store_eval ring[MILTER_RECORD_QUEUE_MAX];
	size_t head, count;
	int stopping;
	pthread_t thread;
	char spec[MXG_STORE_SPEC_MAX];    /* what the writer starts with or switches to */
	int64_t keep;
	int switch_pending;               /* a reload changed spec or keep */
	struct mxg_store *next;           /* the store opened for the switch (NULL: keep only) */
} q = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* The writer's own state. */
static struct {
	struct mxg_store *store;
	char spec[MXG_STORE_SPEC_MAX];    /* the writer's own copies of q.spec and q.keep */
	int64_t keep;
	struct mxg_store *retired;        /* the store a switch replaced, to close */
	time_t retry_at, prune_at, logged_at;
	unsigned long dropped_logged;     /* drops already logged */
	char last_error[512];
	struct mxg_store_eval batch[MILTER_RECORD_BATCH];
} w;

static atomic_ulong dropped;
static atomic_int running;

static void drop(unsigned long n)
{
	atomic_fetch_add_explicit(&dropped, n, memory_order_relaxed);
	milter_metrics_record(0, n);
}

void milter_record_message(const struct mxg_message_result *res, const struct mxg_addr *client,
			   const char *rcpt, enum mxg_dmarc_mode mode)
{
	static _Thread_local struct mxg_store_eval row;
	if (res == NULL || !atomic_load(&running))
		return;
	if (mxg_report_eval_from_result(res, client, (int64_t)time(NULL), &row) != 0)
		return;
	mxg_report_eval_envelope(&row, rcpt != NULL && rcpt[0] != '\0' ? rcpt : NULL, mode);
	pthread_mutex_lock(&q.mu);
	int full = q.count == MILTER_RECORD_QUEUE_MAX || q.stopping;
	if (!full) {
		q.ring[(q.head + q.count) % MILTER_RECORD_QUEUE_MAX] = row;
		q.count++;
		if (q.count >= MILTER_RECORD_BATCH)
			pthread_cond_signal(&q.cv);
	}
	pthread_mutex_unlock(&q.mu);
	if (full)
		drop(1);
}

/* Under q.mu: takes a switch a reload asked for; every row taken after it goes to the new
 * store. */
static void take_switch(void)
{
	if (!q.switch_pending)
		return;
	q.switch_pending = 0;
	w.keep = q.keep;
	if (q.next == NULL)
		return;
	w.retired = w.store;  /* closed by the writer outside the lock */
	w.store = q.next;
	q.next = NULL;
	mxg_strlcpy(w.spec, q.spec, sizeof(w.spec));
	w.retry_at = 0;
	w.prune_at = 0;
	w.last_error[0] = '\0';
}

/* Up to MILTER_RECORD_BATCH rows into w.batch; waits at most a second for some. */
static size_t take(int *stopping)
{
	pthread_mutex_lock(&q.mu);
	if (q.count == 0 && !q.stopping && !q.switch_pending) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		(void)pthread_cond_timedwait(&q.cv, &q.mu, &until);
	}
	take_switch();
	size_t n = 0;
	while (n < MILTER_RECORD_BATCH && q.count > 0) {
		w.batch[n++] = q.ring[q.head];
		q.head = (q.head + 1) % MILTER_RECORD_QUEUE_MAX;
		q.count--;
	}
	*stopping = q.stopping;
	pthread_mutex_unlock(&q.mu);
	return n;
}

static void store_failed(const char *err, time_t now)
{
	mxg_store_close(w.store);
	w.store = NULL;
	w.retry_at = now + MILTER_RECORD_RETRY_S;
	if (strcmp(err, w.last_error) != 0 || now - w.logged_at >= MILTER_RECORD_LOG_EVERY_S) {
		mxg_log(MXG_LOG_WARNING, "report store: %s; rows are dropped until it works", err);
		mxg_strlcpy(w.last_error, err, sizeof(w.last_error));
		w.logged_at = now;
	}
}

static int ensure_store(time_t now)
{
	char err[512];
	if (w.store != NULL)
		return 0;
	if (now < w.retry_at)
		return -1;
	w.store = mxg_store_open(w.spec, err, sizeof(err));
	if (w.store == NULL) {
		store_failed(err, now);
		return -1;
	}
	if (w.last_error[0] != '\0')
		mxg_log(MXG_LOG_NOTICE, "report store: working again");
	w.last_error[0] = '\0';
	return 0;
}

static void write_batch(size_t n, time_t now)
{
	char err[512];
	if (n == 0)
		return;
	if (ensure_store(now) != 0) {
		drop(n);
		return;
	}
	if (mxg_store_insert(w.store, w.batch, n, err, sizeof(err)) != 0) {
		store_failed(err, now);
		drop(n);
		return;
	}
	milter_metrics_record(n, 0);
}

static void prune(time_t now)
{
	char err[512];
	uint64_t gone = 0;
	if (now < w.prune_at || ensure_store(now) != 0)
		return;
	w.prune_at = now + MILTER_RECORD_PRUNE_EVERY_S;
	if (mxg_store_prune(w.store, (int64_t)now, w.keep, &gone, err, sizeof(err)) != 0) {
		store_failed(err, now);
		return;
	}
	if (gone > 0)
		mxg_log(MXG_LOG_INFO, "report store: %llu evaluations past report_keep removed",
			(unsigned long long)gone);
}

static void log_drops(time_t now)
{
	unsigned long d = atomic_load_explicit(&dropped, memory_order_relaxed);
	if (d == w.dropped_logged || now - w.logged_at < MILTER_RECORD_LOG_EVERY_S)
		return;
	mxg_log(MXG_LOG_WARNING, "report store: %lu evaluation rows dropped (%lu in all)",
		d - w.dropped_logged, d);
	w.dropped_logged = d;
	w.logged_at = now;
}

static void *writer_main(void *arg)
{
	(void)arg;
	for (;;) {
		int stopping;
		size_t n = take(&stopping);
		time_t now = time(NULL);
		mxg_store_close(w.retired);
		w.retired = NULL;
		write_batch(n, now);
		if (stopping && n < MILTER_RECORD_BATCH)
			break;
		prune(now);
		log_drops(now);
	}
	log_drops(time(NULL) + MILTER_RECORD_LOG_EVERY_S);
	mxg_store_close(w.store);
	w.store = NULL;
	return NULL;
}

int milter_record_start(const char *spec, int64_t keep, char *err, size_t errlen)
{
	if (spec[0] == '\0')
		return 0;
	pthread_mutex_lock(&q.mu);
	mxg_strlcpy(q.spec, spec, sizeof(q.spec));
	mxg_strlcpy(w.spec, spec, sizeof(w.spec));
	q.keep = w.keep = keep;
	q.stopping = 0;
	q.switch_pending = 0;
	pthread_mutex_unlock(&q.mu);
	int rc = pthread_create(&q.thread, NULL, writer_main, NULL);
	if (rc != 0)
		return mxg_fail(err, errlen, "report store: cannot start the writer: %s", strerror(rc));
	atomic_store(&running, 1);
	return 0;
}

void milter_record_stop(void)
{
	if (!atomic_load(&running))
		return;
	pthread_mutex_lock(&q.mu);
	q.stopping = 1;
	pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	atomic_store(&running, 0);
	mxg_store_close(q.next);  /* a switch the writer never took */
	q.next = NULL;
	q.switch_pending = 0;
}

/* Hands the writer a new store (opened: NULL when only keep changes) and keep; a switch not
 * yet taken is replaced (its store closed). */
static void hand_over(const char *spec, int64_t keep, struct mxg_store *next)
{
	pthread_mutex_lock(&q.mu);
	struct mxg_store *unused = q.next;
	if (next != NULL)
		mxg_strlcpy(q.spec, spec, sizeof(q.spec));
	q.next = next != NULL ? next : unused;
	if (next == NULL)
		unused = NULL;
	q.keep = keep;
	q.switch_pending = 1;
	pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
	mxg_store_close(unused);
}

int milter_record_reload(const char *spec, int64_t keep)
{
	char err[512];
	int on = atomic_load(&running);
	pthread_mutex_lock(&q.mu);
	int same_spec = on && strcmp(q.spec, spec) == 0, same_keep = q.keep == keep;
	pthread_mutex_unlock(&q.mu);
	if ((!on && spec[0] == '\0') || (same_spec && same_keep))
		return 0;
	if (spec[0] == '\0') {
		milter_record_stop();
		mxg_log(MXG_LOG_NOTICE, "reload: report_store removed, evaluations no longer recorded");
		return 0;
	}
	struct mxg_store *next = NULL;
	if (!same_spec && (next = mxg_store_open(spec, err, sizeof(err))) == NULL) {
		mxg_log(MXG_LOG_ERR, "reload: report store %s cannot be used, keeping %s: %s", spec,
			on ? q.spec : "none", err);
		return -1;
	}
	if (!on) {
		mxg_store_close(next);
		if (milter_record_start(spec, keep, err, sizeof(err)) != 0) {
			mxg_log(MXG_LOG_ERR, "reload: %s", err);
			return -1;
		}
		mxg_log(MXG_LOG_NOTICE, "reload: evaluations recorded in %s", spec);
		return 0;
	}
	hand_over(spec, keep, next);
	if (next != NULL)
		mxg_log(MXG_LOG_NOTICE, "reload: evaluations now recorded in %s (rows still queued "
			"go there too)", spec);
	if (!same_keep)
		mxg_log(MXG_LOG_NOTICE, "reload: report_keep now %lld s", (long long)keep);
	return 0;
}
