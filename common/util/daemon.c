/* Daemon plumbing for the two mxguard daemons (daemon.h): one copy of the detach, pid file
 * and privilege-drop steps, so both daemons start up the same hardened way. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mxguard/daemon.h"
#include "mxguard/str.h"

int mxg_daemon_block_signals(int extra, sigset_t *set)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (extra != 0)
		sigaddset(&mask, extra);
	if (set != NULL)
		*set = mask;
	return pthread_sigmask(SIG_BLOCK, &mask, NULL) == 0 ? 0 : -1;
}

static int fork_and_leave_parent(void)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	return 0;
}

int mxg_daemon_detach(void)
{
	int fd;

	if (fork_and_leave_parent() < 0 || setsid() < 0 || fork_and_leave_parent() < 0)
		return -1;
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

int mxg_daemon_write_pid(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int n, ok;

	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	ok = write(fd, buf, (size_t)n) == n;
	if (close(fd) != 0 || !ok)
		return -1;
	return 0;
}

int mxg_daemon_become(const struct passwd *pw, char *err, size_t errlen)
{
	if (getuid() == pw->pw_uid)
		return 0;
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0)
		return mxg_fail(err, errlen, "cannot become user %s: %s", pw->pw_name, strerror(errno));
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return mxg_fail(err, errlen, "could regain root after becoming %s", pw->pw_name);
	return 0;
}
