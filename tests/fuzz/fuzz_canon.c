/* Fuzzes DKIM canonicalization (RFC 6376 §3.4): header fields in both modes, and the streaming
 * body hash, whose digest must not depend on how the body is cut into chunks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/src/dkim_internal.h"

static void header(enum dkim_canon c, const char *p, size_t n, int crlf)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (dkim_canon_header(c, p, n, crlf, &buf, &len, &cap) == 0 && len > cap)
		__builtin_trap();
	if (c == DKIM_CANON_RELAXED && buf != NULL && memchr(p, ':', n) != NULL) {
		/* the relaxed value has no folding left, only the final CRLF (the name is copied
		 * as it is: the verifier's field splitter never lets a line end into a name) */
		const char *colon = memchr(buf, ':', len);
		size_t end = crlf && len >= 2 ? len - 2 : len;
		size_t from = colon ? (size_t)(colon - buf) : end;
		if (from < end && memchr(buf + from, '\n', end - from) != NULL)
			__builtin_trap();
	}
	free(buf);
}

/* The digest of the body fed in one piece, then in chunks sized from the data. */
static void body(enum dkim_canon c, const uint8_t *p, size_t n, int has_l, uint64_t l)
{
	uint8_t whole[EVP_MAX_MD_SIZE], cut[EVP_MAX_MD_SIZE];
	struct dkim_body_hash *a = dkim_body_hash_new(c, dkim_sha256(), has_l, l);
	struct dkim_body_hash *b = dkim_body_hash_new(c, dkim_sha256(), has_l, l);

	if (a != NULL && b != NULL) {
		dkim_body_hash_update(a, p, n);
		for (size_t pos = 0; pos < n;) {
			size_t k = 1 + p[pos] % 17;
			if (k > n - pos)
				k = n - pos;
			dkim_body_hash_update(b, p + pos, k);
			pos += k;
		}
		int la = dkim_body_hash_final(a, whole);
		int lb = dkim_body_hash_final(b, cut);
		if (la != lb || (la > 0 && memcmp(whole, cut, (size_t)la) != 0))
			__builtin_trap();
		if (dkim_body_hash_total(a) != dkim_body_hash_total(b))
			__builtin_trap();
	}
	dkim_body_hash_free(a);
	dkim_body_hash_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	enum dkim_canon c = (data[0] & 1) ? DKIM_CANON_RELAXED : DKIM_CANON_SIMPLE;

	if (data[0] & 2)
		header(c, (const char *)data + 2, size - 2, data[0] & 4);
	else
		body(c, data + 2, size - 2, data[0] & 4, data[1]);
	return 0;
}
