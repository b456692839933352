/* The RFC 5322 From field for DMARC: exactly one field holding exactly one mailbox, parsed
 * strictly (comments, quoted strings, encoded words only in display names); anything else is a
 * status. For values that do not parse, a lenient scan finds every domain a reader might see. */
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"

#define FROM_VALUE_MAX 16384
#define COMMENT_DEPTH_MAX 32

struct cursor {
	const char *p;
	const char *end;
};

static int at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static int peek(const struct cursor *c)
{
	return at_end(c) ? -1 : (unsigned char)*c->p;
}

/* atext of RFC 5322 §3.2.3, plus UTF-8 octets (RFC 6532 §3.2). */
static int is_atext(int ch)
{
	return ch >= 0x80 || mxg_is_atext(ch);
}

/* Skips folding white space and comments (nested, with quoted pairs). -1 on an unclosed comment. */
static int skip_cfws(struct cursor *c)
{
	while (!at_end(c)) {
		int ch = peek(c);
		if (mxg_is_fws(ch)) {
			c->p++;
			continue;
		}
		if (ch != '(')
			return 0;
		int depth = 0;
		do {
			if (at_end(c))
				return -1;
			ch = (unsigned char)*c->p++;
			if (ch == '\\') {
				if (at_end(c))
					return -1;
				c->p++;
			} else if (ch == '(') {
				if (++depth > COMMENT_DEPTH_MAX)
					return -1;
			} else if (ch == ')') {
				depth--;
			}
		} while (depth > 0);
	}
	return 0;
}

static int skip_quoted(struct cursor *c)
{
	if (peek(c) != '"')
		return -1;
	c->p++;
	while (!at_end(c)) {
		int ch = (unsigned char)*c->p++;
		if (ch == '"')
			return 0;
		if (ch == '\\') {
			if (at_end(c))
				return -1;
			c->p++;
		} else if (ch < 0x20 && !mxg_is_fws(ch)) {
			return -1;
		}
	}
	return -1;
}

static size_t skip_atoms(struct cursor *c)
{
	const char *start = c->p;

	while (is_atext(peek(c)))
		c->p++;
	return (size_t)(c->p - start);
}

/* dot-atom-text: 1*atext *("." 1*atext). -1 if malformed. */
static int skip_dot_atom(struct cursor *c)
{
	if (skip_atoms(c) == 0)
		return -1;
	while (peek(c) == '.') {
		c->p++;
		if (skip_atoms(c) == 0)
			return -1;
	}
	return 0;
}

/* An RFC 2047 encoded word is never allowed in an addr-spec (RFC 2047 §5). */
static int has_encoded_word(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '=' && s[i + 1] == '?')
			return 1;
	return 0;
}

/* A host name for DNS: LDH labels (underscore tolerated), at most 63 octets each, 253 in all. */
static int domain_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		int ldh = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			  ch == '-' || ch == '_';
		if (!ldh || (label == 0 && ch == '-') || ++label > 63)
			return 0;
	}
	return label > 0 && s[n - 1] != '-';
}

/* addr-spec (local-part "@" domain) with CFWS around its parts; the domain goes to out. */
static enum mxg_from_status addr_spec(struct cursor *c, char *out, size_t size)
{
	if (skip_cfws(c) < 0)
		return MXG_FROM_INVALID;
	const char *local = c->p;
	int r = peek(c) == '"' ? skip_quoted(c) : skip_dot_atom(c);
	if (r < 0)
		return MXG_FROM_INVALID;
	if (local[0] != '"' && has_encoded_word(local, (size_t)(c->p - local)))
		return MXG_FROM_INVALID;
	if (skip_cfws(c) < 0 || peek(c) != '@')
		return MXG_FROM_INVALID;
	c->p++;
	if (skip_cfws(c) < 0)
		return MXG_FROM_INVALID;
	const char *dom = c->p;
	if (skip_dot_atom(c) < 0) /* a domain literal ([...]) has no domain for DMARC */
		return MXG_FROM_INVALID;
	size_t n = (size_t)(c->p - dom);
	if (!domain_ok(dom, n) || n >= size)
		return MXG_FROM_INVALID;
	memcpy(out, dom, n);
	out[n] = '\0';
	mxg_str_lower(out);
	return skip_cfws(c) < 0 ? MXG_FROM_INVALID : MXG_FROM_OK;
}

