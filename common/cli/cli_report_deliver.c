/* mxguard report send's delivery: each rua destination of a report sent once, its state kept
 * in the store so that a destination failing for now is retried alone on later runs (for
 * CLI_REPORT_RETRY_S at most); the mail piped to sendmail(8) with a bounded wait. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_report.h"
#include "mxguard/str.h"

enum dest_outcome { DEST_SENT, DEST_REFUSED, DEST_LATER };

/* One destination: sent, refused for good (not a mailto:, unauthorised, over its size), or
 * failed for now (DNS or sendmail trouble). The reason in why. */
static enum dest_outcome send_to(struct cli_report_out *o, const struct mxg_report_meta *m,
				 const char *domain, const char *uri, const char *name,
				 const uint8_t *gz, size_t gzlen, char *why, size_t whylen)
{
	struct mxg_dmarc_mailto to;
	if (mxg_dmarc_mailto_parse(uri, &to) != 0) {
		snprintf(why, whylen, "not a usable mailto: URI");
		printf("  %s: skipped: %s\n", uri, why);
		return DEST_REFUSED;
	}
	enum mxg_dmarc_dest d = mxg_dmarc_report_destination(o->r, &o->dopt, domain, NULL,
							     to.host, why, whylen);
	if (d != MXG_DMARC_DEST_OK) {
		printf("  %s: %s: %s\n", to.address, d == MXG_DMARC_DEST_TEMPFAIL ? "deferred"
			: "skipped, not authorised (RFC 7489 7.1)", why);
		return d == MXG_DMARC_DEST_TEMPFAIL ? DEST_LATER : DEST_REFUSED;
	}
	char *mail = NULL;
	size_t mlen = 0;
	if (mxg_report_mail(m, domain, to.address, name, gz, gzlen, &mail, &mlen, why, whylen) != 0) {
		printf("  %s: failed: %s\n", to.address, why);
		return DEST_LATER;
	}
	enum dest_outcome rc = DEST_SENT;
	if (to.max_size > 0 && mlen > to.max_size) {
		snprintf(why, whylen, "the report mail is %zu bytes, over its limit of %llu", mlen,
			 (unsigned long long)to.max_size);
		printf("  %s: skipped: %s\n", to.address, why);
		rc = DEST_REFUSED;
	} else if (cli_report_sendmail(o->sendmail, m->email, to.address, mail, mlen, why,
				       whylen) != 0) {
		printf("  %s: failed: %s\n", to.address, why);
		rc = DEST_LATER;
	} else {
		why[0] = '\0';
		printf("  %s: sent (%zu bytes)\n", to.address, mlen);
		o->sent++;
	}
	free(mail);
	return rc;
}

/* Claims the destination's row, sends, and keeps the outcome. */
static void deliver_dest(struct cli_report_out *o, const struct mxg_report_meta *m,
			 const char *domain, const char *uri, const char *name, const uint8_t *gz,
			 size_t gzlen)
{
	char err[512], why[600];
	int claim = mxg_store_delivery_claim(o->store, domain, m->begin, uri, o->now, err,
					     sizeof(err));
	if (claim != 0) {
		if (claim < 0)
			fprintf(stderr, "mxguard report send: %s\n", err);
		else
			printf("  %s: being sent by another run\n", uri);
		o->problems += claim < 0;
		return;
	}
	enum dest_outcome out = send_to(o, m, domain, uri, name, gz, gzlen, why, sizeof(why));
	static const char *const states[] = { "sent", "refused", "pending" };
	o->problems += out == DEST_LATER;
	if (mxg_store_delivery_set(o->store, domain, m->begin, uri, states[out], why, err,
				   sizeof(err)) != 0) {
		fprintf(stderr, "mxguard report send: %s: %s\n", uri, err);
		o->problems++;
	}
}

void cli_report_deliver_new(struct cli_report_out *o, const struct mxg_report_meta *m,
			    const struct mxg_store_eval *latest, const char *name,
			    const uint8_t *gz, size_t gzlen)
{
	char list[MXG_STORE_RUA_MAX], err[512];
	struct mxg_store_delivery d = { .begin = m->begin, .end = m->end, .first_try = o->now };
	mxg_strlcpy(d.policy_domain, latest->policy_domain, sizeof(d.policy_domain));
	mxg_strlcpy(d.format, mxg_report_format_name(m->format), sizeof(d.format));
	mxg_strlcpy(list, latest->rua, sizeof(list));
	char *save = NULL;
	/* All rows first: a run that dies half-way leaves the rest pending, not forgotten. */
	for (char *uri = strtok_r(list, ",", &save); uri != NULL; uri = strtok_r(NULL, ",", &save)) {
		mxg_strlcpy(d.destination, mxg_str_trim(uri), sizeof(d.destination));
		if (mxg_store_delivery_add(o->store, &d, err, sizeof(err)) != 0) {
			fprintf(stderr, "mxguard report send: %s: %s\n", d.destination, err);
			o->problems++;
			return;
		}
	}
	mxg_strlcpy(list, latest->rua, sizeof(list));
	for (char *uri = strtok_r(list, ",", &save); uri != NULL; uri = strtok_r(NULL, ",", &save))
		deliver_dest(o, m, latest->policy_domain, mxg_str_trim(uri), name, gz, gzlen);
}

void cli_report_deliver_retry(struct cli_report_out *o, const struct mxg_report_meta *m,
			      const struct mxg_store_delivery *d, const char *name,
			      const uint8_t *gz, size_t gzlen)
{
	char err[512];
	if (o->now - d->first_try <= CLI_REPORT_RETRY_S) {
		deliver_dest(o, m, d->policy_domain, d->destination, name, gz, gzlen);
		return;
	}
	/* Given up: claimed first so that only one run says so. */
	if (mxg_store_delivery_claim(o->store, d->policy_domain, d->begin, d->destination, o->now,
				     err, sizeof(err)) != 0)
		return;
	fprintf(stderr, "mxguard report send: %s: gave up on %s after %d attempts over %lld s "
		"(last: %s)\n", d->policy_domain, d->destination, d->attempts,
		(long long)(o->now - d->first_try), d->last_error);
	printf("  %s: given up after %d attempts\n", d->destination, d->attempts);
	if (mxg_store_delivery_set(o->store, d->policy_domain, d->begin, d->destination, "expired",
				   d->last_error, err, sizeof(err)) != 0)
		fprintf(stderr, "mxguard report send: %s\n", err);
}

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
