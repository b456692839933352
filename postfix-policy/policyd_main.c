/* mxguard-policyd(8): command line, configuration check, daemon start-up (listen, detach,
 * pid file, user drop), the resolver and cache, and SIGHUP reloads that keep old rules on error. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "mxguard/config.h"
#include "mxguard/daemon.h"
#include "mxguard/log.h"
#include "mxguard/str.h"
#include "mxguard/version.h"
#include "policyd.h"
#include "policyd_metrics.h"
#include "policyd_mtasts.h"
#include "policyd_server.h"

#define DEFAULT_CONFIG "/etc/mxguard/policyd.conf"

struct options {
	const char *config;
	int foreground;
	int check_only;
	int verbose;
};

struct reload_ctx {
	const char *path;
	const struct policyd_settings *running;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mxguard-policyd [-c FILE] [-f] [-n] [-v] [--version]\n"
		   "  -c FILE    configuration file (default " DEFAULT_CONFIG ")\n"
		   "  -f         stay in the foreground, log to stderr\n"
		   "  -n         check the configuration and exit\n"
		   "  -v         log debug messages too\n"
		   "  --version  print the version and exit\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->config = DEFAULT_CONFIG;
	while ((c = getopt_long(argc, argv, "c:fnvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'V': printf("mxguard-policyd %s\n", MXG_VERSION); exit(0);
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check_only = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int load(const char *path, struct policyd_settings *s, struct policyd_rules **r,
		char *err, size_t errlen)
{
	struct mxg_config cfg;

	if (mxg_config_load(path, &cfg, err, errlen) < 0)
		return -1;
	int rc = policyd_config_load(&cfg, s, r, err, errlen);
	mxg_config_free(&cfg);
	return rc;
}

/* Daemon settings that only a restart can change; a reload names the ones that differ. */
static void warn_restart(const struct policyd_settings *a, const struct policyd_settings *b)
{
	if (a->n_policy != b->n_policy || a->n_socketmap != b->n_socketmap ||
	    memcmp(a->policy_listen, b->policy_listen, sizeof(a->policy_listen)) != 0 ||
	    memcmp(a->socketmap_listen, b->socketmap_listen, sizeof(a->socketmap_listen)) != 0)
		mxg_log(MXG_LOG_WARNING, "reload: listener changes take effect after a restart");
	if (a->n_zone != b->n_zone || a->n_resolver != b->n_resolver ||
	    memcmp(a->zone, b->zone, sizeof(a->zone)) != 0 ||
	    memcmp(a->resolver, b->resolver, sizeof(a->resolver)) != 0 ||
	    a->dns_timeout_ms != b->dns_timeout_ms || a->dns_cache_size != b->dns_cache_size)
		mxg_log(MXG_LOG_WARNING, "reload: dns.* changes take effect after a restart");
	if (a->workers != b->workers || a->max_connections != b->max_connections ||
	    a->request_max != b->request_max || a->cache_size != b->cache_size ||
	    strcmp(a->user, b->user) != 0)
		mxg_log(MXG_LOG_WARNING, "reload: workers, max_connections, request_max, cache.size "
					 "and user take effect after a restart");
	if (strcmp(a->metrics_file, b->metrics_file) != 0 ||
	    a->metrics_interval_ms != b->metrics_interval_ms)
		mxg_log(MXG_LOG_WARNING, "reload: metrics_file and metrics_interval take effect "
					 "after a restart");
}

static struct policyd_rules *reload(void *arg)
{
	struct reload_ctx *rc = arg;
	struct policyd_settings *s = malloc(sizeof(*s));
	struct policyd_rules *r = NULL;
	char err[512];

	if (s == NULL) {
		mxg_log(MXG_LOG_ERR, "reload: out of memory; keeping the current rules");
		return NULL;
	}
	if (load(rc->path, s, &r, err, sizeof(err)) < 0) {
		mxg_log(MXG_LOG_ERR, "reload failed, keeping the current rules: %s", err);
		free(s);
		return NULL;
	}
	warn_restart(rc->running, s);
	free(s);
	return r;
}

/* Every lookup past the answer cache goes through the timing layer of the counters. */
static struct mxg_resolver *timed(struct mxg_resolver *r, char *err, size_t errlen)
{
	struct mxg_resolver *t = r ? policyd_metrics_timed(r) : NULL;

