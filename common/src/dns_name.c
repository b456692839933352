/* DNS names between wire and presentation form, and the names of rcodes and types.
 * Every name mxguard compares goes through this one codec, so escapes and case agree everywhere. */
#include "mxguard/dns.h"

#include <stdio.h>
#include <string.h>

#define WIRE_MAX 255  /* octets of a wire name, root label included (RFC 1035 §2.3.4) */
#define LABEL_MAX 63

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Reads one presentation character at *p (a plain byte, \X or \DDD); -1 on a bad escape. */
static int read_char(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (s[0] != '\\') {
		*p += 1;
		return s[0];
	}
	if (s[1] >= '0' && s[1] <= '9') {
		if (!(s[2] >= '0' && s[2] <= '9' && s[3] >= '0' && s[3] <= '9'))
			return -1;
		int v = (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
		if (v > 255)
			return -1;
		*p += 4;
		return v;
	}
	if (s[1] == '\0')
		return -1;
	*p += 2;
	return s[1];
}

int mxg_dns_name_to_wire(const char *name, uint8_t *out, size_t outsize)
{
	uint8_t buf[WIRE_MAX];
	size_t len = 0;
	const char *p = name;

	if (name == NULL)
		return -1;
	if (p[0] == '.' && p[1] == '\0')
		p++;
	while (*p != '\0') {
		size_t lab = len++;
		size_t n = 0;
		while (*p != '\0' && *p != '.') {
			int c = read_char(&p);
			if (c < 0 || n >= LABEL_MAX || len >= WIRE_MAX - 1)
				return -1;
			buf[len++] = (uint8_t)lower(c);
			n++;
		}
		if (n == 0)
			return -1; /* empty label */
		buf[lab] = (uint8_t)n;
		if (*p == '.') {
			p++;
			if (*p == '\0')
				break; /* one trailing dot: absolute form */
		}
	}
	if (len >= WIRE_MAX)
		return -1;
	buf[len++] = 0;
	if (len > outsize)
		return -1;
	memcpy(out, buf, len);
	return (int)len;
}

/* Appends one label octet in presentation form; -1 when out is full. */
static int put_octet(uint8_t c, char *out, size_t outsize, size_t *pos)
{
	char tmp[5];
	size_t n;

	c = (uint8_t)lower(c);
	if (c == '.' || c == '\\') {
		tmp[0] = '\\', tmp[1] = (char)c, n = 2;
	} else if (c <= 0x20 || c >= 0x7f) {
		snprintf(tmp, sizeof(tmp), "\\%03u", c);
		n = 4;
	} else {
		tmp[0] = (char)c, n = 1;
	}
	if (*pos + n >= outsize)
		return -1;
	memcpy(out + *pos, tmp, n);
	*pos += n;
	return 0;
}

/* Decodes the uncompressed name at wire; sets *used to the octets it took. */
int mxg_dns_name_decode(const uint8_t *wire, size_t len, char *out, size_t outsize, size_t *used)
{
	size_t i = 0, pos = 0;

	if (outsize == 0)
		return -1;
	for (;;) {
		if (i >= len || i >= WIRE_MAX)
			return -1;
		uint8_t n = wire[i++];
		if (n == 0)
			break;
		if (n > LABEL_MAX || i + n > len || i + n >= WIRE_MAX)
			return -1; /* compression pointers (0xc0) land here too */
		if (pos > 0) {
			if (pos + 1 >= outsize)
				return -1;
			out[pos++] = '.';
		}
		for (size_t k = 0; k < n; k++)
			if (put_octet(wire[i + k], out, outsize, &pos) < 0)
				return -1;
		i += n;
	}
	out[pos] = '\0';
	if (used != NULL)
		*used = i;
	return (int)pos;
}

int mxg_dns_name_from_wire(const uint8_t *wire, size_t len, char *out, size_t outsize)
{
	return mxg_dns_name_decode(wire, len, out, outsize, NULL);
}

/* The length of in when it is already in normal form (what to_wire then decode would give):
 * labels of 1-63 octets, each a printable byte other than an upper-case letter, '.' or '\\',
 * no trailing dot, at most 253 characters; else 0. */
static size_t normal_length(const char *in)
{
	size_t i = 0, label = 0;

	for (; in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (c <= 0x20 || c >= 0x7f || c == '\\' || (c >= 'A' && c <= 'Z') || ++label > LABEL_MAX)
			return 0;
	}
	return label == 0 || i > WIRE_MAX - 2 ? 0 : i;
}

int mxg_dns_name_normalize(const char *in, char *out, size_t outsize)
{
	uint8_t wire[WIRE_MAX];
	size_t len = in != NULL ? normal_length(in) : 0;

	/* The common case, a name that is already normal: a copy. */
	if (len > 0 && len < outsize) {
		memcpy(out, in, len + 1);
		return 0;
	}
	int n = mxg_dns_name_to_wire(in, wire, sizeof(wire));

	if (n < 0)
		return -1;
	return mxg_dns_name_decode(wire, (size_t)n, out, outsize, NULL) < 0 ? -1 : 0;
}

/* Case-insensitive compare ignoring one trailing dot, for names that do not parse. */
static int raw_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	if (la != lb)
		return 0;
	for (size_t i = 0; i < la; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int mxg_dns_name_equal(const char *a, const char *b)
{
	uint8_t wa[WIRE_MAX], wb[WIRE_MAX];
	int na = mxg_dns_name_to_wire(a, wa, sizeof(wa));
	int nb = mxg_dns_name_to_wire(b, wb, sizeof(wb));

	if (na < 0 || nb < 0)
		return raw_equal(a, b);
	return na == nb && memcmp(wa, wb, (size_t)na) == 0;
}

int mxg_dns_name_is_sub(const char *name, const char *parent)
{
	uint8_t wn[WIRE_MAX], wp[WIRE_MAX];
	int nn = mxg_dns_name_to_wire(name, wn, sizeof(wn));
	int np = mxg_dns_name_to_wire(parent, wp, sizeof(wp));

	if (nn < 0 || np < 0)
		return 0;
	/* Walk label boundaries of name; a match must start on one. */
	for (int i = 0; i < nn; i += wn[i] + 1) {
		if (nn - i == np && memcmp(wn + i, wp, (size_t)np) == 0)
			return 1;
		if (wn[i] == 0)
			break;
	}
	return 0;
}

const char *mxg_dns_rcode_name(enum mxg_dns_rcode rc)
{
	switch (rc) {
	case MXG_DNS_NOERROR: return "NOERROR";
	case MXG_DNS_NXDOMAIN: return "NXDOMAIN";
	case MXG_DNS_SERVFAIL: return "SERVFAIL";
	case MXG_DNS_TIMEOUT: return "TIMEOUT";
	}
	return "UNKNOWN";
}

int mxg_dns_is_temporary(enum mxg_dns_rcode rc)
{
	return rc != MXG_DNS_NOERROR && rc != MXG_DNS_NXDOMAIN;
}

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 12, "PTR" }, { 13, "HINFO" },
	{ 15, "MX" }, { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 39, "DNAME" },
	{ 43, "DS" }, { 46, "RRSIG" }, { 47, "NSEC" }, { 48, "DNSKEY" }, { 50, "NSEC3" },
	{ 52, "TLSA" }, { 64, "SVCB" }, { 65, "HTTPS" }, { 99, "SPF" }, { 255, "ANY" },
	{ 257, "CAA" },
};

const char *mxg_dns_type_name(uint16_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "UNKNOWN";
}

const char *mxg_dnssec_name(enum mxg_dnssec s)
{
	switch (s) {
	case MXG_DNSSEC_INSECURE: return "insecure";
	case MXG_DNSSEC_SECURE: return "secure";
	case MXG_DNSSEC_BOGUS: return "bogus";
	}
	return "unknown";
}
