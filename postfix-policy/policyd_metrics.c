/* The daemon's counters and their textfile: Prometheus text exposition format, one metric
 * family per concern, every series written even at zero so that rates start from the first
 * scrape; written beside the target and renamed so the collector never reads half a file. */
#include "policyd_metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mxguard/log.h"
#include "mxguard/str.h"

#define N_ACTIONS (POLICYD_REJECT + 1)  /* off .. reject; off is never an answer */
#define N_SPF (MXG_SPF_PERMERROR + 1)
#define N_RCODE (MXG_DNS_TIMEOUT + 2)   /* the four rcodes, then local errors */
#define N_CTX (POLICYD_CTX_RECIPIENT + 1)

/* Upper bounds of the latency buckets, in microseconds (the last bucket is +Inf). */
static const uint64_t bucket_us[] = { 1000, 5000, 10000, 25000, 50000, 100000, 250000,
				      500000, 1000000, 2500000, 5000000 };
#define N_BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct counters {
	atomic_ulong decision[POLICYD_BY__COUNT][N_ACTIONS];
	atomic_ulong warn_only[POLICYD_R__COUNT];
	atomic_ulong context[N_CTX];
	atomic_ulong spf[N_SPF];
	atomic_ulong dns_rcode[N_RCODE];
	atomic_ulong dns_bucket[N_BUCKETS];  /* non-cumulative: the bucket a lookup fell in */
	atomic_ulong dns_count;
	atomic_ulong dns_sum_us;
};

static struct counters C;

