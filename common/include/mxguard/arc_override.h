/* The trusted-forwarder override (RFC 8617 §7.2, RFC 7489 §7.2 PolicyOverrideType
 * trusted_forwarder): a DMARC failure whose reject or quarantine is lifted because an ARC chain
 * that validates was sealed last by a sealer the receiver trusts, and that sealer's
 * ARC-Authentication-Results vouch for the same From domain. The decision is pure. */
#ifndef MXGUARD_ARC_OVERRIDE_H
#define MXGUARD_ARC_OVERRIDE_H

#include <stddef.h>

#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"

/* Most sealer domains in arc_trusted_sealers. */
#define MXG_ARC_TRUST_MAX 32
/* Most ARC sets a chain may have (RFC 8617 §4.2.1); the validator fails longer chains. */
#define MXG_ARC_OVERRIDE_SETS_MAX 50

/* The receiver's trusted sealers: ARC-Seal d= values, matched exactly (a subdomain is trusted
 * only when listed itself). disposition is what a trusted forward of a failing message gets:
 * none (the default) or quarantine. count 0: the override is off. */
struct mxg_arc_trust {
	size_t count;
	char sealers[MXG_ARC_TRUST_MAX][MXG_DNS_NAME_MAX];
	enum mxg_dmarc_policy disposition;
};

/* Parses a list of domain names (blank- or comma-separated; "" empties it) into t's sealers
 * (disposition untouched). 0, or -1 with the reason in err and t unchanged. */
int mxg_arc_trust_parse(const char *list, struct mxg_arc_trust *t, char *err, size_t errlen);
/* 1 if domain is one of t's sealers (case-insensitive, a final dot ignored), else 0. */
int mxg_arc_trust_has(const struct mxg_arc_trust *t, const char *domain);

/* One ARC set as the override reads it. */
struct mxg_arc_set_view {
	unsigned instance;                /* i= */
	char sealer[MXG_DNS_NAME_MAX];    /* d= of its ARC-Seal, "" if unreadable */
	const char *aar;                  /* its ARC-Authentication-Results value (not copied) */
	size_t aar_len;
};

struct mxg_arc_override_input {
	const struct mxg_dmarc_outcome *dmarc;    /* the decisive DMARC outcome */
	enum mxg_from_status from_status;
	size_t from_domain_count;
	const struct mxg_arc_result *arc;         /* the chain's validation */
	const struct mxg_arc_set_view *sets;      /* sets[k] is instance k + 1 */
	size_t set_count;
	int newest_signs_from;                    /* the newest ARC-Message-Signature's h= has From */
};

enum mxg_arc_override_status {
	MXG_ARC_OVERRIDE_NO = 0,   /* the policy stands */
	MXG_ARC_OVERRIDE_YES,      /* a trusted forwarder vouches: disposition applies */
	MXG_ARC_OVERRIDE_DOUBT,    /* it would, but the chain's validation hit a temporary error */
};

struct mxg_arc_override {
	enum mxg_arc_override_status status;
	enum mxg_dmarc_policy disposition;  /* YES: what applies instead of the policy */
	char sealer[MXG_DNS_NAME_MAX];      /* YES, DOUBT: the sealer whose AAR vouches */
	unsigned instance;                  /* and its set's i= */
	char basis[MXG_DNS_NAME_MAX + 32];  /* what its AAR says: "dmarc=pass", "dkim=pass d=..." */
	char why_not[160];                  /* NO, when a chain was there: why it does not apply */
};

/* Decides whether the trusted-forwarder override applies. Fail-closed: only a DMARC fail whose
 * policy is reject or quarantine, one From field with one author domain, a chain that
 * validates (arc=pass; temperror gives DOUBT) with at most MXG_ARC_OVERRIDE_SETS_MAX sets, whose
 * newest seal's d= is trusted and whose newest message signature covers From; then, from the
 * newest set down while each set's sealer is trusted, the first AAR that parses strictly and
 * says, about this From domain and nothing else, dmarc=pass, or dkim=pass (header.d) or
 * spf=pass (smtp.mailfrom) aligned with it as the DMARC record asks, with no other dmarc
 * result. Always fills *out. */
void mxg_arc_override_decide(const struct mxg_arc_trust *t, const struct mxg_arc_override_input *in,
			     struct mxg_arc_override *out);

/* The same over the chain verifier v saw (after mxg_dkim_finish): reads its ARC sets. A chain
 * that cannot be read (ENOMEM, header overflow) gives NO. */
void mxg_arc_override_judge(const struct mxg_arc_trust *t, const struct mxg_dkim_verifier *v,
			    const struct mxg_dmarc_outcome *dmarc, enum mxg_from_status from_status,
			    size_t from_domain_count, struct mxg_arc_override *out);

#endif
