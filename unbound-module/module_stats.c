/* Counter output: Prometheus text exposition format, one metric family per concern, written to
 * a temporary file and renamed so the collector never reads half a file. */
#include "module_stats.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"

static const char *const outcome_names[MODULE_OUT__COUNT] = {
	[MODULE_OUT_CHECKED] = "checked",
	[MODULE_OUT_FLAGGED] = "flagged",
	[MODULE_OUT_NOTED] = "noted",
	[MODULE_OUT_CACHED] = "cached_flagged",
	[MODULE_OUT_CACHED_NOTED] = "cached_noted",
	[MODULE_OUT_TEMPFAIL] = "target_tempfail",
	[MODULE_OUT_MALFORMED] = "malformed",
	[MODULE_OUT_STRIP_SIGNED] = "strip_refused_signed",
	[MODULE_OUT_STRIP_LAST] = "strip_refused_last_usable",
	[MODULE_OUT_LATE] = "checked_after_max_wait",
};

static const char *const action_names[MODULE_AI__COUNT] = { "log", "ede", "strip" };

static unsigned long get(atomic_ulong *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void write_families(FILE *f, void *arg)
{
	struct module_stats *s = arg;

	fputs("# HELP mxguard_unbound_answers_total MX answers seen by the mxguard module, by outcome.\n"
	      "# TYPE mxguard_unbound_answers_total counter\n", f);
	for (int i = 0; i < MODULE_OUT__COUNT; i++)
		fprintf(f, "mxguard_unbound_answers_total{outcome=\"%s\"} %lu\n", outcome_names[i],
			get(&s->outcome[i]));
	fputs("# HELP mxguard_unbound_findings_total Findings in checked MX answers, by code.\n"
	      "# TYPE mxguard_unbound_findings_total counter\n", f);
	for (int i = 0; i < MXG_F__COUNT; i++) {
		const struct mxg_finding_info *fi = mxg_finding_info((enum mxg_finding_code)i);
		if (fi && strncmp(fi->name, "MX_", 3) == 0)
			fprintf(f, "mxguard_unbound_findings_total{code=\"%s\"} %lu\n", fi->name,
				get(&s->finding[i]));
	}
	fputs("# HELP mxguard_unbound_actions_total Actions taken on flagged MX answers.\n"
	      "# TYPE mxguard_unbound_actions_total counter\n", f);
	for (int i = 0; i < MODULE_AI__COUNT; i++)
		fprintf(f, "mxguard_unbound_actions_total{action=\"%s\"} %lu\n", action_names[i],
			get(&s->action[i]));
	fputs("# HELP mxguard_unbound_watch_changes_total MX answers for a watch_domain whose target "
	      "set differs from the last one seen.\n"
	      "# TYPE mxguard_unbound_watch_changes_total counter\n", f);
	fprintf(f, "mxguard_unbound_watch_changes_total %lu\n", get(&s->watch_changes));
}

int module_stats_write(struct module_stats *s, const char *path, char *err, size_t errlen)
{
	return mxg_textfile_write(path, write_families, s, err, errlen);
}

void module_stats_summary(struct module_stats *s, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < MODULE_OUT__COUNT; i++)
		mxg_strcatf(buf, len, "%s%s=%lu", i ? " " : "", outcome_names[i], get(&s->outcome[i]));
	for (int i = 0; i < MODULE_AI__COUNT; i++)
		mxg_strcatf(buf, len, " %s=%lu", action_names[i], get(&s->action[i]));
	mxg_strcatf(buf, len, " watch_changes=%lu", get(&s->watch_changes));
}

static void warn(void *arg, const char *msg)
{
	struct module_stats *s = arg;

	if (s->warn)
		s->warn(msg);
}

int module_stats_start(struct module_stats *s, const char *path, unsigned long interval_ms,
		       void (*warn_to)(const char *msg), char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < MODULE_OUT__COUNT; i++)
		atomic_init(&s->outcome[i], 0);
	for (int i = 0; i < MXG_F__COUNT; i++)
		atomic_init(&s->finding[i], 0);
	for (int i = 0; i < MODULE_AI__COUNT; i++)
		atomic_init(&s->action[i], 0);
	atomic_init(&s->watch_changes, 0);
	s->warn = warn_to;
	return mxg_textfile_start(&s->writer, path, interval_ms, write_families, warn, s, err,
				  errlen);
}

/* Stops the thread and writes the file a last time. */
void module_stats_stop(struct module_stats *s)
{
	mxg_textfile_stop(&s->writer);
}
