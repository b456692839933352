/* The policy decision on one message: SPF, DKIM and DMARC outcomes plus the receiver's policy
 * in, one action with its SMTP reply out. Pure: no I/O, unit-tested. The milter applies it and
 * mxguard dmarc prints it, from the same message engine (message.h). */
#ifndef MXGUARD_VERDICT_H
#define MXGUARD_VERDICT_H

#include <stddef.h>

#include "mxguard/arc_override.h"
#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/spf.h"

/* What to do with DMARC p=quarantine failures. */
enum mxg_quarantine_mode {
	MXG_QUARANTINE_HOLD = 0, /* the MTA's quarantine (Postfix: hold queue) */
	MXG_QUARANTINE_TAG,      /* accept and add the tag header */
	MXG_QUARANTINE_IGNORE,   /* accept; the A-R header still says dmarc=fail */
};

/* The receiver's policy knobs (mxguard-milter.conf(5) documents each). */
struct mxg_policy {
	int dmarc_reject;                 /* honour p=reject */
	enum mxg_quarantine_mode quarantine;
	int spf_reject_fail;              /* reject SPF fail when DMARC did not pass */
	int temperror_tempfail;           /* DNS trouble deciding: 451 (1) or accept and tag (0) */
	int internal_error_tempfail;      /* a local fault (out of memory): 451 (1) or accept (0) */
	int reject_bad_from;              /* From not exactly one author address: 550 */
	int rollout;                      /* refuse nothing: every refusal becomes "would ..." in
					   * the tag, the message is accepted */
	struct mxg_arc_trust arc_trust;   /* trusted ARC sealers (arc_override.h); none: off */
};

/* The defaults: honour reject and quarantine, 451 on DNS trouble and on local faults,
 * refuse a From field that does not name exactly one author. */
void mxg_policy_defaults(struct mxg_policy *p);

enum mxg_action {
	MXG_ACTION_ACCEPT = 0,
	MXG_ACTION_REJECT,      /* 5xx with code and text */
	MXG_ACTION_TEMPFAIL,    /* 4xx with code and text */
	MXG_ACTION_QUARANTINE,  /* accept into the MTA's quarantine, reason in text */
};

/* How much of the checking applies to this message. */
enum mxg_scope {
	MXG_SCOPE_FULL = 0,     /* checked and policy applied */
	MXG_SCOPE_SOFT,         /* checked and reported, never refused (internal, authenticated) */
};

struct mxg_verdict_input {
	enum mxg_scope scope;
	int internal_error;                  /* a local failure stopped the checks */
	enum mxg_from_status from_status;
	int from_overflow;                   /* more author domains than are evaluated */
	const struct mxg_spf_outcome *spf;   /* MAIL FROM; NULL if not checked */
	size_t dkim_count;
	const struct mxg_dkim_sig_result *dkim;
	const struct mxg_dmarc_outcome *dmarc; /* NULL if not evaluated */
	const struct mxg_arc_override *arc_override; /* the trusted-forwarder decision; NULL: none */
};

#define MXG_REPLY_TEXT_MAX 320

struct mxg_verdict {
	enum mxg_action action;
	char rcode[4];                       /* "550", "451" */
	char xcode[10];                      /* "5.7.1" */
	char text[MXG_REPLY_TEXT_MAX];    /* reply text, or quarantine reason */
	char tag[MXG_REPLY_TEXT_MAX];     /* value of the tag header, "" for none */
	const char *why;                     /* short word for the log: "dmarc-reject", ... */
	enum mxg_action would;               /* what enforcing would do; == action outside rollout */
	enum mxg_dmarc_policy disposition;   /* the DMARC policy actually applied (A-R dis=):
					      * reject, quarantine (held or tagged) or none */
	int trusted_forwarder;               /* a trusted ARC forwarder changed the disposition
					      * (arc_override.h); why is "trusted-forwarder" when
					      * the message is accepted */
};

/* Decides what happens to the message. Always fills *out. Under p->rollout the action is
 * always accept: would and tag say what enforcing would have done. */
void mxg_verdict_decide(const struct mxg_policy *p, const struct mxg_verdict_input *in,
			   struct mxg_verdict *out);

const char *mxg_action_name(enum mxg_action a);

#endif
