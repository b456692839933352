/* mxguard-milter: command line, configuration, socket, daemon mode and privileges, then
 * libmilter's main loop. The socket is bound as root; everything after runs as the configured user. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "milter.h"
#include "milter_gate.h"
#include "milter_metrics.h"
#include "milter_record.h"
#include "milter_reload.h"
#include "milter_runtime.h"
#include "milter_settings.h"
#include "milter_sign.h"
#include "milter_signals.h"
#include "milter_transport.h"
#include "mxguard/daemon.h"
#include "mxguard/log.h"
#include "mxguard/str.h"
#include "mxguard/version.h"

struct options {
	const char *config;
	const char *socket;
	int foreground;
	int check_only;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mxguard-milter [-f] [-n] [-c FILE] [-p SOCKET]\n"
		   "       mxguard-milter --version\n"
		   "  -c FILE    configuration file (default %s)\n"
		   "  -f         stay in the foreground\n"
		   "  -n         check the configuration and exit\n"
		   "  -p SOCKET  listen here instead of the configured socket\n"
		   "  -V, --version  print the version and exit\n",
		MILTER_DEFAULT_CONFIG);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->config = MILTER_DEFAULT_CONFIG;
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("mxguard-milter %s\n", MXG_VERSION);
		exit(0);
	}
	while ((ch = getopt(argc, argv, "c:fnp:hV")) != -1) {
		switch (ch) {
		case 'V': printf("mxguard-milter %s\n", MXG_VERSION); exit(0);
		case 'c': o->config = optarg; break;
		case 'f': o->foreground = 1; break;
		case 'n': o->check_only = 1; break;
		case 'p': o->socket = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return optind == argc ? 0 : -1;
}

static int open_socket(const struct milter_config *cfg, const struct passwd *pw)
{
	const char *path = milter_transport_unix_path(cfg->socket);

	if (smfi_setconn((char *)cfg->socket) != MI_SUCCESS ||
	    smfi_register(milter_desc) != MI_SUCCESS) {
		mxg_log(MXG_LOG_ERR, "cannot set up the milter on %s", cfg->socket);
		return -1;
	}
	smfi_setbacklog(128);
	errno = 0;
	if (smfi_opensocket(true) != MI_SUCCESS) {
		/* libmilter keeps the errno of the call that failed (socket, bind, listen). */
		mxg_log(MXG_LOG_ERR, "cannot listen on %s: %s", cfg->socket,
			errno != 0 ? strerror(errno) : "libmilter gave no reason (see its syslog line)");
		return -1;
	}
	if (path == NULL && milter_transport_nodelay() < 0)
		mxg_log(MXG_LOG_WARNING, "cannot set TCP_NODELAY on %s: %s", cfg->socket, strerror(errno));
	/* The MTA connects as its own user: the socket belongs to our user and group. */
	if (path != NULL && pw != NULL &&
	    (chown(path, pw->pw_uid, pw->pw_gid) != 0 || chmod(path, 0660) != 0)) {
		mxg_log(MXG_LOG_ERR, "cannot hand %s to %s: %s", path, pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* A Unix-domain socket needs its directory: libmilter would only fail to bind. Checked by -n
 * and at start, with what to do about it. */
static int check_socket_dir(const char *file, const struct milter_config *cfg)
{
	const char *path = milter_transport_unix_path(cfg->socket);
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	char dir[sizeof(cfg->socket)];
	struct stat st;

	if (slash == NULL || slash == path)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "mxguard-milter: %s: socket %s: directory %s %s; create it (systemd:"
		" RuntimeDirectory=mxguard in the unit gives /run/mxguard; otherwise"
		" install -d -o mxguard -g mxguard -m 0750 %s)\n",
		file, cfg->socket, dir, stat(dir, &st) == 0 ? "is not a directory" : "does not exist", dir);
	return -1;
}

static int write_pid(const char *path)
{
	if (path[0] == '\0')
		return 0;
	if (mxg_daemon_write_pid(path) != 0) {
		mxg_log(MXG_LOG_ERR, "cannot write pid file %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int drop_privileges(const struct passwd *pw)
{
	char err[256];

	if (pw == NULL)
		return 0;
	if (mxg_daemon_become(pw, err, sizeof(err)) != 0) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		return -1;
	}
	return 0;
}

static int lookup_user(const struct milter_config *cfg, struct passwd **pw)
{
	*pw = NULL;
	if (cfg->user[0] == '\0')
		return 0;
	*pw = getpwnam(cfg->user);
	if (*pw == NULL) {
		fprintf(stderr, "mxguard-milter: user: no such user \"%s\"\n", cfg->user);
		return -1;
	}
	return 0;
}

/* How long a stop waits for the checks under way (the SPF budget is at most 5 minutes, but a
 * stop should not wait that long: systemd's stop timeout is 90 s by default). */
#define STOP_WAIT_MS 30000u
static int runtime_busy;

static int serve(const struct options *o, const struct milter_source *src,
		 const struct milter_config *cfg, struct passwd *pw)
{
	char err[512];
	int rc;

	if (open_socket(cfg, pw) != 0)
		return 1;
	if (!o->foreground && mxg_daemon_detach() != 0) {
		mxg_log(MXG_LOG_ERR, "cannot become a daemon: %s", strerror(errno));
		return 1;
	}
	if (write_pid(cfg->pid_file) != 0 || drop_privileges(pw) != 0)
		return 1;
	/* After fork and setuid: libunbound's threads and files belong to this process. */
	if (milter_runtime_open(&milter_rt, cfg, err, sizeof(err)) != 0) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		return 1;
	}
	if (milter_metrics_start(cfg->metrics_file, cfg->metrics_interval_ms, err, sizeof(err)) != 0) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		return 1;
	}
	if (milter_record_start(cfg->report_store, cfg->report_keep_s, err, sizeof(err)) != 0) {
		mxg_log(MXG_LOG_ERR, "%s", err);
		return 1;
	}
	if (milter_reload_start(src) != 0) {
		mxg_log(MXG_LOG_ERR, "cannot start the reload thread");
		return 1;
	}
	mxg_log(MXG_LOG_NOTICE, "listening on %s, authserv-id %s", cfg->socket, cfg->authserv_id);
	rc = milter_signals_run();
	milter_reload_stop();
	/* Workers inside a lookup finish it (each is bounded by the DNS and SPF time limits);
	 * ones that do not in time keep the runtime, which the exit then takes with them. */
	if (!milter_gate_close(STOP_WAIT_MS)) {
		mxg_log(MXG_LOG_WARNING, "stopping with checks still running after %u s", STOP_WAIT_MS / 1000);
		runtime_busy = 1;
	}
	milter_record_stop();
	milter_metrics_stop();
	mxg_log(MXG_LOG_NOTICE, "stopped");
	if (cfg->pid_file[0] != '\0')
		(void)unlink(cfg->pid_file);
	return rc;
}

/* Runs under the configuration of the start, held for its socket and pid file however many
 * reloads come meanwhile. */
static int run(const struct options *o, const struct milter_source *src, struct passwd *pw)
{
	const struct milter_config *cfg = milter_settings_acquire();
	int rc = serve(o, src, cfg, pw);

	milter_settings_release(cfg);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct passwd *pw;
	char err[512];
	int to_syslog;
	int rc;

	if (parse_args(argc, argv, &o) != 0) {
		usage(stderr);
		return 2;
	}
	/* First of all: a signal during start-up must not end the daemon (the default action),
	 * and every thread started later inherits the mask, so only the reload thread takes
	 * SIGUSR1, only the main thread SIGHUP once it serves (milter_signals.c), and only
	 * libmilter's signal thread, once smfi_main runs, SIGTERM and SIGINT (one sent earlier
	 * stays pending until then and stops the milter the same way, a SIGHUP reloads). */
	if (mxg_daemon_block_signals(SIGUSR1, NULL) != 0) {
		fprintf(stderr, "mxguard-milter: cannot block SIGUSR1, SIGHUP, SIGTERM and SIGINT\n");
		return 1;
	}
	/* The default file may be absent (defaults apply); a file named with -c must exist. */
	struct milter_source src = { o.config, strcmp(o.config, MILTER_DEFAULT_CONFIG) != 0, o.socket };
	struct milter_config *cfg = milter_settings_read(src.path, src.path_given, src.socket, err,
							 sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "mxguard-milter: %s\n", err);
		return 1;
	}
	if (lookup_user(cfg, &pw) != 0 || check_socket_dir(o.config, cfg) != 0) {
		milter_settings_discard(cfg);
		return 1;
	}
	if (milter_sign_check_at_start(cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "mxguard-milter: %s\n", err);
		milter_settings_discard(cfg);
		return 1;
	}
	if (o.check_only) {
		printf("mxguard-milter: %s: configuration OK\n", o.config);
		milter_settings_discard(cfg);
		return 0;
	}
	to_syslog = cfg->log_syslog >= 0 ? cfg->log_syslog : !o.foreground;
	mxg_log_open("mxguard-milter", to_syslog, cfg->log_facility);
	mxg_log_set_level((enum mxg_log_level)cfg->log_level);
	milter_settings_install(cfg);
	rc = run(&o, &src, pw);
	if (runtime_busy)
		return rc;
	milter_runtime_close(&milter_rt);
	milter_settings_install(NULL);
	return rc;
}
