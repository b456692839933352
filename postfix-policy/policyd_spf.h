/* The SPF-at-RCPT rule: runs the core's MAIL FROM check within the configured budget and
 * turns the outcome into a verdict text and a Received-SPF header value. */
#ifndef POLICYD_SPF_H
#define POLICYD_SPF_H

#include "policyd.h"

struct policyd_spf_verdict {
	int fail;                       /* SPF fail: the rule's action applies */
	int temperror;                  /* temperror (budget spent, DNS trouble) */
	char text[POLICYD_TEXT_MAX];    /* for a reject/defer reply and the log */
	char header[POLICYD_TEXT_MAX];  /* Received-SPF value, "" if none */
};

/* Checks the request's sender from its client address. Blocks (DNS): call on a
 * worker thread only. Returns 0 with *out filled. */
int policyd_spf_check(const struct policyd_rules *r, struct mxg_resolver *res,
		      const struct policyd_request *q, const struct mxg_addr *client,
		      struct policyd_spf_verdict *out);

#endif
