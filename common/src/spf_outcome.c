/* The outcome of an SPF check: result names (RFC 7208 §2.6) and the one-sentence comment of an
 * outcome, written by check_host() (spf.c) and by the identity checks (spf_identity.c). */
#include "spf_internal.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void spf_copyn(char *dst, size_t size, const char *s, size_t n)
{
	size_t l = strnlen(s, n < size - 1 ? n : size - 1);

	memcpy(dst, s, l);
	dst[l] = '\0';
}

void spf_join(char *dst, size_t size, ...)
{
	va_list ap;
	const char *s;
	size_t n = 0;

	va_start(ap, size);
	while ((s = va_arg(ap, const char *)) != NULL && n + 1 < size) {
		spf_copyn(dst + n, size - n, s, size - n);
		n += strlen(dst + n);
	}
	va_end(ap);
	dst[n] = '\0';
}

void spf_outcome_comment(struct mxg_spf_outcome *out, const struct mxg_addr *ip)
{
	char addr[64] = "?";
	const char *s = out->sender;

	inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, addr, sizeof(addr));
	char *c = out->comment;
	size_t cs = sizeof(out->comment);

	switch (out->result) {
	case MXG_SPF_PASS:
		spf_join(c, cs, "domain of ", s, " designates ", addr, " as permitted sender", NULL);
		break;
	case MXG_SPF_FAIL:
		spf_join(c, cs, "domain of ", s, " does not designate ", addr, " as permitted sender", NULL);
		break;
	case MXG_SPF_SOFTFAIL:
		spf_join(c, cs, "domain of transitioning ", s, " does not designate ", addr,
			 " as permitted sender", NULL);
		break;
	case MXG_SPF_NEUTRAL:
		spf_join(c, cs, addr, " is neither permitted nor denied by domain of ", s, NULL);
		break;
	case MXG_SPF_NONE:
		spf_join(c, cs, "no SPF record for ", out->domain, NULL);
		break;
	case MXG_SPF_TEMPERROR:
		spf_join(c, cs, "temporary error in processing during lookup of ", s, ": ", out->problem,
			 NULL);
		break;
	default:
		spf_join(c, cs, "permanent error in processing domain of ", s, ": ", out->problem, NULL);
		break;
	}
}
