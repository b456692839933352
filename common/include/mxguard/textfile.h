/* Counters files for node_exporter's textfile collector: the atomic write of a file, a thread
 * that rewrites it periodically, and a latency histogram in the Prometheus text format. A
 * utility with no knowledge of what is counted: each program fills the file itself. */
#ifndef MXGUARD_TEXTFILE_H
#define MXGUARD_TEXTFILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes what fill(f, arg) prints to path.tmp, then renames it over path, so a reader never
 * sees half a file; the temporary file is removed on failure. 0, or -1 with the reason. */
int mxg_textfile_write(const char *path, void (*fill)(FILE *, void *), void *arg, char *err,
		       size_t errlen);

/* A thread writing one file: at start, then every interval, and a last time at stop. A failed
 * write goes to warn(arg, reason) once, and again only after a write succeeded; the last write
 * always reports its failure. Fields are private: zero the struct, then start it. */
struct mxg_textfile_writer {
	char path[512];
	unsigned long interval_ms;
	void (*fill)(FILE *, void *);
	void (*warn)(void *arg, const char *msg); /* may be NULL */
	void *arg;
	int running, stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

/* Starts w on path (empty or NULL: nothing to write, returns 0); interval 0 means 60 s. The
 * thread receives no signal. Returns 0 (also when w already runs), or -1 with the reason. */
int mxg_textfile_start(struct mxg_textfile_writer *w, const char *path, unsigned long interval_ms,
		       void (*fill)(FILE *, void *), void (*warn)(void *, const char *), void *arg,
		       char *err, size_t errlen);
/* Stops the thread and writes the file a last time; nothing when w does not run. */
void mxg_textfile_stop(struct mxg_textfile_writer *w);

/* A latency histogram, updated from any thread. bounds_us are the ascending upper bounds of
 * the buckets in microseconds; a last bucket (+Inf) takes what is above them. */
#define MXG_HISTOGRAM_MAX 16
struct mxg_histogram {
	const unsigned long *bounds_us;
	size_t n;
	atomic_ulong bucket[MXG_HISTOGRAM_MAX + 1]; /* not cumulative: where each one fell */
	atomic_ulong count;
	atomic_ulong sum_us;
};
/* For a static histogram: MXG_HISTOGRAM_INIT(bounds), bounds a static array. */
#define MXG_HISTOGRAM_INIT(bounds) { .bounds_us = (bounds), .n = sizeof(bounds) / sizeof((bounds)[0]) }

void mxg_histogram_observe(struct mxg_histogram *h, uint64_t usec);
/* Writes the family name in seconds: HELP and TYPE lines, the cumulative buckets, +Inf, _sum
 * and _count. A snapshot taken while others observe stays consistent (no bucket above count). */
void mxg_histogram_write(FILE *f, struct mxg_histogram *h, const char *name, const char *help);

#endif
