/* ARC-Authentication-Results (RFC 8617 §4.1.1, RFC 8601 §2.2) read strictly: the instance, the
 * one authserv-id, and each result with its properties, comments skipped. Anything outside the
 * grammar refuses the whole field, so a field cannot say more than one thing. */
#ifndef MXGUARD_ARC_AAR_H
#define MXGUARD_ARC_AAR_H

#include <stddef.h>

#include "mxguard/dns.h"

#define MXG_AAR_RESULTS_MAX 64     /* results in one field */
#define MXG_AAR_PROPS_MAX 16       /* properties of one result */
#define MXG_AAR_WORD_MAX 64        /* method, result, property names */
#define MXG_AAR_VALUE_MAX 320      /* a property value or reason (local-part@domain) */
#define MXG_AAR_COMMENT_DEPTH 8    /* nested comments */

struct mxg_aar_prop {
	char name[MXG_AAR_WORD_MAX];   /* "header.from", lower case */
	char value[MXG_AAR_VALUE_MAX]; /* quoted strings decoded */
};

struct mxg_aar_result {
	char method[MXG_AAR_WORD_MAX]; /* lower case, version dropped */
	char result[MXG_AAR_WORD_MAX]; /* lower case */
	size_t nprops;
	struct mxg_aar_prop props[MXG_AAR_PROPS_MAX];
};

/* Called for each result in order; a non-zero return stops the parse and is returned. */
typedef int (*mxg_aar_result_fn)(void *arg, const struct mxg_aar_result *r);

/* Parses value (len bytes, may end with its line break). instance and authserv_id (size bytes)
 * receive the leading i= and the authserv-id. 0 when the whole field parsed (fn saw every
 * result; "none" gives none), fn's non-zero return, or -1 with the reason in err. A caller must
 * act on what fn saw only when 0 is returned. */
int mxg_aar_parse(const char *value, size_t len, unsigned *instance, char *authserv_id,
		  size_t size, mxg_aar_result_fn fn, void *arg, char *err, size_t errlen);

/* The value of property name in r, or NULL. */
const char *mxg_aar_prop(const struct mxg_aar_result *r, const char *name);

#endif
