/* The outcome of an SPF check: result names (RFC 7208 §2.6) and the one-sentence comment of an
 * outcome, written by check_host() (spf.c) and by the identity checks (spf_identity.c). */
#include "spf_internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>

#include "mxguard/str.h"

static const char *const result_names[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror",
};

const char *mxg_spf_result_name(enum mxg_spf_result r)
{
	if ((unsigned)r >= sizeof(result_names) / sizeof(result_names[0]))
		return "permerror";
	return result_names[r];
}

int mxg_spf_result_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(result_names) / sizeof(result_names[0]); i++)
		if (mxg_strcaseeq(s, result_names[i]))
			return (int)i;
	return -1;
}

void spf_textf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, size, fmt, ap);
	va_end(ap);
}

void spf_outcome_comment(struct mxg_spf_outcome *out, const struct mxg_addr *ip)
{
	char addr[64] = "?";
	const char *s = out->sender;

	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, addr, sizeof(addr));
	switch (out->result) {
	case MXG_SPF_PASS:
		spf_textf(out->comment, sizeof(out->comment),
			 "domain of %s designates %s as permitted sender", s, addr);
		break;
	case MXG_SPF_FAIL:
		spf_textf(out->comment, sizeof(out->comment),
			 "domain of %s does not designate %s as permitted sender", s, addr);
		break;
	case MXG_SPF_SOFTFAIL:
		spf_textf(out->comment, sizeof(out->comment),
			 "domain of transitioning %s does not designate %s as permitted sender", s,
			 addr);
		break;
	case MXG_SPF_NEUTRAL:
		spf_textf(out->comment, sizeof(out->comment),
			 "%s is neither permitted nor denied by domain of %s", addr, s);
		break;
	case MXG_SPF_NONE:
		spf_textf(out->comment, sizeof(out->comment), "no SPF record for %s", out->domain);
		break;
	case MXG_SPF_TEMPERROR:
		spf_textf(out->comment, sizeof(out->comment),
			 "temporary error in processing during lookup of %s: %s", s, out->problem);
		break;
	default:
		spf_textf(out->comment, sizeof(out->comment),
			 "permanent error in processing domain of %s: %s", s, out->problem);
		break;
	}
}
