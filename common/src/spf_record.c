/* SPF record parsing (RFC 7208 §4.6, §5, §6, §12): splits a v=spf1 record into terms and
 * checks every term's syntax up front, so an error anywhere is found before evaluation. */
#include "spf_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/chars.h"
#include "mxguard/str.h"

static const struct {
	const char *name;
	enum spf_kind kind;
} mechanisms[] = {
	{ "all", SPF_ALL },	  { "include", SPF_INCLUDE }, { "a", SPF_A },
	{ "mx", SPF_MX },	  { "ptr", SPF_PTR },	      { "ip4", SPF_IP4 },
	{ "ip6", SPF_IP6 },	  { "exists", SPF_EXISTS },
};

static const char *const kind_names[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect", "exp", "modifier",
};

const char *spf_kind_name(enum spf_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[k] : "?";
}

int spf_kind_queries_dns(enum spf_kind k)
{
	return k == SPF_INCLUDE || k == SPF_A || k == SPF_MX || k == SPF_PTR || k == SPF_EXISTS ||
	       k == SPF_REDIRECT;
}

int spf_is_v1(const char *txt, size_t len)
{
	if (len < 6 || !mxg_strncaseeq(txt, "v=spf1", 6))
		return 0;
	return len == 6 || txt[6] == ' ';
}

static int fail(struct spf_record *rec, const struct spf_term *t, const char *why)
{
	snprintf(rec->error, sizeof(rec->error), "'%.*s': %s",
		 (int)(t->text_len > 80 ? 80 : t->text_len), t->text, why);
	return -1;
}

/* A prefix length: "0" or digits without a leading zero, at most max. */
static int parse_prefix(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!mxg_is_digit(s[i]))
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* dual-cidr-length = [ "/" ip4 ] [ "//" ip6 ], the whole of s. */
static int parse_dual_cidr(const char *s, size_t n, struct spf_term *t)
{
	size_t i = 0;

	if (n == 0)
		return 0;
	if (s[0] != '/')
		return -1;
	if (n >= 2 && s[1] == '/')
		return parse_prefix(s + 2, n - 2, 128, &t->cidr6);
	i = 1;
	while (i < n && s[i] != '/')
		i++;
	if (parse_prefix(s + 1, i - 1, 32, &t->cidr4) < 0)
		return -1;
	if (i == n)
		return 0;
	if (n - i < 2 || s[i + 1] != '/')
		return -1;
	return parse_prefix(s + i + 2, n - i - 2, 128, &t->cidr6);
}

/* Length of the trailing dual-cidr-length of a "domain-spec[cidr]" argument. */
static size_t cidr_suffix(const char *s, size_t n)
{
	size_t end = n, p = n;

	while (p > 0 && mxg_is_digit(s[p - 1]))
		p--;
	if (p < end && p >= 2 && s[p - 1] == '/' && s[p - 2] == '/')
		end = p - 2;
	p = end;
	while (p > 0 && mxg_is_digit(s[p - 1]))
		p--;
	if (p < end && p >= 1 && s[p - 1] == '/' && !(p >= 2 && s[p - 2] == '/'))
		end = p - 1;
	return n - end;
}

static int check_domain_spec(struct spf_record *rec, struct spf_term *t)
{
	char why[128];

	if (t->arg_len == 0)
		return fail(rec, t, "empty domain-spec");
	if (spf_macro_check(t->arg, t->arg_len, SPF_MACRO_DOMAIN, why, sizeof(why)) < 0)
		return fail(rec, t, why);
	return 0;
}

/* ip4-network: four decimal octets without leading zeros. */
static int parse_ip4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		size_t start = i;
		unsigned v = 0;
		while (i < n && mxg_is_digit(s[i]) && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return -1;
		out[part] = (uint8_t)v;
		if (part < 3) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == n ? 0 : -1;
}

static int parse_ip_mech(struct spf_record *rec, struct spf_term *t, const char *rest, size_t n)
{
	int v6 = t->kind == SPF_IP6;
	size_t i = 0;
	char buf[64];

	if (n < 2 || rest[0] != ':')
		return fail(rec, t, "needs ':' and a network");
	rest++, n--;
	while (i < n && rest[i] != '/')
		i++;
	if (i < n && parse_prefix(rest + i + 1, n - i - 1, v6 ? 128 : 32,
				  v6 ? &t->cidr6 : &t->cidr4) < 0)
		return fail(rec, t, "bad prefix length");
	if (!v6)
		return parse_ip4(rest, i, t->net) < 0 ? fail(rec, t, "bad IPv4 network") : 0;
	if (i == 0 || i >= sizeof(buf))
		return fail(rec, t, "bad IPv6 network");
	memcpy(buf, rest, i);
	buf[i] = '\0';
	if (inet_pton(AF_INET6, buf, t->net) != 1)
		return fail(rec, t, "bad IPv6 network");
	return 0;
}

/* a, mx: [ ":" domain-spec ] [ dual-cidr-length ]; ptr: [ ":" domain-spec ]. */
static int parse_host_mech(struct spf_record *rec, struct spf_term *t, const char *rest, size_t n)
{
	size_t cidr = 0;

	if (n == 0)
		return 0;
	if (rest[0] == '/') {
		if (t->kind == SPF_PTR)
			return fail(rec, t, "ptr takes no prefix length");
		return parse_dual_cidr(rest, n, t) < 0 ? fail(rec, t, "bad prefix length") : 0;
	}
	if (t->kind != SPF_PTR)
		cidr = cidr_suffix(rest + 1, n - 1);
	t->arg = rest + 1;
	t->arg_len = n - 1 - cidr;
	if (check_domain_spec(rec, t) < 0)
		return -1;
	if (parse_dual_cidr(t->arg + t->arg_len, cidr, t) < 0)
		return fail(rec, t, "bad prefix length");
	return 0;
}

