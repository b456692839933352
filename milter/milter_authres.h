/* Authentication-Results on the message: which existing fields claim our authserv-id (found
 * while headers stream past), their removal at end of message, and the insertion of ours. */
#ifndef MXGUARD_MILTER_AUTHRES_H
#define MXGUARD_MILTER_AUTHRES_H

#include <stddef.h>

/* The A-R fields seen so far and the 1-based indexes (among A-R fields, as the MTA counts
 * them for smfi_chgheader) of those that claim our authserv-id. */
struct milter_ar_claims {
	unsigned seen;
	size_t count, cap;
	unsigned *index;
};

/* 1 if name is "Authentication-Results" in any case (blanks before the colon allowed). */
int milter_ar_is_authres(const char *name);
/* Notes one header field. Returns 0, or -1 on ENOMEM. */
int milter_ar_note(struct milter_ar_claims *c, const char *name, const char *value,
		   const char *authserv_id);
void milter_ar_release(struct milter_ar_claims *c);

struct smfi_str;
/* Deletes every claimed field, last first so earlier indexes stay valid. 0 or -1. */
int milter_ar_remove(struct smfi_str *ctx, const struct milter_ar_claims *c);
/* Inserts "Authentication-Results: value" as the topmost field; leadspc when the MTA
 * passes values with their leading blank (SMFIP_HDR_LEADSPC). 0 or -1. */
int milter_ar_insert(struct smfi_str *ctx, const char *value, int leadspc);

#endif