static struct {
	char path[512];
	unsigned long interval_ms;
	int running, stop;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
} W = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void add(atomic_ulong *c, unsigned long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static unsigned long get(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void policyd_metrics_decision(int by, enum policyd_action action, enum policyd_context ctx,
			      int warn_only)
{
	if (by < 0 || by >= POLICYD_BY__COUNT || action <= POLICYD_OFF || action >= N_ACTIONS)
		return;
	add(&C.decision[by][action], 1);
	if ((unsigned)ctx < N_CTX)
		add(&C.context[ctx], 1);
	if (warn_only && by < POLICYD_R__COUNT)
		add(&C.warn_only[by], 1);
}

void policyd_metrics_spf(enum mxg_spf_result r)
{
	if ((unsigned)r < N_SPF)
		add(&C.spf[r], 1);
}

void policyd_metrics_dns(int rcode, uint64_t usec)
{
	size_t b = 0;

	add(&C.dns_rcode[rcode >= 0 && rcode <= MXG_DNS_TIMEOUT ? rcode : N_RCODE - 1], 1);
	while (b < N_BUCKETS && usec > bucket_us[b])
		b++;
	if (b < N_BUCKETS)
		add(&C.dns_bucket[b], 1);
	add(&C.dns_count, 1);
	add(&C.dns_sum_us, (unsigned long)usec);
}

/* ---- the timing resolver ---- */

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int timed_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
			char *err, size_t errlen)
{
	uint64_t t0 = now_us();
	int rc = mxg_dns_lookup(ctx, name, type, out, err, errlen);

	policyd_metrics_dns(rc < 0 ? -1 : (int)(*out)->rcode, now_us() - t0);
	return rc;
}

static void timed_free(void *ctx)
{
	mxg_resolver_free(ctx);
}

static const struct mxg_resolver_ops timed_ops = { timed_lookup, timed_free };

struct mxg_resolver *policyd_metrics_timed(struct mxg_resolver *inner)
{
	return mxg_resolver_new(&timed_ops, inner);
}

/* ---- the file ---- */

static const char *const by_names[POLICYD_BY__COUNT - POLICYD_R__COUNT] = {
	"none", "timeout", "internal",
};
static const char *const ctx_names[N_CTX] = { "all", "sender", "recipient" };
static const char *const rcode_names[N_RCODE] = {
	"noerror", "nxdomain", "servfail", "timeout", "error",
};

static const char *by_name(int by)
{
	return by < POLICYD_R__COUNT ? policyd_rule_name((enum policyd_rule_id)by)
				     : by_names[by - POLICYD_R__COUNT];
}

/* A rule decides with warn, prepend, defer or reject; without a rule the answer is dunno,
 * and a request not decided is deferred. Only these series are written. */
static int possible(int by, int action)
{
	if (by < POLICYD_R__COUNT)
		return action != POLICYD_DUNNO;
	return action == (by == POLICYD_BY_NONE ? POLICYD_DUNNO : POLICYD_DEFER);
}

static void write_decisions(FILE *f)
{
	fputs("# HELP mxguard_policyd_decisions_total Policy requests answered, by the rule that "
	      "decided and the action.\n# TYPE mxguard_policyd_decisions_total counter\n", f);
	for (int by = 0; by < POLICYD_BY__COUNT; by++)
		for (int a = POLICYD_DUNNO; a < N_ACTIONS; a++)
			if (possible(by, a))
				fprintf(f, "mxguard_policyd_decisions_total{rule=\"%s\","
					   "action=\"%s\"} %lu\n", by_name(by),
					policyd_action_name((enum policyd_action)a),
					get(&C.decision[by][a]));
	fputs("# HELP mxguard_policyd_warn_only_total Refusals that warn_only turned into warnings, "
	      "by rule.\n# TYPE mxguard_policyd_warn_only_total counter\n", f);
	for (int r = 0; r < POLICYD_R__COUNT; r++)
		fprintf(f, "mxguard_policyd_warn_only_total{rule=\"%s\"} %lu\n",
			policyd_rule_name((enum policyd_rule_id)r), get(&C.warn_only[r]));
	fputs("# HELP mxguard_policyd_requests_total Policy requests answered, by context "
	      "(policy_context).\n# TYPE mxguard_policyd_requests_total counter\n", f);
	for (int c = 0; c < N_CTX; c++)
		fprintf(f, "mxguard_policyd_requests_total{context=\"%s\"} %lu\n", ctx_names[c],
			get(&C.context[c]));
}

static void write_spf(FILE *f)
{
	fputs("# HELP mxguard_policyd_spf_results_total SPF checks at RCPT, by result.\n"
	      "# TYPE mxguard_policyd_spf_results_total counter\n", f);
	for (int r = 0; r < N_SPF; r++)
		fprintf(f, "mxguard_policyd_spf_results_total{result=\"%s\"} %lu\n",
			mxg_spf_result_name((enum mxg_spf_result)r), get(&C.spf[r]));
}

static void write_dns(FILE *f)
{
	unsigned long cum = 0;

	fputs("# HELP mxguard_policyd_dns_lookups_total DNS lookups past the daemon's answer cache, "
	      "by rcode.\n# TYPE mxguard_policyd_dns_lookups_total counter\n", f);
	for (int r = 0; r < N_RCODE; r++)
		fprintf(f, "mxguard_policyd_dns_lookups_total{rcode=\"%s\"} %lu\n", rcode_names[r],
			get(&C.dns_rcode[r]));
	fputs("# HELP mxguard_policyd_dns_lookup_seconds Time of DNS lookups past the daemon's "
	      "answer cache.\n# TYPE mxguard_policyd_dns_lookup_seconds histogram\n", f);
	/* count is read first: the buckets read later can only have grown past it. */
	unsigned long count = get(&C.dns_count), sum_us = get(&C.dns_sum_us);
	for (size_t b = 0; b < N_BUCKETS; b++) {
		cum += get(&C.dns_bucket[b]);
		if (cum > count)
			cum = count;
		fprintf(f, "mxguard_policyd_dns_lookup_seconds_bucket{le=\"%g\"} %lu\n",
			(double)bucket_us[b] / 1e6, cum);
	}
	fprintf(f, "mxguard_policyd_dns_lookup_seconds_bucket{le=\"+Inf\"} %lu\n", count);
	fprintf(f, "mxguard_policyd_dns_lookup_seconds_sum %lu.%06lu\n", sum_us / 1000000,
		sum_us % 1000000);
	fprintf(f, "mxguard_policyd_dns_lookup_seconds_count %lu\n", count);
}

int policyd_metrics_write(const char *path, char *err, size_t errlen)
{
	char tmp[600];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	write_decisions(f);
	write_spf(f);
	write_dns(f);
	int bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: write failed", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Writes the file; logs a failure once, and again only after a write succeeded. */
static void write_logged(int *failed)
{
	char err[700];

	if (policyd_metrics_write(W.path, err, sizeof(err)) == 0) {
		*failed = 0;
		return;
	}
	if (!*failed)
		mxg_log(MXG_LOG_WARNING, "counters_file: %s", err);
	*failed = 1;
}

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

static void *writer(void *arg)
{
	int failed = 0;
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&W.lock);
	while (!W.stop) {
		deadline(&until, W.interval_ms);
		pthread_mutex_unlock(&W.lock);
		write_logged(&failed);
		pthread_mutex_lock(&W.lock);
		while (!W.stop && pthread_cond_timedwait(&W.wake, &W.lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&W.lock);
	return NULL;
}

int policyd_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen)
{
	pthread_condattr_t ca;

	if (path == NULL || path[0] == '\0' || W.running)
		return 0;
	if (mxg_strlcpy(W.path, path, sizeof(W.path)) >= sizeof(W.path)) {
		snprintf(err, errlen, "counters_file: path too long");
		return -1;
	}
	W.interval_ms = interval_ms ? interval_ms : 60000;
	W.stop = 0;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&W.wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&W.thread, NULL, writer, NULL) != 0) {
		snprintf(err, errlen, "cannot start the counters thread");
		pthread_cond_destroy(&W.wake);
		return -1;
	}
	W.running = 1;
	return 0;
}

void policyd_metrics_stop(void)
{
	int failed = 0;

	if (!W.running)
		return;
	pthread_mutex_lock(&W.lock);
	W.stop = 1;
	pthread_cond_signal(&W.wake);
	pthread_mutex_unlock(&W.lock);
	pthread_join(W.thread, NULL);
	pthread_cond_destroy(&W.wake);
	W.running = 0;
	write_logged(&failed);
}
