/* Feeds a whole message held in memory to the streaming verifier: splits the header
 * into fields (continuation lines start with WSP), stops at the first empty line, hands on the body. */
#include "dkim_internal.h"

#include <string.h>

size_t dkim_field_len(const char *p, size_t left)
{
	size_t k = 0;

	if (left == 0 || p[0] == '\n' || (p[0] == '\r' && left > 1 && p[1] == '\n'))
		return 0;
	for (;;) {
		const char *nl = memchr(p + k, '\n', left - k);
		if (nl == NULL)
			return left;
		k = (size_t)(nl - p) + 1;
		if (k >= left || (p[k] != ' ' && p[k] != '\t'))
			return k;
	}
}

struct mxg_dkim_verifier *mxg_dkim_verify_buffer(struct mxg_resolver *r,
						 struct mxg_dkim_key_cache *cache,
						 const struct mxg_dkim_options *opt,
						 const char *msg, size_t len)
{
	struct mxg_dkim_verifier *v = mxg_dkim_verifier_new(r, cache, opt);
	size_t pos = 0;

	if (v == NULL)
		return NULL;
	for (;;) {
		size_t n = dkim_field_len(msg + pos, len - pos);
		if (n == 0)
			break;
		if (mxg_dkim_header_raw(v, msg + pos, n) < 0)
			goto fail;
		pos += n;
	}
	if (pos < len)
		pos += msg[pos] == '\r' ? 2 : 1; /* the empty line */
	if (mxg_dkim_end_headers(v) < 0 ||
	    mxg_dkim_body(v, (const uint8_t *)msg + pos, pos < len ? len - pos : 0) < 0 ||
	    mxg_dkim_finish(v) < 0)
		goto fail;
	return v;
fail:
	mxg_dkim_verifier_free(v);
	return NULL;
}
