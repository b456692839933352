/* Logging for the daemons and the CLI: syslog or stderr, a level threshold, one line per call.
 * Thread-safe: each call formats into a local buffer and writes once. */
#ifndef MXGUARD_LOG_H
#define MXGUARD_LOG_H

enum mxg_log_level {
	MXG_LOG_ERR = 3,
	MXG_LOG_WARNING = 4,
	MXG_LOG_NOTICE = 5,
	MXG_LOG_INFO = 6,
	MXG_LOG_DEBUG = 7,
};

/* ident: program name; to_syslog: 1 for syslog(3) with facility (e.g. LOG_MAIL), 0 for stderr. */
void mxg_log_open(const char *ident, int to_syslog, int facility);
void mxg_log_set_level(enum mxg_log_level max);
void mxg_log(enum mxg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses a syslog facility name ("mail", "daemon", "local0".."local7"); -1 if unknown. */
int mxg_log_facility_parse(const char *name);

#endif
