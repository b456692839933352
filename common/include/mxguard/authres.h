/* Authentication-Results (RFC 8601): formatting our verdicts with safe quoting,
 * and parsing just enough of existing fields to spot ones that claim our authserv-id. */
#ifndef MXGUARD_AUTHRES_H
#define MXGUARD_AUTHRES_H

#include <stddef.h>

#include "mxguard/dkim.h"
#include "mxguard/dmarc.h"
#include "mxguard/spf.h"

struct mxg_authres_input {
	const char *authserv_id;
	const struct mxg_spf_outcome *spf;      /* MAIL FROM; may be NULL */
	const struct mxg_spf_outcome *helo;     /* HELO identity; may be NULL */
	size_t dkim_count;                      /* 0 gives dkim=none */
	const struct mxg_dkim_sig_result *dkim;
	const struct mxg_dmarc_outcome *dmarc;  /* may be NULL */
	const struct mxg_arc_result *arc;       /* may be NULL; written for pass and fail only */
	size_t dkim_max;                        /* DKIM results listed, the rest counted in a
						 * comment; 0 lists them all */
	size_t reason_max;                      /* reason= cut to this many bytes; 0: whole */
	const char *dmarc_comment;              /* extra words for the dmarc comment, or NULL */
	const enum mxg_dmarc_policy *disposition; /* dis= of a DMARC fail: what the receiver did;
						 * NULL: the policy DMARC asks for */
};

/* Writes the field value (without "Authentication-Results:"), folded with
 * "\n\t" between results when fold is set. Returns 0, or -1 if it does not fit. */
int mxg_authres_format(const struct mxg_authres_input *in, int fold, char *buf, size_t bufsize);

/* The authserv-id of an existing field value (comments and folding skipped,
 * quoted-string decoded). Returns 0, or -1 if the value has no valid authserv-id. */
int mxg_authres_authserv_id(const char *value, char *out, size_t outsize);

/* 1 if value claims authserv_id (case-insensitive), 0 if not. Only the leading
 * authserv-id must parse (a forgery need not be well-formed to mislead a reader);
 * values without one return 0. */
int mxg_authres_claims(const char *value, const char *authserv_id);

#endif
