/* SIGUSR1 reloads: the file is read and checked in full before anything changes, and the new
 * configuration is swapped in whole (milter_settings.c), so a broken file changes nothing. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "milter_record.h"
#include "milter_reload.h"
#include "milter_settings.h"
#include "milter_sign.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

static pthread_t reload_thread;
static int reload_running;
static atomic_int reload_stopping;
static struct milter_source reload_src;

/* The settings only read at start (socket, user, logging target, DNS, caches, PSL): named
 * when a reload changes them, since only a restart applies them. */
static void name_restart_only(const struct milter_config *old, const struct milter_config *new,
			      char *out, size_t outlen)
{
	static const struct {
		const char *key;
		size_t off, len;
	} fields[] = {
#define FIELD(k, f) { k, offsetof(struct milter_config, f), sizeof(((struct milter_config *)0)->f) }
		FIELD("socket", socket), FIELD("user", user), FIELD("pid_file", pid_file),
		FIELD("log", log_syslog), FIELD("syslog_facility", log_facility),
		FIELD("dns_forwarders", forwarder_buf), FIELD("dns_use_system", dns_use_system),
		FIELD("dns_trust_anchor", trust_anchor), FIELD("dns_timeout", dns_timeout_ms),
		FIELD("key_cache_size", key_cache_size), FIELD("dns_cache_size", dns_cache_size),
		FIELD("psl_file", psl_file), FIELD("metrics_file", metrics_file),
		FIELD("metrics_interval", metrics_interval_ms),
#undef FIELD
	};

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (memcmp((const char *)old + fields[i].off, (const char *)new + fields[i].off,
			   fields[i].len) == 0)
			continue;
		mxg_strcatf(out, outlen, "%s%s", out[0] ? ", " : "", fields[i].key);
	}
}

int milter_reload(const struct milter_source *src)
{
	char err[512], restart[256];
	struct milter_config *cfg = milter_settings_read(src->path, src->path_given, src->socket,
							 err, sizeof(err));
	const struct milter_config *old;

	if (cfg != NULL && milter_sign_check_published(&cfg->signing, milter_rt.resolver, err,
							 sizeof(err)) != 0) {
		milter_settings_discard(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		mxg_log(MXG_LOG_ERR, "reload failed, keeping the current configuration: %s", err);
		return -1;
	}
	old = milter_settings_acquire();
	if (old != NULL) {
		name_restart_only(old, cfg, restart, sizeof(restart));
		if (restart[0] != '\0')
			mxg_log(MXG_LOG_WARNING, "reload: %s take effect after a restart", restart);
	}
	milter_settings_release(old);
	(void)milter_record_reload(cfg->report_store, cfg->report_keep_s);
	mxg_log_set_level((enum mxg_log_level)cfg->log_level);
	milter_settings_install(cfg);
	mxg_log(MXG_LOG_NOTICE, "configuration reloaded from %s", src->path);
	return 0;
}

static void usr1_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
}

static void *reload_main(void *arg)
{
	sigset_t set;
	int sig;

	(void)arg;
	usr1_set(&set);
	while (sigwait(&set, &sig) == 0 && !atomic_load(&reload_stopping))
		milter_reload(&reload_src);
	return NULL;
}

int milter_reload_start(const struct milter_source *src)
{
	sigset_t all, old;
	int rc;

	reload_src = *src;
	atomic_store(&reload_stopping, 0);
	/* The thread starts with every signal blocked: SIGTERM must reach libmilter's own signal
	 * thread, which smfi_main starts later, and SIGHUP the main thread (milter_signals.c). */
	sigfillset(&all);
	if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
		return -1;
	rc = pthread_create(&reload_thread, NULL, reload_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	reload_running = 1;
	return 0;
}

void milter_reload_request(void)
{
	if (reload_running)
		pthread_kill(reload_thread, SIGUSR1);
}

void milter_reload_stop(void)
{
	if (!reload_running)
		return;
	atomic_store(&reload_stopping, 1);
	pthread_kill(reload_thread, SIGUSR1);
	pthread_join(reload_thread, NULL);
	reload_running = 0;
}
