/* The SPF macro language (RFC 7208 §7): syntax check, expansion with transformers and
 * delimiters, URL escaping of upper-case letters, and the domain-end rule of domain-spec. */
#include "spf_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "mxguard/sbuf.h"
#include "mxguard/str.h"

#define MACRO_PARTS_MAX 256
#define MACRO_DIGITS_MAX 128

/* One parsed %{...} expansion. */
struct macro {
	char letter;      /* lower case */
	int upper;        /* URL-escape the result */
	unsigned digits;  /* 0 = all parts */
	int reverse;
	char delims[8];   /* "" = "." */
};

static int is_delim(int c)
{
	return c != '\0' && strchr(".-+,/_=", c) != NULL;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int letter_allowed(int c, enum spf_macro_use use)
{
	if (strchr("slodiphv", c))
		return 1;
	return use != SPF_MACRO_DOMAIN && strchr("crt", c) != NULL;
}

static int set_why(char *why, size_t whylen, const char *msg)
{
	mxg_strlcpy(why, msg, whylen);
	return -1;
}

/* Parses "%{...}" at s[0] (s[0..1] == "%{"); returns its length or -1. */
static long parse_brace(const char *s, size_t len, enum spf_macro_use use, struct macro *m,
			char *why, size_t whylen)
{
	size_t i = 2;

	memset(m, 0, sizeof(*m));
	if (i >= len || s[i] == '\0' || !strchr("slodiphvcrtSLODIPHVCRT", s[i]))
		return set_why(why, whylen, "unknown macro letter");
	m->letter = (char)lower((unsigned char)s[i]);
	m->upper = s[i] >= 'A' && s[i] <= 'Z';
	if (!letter_allowed(m->letter, use))
		return set_why(why, whylen, "macro letter c, r or t outside an explanation");
	i++;
	int have_digits = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		have_digits = 1;
		if (m->digits <= MACRO_DIGITS_MAX)
			m->digits = m->digits * 10 + (unsigned)(s[i] - '0');
		i++;
	}
	if (have_digits && m->digits == 0)
		return set_why(why, whylen, "macro transformer digits must not be zero");
	if (i < len && lower((unsigned char)s[i]) == 'r') {
		m->reverse = 1;
		i++;
	}
	size_t nd = 0;
	while (i < len && is_delim(s[i])) {
		if (nd < sizeof(m->delims) - 1 && !strchr(m->delims, s[i]))
			m->delims[nd++] = s[i];
		i++;
	}
	if (i >= len || s[i] != '}')
		return set_why(why, whylen, "unterminated or malformed %{...} macro");
	return (long)(i + 1);
}

/* Walks a macro-string; writes literals and expanded macros to out when expanding (only
 * checks the syntax otherwise). *last_macro_end receives where the last macro-expand ended
 * (for domain-end). */
struct walker {
	const struct spf_macro_vars *v;
	int expanding;
	struct mxg_sbuf out;
};

static void put(struct walker *w, const char *s, size_t n)
{
	if (w->expanding)
		mxg_sbuf_add(&w->out, s, n);
}

static void put_escaped(struct walker *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c)) {
			put(w, (const char *)&s[i], 1);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			put(w, e, 3);
		}
	}
}

int spf_ip_dotted(const struct mxg_addr *ip, char *out, size_t outsize)
{
	static const char hex[] = "0123456789ABCDEF";

	if (ip->family == 4) {
		int n = snprintf(out, outsize, "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1],
				 ip->bytes[2], ip->bytes[3]);
		return (n < 0 || (size_t)n >= outsize) ? -1 : 0;
	}
	if (outsize < 64)
		return -1;
	/* Upper-case nibbles, as the reference suite's expected explanations show. */
	for (int i = 0; i < 32; i++) {
		uint8_t b = ip->bytes[i / 2];
		out[i * 2] = hex[(i % 2) ? (b & 15) : (b >> 4)];
		out[i * 2 + 1] = i == 31 ? '\0' : '.';
	}
	return 0;
}

/* The raw value of a macro letter into buf. */
static const char *letter_value(const struct spf_macro_vars *v, char letter, char *buf,
				size_t bufsize)
{
	switch (letter) {
	case 's': return v->sender ? v->sender : "";
	case 'l': return v->local ? v->local : "";
	case 'o': return v->sdomain ? v->sdomain : "";
	case 'd': return v->domain ? v->domain : "";
	case 'h': return v->helo ? v->helo : "";
	case 'r': return v->receiver ? v->receiver : "unknown";
	case 'v': return v->ip->family == 4 ? "in-addr" : "ip6";
	case 'p': return v->ptr_name ? v->ptr_name(v->ptr_arg) : "unknown";
	case 'i':
		return spf_ip_dotted(v->ip, buf, bufsize) < 0 ? "" : buf;
	case 'c':
		if (inet_ntop(v->ip->family == 4 ? AF_INET : AF_INET6, v->ip->bytes, buf,
			      (socklen_t)bufsize) == NULL)
			return "";
		return buf;
	case 't':
		snprintf(buf, bufsize, "%lld", v->now);
		return buf;
	default:
		return "";
	}
}