	if (r != NULL && t == NULL)
		mxg_strlcpy(err, "out of memory", errlen);
	return t;
}

static struct mxg_resolver *open_zones(const struct policyd_settings *s, char *err, size_t errlen)
{
	struct mxg_resolver *r = mxg_resolver_zone_new();

	if (r == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	for (size_t i = 0; i < s->n_zone; i++) {
		if (mxg_zone_load_file(r, s->zone[i], NULL, err, errlen) < 0) {
			mxg_resolver_free(r);
			return NULL;
		}
	}
	return timed(r, err, errlen);
}

static struct mxg_resolver *open_resolver(const struct policyd_settings *s, char *err, size_t errlen)
{
	if (s->n_zone > 0)
		return open_zones(s, err, errlen);
	const char *fwd[POLICYD_LISTEN_MAX + 1];
	for (size_t i = 0; i < s->n_resolver; i++)
		fwd[i] = s->resolver[i];
	fwd[s->n_resolver] = NULL;
	struct mxg_unbound_options uo = {
		.forwarders = s->n_resolver ? fwd : NULL,
		.use_system = s->n_resolver == 0,
		.trust_anchor = s->trust_anchor[0] ? s->trust_anchor : NULL,
		.timeout_ms = (unsigned)s->dns_timeout_ms,
	};
	struct mxg_resolver *t = timed(mxg_resolver_unbound_new(&uo, err, errlen), err, errlen);
	if (t == NULL)
		return NULL;
	/* SPF at RCPT asks the same TXT and A records for every recipient of every message. */
	struct mxg_resolver *cached = mxg_resolver_cache_new(t, s->dns_cache_size);
	if (cached == NULL) {
		mxg_strlcpy(err, "out of memory for the DNS answer cache", errlen);
		mxg_resolver_free(t);
	}
	return cached;
}

/* The directory a file of the configuration goes into must exist: a missing one (a unix
 * socket's run directory, typically) is named with the key before anything starts. */
static int check_dir(const char *key, const char *what, const char *path, char *err, size_t errlen)
{
	char copy[512];
	struct stat st;

	const char *why;

	mxg_strlcpy(copy, path, sizeof(copy));
	const char *dir = dirname(copy);
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		why = "is not a directory";
	} else {
		why = errno == ENOENT || errno == ENOTDIR ? "does not exist" : strerror(errno);
	}
	return mxg_fail(err, errlen, "%s: %s%s: directory %s %s (create it first: see mxguard-policyd(8), "
			"FILES)", key, what, path, dir, why);
}

static int check_listen_dirs(const char *key, char (*specs)[256], size_t n, char *err,
			     size_t errlen)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(specs[i], "unix:", 5) == 0 &&
		    check_dir(key, "unix:", specs[i] + 5, err, errlen) < 0)
			return -1;
	return 0;
}

static int check_paths(struct policyd_settings *s, char *err, size_t errlen)
{
	if (check_listen_dirs("policy_listen", s->policy_listen, s->n_policy, err, errlen) < 0 ||
	    check_listen_dirs("socketmap_listen", s->socketmap_listen, s->n_socketmap, err,
			      errlen) < 0)
		return -1;
	if (s->pid_file[0] && check_dir("pid_file", "", s->pid_file, err, errlen) < 0)
		return -1;
	if (s->metrics_file[0] && check_dir("metrics_file", "", s->metrics_file, err, errlen) < 0)
		return -1;
	return 0;
}

static int drop_user(const char *user, char *err, size_t errlen)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL)
		return mxg_fail(err, errlen, "user %s: no such user", user);
	return mxg_daemon_become(pw, err, errlen);
}

