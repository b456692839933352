/* Authentication-Results (RFC 8601): our verdicts written so that no domain, address or
 * comment taken from mail or DNS can add syntax, and the authserv-id of fields already present. */
#include <stdio.h>
#include <string.h>

#include "mxguard/authres.h"
#include "mxguard/sbuf.h"
#include "mxguard/str.h"

#define COMMENT_DEPTH_MAX 32

/* RFC 2045 token characters. */
static int is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static int is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!is_token_char((unsigned char)*s))
			return 0;
	return 1;
}

static int is_ldh_domain(const char *s)
{
	size_t label = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_') {
			label++;
		} else {
			return 0;
		}
	}
	return label > 0;
}

/* RFC 5322 dot-atom-text. */
static int is_dot_atom(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			    (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
		if (c == '.' ? s[i + 1] == '.' : !atext)
			return 0;
	}
	return 1;
}

/* Control characters (CR and LF above all) never reach the field; they become '?'. */
static char safe_char(unsigned char c)
{
	return (c < 0x20 || c == 0x7f) ? '?' : (char)c;
}

/* Whether c goes out as is inside a quoted string or comment whose specials are special. */
static int plain_char(char c, const char *special)
{
	return safe_char((unsigned char)c) == c && strchr(special, c) == NULL;
}

/* At most max bytes of s (0: all), each special one escaped by a backslash and each control
 * replaced; runs of plain bytes go out in one piece. */
static void put_escaped(struct mxg_sbuf *o, const char *s, size_t max, const char *special)
{
	size_t i = 0;

	while (s[i] != '\0' && (max == 0 || i < max)) {
		size_t end = i;
		while (s[end] != '\0' && (max == 0 || end < max) && plain_char(s[end], special))
			end++;
		if (end > i) {
			mxg_sbuf_add(o, s + i, end - i);
			i = end;
			continue;
		}
		if (strchr(special, s[i]) != NULL)
			mxg_sbuf_addc(o, '\\');
		mxg_sbuf_addc(o, safe_char((unsigned char)s[i]));
		i++;
	}
}

static void put_quoted_n(struct mxg_sbuf *o, const char *s, size_t max)
{
	mxg_sbuf_addc(o, '"');
	put_escaped(o, s, max, "\"\\");
	mxg_sbuf_addc(o, '"');
}

static void put_quoted(struct mxg_sbuf *o, const char *s)
{
	put_quoted_n(o, s, 0);
}

/* A value (RFC 8601 §2.2): a token as is, anything else as a quoted-string. */
static void put_value(struct mxg_sbuf *o, const char *s)
{
	if (is_token(s))
		mxg_sbuf_adds(o, s);
	else
		put_quoted(o, s);
}

/* A pvalue: a domain, or local-part@domain, bare when both are plain; else quoted. */
static void put_pvalue(struct mxg_sbuf *o, const char *s)
{
	const char *at = strrchr(s, '@');

	if (at == NULL ? is_ldh_domain(s) : (is_dot_atom(s, (size_t)(at - s)) && is_ldh_domain(at + 1)))
		mxg_sbuf_adds(o, s);
	else
		put_value(o, s);
}

static void put_comment(struct mxg_sbuf *o, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	mxg_sbuf_adds(o, " (");
	put_escaped(o, s, 0, "()\\");
	mxg_sbuf_addc(o, ')');
}

static void put_prop(struct mxg_sbuf *o, const char *name, const char *value)
{
	if (value == NULL || *value == '\0')
		return;
	mxg_sbuf_addc(o, ' ');
	mxg_sbuf_adds(o, name);
	mxg_sbuf_addc(o, '=');
	put_pvalue(o, value);
}

static void separator(struct mxg_sbuf *o, int fold)
{
	mxg_sbuf_adds(o, fold ? ";\n\t" : "; ");
}

static void put_spf(struct mxg_sbuf *o, const struct mxg_spf_outcome *spf, int helo)
{
	mxg_sbuf_adds(o, "spf=");
	mxg_sbuf_adds(o, mxg_spf_result_name(spf->result));
	put_comment(o, spf->comment[0] ? spf->comment : spf->problem);
	put_prop(o, helo ? "smtp.helo" : "smtp.mailfrom", helo ? spf->domain : spf->sender);
}

static void put_dkim(struct mxg_sbuf *o, const struct mxg_dkim_sig_result *d, size_t reason_max)
{
	mxg_sbuf_adds(o, "dkim=");
	mxg_sbuf_adds(o, mxg_dkim_result_name(d->result));
	if (d->result != MXG_DKIM_PASS && d->reason[0]) {
		mxg_sbuf_adds(o, " reason=");
		put_quoted_n(o, d->reason, reason_max);
	}
	put_prop(o, "header.d", d->domain);
	put_prop(o, "header.s", d->selector);
	put_prop(o, "header.a", d->algorithm);
	if (d->b_prefix[0]) {
		mxg_sbuf_adds(o, " header.b=");
		put_value(o, d->b_prefix);
	}
}

static void put_dmarc(struct mxg_sbuf *o, const struct mxg_dmarc_outcome *m, const char *extra,
		      const enum mxg_dmarc_policy *dis)
{
	char comment[192 + MXG_DNS_NAME_MAX] = "";

	mxg_sbuf_adds(o, "dmarc=");
	mxg_sbuf_adds(o, mxg_dmarc_result_name(m->result));
	if (m->have_record) {
		(void)mxg_strcatf(comment, sizeof(comment), "p=%s", mxg_dmarc_policy_name(m->published));
		if (m->result == MXG_DMARC_FAIL)
			(void)mxg_strcatf(comment, sizeof(comment), " dis=%s",
					  mxg_dmarc_policy_name(dis != NULL ? *dis : m->policy));
		if (m->testing)
			(void)mxg_strcatf(comment, sizeof(comment), " t=y");
		if (m->sampled_out)
			(void)mxg_strcatf(comment, sizeof(comment), " pct=%u", m->record.pct);
	}
	if (extra != NULL && extra[0] != '\0')
		(void)mxg_strcatf(comment, sizeof(comment), "%s%s", comment[0] ? " " : "", extra);
	put_comment(o, comment);
	put_prop(o, "header.from", m->from_domain);
}

