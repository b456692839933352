/* mxguard report: the subcommands over the DMARC report store (report_store.h), and what they
 * share: the store and report metadata taken from options or mxguard-milter's configuration. */
#ifndef MXGUARD_CLI_REPORT_H
#define MXGUARD_CLI_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "mxguard/dmarc.h"
#include "mxguard/report_out.h"
#include "mxguard/report_store.h"

#define CLI_REPORT_DEFAULT_CONFIG "/etc/mxguard/milter.conf"
#define CLI_REPORT_SENDMAIL "/usr/sbin/sendmail"
#define CLI_REPORT_INTERVALS_MAX 4000      /* intervals looked at per domain in one run */
#define CLI_REPORT_DOMAINS_MAX 4096        /* reporting domains in one interval */
#define CLI_REPORT_SENDMAIL_WAIT_S 60      /* longest wait for sendmail(8) */
#define CLI_REPORT_RETRY_S (3 * 86400)     /* a destination failing for now is retried on each
					    * run for this long after its first try, then given
					    * up (logged) */
#define CLI_REPORT_RETRIES_MAX 1000        /* pending destinations retried in one run */

/* What a report subcommand needs from the milter configuration (and options over it). */
struct cli_report_settings {
	char store[MXG_STORE_SPEC_MAX];
	char org_name[MXG_STORE_TEXT_MAX];
	char email[MXG_STORE_TEXT_MAX];
	char receiver[MXG_DNS_NAME_MAX];
	char format[16];                   /* rfc7489 or dmarcbis; "" until set */
};

/* Fills what is still empty in s (options come first) from the milter configuration at path
 * (absent and not given: nothing). 0, or -1 with a message printed. */
int cli_report_settings(struct cli_report_settings *s, const char *path, int path_given,
			const char *prog);
/* Fills the defaults left empty: org_name and receiver the host's domain, email
 * noreply-dmarc@ that domain. */
void cli_report_defaults(struct cli_report_settings *s);

int cli_report_send(int argc, char **argv);
void cli_report_send_usage(FILE *out);

/* What delivering reports needs: the store (delivery state), DNS (rua authorisation), the
 * sendmail to use, and the run's counts. */
struct cli_report_out {
	struct mxg_store *store;
	struct mxg_resolver *r;
	struct mxg_dmarc_options dopt;
	const char *sendmail;
	int64_t now;
	unsigned sent, problems;
};

/* A report just built for an interval just claimed (mxg_store_mark_reported): each rua URI
 * of latest becomes a delivery row, then each is sent (cli_report_deliver.c). */
void cli_report_deliver_new(struct cli_report_out *o, const struct mxg_report_meta *m,
			    const struct mxg_store_eval *latest, const char *name,
			    const uint8_t *gz, size_t gzlen);
/* The same report again to one destination that failed for now on an earlier run (d), or
 * given up when its first try is over CLI_REPORT_RETRY_S old. */
void cli_report_deliver_retry(struct cli_report_out *o, const struct mxg_report_meta *m,
			      const struct mxg_store_delivery *d, const char *name,
			      const uint8_t *gz, size_t gzlen);

/* Pipes msg to sendmail -oi -f from -- to (waiting at most CLI_REPORT_SENDMAIL_WAIT_S).
 * 0, or -1 with a reason. */
int cli_report_sendmail(const char *sendmail, const char *from, const char *to, const char *msg,
			size_t len, char *err, size_t errlen);

#endif
