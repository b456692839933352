/* The _mta-sts TXT record (RFC 8461 §3.1): "v=STSv1; id=..." with optional extension fields,
 * and its lookup: records not starting with v=STSv1 are ignored, more than one is no policy. */
#include <stdlib.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/mtasts.h"
#include "mxguard/str.h"
#include "mxguard/txtrec.h"

/* 1 when txt begins the version field exactly (§3.1 sts-version, case-sensitive). */
static int starts_sts(const char *txt)
{
	return strncmp(txt, "v=STSv1", 7) == 0 &&
	       (txt[7] == '\0' || txt[7] == ';' || mxg_is_wsp(txt[7]));
}

static int id_ok(const char *s, size_t n)
{
	if (n == 0 || n > MXG_MTASTS_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!mxg_is_alnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The id field's value into rec. Returns 0, -1 with why. */
static int id_value(void *rec, const char *v, size_t vl, char *why, size_t whylen)
{
	struct mxg_mtasts_record *r = rec;

	if (!id_ok(v, vl)) {
		mxg_strlcpy(why, "id is not 1 to 32 letters and digits", whylen);
		return -1;
	}
	memcpy(r->id, v, vl);
	r->id[vl] = '\0';
	return 0;
}

int mxg_mtasts_record_parse(const char *txt, struct mxg_mtasts_record *rec, char *why,
			    size_t whylen)
{
	size_t len = strnlen(txt, MXG_MTASTS_RECORD_MAX + 1);

	memset(rec, 0, sizeof(*rec));
	if (len > MXG_MTASTS_RECORD_MAX) {
		mxg_strlcpy(why, "record longer than 1024 characters", whylen);
		return -1;
	}
	if (!starts_sts(txt)) {
		mxg_strlcpy(why, "record does not start with v=STSv1", whylen);
		return -1;
	}
	return mxg_txtrec_fields(txt + 7, txt + len, 1, "id", id_value, rec, why, whylen);
}

/* The record parser in the shape mxg_txtrec_lookup calls. */
static int parse_any(const char *text, void *rec, char *why, size_t whylen)
{
	return mxg_mtasts_record_parse(text, rec, why, whylen);
}

int mxg_mtasts_record_lookup(struct mxg_resolver *r, const char *domain,
			     struct mxg_mtasts_record *rec, char *why, size_t whylen)
{
	memset(rec, 0, sizeof(*rec));
	return mxg_txtrec_lookup(r, "_mta-sts.", domain, starts_sts, "v=STSv1", parse_any, rec, why,
				 whylen);
}
