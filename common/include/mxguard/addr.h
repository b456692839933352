/* IP addresses: parsing, CIDR matching and the special-purpose ranges of RFC 6890.
 * Shared by MX analysis, SPF ip4/ip6 mechanisms and the daemons' trusted-network lists. */
#ifndef MXGUARD_ADDR_H
#define MXGUARD_ADDR_H

#include <stddef.h>
#include <stdint.h>

struct mxg_addr {
	int family;          /* 4 or 6 */
	uint8_t bytes[16];   /* IPv4 in the first 4 bytes */
};

struct mxg_cidr {
	struct mxg_addr addr;
	unsigned prefix;     /* 0..32 or 0..128 */
};

/* Parses an IPv4 or IPv6 address in text. IPv4-mapped IPv6 (::ffff:a.b.c.d) is
 * kept as IPv6 unless unmap is set. Returns 0, or -1 if not an address. */
int mxg_addr_parse(const char *text, struct mxg_addr *out, int unmap);
/* Formats to text (inet_ntop forms). Returns 0, or -1 if it does not fit. */
int mxg_addr_format(const struct mxg_addr *a, char *buf, size_t bufsize);
/* Parses "ADDR" or "ADDR/LEN". Returns 0, or -1 with a bad address or length. */
int mxg_cidr_parse(const char *text, struct mxg_cidr *out);
/* 1 if a lies in c (same family; IPv4-mapped IPv6 matches IPv4 networks). */
int mxg_cidr_match(const struct mxg_cidr *c, const struct mxg_addr *a);
/* 1 if the first prefix bits of the octets x and y are equal (prefix bits must lie in both). */
int mxg_addr_bits_equal(const uint8_t *x, const uint8_t *y, unsigned prefix);
/* 1 if the first prefix bits of x and y are equal (family of x). */
int mxg_addr_prefix_equal(const struct mxg_addr *x, const struct mxg_addr *y, unsigned prefix);

/* 1 if a lies in loopback, private, link-local, shared, documentation or
 * otherwise reserved space (not globally routable; RFC 6890 and its updates). */
int mxg_addr_is_special(const struct mxg_addr *a);
/* A short name for why it is special ("loopback", "private", ...), or NULL. */
const char *mxg_addr_special_kind(const struct mxg_addr *a);

/* A list of CIDRs parsed from "a, b c" (commas or spaces). Returns 0, or -1 with the bad item in err. */
struct mxg_cidr_list {
	size_t count;
	struct mxg_cidr *items;
};
int mxg_cidr_list_parse(const char *text, struct mxg_cidr_list *out, char *err, size_t errlen);
int mxg_cidr_list_match(const struct mxg_cidr_list *l, const struct mxg_addr *a);
void mxg_cidr_list_free(struct mxg_cidr_list *l);

#endif
