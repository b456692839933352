/* Logging (see log.h): each call formats into a local buffer, makes control characters
 * visible so network input cannot forge log lines, and hands the line over in one write. */
#include "mxguard/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "mxguard/str.h"

#define LOG_LINE_MAX 2048

/* Set by mxg_log_open before threads start; read-only afterwards. */
static char log_ident[64] = "mxguard";
static int log_syslog;
static _Atomic int log_max = MXG_LOG_INFO;

void mxg_log_open(const char *ident, int to_syslog, int facility)
{
	mxg_strlcpy(log_ident, ident != NULL && ident[0] ? ident : "mxguard", sizeof(log_ident));
	log_syslog = to_syslog;
	if (to_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void mxg_log_set_level(enum mxg_log_level max)
{
	atomic_store(&log_max, (int)max);
}

static const char *level_name(enum mxg_log_level level)
{
	switch (level) {
	case MXG_LOG_ERR: return "error";
	case MXG_LOG_WARNING: return "warning";
	case MXG_LOG_NOTICE: return "notice";
	case MXG_LOG_INFO: return "info";
	case MXG_LOG_DEBUG: return "debug";
	}
	return "log";
}

/* Replaces control characters (newlines above all) in place. */
static void defang(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* One write(2) per line, retried only for a partial write or EINTR; bounded. */
static void write_all(int fd, const char *buf, size_t len)
{
	for (int tries = 0; len > 0 && tries < 8; tries++) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno != EINTR)
			return;
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		}
	}
}

void mxg_log(enum mxg_log_level level, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 128];
	va_list ap;

	if ((int)level > atomic_load(&log_max))
		return;
	int saved = errno;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	defang(msg);
	if (log_syslog) {
		syslog((int)level, "%s", msg);
	} else {
		int n = snprintf(line, sizeof(line), "%s[%ld]: %s: %s\n", log_ident, (long)getpid(),
				 level_name(level), msg);
		if (n > 0)
			write_all(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	errno = saved;
}

int mxg_log_facility_parse(const char *name)
{
	static const struct {
		const char *name;
		int facility;
	} facilities[] = {
		{ "mail", LOG_MAIL },     { "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "auth", LOG_AUTH },     { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};

	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (mxg_strcaseeq(name, facilities[i].name))
			return facilities[i].facility;
	return -1;
}
