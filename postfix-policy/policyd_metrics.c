/* The daemon's counters and their textfile: Prometheus text exposition format, one metric
 * family per concern, every series written even at zero so that rates start from the first
 * scrape; written beside the target and renamed so the collector never reads half a file. */
#include "policyd_metrics.h"

#include <stdatomic.h>
#include <stdio.h>

#include "mxguard/log.h"
#include "mxguard/str.h"
#include "mxguard/textfile.h"

#define N_ACTIONS (POLICYD_REJECT + 1)  /* off .. reject; off is never an answer */
#define N_SPF (MXG_SPF_PERMERROR + 1)
#define N_RCODE (MXG_DNS_TIMEOUT + 2)   /* the four rcodes, then local errors */
#define N_CTX (POLICYD_CTX_RECIPIENT + 1)

/* Upper bounds of the latency buckets, in microseconds (the last bucket is +Inf). */
static const unsigned long bucket_us[] = { 1000, 5000, 10000, 25000, 50000, 100000, 250000,
					   500000, 1000000, 2500000, 5000000 };

struct counters {
	atomic_ulong decision[POLICYD_BY__COUNT][N_ACTIONS];
	atomic_ulong warn_only[POLICYD_R__COUNT];
	atomic_ulong context[N_CTX];
	atomic_ulong spf[N_SPF];
	atomic_ulong dns_rcode[N_RCODE];
	struct mxg_histogram dns;
};

static struct counters C = { .dns = MXG_HISTOGRAM_INIT(bucket_us) };
static struct mxg_textfile_writer W;

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
	add(&C.dns_rcode[rcode >= 0 && rcode <= MXG_DNS_TIMEOUT ? rcode : N_RCODE - 1], 1);
	mxg_histogram_observe(&C.dns, usec);
}

/* ---- the timing resolver ---- */

static void observe_dns(void *arg, int rcode, uint64_t usec)
{
	(void)arg;
	policyd_metrics_dns(rcode, usec);
}

struct mxg_resolver *policyd_metrics_timed(struct mxg_resolver *inner)
{
	return mxg_resolver_timed(inner, observe_dns, NULL);
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
	fputs("# HELP mxguard_policyd_dns_lookups_total DNS lookups past the daemon's answer cache, "
	      "by rcode.\n# TYPE mxguard_policyd_dns_lookups_total counter\n", f);
	for (int r = 0; r < N_RCODE; r++)
		fprintf(f, "mxguard_policyd_dns_lookups_total{rcode=\"%s\"} %lu\n", rcode_names[r],
			get(&C.dns_rcode[r]));
	mxg_histogram_write(f, &C.dns, "mxguard_policyd_dns_lookup_seconds",
			    "Time of DNS lookups past the daemon's answer cache.");
}

static void fill(FILE *f, void *arg)
{
	(void)arg;
	write_decisions(f);
	write_spf(f);
	write_dns(f);
}

int policyd_metrics_write(const char *path, char *err, size_t errlen)
{
	return mxg_textfile_write(path, fill, NULL, err, errlen);
}

/* ---- the writer thread: the file at once, then every interval, and at stop ---- */

static void warn(void *arg, const char *msg)
{
	(void)arg;
	mxg_log(MXG_LOG_WARNING, "metrics_file: %s", msg);
}

int policyd_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen)
{
	char why[128];

	if (mxg_textfile_start(&W, path, interval_ms, fill, warn, NULL, why, sizeof(why)) == 0)
		return 0;
	return mxg_fail(err, errlen, "metrics_file: %s", why);
}

void policyd_metrics_stop(void)
{
	mxg_textfile_stop(&W);
}
