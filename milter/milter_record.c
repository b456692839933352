/* The recorder's queue and writer thread. Connection threads only convert and copy a row under
 * a mutex; the writer opens the store, inserts batches, reconnects after a failure with a
 * pause, prunes by report_keep, and logs drops at most once a minute. */
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
	char spec[MXG_STORE_SPEC_MAX];
	int64_t keep;
} q = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* The writer's own state. */
static struct {
	struct mxg_store *store;
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

/* Up to MILTER_RECORD_BATCH rows into w.batch; waits at most a second for some. */
static size_t take(int *stopping)
{
	pthread_mutex_lock(&q.mu);
	if (q.count == 0 && !q.stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		(void)pthread_cond_timedwait(&q.cv, &q.mu, &until);
	}
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
	w.store = mxg_store_open(q.spec, err, sizeof(err));
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
	if (mxg_store_prune(w.store, (int64_t)now, q.keep, &gone, err, sizeof(err)) != 0) {
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
	mxg_strlcpy(q.spec, spec, sizeof(q.spec));
	q.keep = keep;
	q.stopping = 0;
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
}
