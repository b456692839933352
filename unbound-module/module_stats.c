/* Counter output: Prometheus text exposition format, one metric family per concern, written to
 * a temporary file and renamed so the collector never reads half a file. */
#include "module_stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void write_families(struct module_stats *s, FILE *f)
{
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
}

int module_stats_write(struct module_stats *s, const char *path, char *err, size_t errlen)
{
	char tmp[600];
	FILE *f;
	int bad;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	write_families(s, f);
	bad = ferror(f);
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

void module_stats_summary(struct module_stats *s, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < MODULE_OUT__COUNT; i++)
		mxg_strcatf(buf, len, "%s%s=%lu", i ? " " : "", outcome_names[i], get(&s->outcome[i]));
	for (int i = 0; i < MODULE_AI__COUNT; i++)
		mxg_strcatf(buf, len, " %s=%lu", action_names[i], get(&s->action[i]));
}

static void *writer(void *arg)
{
	struct module_stats *s = arg;
	char err[256];
	int failed = 0;

	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)(s->interval_ms / 1000);
		until.tv_nsec += (long)(s->interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		/* Write first, so the file exists from start-up on. */
		pthread_mutex_unlock(&s->lock);
		if (module_stats_write(s, s->path, err, sizeof(err)) < 0 && !failed) {
			if (s->warn)
				s->warn(err);
			failed = 1;
		}
		pthread_mutex_lock(&s->lock);
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int module_stats_start(struct module_stats *s, const char *path, unsigned long interval_ms,
		       void (*warn)(const char *msg), char *err, size_t errlen)
{
	pthread_condattr_t ca;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < MODULE_OUT__COUNT; i++)
		atomic_init(&s->outcome[i], 0);
	for (int i = 0; i < MXG_F__COUNT; i++)
		atomic_init(&s->finding[i], 0);
	for (int i = 0; i < MODULE_AI__COUNT; i++)
		atomic_init(&s->action[i], 0);
	s->warn = warn;
	if (!path || !path[0])
		return 0;
	mxg_strlcpy(s->path, path, sizeof(s->path));
	s->interval_ms = interval_ms ? interval_ms : 60000;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, writer, s) != 0) {
		snprintf(err, errlen, "cannot start the counters thread");
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		return -1;
	}
	s->running = 1;
	return 0;
}

void module_stats_stop(struct module_stats *s)
{
	char err[256];

	if (!s->running)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->running = 0;
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	if (module_stats_write(s, s->path, err, sizeof(err)) < 0 && s->warn)
		s->warn(err);
}
