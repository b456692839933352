/* The one-record-of-a-version TXT lookup shared by MTA-STS and TLS-RPT. */
#include <stdio.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/str.h"
#include "mxguard/txtrec.h"

/* 1 when the first string of a TXT record starts with tag (for records too long to join). */
static int first_starts(const struct mxg_dns_rr *rr, const char *tag)
{
	size_t n, tl = strlen(tag);
	const uint8_t *s = mxg_dns_txt_string(rr, 0, &n);
	return s != NULL && n >= tl && memcmp(s, tag, tl) == 0;
}

/* Scans a's TXT records; returns the state (not TEMPFAIL), the one that belongs in out. */
static int scan(const struct mxg_dns_answer *a, int (*belongs)(const char *), const char *tag,
		char *out, size_t outsize)
{
	char text[MXG_TXTREC_TEXT_MAX];
	size_t room = outsize < sizeof(text) ? outsize : sizeof(text);
	int found = 0, too_long = 0;

	for (size_t i = 0; i < a->count && found < 2; i++) {
		if (a->rrs[i].type != MXG_DNS_TXT)
			continue;
		if (mxg_dns_txt_join(&a->rrs[i], text, room) < 0) {
			if (first_starts(&a->rrs[i], tag)) {
				found++;
				too_long = 1;
			}
			continue;
		}
		if (belongs(text)) {
			found++;
			mxg_strlcpy(out, text, outsize);
		}
	}
	if (found > 1)
		return MXG_TXTREC_MANY;
	if (found == 0)
		return MXG_TXTREC_NONE;
	return too_long ? MXG_TXTREC_TOO_LONG : MXG_TXTREC_ONE;
}

int mxg_txtrec_find(struct mxg_resolver *r, const char *name, int (*belongs)(const char *text),
		    const char *tag, char *out, size_t outsize, char *why, size_t whylen)
{
	struct mxg_dns_answer *a = NULL;
	char err[128];

	out[0] = why[0] = '\0';
	if (mxg_dns_lookup(r, name, MXG_DNS_TXT, &a, err, sizeof(err)) < 0) {
		mxg_strlcpy(why, err, whylen);
		return -1;
	}
	if (mxg_dns_is_temporary(a->rcode)) {
		snprintf(why, whylen, "%.200s TXT: %s", name, mxg_dns_rcode_name(a->rcode));
		mxg_dns_answer_free(a);
		return MXG_TXTREC_TEMPFAIL;
	}
	int st = scan(a, belongs, tag, out, outsize);
	mxg_dns_answer_free(a);
	if (st == MXG_TXTREC_MANY)
		snprintf(why, whylen, "more than one %s record", tag);
	else if (st == MXG_TXTREC_TOO_LONG)
		snprintf(why, whylen, "%s record too long or holding a NUL byte", tag);
	return st;
}

int mxg_txtrec_lookup(struct mxg_resolver *r, const char *prefix, const char *domain,
		      int (*belongs)(const char *text), const char *tag,
		      int (*parse)(const char *text, void *rec, char *why, size_t whylen),
		      void *rec, char *why, size_t whylen)
{
	char name[MXG_DNS_NAME_MAX], txt[MXG_TXTREC_TEXT_MAX];

	if ((size_t)snprintf(name, sizeof(name), "%s%s", prefix, domain) >= sizeof(name) - 2) {
		mxg_strlcpy(why, "domain name too long", whylen);
		return -1;
	}
	switch (mxg_txtrec_find(r, name, belongs, tag, txt, sizeof(txt), why, whylen)) {
	case MXG_TXTREC_NONE:
		return MXG_TXTREC_ABSENT;
	case MXG_TXTREC_ONE:
		return parse(txt, rec, why, whylen) == 0 ? MXG_TXTREC_VALID : MXG_TXTREC_INVALID;
	case MXG_TXTREC_MANY:
	case MXG_TXTREC_TOO_LONG:
		return MXG_TXTREC_INVALID;
	case MXG_TXTREC_TEMPFAIL:
		return MXG_TXTREC_FAILED;
	}
	return -1;
}

