/* ARC-Authentication-Results read by the grammar of RFC 8617 §4.1.1 over RFC 8601 §2.2:
 * "i=" instance ";" authserv-id [version] ( ";" "none" / 1*( ";" method "=" result
 * [reason] *propspec ) ), CFWS anywhere between tokens. Comments nest to a bounded depth and are
 * skipped whole, so nothing inside one is ever read as a result. */
#include <stdio.h>
#include <string.h>

#include "mxguard/arc_aar.h"
#include "mxguard/str.h"

struct lex {
	const char *p, *end;
	char *err;
	size_t errlen;
};

/* Past one comment starting at '('; -1 if it never closes or nests too deep. */
static int skip_comment(struct lex *l)
{
	int depth = 0;

	for (; l->p < l->end; l->p++) {
		char c = *l->p;
		if (c == '\\' && l->p + 1 < l->end) {
			l->p++;
		} else if (c == '(') {
			if (++depth > MXG_AAR_COMMENT_DEPTH)
				return mxg_fail(l->err, l->errlen, "comments nest deeper than %d", MXG_AAR_COMMENT_DEPTH);
		} else if (c == ')' && --depth == 0) {
			l->p++;
			return 0;
		}
	}
	return mxg_fail(l->err, l->errlen, "unterminated comment");
}

/* Past folding white space and comments. */
static int skip_cfws(struct lex *l)
{
	while (l->p < l->end) {
		char c = *l->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			l->p++;
		else if (c == '(') {
			if (skip_comment(l) < 0)
				return -1;
		} else
			break;
	}
	return 0;
}

static int at(struct lex *l, char c)
{
	return l->p < l->end && *l->p == c;
}

/* CFWS, then the character c. */
static int expect(struct lex *l, char c, const char *where)
{
	if (skip_cfws(l) < 0)
		return -1;
	if (!at(l, c))
		return mxg_fail(l->err, l->errlen, "expected '%c' %s", c, where);
	l->p++;
	return 0;
}

static int is_keyword_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/* A keyword (letters, digits, '-', '_'), lower-cased into out, after CFWS. */
static int keyword(struct lex *l, char *out, size_t size, const char *what)
{
	size_t n = 0;

	if (skip_cfws(l) < 0)
		return -1;
	while (l->p < l->end && is_keyword_char((unsigned char)*l->p)) {
		if (n + 1 >= size)
			return mxg_fail(l->err, l->errlen, "%s longer than %zu characters", what, size - 1);
		char c = *l->p++;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[n] = '\0';
	return n == 0 ? mxg_fail(l->err, l->errlen, "%s missing", what) : 0;
}

static int is_value_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != ';' && c != '(' && c != ')' && c != '"' && c != '\\';
}

/* A quoted string, decoded; l->p is at the opening quote. */
static int quoted(struct lex *l, char *out, size_t size)
{
	size_t n = 0;

	for (l->p++; l->p < l->end && *l->p != '"'; l->p++) {
		if (*l->p == '\\' && l->p + 1 < l->end)
			l->p++;
		unsigned char c = (unsigned char)*l->p;
		if (c < 0x20 && c != '\t')
			return mxg_fail(l->err, l->errlen, "control character in a quoted string");
		if (n + 1 >= size)
			return mxg_fail(l->err, l->errlen, "value longer than %zu characters", size - 1);
		out[n++] = (char)c;
	}
	if (l->p >= l->end)
		return mxg_fail(l->err, l->errlen, "unterminated quoted string");
	l->p++;
	out[n] = '\0';
	return 0;
}

/* A value after CFWS: a quoted string, or a run of printable characters other than the
 * delimiters (a token, a domain, local-part@domain). */
static int value(struct lex *l, char *out, size_t size, const char *what)
{
	size_t n = 0;

	if (skip_cfws(l) < 0)
		return -1;
	if (at(l, '"'))
		return quoted(l, out, size);
	while (l->p < l->end && is_value_char((unsigned char)*l->p) ) {
		if (n + 1 >= size)
			return mxg_fail(l->err, l->errlen, "%s longer than %zu characters", what, size - 1);
		out[n++] = *l->p++;
	}
	out[n] = '\0';
	return n == 0 ? mxg_fail(l->err, l->errlen, "%s missing", what) : 0;
}

/* "i=" 1*DIGIT ";" */
static int instance(struct lex *l, unsigned *out)
{
	char word[MXG_AAR_WORD_MAX];
	unsigned long n = 0;
	size_t digits = 0;

	if (keyword(l, word, sizeof(word), "i=") < 0 || strcmp(word, "i") != 0)
		return mxg_fail(l->err, l->errlen, "does not start with i=");
	if (expect(l, '=', "after i") < 0 || skip_cfws(l) < 0)
		return -1;
	for (; l->p < l->end && *l->p >= '0' && *l->p <= '9' && digits < 3; digits++)
		n = n * 10 + (unsigned long)(*l->p++ - '0');
	if (digits == 0 || n == 0)
		return mxg_fail(l->err, l->errlen, "i= is not a positive number");
	*out = (unsigned)n;
	return expect(l, ';', "after the instance");
}

