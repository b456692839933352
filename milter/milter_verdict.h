/* The policy decision of mxguard-milter: SPF, DKIM and DMARC outcomes plus the configured
 * policy in, one action with its SMTP reply out. Pure: no I/O, no libmilter, unit-tested. */
#ifndef MXGUARD_MILTER_VERDICT_H
#define MXGUARD_MILTER_VERDICT_H

#include <stddef.h>

#include "milter.h"

enum milter_action {
	MILTER_ACTION_ACCEPT = 0,
	MILTER_ACTION_REJECT,      /* 5xx with code and text */
	MILTER_ACTION_TEMPFAIL,    /* 4xx with code and text */
	MILTER_ACTION_QUARANTINE,  /* accept into the MTA's quarantine, reason in text */
};

/* How much of the checking applies to this message. */
enum milter_scope {
	MILTER_SCOPE_FULL = 0,     /* checked and policy applied */
	MILTER_SCOPE_SOFT,         /* checked and reported, never refused (internal, authenticated) */
};

struct milter_verdict_input {
	enum milter_scope scope;
	int internal_error;                  /* a local failure stopped the checks */
	enum mxg_from_status from_status;
	const struct mxg_spf_outcome *spf;   /* MAIL FROM; NULL if not checked */
	size_t dkim_count;
	const struct mxg_dkim_sig_result *dkim;
	const struct mxg_dmarc_outcome *dmarc; /* NULL if not evaluated */
};

#define MILTER_REPLY_TEXT_MAX 320

struct milter_verdict {
	enum milter_action action;
	char rcode[4];                       /* "550", "451" */
	char xcode[10];                      /* "5.7.1" */
	char text[MILTER_REPLY_TEXT_MAX];    /* reply text, or quarantine reason */
	char tag[MILTER_REPLY_TEXT_MAX];     /* value of the tag header, "" for none */
	const char *why;                     /* short word for the log: "dmarc-reject", ... */
};

/* Decides what happens to the message. Always fills *out. */
void milter_verdict_decide(const struct milter_policy *p, const struct milter_verdict_input *in,
			   struct milter_verdict *out);

const char *milter_action_name(enum milter_action a);

#endif
