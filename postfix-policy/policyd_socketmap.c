/* Postfix socketmap_table(5) lookups: netstring "name key" in, "OK value" / "NOTFOUND " /
 * "PERM reason" out, so transport_maps can ask the same rules for per-recipient next hops. */
#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"
#include "policyd.h"

int policyd_netstring_parse(const char *buf, size_t len, size_t max, const char **payload,
			    size_t *plen, size_t *consumed, char *err, size_t errlen)
{
	size_t n = 0, i = 0;

	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (i == 1 && buf[0] == '0') {
			mxg_strlcpy(err, "netstring length with a leading zero", errlen);
			return -1;
		}
		n = n * 10 + (size_t)(buf[i] - '0');
		if (n > max || i >= 9) {
			mxg_strlcpy(err, "netstring longer than allowed", errlen);
			return -1;
		}
	}
	if (i == len)
		return 0;
	if (i == 0 || buf[i] != ':') {
		mxg_strlcpy(err, "netstring does not start with a length and ':'", errlen);
		return -1;
	}
	if (len - i - 1 < n + 1)
		return 0;
	if (buf[i + 1 + n] != ',') {
		mxg_strlcpy(err, "netstring not terminated by ','", errlen);
		return -1;
	}
	*payload = buf + i + 1;
	*plen = n;
	*consumed = i + 2 + n;
	return 1;
}

long policyd_netstring_write(char *out, size_t outsize, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int w = snprintf(out, outsize, "%zu:%s%s,", la + lb, a, b);
	if (w < 0 || (size_t)w >= outsize)
		return -1;
	return w;
}

/* Map names answered: "transport" (transport_maps) and "route" (an alias for humans). */
static int map_known(const char *name, size_t n)
{
	return (n == 9 && memcmp(name, "transport", 9) == 0) ||
	       (n == 5 && memcmp(name, "route", 5) == 0);
}

static int key_ok(const char *k, size_t n)
{
	if (n == 0 || n > 512)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)k[i];
		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

long policyd_socketmap_answer(const struct policyd_rules *rules, const char *payload, size_t plen,
			      char *out, size_t outsize, char *logbuf, size_t loglen)
{
	char key[520], hop[POLICYD_NEXTHOP_MAX];
	const char *sp = memchr(payload, ' ', plen);

	if (sp == NULL) {
		snprintf(logbuf, loglen, "socketmap: request without a key");
		return policyd_netstring_write(out, outsize, "PERM ", "request without a key");
	}
	size_t nl = (size_t)(sp - payload), kl = plen - nl - 1;
	if (!map_known(payload, nl)) {
		snprintf(logbuf, loglen, "socketmap: unknown map name");
		return policyd_netstring_write(out, outsize, "PERM ", "unknown map name");
	}
	if (!key_ok(sp + 1, kl)) {
		snprintf(logbuf, loglen, "socketmap: malformed key");
		return policyd_netstring_write(out, outsize, "PERM ", "malformed key");
	}
	memcpy(key, sp + 1, kl);
	key[kl] = '\0';
	int rc = policyd_route_lookup(rules, key, hop, sizeof(hop));
	if (rc < 0) {
		snprintf(logbuf, loglen, "socketmap: key=%s: next hop too long", key);
		return policyd_netstring_write(out, outsize, "PERM ", "next hop too long");
	}
	if (rc == 0) {
		snprintf(logbuf, loglen, "socketmap: key=%s route=none", key);
		return policyd_netstring_write(out, outsize, "NOTFOUND ", "");
	}
	snprintf(logbuf, loglen, "socketmap: key=%s route=%s", key, hop);
	return policyd_netstring_write(out, outsize, "OK ", hop);
}
