/* DKIM canonicalization (RFC 6376 §3.4): simple and relaxed header fields, and a streaming
 * body hash that turns bare LF into CRLF, drops trailing empty lines and honours l=, chunk by chunk. */
#include "dkim_internal.h"

#include "mxguard/chars.h"
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static const EVP_MD *sha256;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* OpenSSL 3 looks EVP_sha256() up in its provider table on every init, under a lock;
 * fetching it once saves that on each of the few hashes per message. */
static void fetch_sha256(void)
{
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha256 == NULL)
		sha256 = EVP_sha256();
}

const EVP_MD *dkim_sha256(void)
{
	pthread_once(&sha256_once, fetch_sha256);
	return sha256;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	char *p = realloc(*buf, n);
	if (p == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* CR, LF, SP and HTAB: a table, since the canonicalization loops ask about every byte. */
static const uint8_t fws_byte[256] = { ['\r'] = 1, ['\n'] = 1, [' '] = 1, ['\t'] = 1 };

/* Relaxed (§3.4.2): lower-case name, unfold, runs of WSP to one SP, no WSP around the colon
 * or at the end. Output is never longer than the input plus one. */
static void relaxed_header(const char *f, size_t len, char *o, size_t *olen)
{
	size_t k = 0, n = 0;
	const char *colon = memchr(f, ':', len);
	size_t nl = colon != NULL ? (size_t)(colon - f) : len;

	while (nl > 0 && mxg_is_wsp((unsigned char)f[nl - 1]))
		nl--;
	for (; k < nl; k++) {
		int c = (unsigned char)f[k];
		o[n++] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
	}
	o[n++] = ':';
	if (colon == NULL) {
		*olen = n;
		return;
	}
	int pending = 0, started = 0;
	for (k = (size_t)(colon - f) + 1; k < len; k++) {
		int c = (unsigned char)f[k];
		if (c == '\r' || c == '\n')
			continue;
		if (mxg_is_wsp(c)) {
			pending = 1;
			continue;
		}
		if (pending && started)
			o[n++] = ' ';
		pending = 0;
		started = 1;
		o[n++] = (char)c;
		while (k + 1 < len && !fws_byte[(unsigned char)f[k + 1]]) /* the rest of the word */
			o[n++] = f[++k];
	}
	*olen = n;
}

/* Simple (§3.4.1): the field unchanged, except that bare LF folds become CRLF. */
static void simple_header(const char *f, size_t len, char *o, size_t *olen)
{
	size_t n = 0;

	for (size_t k = 0; k < len; k++) {
		if (f[k] == '\n' && (k == 0 || f[k - 1] != '\r'))
			o[n++] = '\r';
		o[n++] = f[k];
	}
	*olen = n;
}

int dkim_canon_header(enum dkim_canon c, const char *field, size_t len, int crlf,
		      char **buf, size_t *blen, size_t *bcap)
{
	size_t n;

	if (len > (SIZE_MAX - *blen - 4) / 2 || grow(buf, bcap, *blen + 2 * len + 4) < 0)
		return -1;
	if (c == DKIM_CANON_RELAXED)
		relaxed_header(field, len, *buf + *blen, &n);
	else
		simple_header(field, len, *buf + *blen, &n);
	*blen += n;
	if (crlf) {
		(*buf)[(*blen)++] = '\r';
		(*buf)[(*blen)++] = '\n';
	}
	return 0;
}

/* --- body --- */

#define BODY_OUT 4096

struct dkim_body_hash {
	enum dkim_canon canon;
	const EVP_MD *md;
	int has_l;
	uint64_t l;
	EVP_MD_CTX *ctx;
	uint64_t total;        /* canonical bytes produced */
	uint64_t hashed;       /* of them, bytes fed to the hash (<= l) */
	uint64_t empty_lines;  /* empty lines held back: they count only if content follows */
	int line_has_content;
	int pending_wsp;       /* relaxed: whitespace seen, not yet known to be inner */
	int pending_cr;        /* a CR whose LF may come in the next chunk */
	int ok;
	size_t out_len;
	uint8_t out[BODY_OUT];
};

struct dkim_body_hash *dkim_body_hash_new(enum dkim_canon c, const EVP_MD *md, int has_l, uint64_t l)
{
	struct dkim_body_hash *h = malloc(sizeof(*h));

	if (h == NULL)
		return NULL;
	memset(h, 0, offsetof(struct dkim_body_hash, out)); /* out[] is written before it is read */
	h->canon = c;
	h->md = md;
	h->has_l = has_l;
	h->l = l;
	h->ok = 1;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL || EVP_DigestInit_ex(h->ctx, md, NULL) != 1) {
		dkim_body_hash_free(h);
		return NULL;
	}
	return h;
}

static void flush(struct dkim_body_hash *h)
{
	uint64_t n = h->out_len;

	if (h->has_l) {
		uint64_t room = h->l > h->hashed ? h->l - h->hashed : 0;
		if (n > room)
			n = room;
	}
	if (n > 0 && EVP_DigestUpdate(h->ctx, h->out, (size_t)n) != 1)
		h->ok = 0;
	h->hashed += n;
	h->total += h->out_len;
	h->out_len = 0;
}

static void emit(struct dkim_body_hash *h, uint8_t c)
{
	if (h->out_len == BODY_OUT)
		flush(h);
	h->out[h->out_len++] = c;
}

static void emit_held_lines(struct dkim_body_hash *h)
{
	for (; h->empty_lines > 0; h->empty_lines--) {
		emit(h, '\r');
		emit(h, '\n');
	}
}

static void content_byte(struct dkim_body_hash *h, uint8_t c)
{
	if (h->canon == DKIM_CANON_RELAXED && mxg_is_wsp(c)) {
		h->pending_wsp = 1;
		return;
	}
	if (!h->line_has_content) {
		emit_held_lines(h);
		h->line_has_content = 1;
	}
	if (h->pending_wsp) {
		emit(h, ' ');
		h->pending_wsp = 0;
	}
	emit(h, c);
}

static void end_line(struct dkim_body_hash *h)
{
	h->pending_wsp = 0;
	if (h->line_has_content) {
		emit(h, '\r');
		emit(h, '\n');
		h->line_has_content = 0;
	} else {
		h->empty_lines++;
	}
}

static int is_plain(uint8_t c)
{
	return !fws_byte[c];
}

#if defined(__SSE2__)
/* The lanes of p[0..15] that relaxed must look at: CR, LF, HTAB, and SP followed by
 * whitespace or a line end (p[16] is read). A bit per lane. */
static unsigned relaxed_lanes(const uint8_t *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
	__m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'), tab = _mm_set1_epi8('\t');
	__m128i sp = _mm_set1_epi8(' ');
	__m128i ctl_x = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)),
				     _mm_cmpeq_epi8(x, tab));
	__m128i ws_y = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(y, cr), _mm_cmpeq_epi8(y, lf)),
				    _mm_or_si128(_mm_cmpeq_epi8(y, tab), _mm_cmpeq_epi8(y, sp)));
	__m128i bad = _mm_or_si128(ctl_x, _mm_and_si128(_mm_cmpeq_epi8(x, sp), ws_y));
	return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/* Bytes that need no per-byte decision: not a line end, and for relaxed no whitespace
 * except a single SP between two other characters, which relaxed leaves as it is. */
