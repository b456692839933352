/* The identities SPF checks (RFC 7208 §2.3 HELO, §2.4 MAIL FROM with postmaster@HELO for
 * the null reverse-path), each a call of check_host() (spf.c). */
#include "spf_internal.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"

/* Copies a reverse-path without its angle brackets. */
static void strip_brackets(const char *in, char *out, size_t outsize)
{
	size_t n = in ? strlen(in) : 0;

	if (n >= 2 && in[0] == '<' && in[n - 1] == '>')
		snprintf(out, outsize, "%.*s", (int)(n - 2), in + 1);
	else
		mxg_strlcpy(out, in ? in : "", outsize);
}

enum mxg_spf_result mxg_spf_check_mailfrom(struct mxg_resolver *r, const struct mxg_spf_options *opt,
					   const struct mxg_addr *ip, const char *mail_from,
					   const char *helo, struct mxg_spf_outcome *out)
{
	char from[MXG_SPF_TEXT_MAX], sender[MXG_SPF_TEXT_MAX];
	const char *domain;

	strip_brackets(mail_from, from, sizeof(from));
	if (from[0] == '\0') {
		snprintf(sender, sizeof(sender), "postmaster@%s", helo ? helo : "");
		domain = helo ? helo : "";
	} else {
		mxg_strlcpy(sender, from, sizeof(sender));
		const char *at = strrchr(from, '@');
		domain = at ? at + 1 : from;
	}
	return mxg_spf_check_host(r, opt, ip, domain, sender, helo, out);
}

enum mxg_spf_result mxg_spf_check_helo(struct mxg_resolver *r, const struct mxg_spf_options *opt,
				       const struct mxg_addr *ip, const char *helo,
				       struct mxg_spf_outcome *out)
{
	char sender[MXG_SPF_TEXT_MAX];

	snprintf(sender, sizeof(sender), "postmaster@%s", helo ? helo : "");
	if (helo == NULL || !spf_domain_valid(helo)) {
		/* An address literal or a bare word is no domain to check (§2.3). */
		memset(out, 0, sizeof(*out));
		out->result = MXG_SPF_NONE;
		mxg_strlcpy(out->sender, sender, sizeof(out->sender));
		mxg_strlcpy(out->domain, helo ? helo : "", sizeof(out->domain));
	} else {
		mxg_spf_check_host(r, opt, ip, helo, sender, helo, out);
	}
	mxg_strlcpy(out->identity, "helo", sizeof(out->identity));
	spf_outcome_comment(out, ip);
	return out->result;
}