static enum mxg_from_status angle_addr(struct cursor *c, char *out, size_t size)
{
	c->p++; /* '<' */
	enum mxg_from_status s = addr_spec(c, out, size);
	if (s != MXG_FROM_OK)
		return s; /* includes "<>" and obsolete source routes "<@a:b@c>" */
	if (peek(c) != '>')
		return MXG_FROM_INVALID;
	c->p++;
	return skip_cfws(c) < 0 ? MXG_FROM_INVALID : MXG_FROM_OK;
}

/* A display name (phrase: words, encoded words, dots) then an angle address; or a group. */
static enum mxg_from_status name_addr(struct cursor *c, char *out, size_t size)
{
	size_t words = 0;

	for (;;) {
		if (skip_cfws(c) < 0)
			return MXG_FROM_INVALID;
		int ch = peek(c);
		if (ch == '"') {
			if (skip_quoted(c) < 0)
				return MXG_FROM_INVALID;
		} else if (ch == '.') {
			c->p++; /* obs-phrase */
		} else if (is_atext(ch)) {
			skip_atoms(c);
		} else {
			break;
		}
		words++;
	}
	if (peek(c) == ':')
		return MXG_FROM_GROUP;
	if (words == 0 || peek(c) != '<')
		return MXG_FROM_INVALID;
	return angle_addr(c, out, size);
}

/* One mailbox: a bare addr-spec, or [display-name] <addr-spec>. */
static enum mxg_from_status mailbox(struct cursor *c, char *out, size_t size)
{
	if (skip_cfws(c) < 0)
		return MXG_FROM_INVALID;
	if (peek(c) == '<')
		return angle_addr(c, out, size);
	struct cursor probe = *c;
	if (addr_spec(&probe, out, size) == MXG_FROM_OK &&
	    (at_end(&probe) || peek(&probe) == ',')) {
		*c = probe;
		return MXG_FROM_OK;
	}
	out[0] = '\0';
	return name_addr(c, out, size);
}

static int only_cfws(struct cursor c)
{
	return skip_cfws(&c) == 0 && at_end(&c);
}

/* Control characters make a field invalid (RFC 5322 §2.2, §4.1): NUL anywhere, CR or LF other
 * than in a fold (CRLF or LF, then a blank), any other C0 control but TAB, and DEL. */
static int value_clean(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];
		if (ch == '\r') {
			if (i + 1 >= n || v[i + 1] != '\n')
				return 0;
			continue;
		}
		if (ch == '\n') {
			if (i + 1 >= n || (v[i + 1] != ' ' && v[i + 1] != '\t'))
				return 0;
			continue;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 0;
	}
	return 1;
}

enum mxg_from_status mxg_from_domain_n(const char *value, size_t len, char *domain, size_t size)
{
	if (size > 0)
		domain[0] = '\0';
	if (value == NULL || size == 0 || len > FROM_VALUE_MAX || !value_clean(value, len))
		return MXG_FROM_INVALID;
	struct cursor c = { value, value + len };
	if (only_cfws(c))
		return MXG_FROM_INVALID;
	enum mxg_from_status s = mailbox(&c, domain, size);
	if (s == MXG_FROM_OK && peek(&c) == ',') {
		c.p++;
		s = only_cfws(c) ? MXG_FROM_INVALID : MXG_FROM_MULTIPLE_ADDRESSES;
	} else if (s == MXG_FROM_OK && !at_end(&c)) {
		s = MXG_FROM_INVALID;
	}
	if (s != MXG_FROM_OK)
		domain[0] = '\0';
	return s;
}

enum mxg_from_status mxg_from_domain(const char *value, char *domain, size_t size)
{
	if (value == NULL)
		return mxg_from_domain_n(NULL, 0, domain, size);
	size_t len = strnlen(value, FROM_VALUE_MAX + 1);
	return mxg_from_domain_n(value, len, domain, size);
}

