/* Forged Authentication-Results removal and our own A-R insertion (see milter_authres.h).
 * Parsing of the field values is the core's (mxg_authres_claims); this file does the bookkeeping. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

#include "milter_authres.h"
#include "mxguard/authres.h"
#include "mxguard/str.h"

#define AR_NAME "Authentication-Results"

int milter_ar_is_authres(const char *name)
{
	size_t n = strlen(AR_NAME);

	if (!mxg_strncaseeq(name, AR_NAME, n))
		return 0;
	for (name += n; *name == ' ' || *name == '\t'; name++)
		;
	return *name == '\0';
}

int milter_ar_note(struct milter_ar_claims *c, const char *name, const char *value,
		   const char *authserv_id)
{
	if (!milter_ar_is_authres(name))
		return 0;
	c->seen++;
	if (!mxg_authres_claims(value, authserv_id))
		return 0;
	if (c->count == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4;
		unsigned *p = realloc(c->index, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		c->index = p;
		c->cap = cap;
	}
	c->index[c->count++] = c->seen;
	return 0;
}

void milter_ar_release(struct milter_ar_claims *c)
{
	free(c->index);
	memset(c, 0, sizeof(*c));
}

int milter_ar_remove(struct smfi_str *ctx, const struct milter_ar_claims *c)
{
	for (size_t i = c->count; i > 0; i--)
		if (smfi_chgheader(ctx, AR_NAME, (int)c->index[i - 1], NULL) != MI_SUCCESS)
			return -1;
	return 0;
}

int milter_ar_insert(struct smfi_str *ctx, const char *value, int leadspc)
{
	char *v;
	int rc;

	if (!leadspc)
		return smfi_insheader(ctx, 0, AR_NAME, (char *)value) == MI_SUCCESS ? 0 : -1;
	v = malloc(strlen(value) + 2);
	if (v == NULL)
		return -1;
	v[0] = ' ';
	strcpy(v + 1, value);
	rc = smfi_insheader(ctx, 0, AR_NAME, v) == MI_SUCCESS ? 0 : -1;
	free(v);
	return rc;
}
