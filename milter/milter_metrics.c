/* The milter's counters, in the Prometheus text format the Unbound module writes
 * (unbound-module/module_stats.c): one family per concern, the whole file written beside the
 * target and renamed, so the collector never reads half of it. Counters are process-wide
 * atomics, since every connection thread adds to them; they start at 0 with the process. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "milter_metrics.h"
#include "mxguard/log.h"
#include "mxguard/str.h"
#include "mxguard/textfile.h"

#define N_ACTIONS 4
static const char *const why_names[] = {
	"accept", "dmarc-reject", "dmarc-quarantine", "spf-fail", "temperror", "temperror-accepted",
	"bad-from", "not-enforced", "authenticated", "internal-error",
	/* outbound signing (milter_sign.c), and trusted clients held to MAIL FROM while it is on */
	"outbound-signed", "outbound-unsigned", "signing-failed", "trusted",
};
#define N_WHYS (sizeof(why_names) / sizeof(why_names[0]))
enum { TE_SPF, TE_DKIM, TE_DMARC, N_TE };
static const char *const te_names[N_TE] = { "spf", "dkim", "dmarc" };
/* Upper bounds of the DNS lookup time buckets, in microseconds (then +Inf). */
static const unsigned long bucket_us[] = { 1000, 5000, 10000, 50000, 100000, 500000, 1000000,
					   2000000, 5000000 };

static struct {
	atomic_ulong action[N_ACTIONS];
	atomic_ulong why[N_WHYS];
	atomic_ulong would[N_ACTIONS];
	atomic_ulong temperror[N_TE];
	atomic_ulong trusted;
	atomic_ulong report_rows[2];     /* recorded, dropped */
	struct mxg_histogram dns;
} ctr = { .dns = MXG_HISTOGRAM_INIT(bucket_us) };

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

void milter_metrics_record(unsigned long recorded, unsigned long dropped)
{
	atomic_fetch_add_explicit(&ctr.report_rows[0], recorded, memory_order_relaxed);
	atomic_fetch_add_explicit(&ctr.report_rows[1], dropped, memory_order_relaxed);
}

void milter_metrics_trusted(void)
{
	add(&ctr.trusted);
}

/* --- DNS lookup time --- */

static void observe_dns(void *arg, int rcode, uint64_t usec)
{
	(void)arg;
	(void)rcode;
	mxg_histogram_observe(&ctr.dns, usec);
}

struct mxg_resolver *milter_metrics_timed_resolver(struct mxg_resolver *r)
{
	return mxg_resolver_timed(r, observe_dns, NULL);
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
	fputs("# HELP mxguard_milter_report_rows_total DMARC evaluation rows for the report store,"
	      " by outcome (dropped: queue full or store failing).\n"
	      "# TYPE mxguard_milter_report_rows_total counter\n", f);
	fprintf(f, "mxguard_milter_report_rows_total{outcome=\"recorded\"} %lu\n",
		get(&ctr.report_rows[0]));
	fprintf(f, "mxguard_milter_report_rows_total{outcome=\"dropped\"} %lu\n",
		get(&ctr.report_rows[1]));
}

static void fill(FILE *f, void *arg)
{
	(void)arg;
	write_messages(f);
	mxg_histogram_write(f, &ctr.dns, "mxguard_milter_dns_lookup_seconds",
			    "Time of the DNS lookups of the checks (answers from the filter's cache"
			    " included).");
}

int milter_metrics_write(const char *path, char *err, size_t errlen)
{
	return mxg_textfile_write(path, fill, NULL, err, errlen);
}

/* --- the writer thread: the file at once, then every interval, and at stop --- */

static struct mxg_textfile_writer writer;

static void warn(void *arg, const char *msg)
{
	(void)arg;
	mxg_log(MXG_LOG_WARNING, "metrics: %s", msg);
}

int milter_metrics_start(const char *path, unsigned long interval_ms, char *err, size_t errlen)
{
	char why[128];

	if (mxg_textfile_start(&writer, path, interval_ms, fill, warn, NULL, why,
			       sizeof(why)) == 0)
		return 0;
	return mxg_fail(err, errlen, "metrics: %s", why);
}

void milter_metrics_stop(void)
{
	mxg_textfile_stop(&writer);
}