/* Splits the field f (n bytes) at its first '=' into a name of *kl bytes and a value *v of *vl
 * bytes. Returns 0, or -1 with why when there is no '='. */
static int field_split(const char *f, size_t n, size_t *kl, const char **v, size_t *vl,
		       char *why, size_t whylen)
{
	const char *eq = memchr(f, '=', n);

	if (eq == NULL)
		return mxg_fail(why, whylen, "field \"%.*s\" has no '='", (int)(n > 40 ? 40 : n), f);
	*kl = (size_t)(eq - f);
	*v = eq + 1;
	*vl = n - *kl - 1;
	return 0;
}

static int ext_ok(const char *f, size_t kl, const char *v, size_t vl)
{
	if (kl == 0 || kl > 32 || !mxg_is_alnum((unsigned char)f[0]) || vl == 0)
		return 0;
	for (size_t i = 1; i < kl; i++)
		if (!mxg_is_alnum((unsigned char)f[i]) && f[i] != '_' && f[i] != '-' && f[i] != '.')
			return 0;
	for (size_t i = 0; i < vl; i++)
		if ((unsigned char)v[i] < 0x21 || (unsigned char)v[i] > 0x7e || v[i] == ';' || v[i] == '=')
			return 0;
	return 1;
}

/* Checks an extension field, whose grammar both records share: name (ALPHA / DIGIT) then up
 * to 31 of ALPHA / DIGIT / "_" / "-" / "."; value 1*(%x21-3A / %x3C / %x3E-7E). Returns 0, or
 * -1 with why. */
static int ext_check(const char *name, size_t kl, const char *v, size_t vl, char *why,
		     size_t whylen)
{
	if (ext_ok(name, kl, v, vl))
		return 0;
	size_t n = (size_t)(v - name) + vl;
	return mxg_fail(why, whylen, "malformed field \"%.*s\"", (int)(n > 40 ? 40 : n), name);
}

static const char *skip_wsp(const char *p, const char *end)
{
	while (p < end && mxg_is_wsp((unsigned char)*p))
		p++;
	return p;
}

/* The record mxg_txtrec_fields is reading: its one required field, and whether it was seen. */
struct fields {
	const char *key;
	int (*value)(void *rec, const char *v, size_t vl, char *why, size_t whylen);
	void *rec;
	int seen;
};

/* One field of n bytes, without surrounding white space. Returns 0, or -1 with why. */
static int one_field(struct fields *fs, const char *f, size_t n, char *why, size_t whylen)
{
	const char *v = NULL;
	size_t kl = 0, vl = 0;

	if (field_split(f, n, &kl, &v, &vl, why, whylen) < 0)
		return -1;
	if (kl != strlen(fs->key) || memcmp(f, fs->key, kl) != 0)
		return ext_check(f, kl, v, vl, why, whylen);
	if (fs->seen++)
		return mxg_fail(why, whylen, "more than one %s field", fs->key);
	return fs->value(fs->rec, v, vl, why, whylen);
}

int mxg_txtrec_fields(const char *p, const char *end, int wsp_ends, const char *key,
		      int (*value)(void *rec, const char *v, size_t vl, char *why, size_t whylen),
		      void *rec, char *why, size_t whylen)
{
	struct fields fs = { key, value, rec, 0 };

	while ((p = skip_wsp(p, end)) < end) {
		if (*p != ';')
			return mxg_fail(why, whylen, "%s", "fields must be separated by ';'");
		const char *f = skip_wsp(p + 1, end);
		p = f;
		while (p < end && *p != ';' && !(wsp_ends && mxg_is_wsp((unsigned char)*p)))
			p++;
		size_t n = (size_t)(p - f);
		while (n > 0 && mxg_is_wsp((unsigned char)f[n - 1]))
			n--;
		if (n > 0 && one_field(&fs, f, n, why, whylen) < 0)
			return -1;
	}
	return fs.seen ? 0 : mxg_fail(why, whylen, "no %s field", key);
}