/* One property (ptype "." property "=" pvalue) or "reason=" value, into r. */
static int property(struct lex *l, struct mxg_aar_result *r)
{
	char ptype[MXG_AAR_WORD_MAX], name[MXG_AAR_WORD_MAX], v[MXG_AAR_VALUE_MAX];

	if (keyword(l, ptype, sizeof(ptype), "property type") < 0)
		return -1;
	if (strcmp(ptype, "reason") == 0)
		return expect(l, '=', "after reason") < 0 ? -1 : value(l, v, sizeof(v), "reason");
	if (expect(l, '.', "in a property") < 0 || keyword(l, name, sizeof(name), "property") < 0 ||
	    expect(l, '=', "after a property") < 0 || value(l, v, sizeof(v), "property value") < 0)
		return -1;
	if (r->nprops == MXG_AAR_PROPS_MAX)
		return mxg_fail(l->err, l->errlen, "more than %d properties in one result", MXG_AAR_PROPS_MAX);
	struct mxg_aar_prop *p = &r->props[r->nprops++];
	snprintf(p->name, sizeof(p->name), "%.31s.%.31s", ptype, name);
	mxg_strlcpy(p->value, v, sizeof(p->value));
	return 0;
}

/* One resinfo after its ';': method [/ version] "=" result, then properties up to the next ';'
 * or the end. */
static int resinfo(struct lex *l, struct mxg_aar_result *r)
{
	char version[MXG_AAR_WORD_MAX];

	memset(r, 0, sizeof(*r));
	if (keyword(l, r->method, sizeof(r->method), "method") < 0 || skip_cfws(l) < 0)
		return -1;
	if (at(l, '/')) {
		l->p++;
		if (keyword(l, version, sizeof(version), "method version") < 0)
			return -1;
	}
	if (expect(l, '=', "after the method") < 0 ||
	    keyword(l, r->result, sizeof(r->result), "result") < 0)
		return -1;
	for (;;) {
		if (skip_cfws(l) < 0)
			return -1;
		if (l->p >= l->end || at(l, ';'))
			return 0;
		if (property(l, r) < 0)
			return -1;
	}
}

/* The authserv-id and an optional version number. */
static int authserv(struct lex *l, char *out, size_t size)
{
	char version[MXG_AAR_WORD_MAX];

	if (value(l, out, size, "authserv-id") < 0)
		return -1;
	if (skip_cfws(l) < 0)
		return -1;
	if (l->p < l->end && *l->p >= '0' && *l->p <= '9')
		return keyword(l, version, sizeof(version), "version");
	return 0;
}

/* "none" alone after the authserv-id: no result. */
static int no_result(struct lex *l)
{
	struct lex save = *l;
	char word[MXG_AAR_WORD_MAX];

	if (keyword(l, word, sizeof(word), "method") == 0 && strcmp(word, "none") == 0 &&
	    skip_cfws(l) == 0 && l->p >= l->end)
		return 1;
	*l = save;
	return 0;
}

int mxg_aar_parse(const char *text, size_t len, unsigned *inst, char *authserv_id, size_t size,
		  mxg_aar_result_fn fn, void *arg, char *err, size_t errlen)
{
	struct lex l = { text, text + len, err, errlen };
	struct mxg_aar_result r;
	size_t count = 0;

	if (instance(&l, inst) < 0 || authserv(&l, authserv_id, size) < 0)
		return -1;
	if (expect(&l, ';', "after the authserv-id") < 0)
		return -1;
	if (no_result(&l))
		return 0;
	for (;;) {
		if (++count > MXG_AAR_RESULTS_MAX)
			return mxg_fail(l.err, l.errlen, "more than %d results", MXG_AAR_RESULTS_MAX);
		if (resinfo(&l, &r) < 0)
			return -1;
		int rc = fn(arg, &r);
		if (rc != 0)
			return rc;
		if (l.p >= l.end)
			return 0;
		l.p++; /* the ';' resinfo stopped at */
		if (skip_cfws(&l) < 0)
			return -1;
		if (l.p >= l.end)
			return 0;  /* a final ';' before the line end */
	}
}

const char *mxg_aar_prop(const struct mxg_aar_result *r, const char *name)
{
	for (size_t i = 0; i < r->nprops; i++)
		if (strcmp(r->props[i].name, name) == 0)
			return r->props[i].value;
	return NULL;
}
