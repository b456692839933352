/* DKIM-Signature parsing (RFC 6376 §3.2, §3.5, §6.1.1): the tag=value walker shared with
 * key records, base64 with folding whitespace, and strict validation of every signature tag. */
#include "dkim_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "mxguard/chars.h"
#include "mxguard/str.h"

static int is_valchar(int c)
{
	return (c >= 0x21 && c <= 0x3a) || (c >= 0x3c && c <= 0x7e);
}

/* How many of t[i..len) are VALCHARs in a row (b= and bh= values are long runs of them). */
static size_t valchar_run(const char *t, size_t len, size_t i)
{
	size_t k = i;
#if defined(__SSE2__)
	const __m128i lo = _mm_set1_epi8(0x20), hi = _mm_set1_epi8(0x7f), semi = _mm_set1_epi8(';');
	for (; k + 16 <= len; k += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(t + k));
		/* Signed compares: octets from 0x80 up are negative, so never above 0x20. */
		__m128i ok = _mm_andnot_si128(_mm_cmpeq_epi8(x, semi),
					      _mm_and_si128(_mm_cmpgt_epi8(x, lo), _mm_cmplt_epi8(x, hi)));
		unsigned bad = ~(unsigned)_mm_movemask_epi8(ok) & 0xffffu;
		if (bad != 0)
			return k + (size_t)__builtin_ctz(bad) - i;
	}
#endif
	while (k < len && is_valchar((unsigned char)t[k]))
		k++;
	return k - i;
}

/* A line break inside a tag list must be a fold: CRLF or LF followed by WSP. */
static int fold_ok(const char *t, size_t len, size_t i)
{
	if (t[i] == '\r') {
		if (i + 1 >= len || t[i + 1] != '\n')
			return 0;
		i++;
	}
	if (t[i] == '\n')
		return i + 1 < len && (t[i + 1] == ' ' || t[i + 1] == '\t');
	return 1;
}

static size_t skip_ws(const char *t, size_t len, size_t i, int *bad)
{
	while (i < len && mxg_is_fws((unsigned char)t[i])) {
		if (!fold_ok(t, len, i))
			*bad = 1;
		i++;
	}
	return i;
}

/* The tag's name is n (tag names are short: the length and first byte decide most). */
static int tag_named(const struct dkim_tag *t, const char *n, size_t nl)
{
	return t->name_len == nl && t->name[0] == n[0] && memcmp(t->name, n, nl) == 0;
}

static int tag_name_seen(const struct dkim_taglist *l, const char *n, size_t nl)
{
	for (size_t k = 0; k < l->count; k++)
		if (tag_named(&l->tags[k], n, nl))
			return 1;
	return 0;
}

/* Reads one tag-spec starting at *pos; leaves *pos on the ';' or the end. */
static int parse_one(const char *t, size_t len, size_t *pos, struct dkim_tag *tag,
		     char *err, size_t errlen)
{
	int bad = 0;
	size_t i = skip_ws(t, len, *pos, &bad);

	if (i >= len || !mxg_is_alpha((unsigned char)t[i]))
		return mxg_fail(err, errlen, "%s", "tag list has an empty or malformed tag");
	size_t ns = i;
	while (i < len && (mxg_is_alpha((unsigned char)t[i]) || mxg_is_digit((unsigned char)t[i]) || t[i] == '_'))
		i++;
	tag->name = t + ns;
	tag->name_len = i - ns;
	i = skip_ws(t, len, i, &bad);
	if (i >= len || t[i] != '=')
		return mxg_fail(err, errlen, "%s", "tag list has a tag without '='");
	tag->eq_off = ++i;
	i = skip_ws(t, len, i, &bad);
	size_t vs = i, ve = i;
	while (i < len && t[i] != ';') {
		unsigned char c = (unsigned char)t[i];
		if (is_valchar(c)) { /* the common case first: a run of value characters */
			i += valchar_run(t, len, i);
			ve = i;
			continue;
		}
		if (!mxg_is_fws(c))
			return mxg_fail(err, errlen, "%s", "tag value has a character outside printable ASCII");
		if (!fold_ok(t, len, i))
			bad = 1;
		i++;
	}
	if (bad)
		return mxg_fail(err, errlen, "%s", "tag list has a line break that is not a fold");
	tag->value = t + vs;
	tag->value_len = ve - vs;
	tag->value_off = vs;
	*pos = i;
	return 0;
}