/* arc=pass or arc=fail (RFC 8617 §7.1); a chain with a temporary failure gives no verdict and
 * is left out, as is a message without ARC fields. */
static int arc_written(const struct mxg_arc_result *a)
{
	return a != NULL && (a->result == MXG_ARC_PASS || a->result == MXG_ARC_FAIL);
}

static void put_arc(struct mxg_sbuf *o, const struct mxg_arc_result *a)
{
	char comment[32 + MXG_DNS_NAME_MAX];

	mxg_sbuf_adds(o, "arc=");
	mxg_sbuf_adds(o, mxg_arc_result_name(a->result));
	if (a->result == MXG_ARC_FAIL && a->reason[0]) {
		mxg_sbuf_adds(o, " reason=");
		put_quoted(o, a->reason);
	}
	if (a->instances == 0)
		return;
	comment[0] = '\0';
	(void)mxg_strcatf(comment, sizeof(comment), "i=%u%s%s", a->instances, a->domain[0] ? " d=" : "",
			  a->domain);
	put_comment(o, comment);
}

int mxg_authres_format(const struct mxg_authres_input *in, int fold, char *buf, size_t bufsize)
{
	struct mxg_sbuf o;

	mxg_sbuf_fixed(&o, buf, bufsize);
	if (in == NULL || in->authserv_id == NULL || *in->authserv_id == '\0')
		return -1;
	put_value(&o, in->authserv_id);
	if (in->spf == NULL && in->helo == NULL && in->dmarc == NULL && in->dkim_count == 0 &&
	    !arc_written(in->arc)) {
		mxg_sbuf_adds(&o, "; none");
		return o.overflow ? -1 : 0;
	}
	if (in->spf != NULL) {
		separator(&o, fold);
		put_spf(&o, in->spf, 0);
	}
	if (in->helo != NULL) {
		separator(&o, fold);
		put_spf(&o, in->helo, 1);
	}
	separator(&o, fold);
	if (in->dkim_count == 0 || in->dkim == NULL)
		mxg_sbuf_adds(&o, "dkim=none");
	size_t listed = in->dkim_max != 0 && in->dkim_max < in->dkim_count ? in->dkim_max : in->dkim_count;
	for (size_t i = 0; in->dkim != NULL && i < listed; i++) {
		if (i > 0)
			separator(&o, fold);
		put_dkim(&o, &in->dkim[i], in->reason_max);
	}
	if (in->dkim != NULL && listed < in->dkim_count) {
		char more[64];
		snprintf(more, sizeof(more), "%zu more DKIM signatures not listed", in->dkim_count - listed);
		put_comment(&o, more);
	}
	if (in->dmarc != NULL) {
		separator(&o, fold);
		put_dmarc(&o, in->dmarc, in->dmarc_comment, in->disposition);
	}
	if (arc_written(in->arc)) {
		separator(&o, fold);
		put_arc(&o, in->arc);
	}
	return o.overflow ? -1 : 0;
}

/* --- parsing existing fields --- */

static const char *skip_cfws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		int depth = 0;
		do {
			if (*p == '\0')
				return NULL;
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(' && ++depth > COMMENT_DEPTH_MAX)
				return NULL;
			else if (*p == ')')
				depth--;
			p++;
		} while (depth > 0);
	}
}

/* A value at p: token or quoted-string (decoded). The end, or NULL if malformed or too long. */
static const char *read_value(const char *p, char *out, size_t outsize)
{
	size_t n = 0;

	if (outsize == 0)
		return NULL;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				return NULL;
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (*p == '\r' || *p == '\n')
				continue; /* folding inside the quotes */
			if (n + 1 >= outsize)
				return NULL;
			out[n++] = *p;
		}
		p++;
	} else {
		while (is_token_char((unsigned char)*p) || (unsigned char)*p >= 0x80) {
			if (n + 1 >= outsize)
				return NULL;
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return n > 0 ? p : NULL;
}

int mxg_authres_authserv_id(const char *value, char *out, size_t outsize)
{
	if (value == NULL)
		return -1;
	const char *p = skip_cfws(value);
	if (p == NULL || (p = read_value(p, out, outsize)) == NULL || (p = skip_cfws(p)) == NULL)
		goto bad;
	if (*p >= '0' && *p <= '9') { /* authres-version */
		while (*p >= '0' && *p <= '9')
			p++;
		if ((p = skip_cfws(p)) == NULL)
			goto bad;
	}
	if (*p != ';' && *p != '\0')
		goto bad;
	return 0;
bad:
	if (outsize > 0)
		out[0] = '\0';
	return -1;
}

int mxg_authres_claims(const char *value, const char *authserv_id)
{
	char id[256];

	if (value == NULL || authserv_id == NULL || *authserv_id == '\0')
		return 0;
	const char *p = skip_cfws(value);
	/* Only the leading value counts: what follows may be malformed and still fool a reader. */
	if (p == NULL || read_value(p, id, sizeof(id)) == NULL)
		return 0;
	return mxg_strcaseeq(id, authserv_id);
}