/* --- lenient extraction: every domain a reader could take for the author's --- */

static int is_ldh(unsigned char ch)
{
	return mxg_is_alnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

/* The domain after the '@' at s[at]: blanks skipped, the longest run of name characters,
 * outer dots dropped. Reported through fn if it is a host name; returns fn's status or 0. */
static int domain_after(const char *s, size_t n, size_t at, mxg_from_domain_fn fn, void *arg)
{
	char d[MXG_DNS_NAME_MAX];
	size_t i = at + 1, start, end;

	while (i < n && mxg_is_fws((unsigned char)s[i]))
		i++;
	start = i;
	while (i < n && is_ldh((unsigned char)s[i]))
		i++;
	end = i;
	while (start < end && s[start] == '.')
		start++;
	while (end > start && s[end - 1] == '.')
		end--;
	if (!domain_ok(s + start, end - start) || end - start >= sizeof(d))
		return 0;
	memcpy(d, s + start, end - start);
	d[end - start] = '\0';
	mxg_str_lower(d);
	return fn(arg, d);
}

static int scan_at_signs(const char *s, size_t n, mxg_from_domain_fn fn, void *arg)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '@')
			continue;
		int rc = domain_after(s, n, i, fn, arg);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int hex_value(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Decodes the text of an RFC 2047 encoded word (B or Q) into out (at least n bytes). */
static size_t decode_word(char enc, const char *t, size_t n, char *out)
{
	size_t o = 0;
	unsigned bits = 0, acc = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];
		if (enc == 'Q' || enc == 'q') {
			int hi, lo;
			if (ch == '=' && i + 2 < n && (hi = hex_value((unsigned char)t[i + 1])) >= 0 &&
			    (lo = hex_value((unsigned char)t[i + 2])) >= 0) {
				out[o++] = (char)(hi * 16 + lo);
				i += 2;
			} else {
				out[o++] = ch == '_' ? ' ' : (char)ch;
			}
			continue;
		}
		int v = mxg_base64_value(ch);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/* Every "=?charset?E?text?=" in s, decoded and scanned for addresses. */
static int scan_encoded_words(const char *s, size_t n, mxg_from_domain_fn fn, void *arg)
{
	char buf[1024];

	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '=' || s[i + 1] != '?')
			continue;
		const char *q1 = memchr(s + i + 2, '?', n - i - 2);
		if (q1 == NULL || (size_t)(q1 - s) + 3 >= n || q1[2] != '?')
			continue;
		const char *text = q1 + 3;
		size_t left = n - (size_t)(text - s), tn = 0;
		while (tn + 1 < left && !(text[tn] == '?' && text[tn + 1] == '=') && tn < sizeof(buf))
			tn++;
		if (tn + 1 >= left || tn >= sizeof(buf))
			continue;
		int rc = scan_at_signs(buf, decode_word(q1[1], text, tn, buf), fn, arg);
		if (rc != 0)
			return rc;
		i = (size_t)(text - s) + tn + 1;
	}
	return 0;
}

int mxg_from_lenient_domains(const char *value, size_t len, mxg_from_domain_fn fn, void *arg)
{
	if (value == NULL)
		return 0;
	int rc = scan_at_signs(value, len, fn, arg);
	return rc != 0 ? rc : scan_encoded_words(value, len, fn, arg);
}

enum mxg_from_status mxg_from_fields(const char *const *values, size_t count, char *domain,
				     size_t size)
{
	if (size > 0)
		domain[0] = '\0';
	if (count == 0)
		return MXG_FROM_MISSING;
	if (count > 1)
		return MXG_FROM_MULTIPLE_FIELDS;
	return mxg_from_domain(values[0], domain, size);
}

const char *mxg_from_status_name(enum mxg_from_status s)
{
	static const char *const names[] = {
		"ok", "missing", "multiple-fields", "multiple-addresses", "group", "invalid",
	};
	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "invalid";
	return names[s];
}
