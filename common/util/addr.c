/* IP addresses (see addr.h): strict text forms via inet_pton, prefix arithmetic, and one
 * table of the RFC 6890 special-purpose blocks, so MX, SPF and the daemons agree on them. */
#include "mxguard/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

/* Longest text form we accept: a full IPv6 with an embedded IPv4 is 45 characters. */
#define ADDR_TEXT_MAX 64

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static unsigned family_bits(int family)
{
	return family == 4 ? 32 : 128;
}

static int is_v4mapped(const struct mxg_addr *a)
{
	return a->family == 6 && memcmp(a->bytes, v4mapped_prefix, sizeof(v4mapped_prefix)) == 0;
}

/* The IPv4 address inside an IPv4-mapped IPv6 one. */
static void unmap_v4(const struct mxg_addr *a, struct mxg_addr *out)
{
	uint8_t v4[4];

	memcpy(v4, a->bytes + 12, 4);
	memset(out, 0, sizeof(*out));
	out->family = 4;
	memcpy(out->bytes, v4, 4);
}

int mxg_addr_parse(const char *text, struct mxg_addr *out, int unmap)
{
	char buf[ADDR_TEXT_MAX];

	if (text == NULL || mxg_strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
		return -1;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->bytes) != 1) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->family = 6;
	if (unmap && is_v4mapped(out))
		unmap_v4(out, out);
	return 0;
}