static size_t plain_run(const struct dkim_body_hash *h, const uint8_t *p, size_t n)
{
	size_t k = 0;

	if (h->canon != DKIM_CANON_RELAXED) {
		while (k < n && p[k] != '\r' && p[k] != '\n')
			k++;
		return k;
	}
	if (n == 0 || !is_plain(p[0]))
		return 0;
#if defined(__SSE2__)
	/* Sixteen at a time while p[k + 16] exists; what the lanes flag is left to the loop below. */
	for (k = 1; k + 17 <= n; k += 16) {
		unsigned m = relaxed_lanes(p + k);
		if (m != 0) {
			k += (size_t)__builtin_ctz(m);
			break;
		}
	}
#endif
	for (;;) {
		while (k < n && is_plain(p[k]))
			k++;
		/* A single SP followed by a plain byte: both are taken as they are. */
		if (!(k > 0 && k + 1 < n && p[k] == ' ' && is_plain(p[k + 1])))
			return k;
		k += 2;
	}
}

/* A run of ordinary content: the same as content_byte() on each, copied in bulk. */
static void content_run(struct dkim_body_hash *h, const uint8_t *p, size_t n)
{
	content_byte(h, p[0]);
	for (size_t k = 1; k < n;) {
		if (h->out_len == BODY_OUT)
			flush(h);
		size_t room = BODY_OUT - h->out_len, take = n - k < room ? n - k : room;
		memcpy(h->out + h->out_len, p + k, take);
		h->out_len += take;
		k += take;
	}
}

int dkim_body_hash_update(struct dkim_body_hash *h, const uint8_t *data, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		uint8_t c = data[k];
		if (h->pending_cr) {
			h->pending_cr = 0;
			if (c == '\n') {
				end_line(h);
				continue;
			}
			content_byte(h, '\r');
		}
		if (c == '\r') {
			h->pending_cr = 1;
		} else if (c == '\n') {
			end_line(h);
		} else {
			size_t run = plain_run(h, data + k, len - k);
			if (run > 1) {
				content_run(h, data + k, run);
				k += run - 1;
			} else {
				content_byte(h, c);
			}
		}
	}
	return h->ok ? 0 : -1;
}

int dkim_body_hash_final(struct dkim_body_hash *h, uint8_t *out)
{
	unsigned int n = 0;

	if (h->pending_cr) {
		h->pending_cr = 0;
		content_byte(h, '\r');
	}
	/* A last line without its line end still gets one (both canonicalizations). */
	if (h->line_has_content)
		end_line(h);
	/* Simple turns an empty body into one CRLF; relaxed leaves it empty (errata 3192). */
	if (h->canon == DKIM_CANON_SIMPLE && h->total == 0 && h->out_len == 0) {
		emit(h, '\r');
		emit(h, '\n');
	}
	flush(h);
	if (!h->ok || EVP_DigestFinal_ex(h->ctx, out, &n) != 1)
		return -1;
	return (int)n;
}

uint64_t dkim_body_hash_total(const struct dkim_body_hash *h)
{
	return h->total;
}

int dkim_body_hash_matches(const struct dkim_body_hash *h, enum dkim_canon c, const EVP_MD *md,
			   int has_l, uint64_t l)
{
	return h->canon == c && h->md == md && h->has_l == has_l && (!has_l || h->l == l);
}

void dkim_body_hash_free(struct dkim_body_hash *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}
