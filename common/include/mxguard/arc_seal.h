/* ARC sealing (RFC 8617 §5.1): the ARC set a forwarding hop adds to a message it verified
 * (ARC-Authentication-Results, ARC-Message-Signature, ARC-Seal with the chain's cv=), signed with
 * a DKIM signing key over the verifier's own header fields and body hash (nothing re-read). */
#ifndef MXGUARD_ARC_SEAL_H
#define MXGUARD_ARC_SEAL_H

#include <stddef.h>
#include <time.h>

#include "mxguard/dkim.h"
#include "mxguard/dkim_sign.h"

/* Highest instance a chain may reach (RFC 8617 §4.2.1); a message with 50 sets is not sealed. */
#define MXG_ARC_SEAL_MAX_INSTANCE 50
/* Most names a caller's h= list may hold. */
#define MXG_ARC_SEAL_HEADERS_MAX 64

struct mxg_arc_seal_options {
	const char *domain;          /* d= */
	const char *selector;        /* s= */
	const char *authserv_id;     /* this hop's authserv-id */
	const char *authres;         /* this hop's Authentication-Results value, starting with
				      * authserv_id ("mx.example; arc=pass; spf=pass ..."); folds
				      * and runs of blanks are normalised */
	const char *const *headers;  /* the ARC-Message-Signature's h=, lower case; NULL: the DKIM
				      * signer's choice (RFC 6376 §5.4.1 set, once-only fields
				      * oversigned). Never ARC fields or Authentication-Results. */
	size_t n_headers;
	time_t now;                  /* t=; 0 = time(NULL) */
	int lf;                      /* fold and end lines with bare LF (the message uses LF) */
};

/* The new set: each a whole field "Name: value" with its line end, allocated. They go above
 * every other field in the order ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results
 * (top to bottom), or in any order: validators find the sets by i=. */
struct mxg_arc_set {
	unsigned instance;                /* i= */
	enum mxg_arc_result_code cv;      /* NONE, PASS or FAIL as written in cv= */
	char *aar, *ams, *as;
};

enum mxg_arc_seal_status {
	MXG_ARC_SEAL_ERROR = -1,
	MXG_ARC_SEALED = 0,
	MXG_ARC_SEAL_CHAIN_ENDED = 1,  /* the newest ARC-Seal already says cv=fail: nothing is
				       * added (RFC 8617 §5.1 step 1) */
};

/* Seals the message verifier v has seen whole (mxg_dkim_finish done; made with
 * opt.seal_body = 1). cv= is the chain v found: none with no ARC set, pass when it validated,
 * fail when it did not (the new ARC-Seal then signs only the new set, §5.1.2). A chain whose
 * validation hit a temporary error is not sealed (error): its state is unknown.
 * MXG_ARC_SEALED with out filled (free with mxg_arc_set_clear), MXG_ARC_SEAL_CHAIN_ENDED, or
 * MXG_ARC_SEAL_ERROR with the reason in err (50 sets already, no single From, header too large,
 * bad options, crypto error, ENOMEM); out is then empty. */
enum mxg_arc_seal_status mxg_arc_seal(const struct mxg_dkim_verifier *v,
				      const struct mxg_dkim_signing_key *k,
				      const struct mxg_arc_seal_options *o, struct mxg_arc_set *out,
				      char *err, size_t errlen);
void mxg_arc_set_clear(struct mxg_arc_set *s);

#endif
