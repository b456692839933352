/* mxguard report send's delivery: the report's mail piped to sendmail(8), with a bounded wait
 * for it to finish. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_report.h"
#include "mxguard/str.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Waits for pid at most CLI_REPORT_SENDMAIL_WAIT_S; kills it after. Its exit status, or -1. */
static int wait_bounded(pid_t pid)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	for (int i = 0; i < CLI_REPORT_SENDMAIL_WAIT_S * 20; i++) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

int cli_report_sendmail(const char *sendmail, const char *from, const char *to, const char *msg,
			size_t len, char *err, size_t errlen)
{
	int fds[2];
	if (pipe(fds) != 0)
		return mxg_fail(err, errlen, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return mxg_fail(err, errlen, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execl(sendmail, sendmail, "-oi", "-f", from, "--", to, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	int wrote = write_all(fds[1], msg, len);
	close(fds[1]);
	signal(SIGPIPE, old);
	int status = wait_bounded(pid);
	if (wrote != 0 || status != 0)
		return mxg_fail(err, errlen, "%s %s (exit %d)", sendmail,
				wrote != 0 ? "did not take the message" : "failed", status);
	return 0;
}