int dkim_tags_parse(const char *text, size_t len, struct dkim_taglist *out, char *err, size_t errlen)
{
	size_t pos = 0;
	int bad = 0;

	out->count = 0;
	while (skip_ws(text, len, pos, &bad) < len) {
		struct dkim_tag tag;
		if (parse_one(text, len, &pos, &tag, err, errlen) < 0)
			return -1;
		if (tag_name_seen(out, tag.name, tag.name_len)) {
			char n[32];
			snprintf(n, sizeof(n), "%.*s", (int)tag.name_len, tag.name);
			return mxg_fail(err, errlen, "tag %s= appears twice", n);
		}
		if (out->count >= DKIM_TAGS_MAX)
			return mxg_fail(err, errlen, "%s", "tag list has too many tags");
		out->tags[out->count++] = tag;
		if (pos < len)
			pos++; /* the ';' */
	}
	if (bad)
		return mxg_fail(err, errlen, "%s", "tag list has a line break that is not a fold");
	return 0;
}

const struct dkim_tag *dkim_tags_find(const struct dkim_taglist *l, const char *name)
{
	size_t nl = strlen(name);

	for (size_t k = 0; k < l->count; k++)
		if (tag_named(&l->tags[k], name, nl))
			return &l->tags[k];
	return NULL;
}

int dkim_tag_is(const struct dkim_tag *t, const char *s)
{
	return t != NULL && t->value_len == strlen(s) && memcmp(t->value, s, t->value_len) == 0;
}

/* What each octet is in base64 with folding whitespace: its digit value, B64_FWS, B64_PAD or
 * B64_BAD (a table: b= and p= values are hundreds of digits). */
enum { B64_BAD = 0xff, B64_FWS = 0xfe, B64_PAD = 0xfd };
static uint8_t b64_class[256];
static pthread_once_t b64_once = PTHREAD_ONCE_INIT;

static void b64_fill(void)
{
	for (int c = 0; c < 256; c++) {
		int v = mxg_base64_value(c);
		b64_class[c] = v >= 0 ? (uint8_t)v : mxg_is_fws(c) ? B64_FWS : c == '=' ? B64_PAD : B64_BAD;
	}
}

