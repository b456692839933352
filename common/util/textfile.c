/* Counters files for node_exporter's textfile collector (see textfile.h). */
#include "mxguard/clock.h"
#include "mxguard/textfile.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxguard/str.h"

int mxg_textfile_write(const char *path, void (*fill)(FILE *, void *), void *arg, char *err,
		       size_t errlen)
{
	char tmp[600];
	FILE *f;
	int bad;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return mxg_fail(err, errlen, "%s: path too long", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return mxg_fail(err, errlen, "%s: %s", tmp, strerror(errno));
	fill(f, arg);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: write failed", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- the periodic writer ---- */

/* Writes the file; a failure is reported when *failed is clear, and sets it. */
static void write_reported(struct mxg_textfile_writer *w, int *failed)
{
	char err[700];

	if (mxg_textfile_write(w->path, w->fill, w->arg, err, sizeof(err)) == 0) {
		*failed = 0;
		return;
	}
	if (!*failed && w->warn != NULL)
		w->warn(w->arg, err);
	*failed = 1;
}

/* Writes at once, so the file exists from start-up on, then at each interval until stopped. */
static void *writer(void *arg)
{
	struct mxg_textfile_writer *w = arg;
	struct timespec until;
	int failed = 0;

	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		mxg_clock_deadline(&until, w->interval_ms);
		pthread_mutex_unlock(&w->lock);
		write_reported(w, &failed);
		pthread_mutex_lock(&w->lock);
		while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int spawn(struct mxg_textfile_writer *w)
{
	sigset_t all, old;
	int rc;

	/* Signals belong to the program's own threads (signalfd, sigwait, Unbound's handlers). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int mxg_textfile_start(struct mxg_textfile_writer *w, const char *path, unsigned long interval_ms,
		       void (*fill)(FILE *, void *), void (*warn)(void *, const char *), void *arg,
		       char *err, size_t errlen)
{
	pthread_condattr_t ca;

	if (path == NULL || path[0] == '\0' || w->running)
		return 0;
	if (mxg_strlcpy(w->path, path, sizeof(w->path)) >= sizeof(w->path))
		return mxg_fail(err, errlen, "path too long");
	w->interval_ms = interval_ms != 0 ? interval_ms : 60000;
	w->fill = fill;
	w->warn = warn;
	w->arg = arg;
	w->stop = 0;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (spawn(w) != 0) {
		snprintf(err, errlen, "cannot start the counters thread");
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	w->running = 1;
	return 0;
}

void mxg_textfile_stop(struct mxg_textfile_writer *w)
{
	int failed = 0;

	if (!w->running)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->running = 0;
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	write_reported(w, &failed);
}

/* ---- the latency histogram ---- */

static size_t bounds_of(const struct mxg_histogram *h)
{
	return h->n < MXG_HISTOGRAM_MAX ? h->n : MXG_HISTOGRAM_MAX;
}

void mxg_histogram_observe(struct mxg_histogram *h, uint64_t usec)
{
	size_t b = 0, n = bounds_of(h);

	while (b < n && usec > h->bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_us, (unsigned long)usec, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->count, 1, memory_order_relaxed);
}

void mxg_histogram_write(FILE *f, struct mxg_histogram *h, const char *name, const char *help)
{
	/* count is read first: the buckets, read after it, can only have grown past it. */
	unsigned long count = atomic_load_explicit(&h->count, memory_order_relaxed);
	unsigned long sum = atomic_load_explicit(&h->sum_us, memory_order_relaxed);
	unsigned long cum = 0;
	size_t n = bounds_of(h);

	fprintf(f, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	for (size_t b = 0; b < n; b++) {
		cum += atomic_load_explicit(&h->bucket[b], memory_order_relaxed);
		if (cum > count)
			cum = count;
		fprintf(f, "%s_bucket{le=\"%g\"} %lu\n", name, (double)h->bounds_us[b] / 1e6, cum);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %lu\n", name, count);
	fprintf(f, "%s_sum %lu.%06lu\n", name, sum / 1000000, sum % 1000000);
	fprintf(f, "%s_count %lu\n", name, count);
}