static int parse_mechanism(struct spf_record *rec, struct spf_term *t)
{
	const char *s = t->text;
	size_t n = t->text_len, i = 0, len;

	t->qualifier = '+';
	if (strchr("+-~?", s[0])) {
		t->qualifier = s[0];
		s++, n--;
	}
	while (i < n && s[i] != ':' && s[i] != '/')
		i++;
	len = sizeof(mechanisms) / sizeof(mechanisms[0]);
	size_t m = 0;
	while (m < len && !(strlen(mechanisms[m].name) == i && mxg_strncaseeq(s, mechanisms[m].name, i)))
		m++;
	if (m == len)
		return fail(rec, t, "unknown mechanism");
	t->kind = mechanisms[m].kind;
	const char *rest = s + i;
	size_t rn = n - i;
	switch (t->kind) {
	case SPF_ALL:
		return rn == 0 ? 0 : fail(rec, t, "all takes no argument");
	case SPF_INCLUDE:
	case SPF_EXISTS:
		if (rn == 0 || rest[0] != ':')
			return fail(rec, t, "needs ':' and a domain");
		t->arg = rest + 1;
		t->arg_len = rn - 1;
		return check_domain_spec(rec, t);
	case SPF_IP4:
	case SPF_IP6:
		return parse_ip_mech(rec, t, rest, rn);
	default:
		return parse_host_mech(rec, t, rest, rn);
	}
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ) */
static int valid_mod_name(const char *s, size_t n)
{
	if (n == 0 || !mxg_is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!mxg_is_alpha((unsigned char)s[i]) && !mxg_is_digit(s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

static int parse_modifier(struct spf_record *rec, struct spf_term *t, size_t eq, int index)
{
	char why[128];

	if (!valid_mod_name(t->text, eq))
		return fail(rec, t, "bad modifier name");
	t->arg = t->text + eq + 1;
	t->arg_len = t->text_len - eq - 1;
	if (eq == 8 && mxg_strncaseeq(t->text, "redirect", 8)) {
		t->kind = SPF_REDIRECT;
		if (rec->redirect >= 0)
			return fail(rec, t, "redirect= given twice");
		rec->redirect = index;
		return check_domain_spec(rec, t);
	}
	if (eq == 3 && mxg_strncaseeq(t->text, "exp", 3)) {
		t->kind = SPF_EXP;
		if (rec->exp >= 0)
			return fail(rec, t, "exp= given twice");
		rec->exp = index;
		return check_domain_spec(rec, t);
	}
	t->kind = SPF_UNKNOWN_MOD;
	if (spf_macro_check(t->arg, t->arg_len, SPF_MACRO_MODIFIER, why, sizeof(why)) < 0)
		return fail(rec, t, why);
	return 0;
}

static int parse_term(struct spf_record *rec, struct spf_term *t, int index)
{
	size_t i = 0;

	t->cidr4 = 32;
	t->cidr6 = 128;
	while (i < t->text_len && t->text[i] != ':' && t->text[i] != '/' && t->text[i] != '=')
		i++;
	if (i < t->text_len && t->text[i] == '=')
		return parse_modifier(rec, t, i, index);
	return parse_mechanism(rec, t);
}

static size_t count_terms(const char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i]; i++)
		if (s[i] != ' ' && (i == 0 || s[i - 1] == ' '))
			n++;
	return n;
}

int spf_record_parse(const char *text, size_t len, struct spf_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->redirect = rec->exp = -1;
	if (!spf_is_v1(text, len)) {
		mxg_strlcpy(rec->error, "not an SPF version 1 record", sizeof(rec->error));
		return -1;
	}
	if (len > SPF_RECORD_MAX) {
		mxg_strlcpy(rec->error, "record too long", sizeof(rec->error));
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c > 0x7e) {
			snprintf(rec->error, sizeof(rec->error),
				 "%s byte 0x%02x at offset %zu (records are printable ASCII)",
				 c > 0x7e ? "non-ASCII" : "control", c, i);
			return -1;
		}
	}
	rec->buf = mxg_strndup(text + 6, len - 6);
	if (rec->buf == NULL)
		return -2;
	size_t n = count_terms(rec->buf);
	rec->terms = calloc(n ? n : 1, sizeof(*rec->terms));
	if (rec->terms == NULL)
		return -2;
	for (char *p = rec->buf; *p;) {
		if (*p == ' ') {
			p++;
			continue;
		}
		struct spf_term *t = &rec->terms[rec->count];
		t->text = p;
		while (*p && *p != ' ')
			p++;
		t->text_len = (size_t)(p - t->text);
		if (parse_term(rec, t, (int)rec->count) < 0)
			return -1;
		rec->count++;
	}
	return 0;
}

void spf_record_free(struct spf_record *rec)
{
	free(rec->buf);
	free(rec->terms);
	rec->buf = NULL;
	rec->terms = NULL;
	rec->count = 0;
}