long dkim_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsize)
{
	uint32_t acc = 0;
	size_t n = 0, digits = 0, pad = 0;

	pthread_once(&b64_once, b64_fill);
	for (size_t i = 0; i < len; i++) {
		/* Four digits at once where a quantum starts, the common case. */
		if ((digits & 3) == 0 && pad == 0 && i + 4 <= len) {
			unsigned q0 = b64_class[(unsigned char)in[i]], q1 = b64_class[(unsigned char)in[i + 1]];
			unsigned q2 = b64_class[(unsigned char)in[i + 2]], q3 = b64_class[(unsigned char)in[i + 3]];
			if ((q0 | q1 | q2 | q3) < 64) {
				if (n + 3 > outsize)
					return -1;
				uint32_t w = q0 << 18 | q1 << 12 | q2 << 6 | q3;
				out[n++] = (uint8_t)(w >> 16);
				out[n++] = (uint8_t)(w >> 8);
				out[n++] = (uint8_t)w;
				digits += 4;
				i += 3;
				continue;
			}
		}
		unsigned v = b64_class[(unsigned char)in[i]];
		if (v == B64_FWS)
			continue;
		if (v == B64_PAD) {
			pad++;
			continue;
		}
		if (v == B64_BAD || pad > 0)
			return -1;
		acc = (acc << 6) | v;
		if ((++digits & 3) == 0) {
			if (n + 3 > outsize)
				return -1;
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	size_t rest = digits % 4;
	if (rest == 1 || pad > 2 || (pad > 0 && rest + pad != 4))
		return -1;
	if (rest >= 2) {
		if (n + rest - 1 > outsize)
			return -1;
		if (rest == 2) {
			out[n++] = (uint8_t)(acc >> 4);
		} else {
			out[n++] = (uint8_t)(acc >> 10);
			out[n++] = (uint8_t)(acc >> 2);
		}
	}
	return (long)n;
}

/* --- signature tags --- */

static int copy_value(const struct dkim_tag *t, char *dst, size_t size)
{
	if (t->value_len >= size)
		return -1;
	memcpy(dst, t->value, t->value_len);
	dst[t->value_len] = '\0';
	return 0;
}

static int parse_uint(const struct dkim_tag *t, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;

	if (t->value_len == 0 || t->value_len > maxdigits)
		return -1;
	for (size_t k = 0; k < t->value_len; k++) {
		if (!mxg_is_digit((unsigned char)t->value[k]))
			return -1;
		uint64_t d = (uint64_t)(t->value[k] - '0');
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX; /* saturate: l= may have 76 digits */
		else
			v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A domain name as DKIM needs it: LDH labels (underscore allowed in selectors). */
static int valid_name(const char *s, int allow_underscore)
{
	size_t label = 0, total = 0;

	if (*s == '\0')
		return 0;
	for (const char *p = s; *p != '\0'; p++, total++) {
		int c = (unsigned char)*p;
		if (c == '.') {
			if (label == 0 || p[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!(mxg_is_alpha(c) || mxg_is_digit(c) || c == '-' || (allow_underscore && c == '_')))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[total - 1] != '-' && total <= 253;
}

static int parse_alg(struct dkim_sig *sig, const struct dkim_tag *t, char *err, size_t errlen)
{
	if (copy_value(t, sig->a, sizeof(sig->a)) < 0)
		return mxg_fail(err, errlen, "%s", "a= is too long");
	mxg_str_lower(sig->a);
	if (strcmp(sig->a, "rsa-sha256") == 0)
		sig->alg = DKIM_ALG_RSA_SHA256;
	else if (strcmp(sig->a, "ed25519-sha256") == 0)
		sig->alg = DKIM_ALG_ED25519_SHA256;
	else if (strcmp(sig->a, "rsa-sha1") == 0)
		sig->alg = DKIM_ALG_RSA_SHA1;
	else
		return mxg_fail(err, errlen, "unsupported algorithm a=%s", sig->a);
	return 0;
}

static int canon_word(const char *s, size_t n, enum dkim_canon *out)
{
	if (n == 6 && mxg_strncaseeq(s, "simple", 6)) {
		*out = DKIM_CANON_SIMPLE;
		return 0;
	}
	if (n == 7 && mxg_strncaseeq(s, "relaxed", 7)) {
		*out = DKIM_CANON_RELAXED;
		return 0;
	}
	return -1;
}

static int parse_canon(struct dkim_sig *sig, const struct dkim_tag *t, char *err, size_t errlen)
{
	sig->hcanon = sig->bcanon = DKIM_CANON_SIMPLE;
	if (t == NULL)
		return 0;
	const char *slash = memchr(t->value, '/', t->value_len);
	size_t hl = slash != NULL ? (size_t)(slash - t->value) : t->value_len;
	if (canon_word(t->value, hl, &sig->hcanon) < 0)
		return mxg_fail(err, errlen, "%s", "unknown header canonicalization in c=");
	if (slash != NULL && canon_word(slash + 1, t->value_len - hl - 1, &sig->bcanon) < 0)
		return mxg_fail(err, errlen, "%s", "unknown body canonicalization in c=");
	return 0;
}

/* h=: colon-separated field names with optional folding whitespace around each. A DKIM
 * signature must sign From; an ARC message signature may sign nothing, never an ARC-Seal. */
static int parse_h(struct dkim_sig *sig, enum dkim_sig_kind kind, const struct dkim_tag *t,
		   char *err, size_t errlen)
{
	int has_from = 0;
	char *store = malloc(t->value_len + 1);

	if (store == NULL)
		return mxg_fail(err, errlen, "%s", "out of memory");
	sig->h_store = store;
	if (kind == DKIM_SIG_AMS && t->value_len == 0)
		return 0;
	size_t o = 0, k = 0;
	while (k <= t->value_len) {
		while (k < t->value_len && mxg_is_fws((unsigned char)t->value[k]))
			k++;
		size_t s = k;
		while (k < t->value_len && t->value[k] != ':' && !mxg_is_fws((unsigned char)t->value[k]))
			k++;
		size_t e = k;
		while (k < t->value_len && mxg_is_fws((unsigned char)t->value[k]))
			k++;
		if (e == s || (k < t->value_len && t->value[k] != ':'))
			return mxg_fail(err, errlen, "%s", "h= has an empty or malformed field name");
		if (sig->h_count >= DKIM_H_MAX)
			return mxg_fail(err, errlen, "%s", "h= lists too many fields");
		for (size_t c = s; c < e; c++)
			if (!is_valchar((unsigned char)t->value[c]))
				return mxg_fail(err, errlen, "%s", "h= has a bad field name");
		sig->h_names[sig->h_count++] = store + o;
		memcpy(store + o, t->value + s, e - s);
		store[o + e - s] = '\0';
		mxg_str_lower(store + o);
		if (strcmp(store + o, "from") == 0)
			has_from = 1;
		if (kind == DKIM_SIG_AMS && strcmp(store + o, "arc-seal") == 0)
			return mxg_fail(err, errlen, "%s", "h= of an ARC message signature includes ARC-Seal");
		o += e - s + 1;
		k++; /* past ':' (or the end) */
	}
	if (!has_from && kind == DKIM_SIG_DKIM)
		return mxg_fail(err, errlen, "%s", "h= does not include From");
	return 0;
}

/* i= is dkim-quoted-printable: =XX escapes; whitespace is not part of it. */
static int decode_qp(const struct dkim_tag *t, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (size_t k = 0; k < t->value_len; k++) {
		int c = (unsigned char)t->value[k];
		if (mxg_is_fws(c))
			continue;
		if (c == '=') {
			if (k + 2 >= t->value_len)
				return -1;
			const char *h1 = memchr(hex, t->value[k + 1], 16);
			const char *h2 = memchr(hex, t->value[k + 2], 16);
			if (h1 == NULL || h2 == NULL)
				return -1;
			c = (int)((h1 - hex) * 16 + (h2 - hex));
			k += 2;
		}
		if (o + 1 >= size)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

static int parse_identity(struct dkim_sig *sig, const struct dkim_tag *t, char *err, size_t errlen)
{
	if (t == NULL) {
		snprintf(sig->i, sizeof(sig->i), "@%s", sig->d);
		return 0;
	}
	if (decode_qp(t, sig->i, sizeof(sig->i)) < 0)
		return mxg_fail(err, errlen, "%s", "i= is not valid quoted-printable");
	const char *at = strrchr(sig->i, '@');
	if (at == NULL)
		return mxg_fail(err, errlen, "%s", "i= has no '@'");
	char dom[MXG_DNS_NAME_MAX];
	if (mxg_strlcpy(dom, at + 1, sizeof(dom)) >= sizeof(dom) || !valid_name(dom, 0))
		return mxg_fail(err, errlen, "%s", "i= has an invalid domain");
	if (!mxg_dns_name_is_sub(dom, sig->d))
		return mxg_fail(err, errlen, "%s", "i= domain is not d= or a subdomain of it");
	return 0;
}

static int parse_q(const struct dkim_tag *t, char *err, size_t errlen)
{
	if (t == NULL)
		return 0;
	size_t k = 0;
	while (k < t->value_len) {
		size_t s = k;
		while (k < t->value_len && t->value[k] != ':')
			k++;
		if (k - s == 7 && mxg_strncaseeq(t->value + s, "dns/txt", 7))
			return 0;
		k++;
	}
	return mxg_fail(err, errlen, "%s", "q= does not offer dns/txt");
}

static int parse_times(struct dkim_sig *sig, const struct dkim_taglist *l, char *err, size_t errlen)
{
	const struct dkim_tag *t = dkim_tags_find(l, "t");
	const struct dkim_tag *x = dkim_tags_find(l, "x");

	if (t != NULL) {
		if (parse_uint(t, 12, &sig->t) < 0)
			return mxg_fail(err, errlen, "%s", "t= is not a timestamp");
		sig->has_t = 1;
	}
	if (x != NULL) {
		if (parse_uint(x, 12, &sig->x) < 0)
			return mxg_fail(err, errlen, "%s", "x= is not a timestamp");
		sig->has_x = 1;
	}
	if (sig->has_t && sig->has_x && sig->x < sig->t)
		return mxg_fail(err, errlen, "%s", "x= is earlier than t=");
	return 0;
}

static int parse_b(struct dkim_sig *sig, const struct dkim_tag *b, const struct dkim_tag *bh,
		   char *err, size_t errlen)
{
	size_t p = 0;
	for (size_t k = 0; k < b->value_len && p < 12; k++)
		if (!mxg_is_fws((unsigned char)b->value[k]))
			sig->b_prefix[p++] = b->value[k];
	sig->b_prefix[p] = '\0';
	sig->b_value_start = b->eq_off;
	sig->b_value_end = b->value_off + b->value_len;
	long n = dkim_b64_decode(b->value, b->value_len, sig->b, sizeof(sig->b));
	if (n <= 0)
		return mxg_fail(err, errlen, "%s", "b= is empty or not valid base64");
	sig->b_len = (size_t)n;
	if (bh == NULL)
		return 0; /* an ARC-Seal signs no body */
	n = dkim_b64_decode(bh->value, bh->value_len, sig->bh, sizeof(sig->bh));
	if (n <= 0)
		return mxg_fail(err, errlen, "%s", "bh= is empty or not valid base64");
	sig->bh_len = (size_t)n;
	size_t want = sig->alg == DKIM_ALG_RSA_SHA1 ? 20 : 32;
	if (sig->bh_len != want)
		return mxg_fail(err, errlen, "%s", "bh= has the wrong length for the hash");
	return 0;
}

static int check_required(enum dkim_sig_kind kind, const struct dkim_taglist *l, char *err,
			  size_t errlen)
{
	static const char *const required[][8] = {
		[DKIM_SIG_DKIM] = { "v", "a", "b", "bh", "d", "h", "s", NULL },
		[DKIM_SIG_AMS] = { "i", "a", "b", "bh", "d", "h", "s", NULL },
		[DKIM_SIG_AS] = { "i", "a", "b", "cv", "d", "s", NULL },
	};

	for (size_t k = 0; required[kind][k] != NULL; k++)
		if (dkim_tags_find(l, required[kind][k]) == NULL)
			return mxg_fail(err, errlen, "required tag %s= is missing", required[kind][k]);
	if (kind == DKIM_SIG_DKIM && !dkim_tag_is(dkim_tags_find(l, "v"), "1"))
		return mxg_fail(err, errlen, "%s", "unsupported version (v= is not 1)");
	if (kind == DKIM_SIG_AS && dkim_tags_find(l, "h") != NULL)
		return mxg_fail(err, errlen, "%s", "an ARC-Seal has no h= tag");
	return 0;
}

/* d=, s=, a= first, so a result can name them even when a later tag is bad. */
static int parse_names(struct dkim_sig *sig, enum dkim_sig_kind kind, const struct dkim_taglist *l,
		       char *err, size_t errlen)
{
	const struct dkim_tag *d = dkim_tags_find(l, "d");
	const struct dkim_tag *s = dkim_tags_find(l, "s");
	const struct dkim_tag *a = dkim_tags_find(l, "a");

	if (d != NULL && copy_value(d, sig->d, sizeof(sig->d)) == 0)
		mxg_str_lower(sig->d);
	if (s != NULL && copy_value(s, sig->s, sizeof(sig->s)) == 0)
		mxg_str_lower(sig->s);
	if (a != NULL)
		copy_value(a, sig->a, sizeof(sig->a));
	if (check_required(kind, l, err, errlen) < 0)
		return -1;
	if (!valid_name(sig->d, 0) || d->value_len >= sizeof(sig->d))
		return mxg_fail(err, errlen, "%s", "d= is not a valid domain name");
	if (!valid_name(sig->s, 1) || s->value_len >= sizeof(sig->s))
		return mxg_fail(err, errlen, "%s", "s= is not a valid selector");
	return parse_alg(sig, a, err, errlen);
}

/* i= of an ARC field: the instance, a decimal from 1 to DKIM_ARC_MAX. */
static int parse_instance(const struct dkim_tag *t, unsigned *out)
{
	uint64_t v;

	if (t == NULL || parse_uint(t, 2, &v) < 0 || v < 1 || v > DKIM_ARC_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static const char *const cv_names[] = {
	[DKIM_ARC_CV_NONE] = "none", [DKIM_ARC_CV_PASS] = "pass", [DKIM_ARC_CV_FAIL] = "fail",
};

const char *dkim_arc_cv_name(enum dkim_arc_cv cv)
{
	return (unsigned)cv < sizeof(cv_names) / sizeof(cv_names[0]) ? cv_names[cv] : "unknown";
}

static int parse_cv(struct dkim_sig *sig, const struct dkim_tag *t, char *err, size_t errlen)
{
	for (size_t k = 0; k < sizeof(cv_names) / sizeof(cv_names[0]); k++)
		if (t->value_len == strlen(cv_names[k]) &&
		    mxg_strncaseeq(t->value, cv_names[k], t->value_len)) {
			sig->cv = (enum dkim_arc_cv)k;
			return 0;
		}
	return mxg_fail(err, errlen, "%s", "cv= is not none, pass or fail");
}

/* The tags an ARC field has beyond DKIM's (i= as instance, cv=), or DKIM's own i= and q=. */
static int parse_kind_tags(struct dkim_sig *sig, enum dkim_sig_kind kind, const struct dkim_taglist *l,
			   char *err, size_t errlen)
{
	if (kind == DKIM_SIG_DKIM)
		return parse_identity(sig, dkim_tags_find(l, "i"), err, errlen) < 0 ||
		       parse_q(dkim_tags_find(l, "q"), err, errlen) < 0 ? -1 : 0;
	if (parse_instance(dkim_tags_find(l, "i"), &sig->instance) < 0)
		return mxg_fail(err, errlen, "%s", "i= is not an ARC instance from 1 to 50");
	if (kind == DKIM_SIG_AS)
		return parse_cv(sig, dkim_tags_find(l, "cv"), err, errlen);
	return 0;
}

int dkim_sig_parse(const char *value, size_t len, struct dkim_sig *sig, char *err, size_t errlen)
{
	return dkim_sig_parse_kind(DKIM_SIG_DKIM, value, len, sig, err, errlen);
}

int dkim_sig_parse_kind(enum dkim_sig_kind kind, const char *value, size_t len, struct dkim_sig *sig,
			char *err, size_t errlen)
{
	struct dkim_taglist *l = malloc(sizeof(*l));

	dkim_sig_reset(sig);
	if (l == NULL)
		return mxg_fail(err, errlen, "%s", "out of memory");
	int rc = -1;
	if (dkim_tags_parse(value, len, l, err, errlen) < 0)
		goto out;
	if (parse_names(sig, kind, l, err, errlen) < 0)
		goto out;
	const struct dkim_tag *c = dkim_tags_find(l, "c");
	if (kind == DKIM_SIG_AS) {
		sig->hcanon = sig->bcanon = DKIM_CANON_RELAXED;
	} else if (parse_canon(sig, c, err, errlen) < 0 ||
		   parse_h(sig, kind, dkim_tags_find(l, "h"), err, errlen) < 0) {
		goto out;
	}
	if (parse_b(sig, dkim_tags_find(l, "b"), kind == DKIM_SIG_AS ? NULL : dkim_tags_find(l, "bh"),
		    err, errlen) < 0 ||
	    parse_kind_tags(sig, kind, l, err, errlen) < 0 ||
	    parse_times(sig, l, err, errlen) < 0)
		goto out;
	const struct dkim_tag *lt = dkim_tags_find(l, "l");
	if (lt != NULL) {
		if (parse_uint(lt, 76, &sig->l) < 0) {
			mxg_fail(err, errlen, "%s", "l= is not a decimal length");
			goto out;
		}
		sig->has_l = 1;
	}
	rc = 0;
out:
	free(l);
	return rc;
}

/* "i" CFWS? "=" CFWS? 1*DIGIT CFWS? ";" at the start of an ARC-Authentication-Results value
 * (RFC 8617 §4.1.1; comments are not expected there and not accepted). */
static unsigned aar_instance(const char *v, size_t len)
{
	size_t k = 0;
	unsigned n = 0;
	int bad = 0;

	k = skip_ws(v, len, k, &bad);
	if (bad || k >= len || v[k] != 'i')
		return 0;
	k = skip_ws(v, len, k + 1, &bad);
	if (bad || k >= len || v[k] != '=')
		return 0;
	k = skip_ws(v, len, k + 1, &bad);
	size_t digits = 0;
	while (k < len && mxg_is_digit((unsigned char)v[k]) && digits < 3) {
		n = n * 10 + (unsigned)(v[k++] - '0');
		digits++;
	}
	k = skip_ws(v, len, k, &bad);
	if (bad || digits == 0 || k >= len || v[k] != ';' || n < 1 || n > DKIM_ARC_MAX)
		return 0;
	return n;
}

unsigned dkim_arc_instance(enum dkim_sig_kind kind, const char *value, size_t len)
{
	if (kind == DKIM_SIG_DKIM)
		return aar_instance(value, len);
	struct dkim_taglist *l = malloc(sizeof(*l));
	char err[8];
	unsigned n = 0;
	if (l != NULL && dkim_tags_parse(value, len, l, err, sizeof(err)) == 0)
		(void)parse_instance(dkim_tags_find(l, "i"), &n);
	free(l);
	return n;
}

void dkim_sig_reset(struct dkim_sig *sig)
{
	memset(sig, 0, offsetof(struct dkim_sig, b));
}

void dkim_sig_clear(struct dkim_sig *sig)
{
	free(sig->h_store);
	sig->h_store = NULL;
	sig->h_count = 0;
}
