/* The milter's counters, in the Prometheus text format the Unbound module writes
 * (unbound-module/module_stats.c): one family per concern, the whole file written beside the
 * target and renamed, so the collector never reads half of it. Counters are process-wide
 * atomics, since every connection thread adds to them; they start at 0 with the process. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter_metrics.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

#define N_ACTIONS 4
static const char *const why_names[] = {
	"accept", "dmarc-reject", "dmarc-quarantine", "spf-fail", "temperror", "temperror-accepted",
	"bad-from", "not-enforced", "authenticated", "internal-error",
};
#define N_WHYS (sizeof(why_names) / sizeof(why_names[0]))
enum { TE_SPF, TE_DKIM, TE_DMARC, N_TE };
static const char *const te_names[N_TE] = { "spf", "dkim", "dmarc" };
/* Upper bounds of the DNS lookup time buckets, in microseconds (then +Inf). */
static const unsigned long bucket_us[] = { 1000, 5000, 10000, 50000, 100000, 500000, 1000000,
					   2000000, 5000000 };
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

static struct {
	atomic_ulong action[N_ACTIONS];
	atomic_ulong why[N_WHYS];
	atomic_ulong would[N_ACTIONS];
	atomic_ulong temperror[N_TE];
	atomic_ulong trusted;
	atomic_ulong dns_bucket[N_BUCKETS + 1];
	atomic_ulong dns_us_sum;
	atomic_ulong dns_count;
} ctr;