/* Applies the transformers: split on the delimiters, reverse, keep the rightmost
 * digits parts, join with dots. */
static int transform(struct walker *w, const struct macro *m, const char *val)
{
	const char *delims = m->delims[0] ? m->delims : ".";
	size_t start[MACRO_PARTS_MAX], plen[MACRO_PARTS_MAX], n = 0, vlen = strlen(val);
	size_t s = 0;

	for (size_t i = 0; i <= vlen; i++) {
		if (i < vlen && !strchr(delims, val[i]))
			continue;
		if (n == MACRO_PARTS_MAX)
			return -1;
		start[n] = s;
		plen[n++] = i - s;
		s = i + 1;
	}
	size_t keep = (m->digits && m->digits < n) ? m->digits : n;
	for (size_t k = 0; k < keep; k++) {
		/* Part k of the kept tail of the (possibly reversed) sequence. */
		size_t idx = m->reverse ? keep - 1 - k : n - keep + k;
		if (k)
			put(w, ".", 1);
		if (m->upper)
			put_escaped(w, val + start[idx], plen[idx]);
		else
			put(w, val + start[idx], plen[idx]);
	}
	return 0;
}

static int emit_macro(struct walker *w, const struct macro *m)
{
	char buf[128];

	if (!w->expanding)
		return 0;
	const char *val = letter_value(w->v, m->letter, buf, sizeof(buf));
	return transform(w, m, val);
}

/* Walks s; returns 0 or -1 (why set). *tail receives the offset after the last macro-expand. */
static int walk(struct walker *w, const char *s, size_t len, enum spf_macro_use use,
		size_t *tail, char *why, size_t whylen)
{
	size_t i = 0;

	*tail = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' && use == SPF_MACRO_EXPLAIN) {
			put(w, " ", 1);
			i++;
			continue;
		}
		if (c < 0x21 || c > 0x7e)
			return set_why(why, whylen, "character not allowed in a macro-string");
		if (c != '%') { /* a run of literal characters, added at once */
			size_t j = i + 1;
			while (j < len && s[j] != '%' && (unsigned char)s[j] >= 0x21 && (unsigned char)s[j] <= 0x7e)
				j++;
			put(w, s + i, j - i);
			i = j;
			continue;
		}
		if (i + 1 >= len)
			return set_why(why, whylen, "'%' at the end of a macro-string");
		char nx = s[i + 1];
		if (nx == '%' || nx == '_' || nx == '-') {
			put(w, nx == '%' ? "%" : nx == '_' ? " " : "%20", nx == '-' ? 3 : 1);
			i += 2;
			*tail = i;
			continue;
		}
		if (nx != '{')
			return set_why(why, whylen, "'%' not followed by '{', '%', '_' or '-'");
		struct macro m;
		long n = parse_brace(s + i, len - i, use, &m, why, whylen);
		if (n < 0)
			return -1;
		if (emit_macro(w, &m) < 0)
			return set_why(why, whylen, "macro value has too many parts");
		i += (size_t)n;
		*tail = i;
	}
	return 0;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static int valid_toplabel(const char *s, size_t n)
{
	int alpha = 0, dash = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			alpha = 1;
		else if (c == '-')
			dash = 1;
		else if (!(c >= '0' && c <= '9'))
			return 0;
	}
	if (dash)
		return s[0] != '-' && s[n - 1] != '-';
	return alpha;
}

/* domain-end = ( "." toplabel [ "." ] ) / macro-expand */
static int check_domain_end(const char *s, size_t len, size_t tail)
{
	if (tail == len)
		return 0;
	size_t end = len;
	if (s[end - 1] == '.')
		end--;
	size_t dot = end;
	while (dot > tail && s[dot - 1] != '.')
		dot--;
	if (dot == tail)
		return -1;
	return valid_toplabel(s + dot, end - dot) ? 0 : -1;
}

int spf_macro_check(const char *s, size_t len, enum spf_macro_use use, char *why, size_t whylen)
{
	struct walker w = { 0 };
	size_t tail;

	if (walk(&w, s, len, use, &tail, why, whylen) < 0)
		return -1;
	if (use == SPF_MACRO_DOMAIN && check_domain_end(s, len, tail) < 0)
		return set_why(why, whylen, "domain-spec must end in a macro or a valid top-level label");
	return 0;
}

long spf_macro_expand(const struct spf_macro_vars *v, const char *s, size_t len,
		      enum spf_macro_use use, char *out, size_t outsize, char *why, size_t whylen)
{
	struct walker w = { .v = v, .expanding = 1 };
	size_t tail;

	if (outsize == 0)
		return set_why(why, whylen, "no room");
	mxg_sbuf_fixed(&w.out, out, outsize);
	if (walk(&w, s, len, use, &tail, why, whylen) < 0)
		return -1;
	if (w.out.overflow)
		return set_why(why, whylen, "macro expansion too long");
	return (long)w.out.len;
}

void spf_domain_truncate(char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		name[--n] = '\0';
	size_t off = 0;
	while (n - off > 253) {
		char *dot = strchr(name + off, '.');
		if (dot == NULL)
			break;
		off = (size_t)(dot - name) + 1;
	}
	if (off)
		memmove(name, name + off, n - off + 1);
}
