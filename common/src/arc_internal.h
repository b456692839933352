/* Private interface of ARC (RFC 8617) inside the DKIM verifier: the chain validation
 * arc_verify.c runs over the header fields dkim.c keeps, and what the sealer (arc_seal.c)
 * reads of that chain. Built on dkim_internal.h; the dependency runs one way. Not installed. */
#ifndef MXGUARD_ARC_INTERNAL_H
#define MXGUARD_ARC_INTERNAL_H

#include "dkim_internal.h"

/* --- chain validation (arc_verify.c), run by the verifier on the fields it keeps --- */

/* 1 when a field of this name belongs to an ARC set. */
int dkim_arc_field_name(const char *name, size_t len);
/* Reads the ARC fields at the end of the header: the sets, their structure, and the newest
 * message signature. unstored counts ARC fields the verifier could not keep (the header was
 * too large): the chain then fails. NULL on ENOMEM. */
struct dkim_arc *dkim_arc_scan(const struct dkim_headers *hs, size_t unstored);
/* Fails a chain the scan found (if any) because the header as a whole is malformed (why). */
void dkim_arc_malformed(struct dkim_arc *a, const char *why);
/* The newest ARC message signature, whose body hash the verifier computes; NULL if none. */
const struct dkim_sig *dkim_arc_body_sig(const struct dkim_arc *a);
/* Verifies the chain at end of message; bh/bhlen is the body hash dkim_arc_body_sig asked for
 * (bhlen -1 when it could not be computed). */
void dkim_arc_finish(struct dkim_arc *a, const struct dkim_headers *hs, struct mxg_resolver *r,
		     struct mxg_dkim_key_cache *cache, time_t now, unsigned min_rsa_bits,
		     const uint8_t *bh, int bhlen);
const struct mxg_arc_result *dkim_arc_get(const struct dkim_arc *a);
void dkim_arc_free(struct dkim_arc *a);

/* For the sealer (arc_seal.c): the newest instance found (0 with no ARC field); whether the
 * newest ARC-Seal says cv=fail (RFC 8617 §5.1 step 1); and what a new seal signs of the
 * existing chain: sets 1 to upto whole, in relaxed form with CRLF (the chain must be complete
 * to upto, as a chain that verified is). 0, or -1 on ENOMEM. */
unsigned dkim_arc_newest(const struct dkim_arc *a);
int dkim_arc_ends_failed(const struct dkim_arc *a, const struct dkim_headers *hs);
int dkim_arc_sets_input(const struct dkim_arc *a, const struct dkim_headers *hs, unsigned upto,
			char **buf, size_t *blen, size_t *bcap);

#endif
