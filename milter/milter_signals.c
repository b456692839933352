/* SIGHUP reloads mxguard-milter, as it reloads mxguard-policyd.
 *
 * libmilter's smfi_main starts a thread that sigwaits SIGHUP, SIGTERM and SIGINT and stops the
 * milter on any of them. The signals are process-directed (kill, systemctl reload), so which
 * thread takes one is the kernel's choice among the threads that do not block it, a thread in
 * sigwait counting as one that does not. Linux offers it first to the thread the sender named:
 * for kill(2) and for systemd that is the thread-group leader, the process's main thread. It
 * passes to another thread only when the main thread blocks it, or has a signal of its own
 * pending and is not running at that instant.
 *
 * So smfi_main runs in a second thread here, and the main thread keeps SIGHUP unblocked, with
 * a handler, for the whole life of libmilter's signal thread, and blocks every other signal:
 * the only signal that can be pending for it is a SIGHUP, and a second SIGHUP sent meanwhile is
 * merged with the pending one (standard signals do not queue), so the kernel never has a reason
 * to hand a SIGHUP to libmilter. The handler runs with SA_NODEFER, so SIGHUP is not blocked even
 * while it runs; it only writes a byte to a pipe, and the main thread asks the reload thread
 * for a reload. SIGTERM and SIGINT stay blocked in the main thread and reach libmilter as
 * before. The thread that runs smfi_main starts with every signal blocked (its attribute, so
 * that the main thread never blocks SIGHUP on its account), as do the threads it starts. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "milter_reload.h"
#include "milter_signals.h"
#include "mxguard/log.h"

static int wake[2] = { -1, -1 };

enum { WAKE_HUP = 'H', WAKE_DONE = 'D' };

static void on_hup(int sig)
{
	int saved = errno;
	char b = WAKE_HUP;

	(void)sig;
	/* A full pipe means reloads are asked already: one more byte adds nothing. */
	(void)!write(wake[1], &b, 1);
	errno = saved;
}

static void *smfi_thread(void *arg)
{
	int *rc = arg;
	char b = WAKE_DONE;

	*rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	while (write(wake[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int open_wake_pipe(void)
{
	if (pipe2(wake, O_CLOEXEC) != 0)
		return -1;
	/* The handler must never block on it; the reader blocks. */
	return fcntl(wake[1], F_SETFL, O_NONBLOCK) == 0 ? 0 : -1;
}

static void close_wake_pipe(void)
{
	for (int i = 0; i < 2; i++) {
		if (wake[i] >= 0)
			(void)close(wake[i]);
		wake[i] = -1;
	}
}

/* Main thread: the handler in place, then only SIGHUP unblocked. A SIGHUP that came during
 * start-up, still pending, is delivered here at this point, before libmilter's thread exists. */
static int take_hup(void)
{
	struct sigaction sa;
	sigset_t only_hup;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sa.sa_flags = SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGHUP, &sa, NULL) != 0)
		return -1;
	sigfillset(&only_hup);
	sigdelset(&only_hup, SIGHUP);
	return pthread_sigmask(SIG_SETMASK, &only_hup, NULL) == 0 ? 0 : -1;
}

static int start_smfi(pthread_t *t, int *rc)
{
	pthread_attr_t attr;
	sigset_t all;
	int err;

	sigfillset(&all);
	if (pthread_attr_init(&attr) != 0)
		return -1;
	err = pthread_attr_setsigmask_np(&attr, &all);
	if (err == 0)
		err = pthread_create(t, &attr, smfi_thread, rc);
	pthread_attr_destroy(&attr);
	return err == 0 ? 0 : -1;
}

/* Reads the pipe until smfi_main has returned, asking for a reload at each SIGHUP. */
static void serve_signals(void)
{
	char buf[64];

	for (;;) {
		ssize_t n = read(wake[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == WAKE_DONE)
				return;
		}
		mxg_log(MXG_LOG_INFO, "SIGHUP: reloading the configuration");
		milter_reload_request();
	}
}

int milter_signals_run(void)
{
	pthread_t t;
	int rc = 1;

	if (open_wake_pipe() != 0 || take_hup() != 0) {
		mxg_log(MXG_LOG_ERR, "cannot take SIGHUP for reloads: %s", strerror(errno));
		close_wake_pipe();
		return 1;
	}
	if (start_smfi(&t, &rc) != 0) {
		mxg_log(MXG_LOG_ERR, "cannot start the milter thread");
		return 1;
	}
	serve_signals();
	pthread_join(t, NULL);
	/* SIGHUP from here on has nobody to reload: ignored until the process ends. */
	signal(SIGHUP, SIG_IGN);
	close_wake_pipe();
	return rc;
}
