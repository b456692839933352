/* The Received-SPF header field value (RFC 7208 §9.1). Every piece comes from the SMTP
 * client or DNS, so values are dot-atoms or quoted strings and nothing can end the line. */
#include "mxguard/chars.h"
#include "mxguard/spf.h"

#include <arpa/inet.h>
#include <string.h>

#include "mxguard/sbuf.h"
#include "mxguard/str.h"

static int is_dot_atom(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == '.' || s[n - 1] == '.' || strstr(s, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '.' && !mxg_is_atext((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Adds s with the characters in special escaped and anything unprintable as '?'. */
static void add_escaped(struct mxg_sbuf *b, const char *s, const char *special)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c > 0x7e)
			mxg_sbuf_add(b, "?", 1);
		else if (strchr(special, c))
			mxg_sbuf_add(b, (const char[]){ '\\', (char)c }, 2);
		else
			mxg_sbuf_add(b, s, 1);
	}
}

static void add_pair(struct mxg_sbuf *b, const char *key, const char *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	mxg_sbuf_adds(b, " ");
	mxg_sbuf_adds(b, key);
	mxg_sbuf_adds(b, "=");
	if (is_dot_atom(value)) {
		mxg_sbuf_adds(b, value);
	} else {
		mxg_sbuf_adds(b, "\"");
		add_escaped(b, value, "\"\\");
		mxg_sbuf_adds(b, "\"");
	}
	mxg_sbuf_adds(b, ";");
}

int mxg_spf_received_spf(const struct mxg_spf_outcome *out, const struct mxg_addr *ip,
			 const char *helo, const char *receiver, char *buf, size_t bufsize)
{
	struct mxg_sbuf b;
	char addr[64] = "";

	if (bufsize == 0)
		return -1;
	mxg_sbuf_fixed(&b, buf, bufsize);
	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, addr, sizeof(addr));
	mxg_sbuf_adds(&b, mxg_spf_result_name(out->result));
	mxg_sbuf_adds(&b, " (");
	if (receiver && *receiver) {
		add_escaped(&b, receiver, "()\\");
		mxg_sbuf_adds(&b, ": ");
	}
	add_escaped(&b, out->comment, "()\\");
	mxg_sbuf_adds(&b, ")");
	add_pair(&b, "receiver", receiver);
	add_pair(&b, "client-ip", addr);
	add_pair(&b, "envelope-from", out->sender);
	add_pair(&b, "helo", helo);
	add_pair(&b, "problem", out->problem);
	add_pair(&b, "mechanism", out->mechanism);
	add_pair(&b, "identity", out->identity);
	return b.overflow ? -1 : 0;
}