int mxg_addr_format(const struct mxg_addr *a, char *buf, size_t bufsize)
{
	int af = a->family == 4 ? AF_INET : a->family == 6 ? AF_INET6 : -1;

	if (af < 0 || bufsize > (size_t)INT32_MAX)
		return -1;
	if (inet_ntop(af, a->bytes, buf, (socklen_t)bufsize) == NULL) {
		if (bufsize > 0)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* A prefix length: decimal without leading zeros, at most max. */
static int parse_prefix(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t n = 0;

	if (s[0] == '0' && s[1] != '\0')
		return -1;
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 3)
			return -1;
		v = v * 10 + (unsigned)(s[n] - '0');
	}
	if (n == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int mxg_cidr_parse(const char *text, struct mxg_cidr *out)
{
	char buf[ADDR_TEXT_MAX];

	if (text == NULL || mxg_strlcpy(buf, text, sizeof(buf)) >= sizeof(buf))
		return -1;
	memset(out, 0, sizeof(*out));
	char *slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	if (mxg_addr_parse(buf, &out->addr, 0) != 0)
		return -1;
	unsigned max = family_bits(out->addr.family);
	out->prefix = max;
	if (slash != NULL && parse_prefix(slash + 1, max, &out->prefix) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

int mxg_addr_bits_equal(const uint8_t *x, const uint8_t *y, unsigned prefix)
{
	unsigned whole = prefix / 8, rest = prefix % 8;

	if (memcmp(x, y, whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (x[whole] & mask) == (y[whole] & mask);
}

int mxg_addr_prefix_equal(const struct mxg_addr *x, const struct mxg_addr *y, unsigned prefix)
{
	if (x->family != y->family || (x->family != 4 && x->family != 6))
		return 0;
	if (prefix > family_bits(x->family))
		prefix = family_bits(x->family);
	return mxg_addr_bits_equal(x->bytes, y->bytes, prefix);
}

int mxg_cidr_match(const struct mxg_cidr *c, const struct mxg_addr *a)
{
	struct mxg_addr v4;

	/* RFC 7208 §5: an IPv4-mapped client address is checked as IPv4. */
	if (c->addr.family == 4 && is_v4mapped(a)) {
		unmap_v4(a, &v4);
		a = &v4;
	}
	return mxg_addr_prefix_equal(&c->addr, a, c->prefix);
}

/* RFC 6890 and its updates: blocks that are not globally reachable unicast. More
 * specific blocks come before the blocks that contain them. */
struct special_block {
	int family;
	uint8_t bytes[16];
	unsigned prefix;
	const char *kind;
};

static const struct special_block special_blocks[] = {
	{ 4, { 0 }, 8, "this-network" },                        /* RFC 1122 */
	{ 4, { 10 }, 8, "private" },                            /* RFC 1918 */
	{ 4, { 100, 64 }, 10, "shared" },                       /* RFC 6598 */
	{ 4, { 127 }, 8, "loopback" },                          /* RFC 1122 */
	{ 4, { 169, 254 }, 16, "link-local" },                  /* RFC 3927 */
	{ 4, { 172, 16 }, 12, "private" },                      /* RFC 1918 */
	{ 4, { 192, 0, 0 }, 24, "ietf-protocol" },              /* RFC 6890 */
	{ 4, { 192, 0, 2 }, 24, "documentation" },              /* RFC 5737 */
	{ 4, { 192, 88, 99 }, 24, "deprecated" },               /* RFC 7526 */
	{ 4, { 192, 168 }, 16, "private" },                     /* RFC 1918 */
	{ 4, { 198, 18 }, 15, "benchmarking" },                 /* RFC 2544 */
	{ 4, { 198, 51, 100 }, 24, "documentation" },           /* RFC 5737 */
	{ 4, { 203, 0, 113 }, 24, "documentation" },            /* RFC 5737 */
	{ 4, { 224 }, 4, "multicast" },                         /* RFC 5771 */
	{ 4, { 255, 255, 255, 255 }, 32, "broadcast" },         /* RFC 919 */
	{ 4, { 240 }, 4, "reserved" },                          /* RFC 1112 */
	{ 6, { 0 }, 128, "unspecified" },                       /* RFC 4291 */
	{ 6, { [15] = 1 }, 128, "loopback" },                   /* RFC 4291 */
	{ 6, { 0 }, 96, "deprecated" },                         /* RFC 4291 IPv4-compatible */
	{ 6, { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, "translation" }, /* RFC 8215 */
	{ 6, { 0x01 }, 64, "discard" },                         /* RFC 6666 */
	{ 6, { 0x20, 0x01, 0x00, 0x02 }, 48, "benchmarking" },  /* RFC 5180 */
	{ 6, { 0x20, 0x01, 0x00, 0x10 }, 28, "deprecated" },    /* RFC 4843 ORCHID */
	{ 6, { 0x20, 0x01, 0x0d, 0xb8 }, 32, "documentation" }, /* RFC 3849 */
	{ 6, { 0x3f, 0xff }, 20, "documentation" },             /* RFC 9637 */
	{ 6, { 0x5f, 0x00 }, 16, "reserved" },                  /* RFC 9602 SRv6 SIDs */
	{ 6, { 0xfc }, 7, "unique-local" },                     /* RFC 4193 */
	{ 6, { 0xfe, 0x80 }, 10, "link-local" },                /* RFC 4291 */
	{ 6, { 0xfe, 0xc0 }, 10, "deprecated" },                /* RFC 3879 site-local */
	{ 6, { 0xff }, 8, "multicast" },                        /* RFC 4291 */
};

const char *mxg_addr_special_kind(const struct mxg_addr *a)
{
	struct mxg_addr v4;

	/* An IPv4-mapped address is as special as the IPv4 address it carries, and never
	 * a routable IPv6 destination in itself. */
	if (is_v4mapped(a)) {
		unmap_v4(a, &v4);
		const char *kind = mxg_addr_special_kind(&v4);
		return kind != NULL ? kind : "ipv4-mapped";
	}
	for (size_t i = 0; i < sizeof(special_blocks) / sizeof(special_blocks[0]); i++) {
		const struct special_block *b = &special_blocks[i];
		if (b->family == a->family && mxg_addr_bits_equal(b->bytes, a->bytes, b->prefix))
			return b->kind;
	}
	return NULL;
}

int mxg_addr_is_special(const struct mxg_addr *a)
{
	return mxg_addr_special_kind(a) != NULL;
}

static int list_error(char *err, size_t errlen, const char *item, size_t n)
{
	if (errlen > 0)
		snprintf(err, errlen, "not an address or network: \"%.*s\"",
			 (int)(n > 200 ? 200 : n), item);
	return -1;
}

static int list_push(struct mxg_cidr_list *l, const struct mxg_cidr *c, size_t *cap)
{
	if (l->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		struct mxg_cidr *p = realloc(l->items, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		l->items = p;
		*cap = ncap;
	}
	l->items[l->count++] = *c;
	return 0;
}

int mxg_cidr_list_parse(const char *text, struct mxg_cidr_list *out, char *err, size_t errlen)
{
	static const char seps[] = ", \t\r\n";
	char item[ADDR_TEXT_MAX];
	struct mxg_cidr c;
	size_t cap = 0;

	out->count = 0;
	out->items = NULL;
	if (errlen > 0)
		err[0] = '\0';
	for (const char *p = text; *p != '\0';) {
		p += strspn(p, seps);
		size_t n = strcspn(p, seps);
		if (n == 0)
			break;
		int bad = n >= sizeof(item);
		if (!bad) {
			memcpy(item, p, n);
			item[n] = '\0';
			bad = mxg_cidr_parse(item, &c) != 0;
		}
		if (bad) {
			list_error(err, errlen, p, n);
			mxg_cidr_list_free(out);
			return -1;
		}
		if (list_push(out, &c, &cap) != 0) {
			if (errlen > 0)
				snprintf(err, errlen, "%s", strerror(ENOMEM));
			mxg_cidr_list_free(out);
			return -1;
		}
		p += n;
	}
	return 0;
}

int mxg_cidr_list_match(const struct mxg_cidr_list *l, const struct mxg_addr *a)
{
	for (size_t i = 0; i < l->count; i++)
		if (mxg_cidr_match(&l->items[i], a))
			return 1;
	return 0;
}

void mxg_cidr_list_free(struct mxg_cidr_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}