static void add(atomic_ulong *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static unsigned long get(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void count_temperrors(const struct mxg_message_result *res)
{
	int dkim = 0;

	if (res->spf_done && res->spf.result == MXG_SPF_TEMPERROR)
		add(&ctr.temperror[TE_SPF]);
	for (size_t i = 0; i < res->dkim_count; i++)
		dkim |= res->dkim[i].result == MXG_DKIM_TEMPERROR;
	if (dkim)
		add(&ctr.temperror[TE_DKIM]);
	if (res->dmarc.result == MXG_DMARC_TEMPERROR)
		add(&ctr.temperror[TE_DMARC]);
}

void milter_metrics_message(const struct mxg_verdict *v, const struct mxg_message_result *res)
{
	if ((unsigned)v->action < N_ACTIONS)
		add(&ctr.action[v->action]);
	for (size_t i = 0; v->why != NULL && i < N_WHYS; i++) {
		if (strcmp(v->why, why_names[i]) == 0) {
			add(&ctr.why[i]);
			break;
		}
	}
	if (v->would != v->action && (unsigned)v->would < N_ACTIONS)
		add(&ctr.would[v->would]);
	if (res != NULL)
		count_temperrors(res);
}

void milter_metrics_trusted(void)
{
	add(&ctr.trusted);
}

/* --- DNS lookup time --- */

static int timed_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
			char *err, size_t errlen)
{
	struct timespec t0, t1;
	unsigned long us;
	size_t b = 0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = mxg_dns_lookup(ctx, name, type, out, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (unsigned long)((t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000);
	while (b < N_BUCKETS && us > bucket_us[b])
		b++;
	add(&ctr.dns_bucket[b]);
	atomic_fetch_add_explicit(&ctr.dns_us_sum, us, memory_order_relaxed);
	add(&ctr.dns_count);
	return rc;
}

static void timed_free(void *ctx)
{
	mxg_resolver_free(ctx);
}

static const struct mxg_resolver_ops timed_ops = { timed_lookup, timed_free };

struct mxg_resolver *milter_metrics_timed_resolver(struct mxg_resolver *r)
{
	struct mxg_resolver *t;

	if (r == NULL)
		return NULL;
	t = mxg_resolver_new(&timed_ops, r);
	if (t == NULL)
		mxg_resolver_free(r);
	return t;
}

/* --- the file --- */

static void write_messages(FILE *f)
{
	fputs("# HELP mxguard_milter_messages_total Messages judged by mxguard-milter, by action taken.\n"
	      "# TYPE mxguard_milter_messages_total counter\n", f);
	for (int i = 0; i < N_ACTIONS; i++)
		fprintf(f, "mxguard_milter_messages_total{action=\"%s\"} %lu\n",
			mxg_action_name((enum mxg_action)i), get(&ctr.action[i]));
	fputs("# HELP mxguard_milter_verdicts_total Messages by the reason of their verdict.\n"
	      "# TYPE mxguard_milter_verdicts_total counter\n", f);
	for (size_t i = 0; i < N_WHYS; i++)
		fprintf(f, "mxguard_milter_verdicts_total{verdict=\"%s\"} %lu\n", why_names[i],
			get(&ctr.why[i]));
	fputs("# HELP mxguard_milter_rollout_would_total Messages accepted in rollout mode that"
	      " enforcing would have refused, deferred or quarantined.\n"
	      "# TYPE mxguard_milter_rollout_would_total counter\n", f);
	for (int i = 1; i < N_ACTIONS; i++)
		fprintf(f, "mxguard_milter_rollout_would_total{action=\"%s\"} %lu\n",
			mxg_action_name((enum mxg_action)i), get(&ctr.would[i]));
	fputs("# HELP mxguard_milter_temperrors_total Messages whose check met a temporary DNS failure.\n"
	      "# TYPE mxguard_milter_temperrors_total counter\n", f);
	for (int i = 0; i < N_TE; i++)
		fprintf(f, "mxguard_milter_temperrors_total{check=\"%s\"} %lu\n", te_names[i],
			get(&ctr.temperror[i]));
	fputs("# HELP mxguard_milter_trusted_connections_total Connections from trusted_networks,"
	      " accepted unchecked.\n"
	      "# TYPE mxguard_milter_trusted_connections_total counter\n", f);
	fprintf(f, "mxguard_milter_trusted_connections_total %lu\n", get(&ctr.trusted));
}

static void write_dns(FILE *f)
{
	unsigned long cum = 0;

	fputs("# HELP mxguard_milter_dns_lookup_seconds Time of the DNS lookups of the checks"
	      " (answers from the filter's cache included).\n"
	      "# TYPE mxguard_milter_dns_lookup_seconds histogram\n", f);
	for (size_t i = 0; i < N_BUCKETS; i++) {
		cum += get(&ctr.dns_bucket[i]);
		fprintf(f, "mxguard_milter_dns_lookup_seconds_bucket{le=\"%g\"} %lu\n",
			(double)bucket_us[i] / 1e6, cum);
	}
	cum += get(&ctr.dns_bucket[N_BUCKETS]);
	fprintf(f, "mxguard_milter_dns_lookup_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	fprintf(f, "mxguard_milter_dns_lookup_seconds_sum %.6f\n", (double)get(&ctr.dns_us_sum) / 1e6);
	fprintf(f, "mxguard_milter_dns_lookup_seconds_count %lu\n", get(&ctr.dns_count));
}

int milter_metrics_write(const char *path, char *err, size_t errlen)
{
	char tmp[600];
	FILE *f;
	int bad;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	write_messages(f);
	write_dns(f);
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

/* --- the writer thread --- */

static struct {
	char path[512];
	unsigned long interval_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, running;
} w = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void deadline(struct timespec *until, unsigned long ms)
{
	clock_gettime(CLOCK_MONOTONIC, until);
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until->tv_nsec >= 1000000000L) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000L;
	}
}

/* Writes at once (the file exists from the start on), then at each interval. A failure is
 * logged once until a write succeeds again. */
static void *writer(void *arg)
{
	char err[600];
	int failed = 0;

	(void)arg;
	pthread_mutex_lock(&w.lock);
	while (!w.stop) {
		struct timespec until;
		deadline(&until, w.interval_ms);
		pthread_mutex_unlock(&w.lock);
		if (milter_metrics_write(w.path, err, sizeof(err)) != 0) {
			if (!failed)
				mxg_log(MXG_LOG_WARNING, "metrics: %s", err);
			failed = 1;
		} else {
			failed = 0;
		}
		pthread_mutex_lock(&w.lock);
		while (!w.stop && pthread_cond_timedwait(&w.wake, &w.lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&w.lock);
	return NULL;
}

int milter_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (path == NULL || path[0] == '\0')
		return 0;
	mxg_strlcpy(w.path, path, sizeof(w.path));
	w.interval_ms = interval_ms != 0 ? interval_ms : 60000;
	w.stop = 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w.wake, &ca);
	pthread_condattr_destroy(&ca);
	/* No signal for this thread: SIGHUP is the main thread's, the others libmilter's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w.thread, NULL, writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the metrics thread");
		pthread_cond_destroy(&w.wake);
		return -1;
	}
	w.running = 1;
	return 0;
}

void milter_metrics_stop(void)
{
	char err[600];

	if (!w.running)
		return;
	pthread_mutex_lock(&w.lock);
	w.stop = 1;
	pthread_cond_signal(&w.wake);
	pthread_mutex_unlock(&w.lock);
	pthread_join(w.thread, NULL);
	w.running = 0;
	pthread_cond_destroy(&w.wake);
	if (milter_metrics_write(w.path, err, sizeof(err)) != 0)
		mxg_log(MXG_LOG_WARNING, "metrics: %s", err);
}