static int run(const struct options *o, struct policyd_settings *s, struct policyd_rules *rules)
{
	char err[512];
	struct reload_ctx rc = { o->config, s };

	struct policyd_server *srv = NULL;
	if (check_paths(s, err, sizeof(err)) == 0)
		srv = policyd_server_new(s, err, sizeof(err));
	if (srv == NULL) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		policyd_rules_unref(rules);
		return 1;
	}
	if (!o->foreground) {
		mxg_log_open("mxguard-policyd", 1, s->syslog_facility);
		if (mxg_daemon_detach() < 0) {
			mxg_log(MXG_LOG_ERR, "cannot detach: %s", strerror(errno));
			goto fail;
		}
	}
	if (s->pid_file[0] && mxg_daemon_write_pid(s->pid_file) < 0) {
		mxg_log(MXG_LOG_ERR, "pid file %s: %s", s->pid_file, strerror(errno));
		goto fail;
	}
	/* The resolver loads zone files and trust anchors before privileges go. */
	struct mxg_resolver *res = open_resolver(s, err, sizeof(err));
	if (res == NULL) {
		mxg_log(MXG_LOG_ERR, "resolver: %s", err);
		goto fail;
	}
	if (s->user[0] && drop_user(s->user, err, sizeof(err)) < 0) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		mxg_resolver_free(res);
		goto fail;
	}
	struct policyd_mxcache *cache = policyd_mxcache_new(res, s->cache_size, (unsigned)s->cache_min_ttl,
							    (unsigned)s->cache_max_ttl,
							    (unsigned)s->cache_neg_ttl);
	if (cache == NULL) {
		mxg_log(MXG_LOG_ERR, "out of memory");
		mxg_resolver_free(res);
		goto fail;
	}
	struct policyd_mtasts *sts = NULL;
	/* Read at every fetch, by the user the daemon now runs as: refused now rather than
	 * failing every fetch later. */
	if (s->mta_sts && s->mta_sts_ca_file[0] && access(s->mta_sts_ca_file, R_OK) != 0) {
		mxg_log(MXG_LOG_ERR, "mta_sts_ca_file %s: %s", s->mta_sts_ca_file, strerror(errno));
		policyd_mxcache_free(cache);
		mxg_resolver_free(res);
		goto fail;
	}
	if (s->mta_sts) {
		sts = policyd_mtasts_new(res, s->mta_sts_cache_size, s->mta_sts_ca_file,
					 s->mta_sts_fetch_timeout_ms);
		if (sts == NULL) {
			mxg_log(MXG_LOG_ERR, "out of memory");
			policyd_mxcache_free(cache);
			mxg_resolver_free(res);
			goto fail;
		}
		policyd_server_set_mtasts(srv, sts);
	}
		if (policyd_metrics_start(s->metrics_file, s->metrics_interval_ms, err, sizeof(err)) < 0)
		mxg_log(MXG_LOG_WARNING, "%s: no counters file", err);
	int rv = policyd_server_run(srv, rules, cache, res, reload, &rc);
	policyd_metrics_stop();
	policyd_server_free(srv);
	policyd_mxcache_free(cache);
	policyd_mtasts_free(sts);
	mxg_resolver_free(res);
	if (s->pid_file[0])
		unlink(s->pid_file);
	mxg_log(MXG_LOG_NOTICE, "stopped");
	return rv == 0 ? 0 : 1;
fail:
	policyd_server_free(srv);
	policyd_rules_unref(rules);
	if (s->pid_file[0])
		unlink(s->pid_file);
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct policyd_settings *s = calloc(1, sizeof(*s));
	struct policyd_rules *rules = NULL;
	char err[512];

	if (s == NULL || parse_args(argc, argv, &o) < 0)
		return 2;
	/* Before anything else: a signal sent during start-up waits for the event loop, and
	 * every thread started later (libunbound's too) inherits the mask. */
	if (!o.check_only && mxg_daemon_block_signals(0, NULL) != 0) {
		fprintf(stderr, "mxguard-policyd: cannot block HUP, TERM and INT for the event loop\n");
		free(s);
		return 1;
	}
	mxg_log_open("mxguard-policyd", 0, 0);
	if (load(o.config, s, &rules, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxguard-policyd: %s\n", err);
		free(s);
		return 1;
	}
	if (o.check_only && check_paths(s, err, sizeof(err)) < 0) {
		fprintf(stderr, "mxguard-policyd: %s: %s\n", o.config, err);
		policyd_rules_unref(rules);
		free(s);
		return 1;
	}
	if (o.check_only) {
		printf("mxguard-policyd: %s: configuration OK\n", o.config);
		policyd_rules_unref(rules);
		free(s);
		return 0;
	}
	mxg_log_set_level(o.verbose ? MXG_LOG_DEBUG : (enum mxg_log_level)s->log_level);
	int rc = run(&o, s, rules);
	free(s);
	return rc;
}
