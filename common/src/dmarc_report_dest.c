/* DMARC report destinations: a rua/ruf URI taken apart (mailto: address and the "!size"
 * limit, RFC 7489 §6.2), and whether a destination outside the policy domain's organisation
 * agreed to receive its reports (RFC 7489 §7.1, RFC 9990 §3). The audit and `mxguard report
 * send` both ask here. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_internal.h"
#include "mxguard/str.h"

uint64_t dmarc_size_parse(const char *s)
{
	if (!isdigit((unsigned char)s[0]))
		return 0;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || v == 0)
		return 0;
	unsigned shift = 0;
	switch (tolower((unsigned char)*end)) {
	case '\0': break;
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	default: return 0;
	}
	if (*end != '\0' && end[1] != '\0')
		return 0;
	if (v > (UINT64_MAX >> shift))
		return 0;
	return (uint64_t)v << shift;
}

int mxg_dmarc_mailto_parse(const char *uri, struct mxg_dmarc_mailto *out)
{
	memset(out, 0, sizeof(*out));
	if (!mxg_strncaseeq(uri, "mailto:", 7))
		return -1;
	const char *addr = uri + 7;
	const char *bang = strrchr(addr, '!');
	size_t n = bang != NULL ? (size_t)(bang - addr) : strlen(addr);
	if (bang != NULL && (out->max_size = dmarc_size_parse(bang + 1)) == 0)
		return -1;
	n = strcspn(addr, "?") < n ? strcspn(addr, "?") : n;
	if (n == 0 || n >= sizeof(out->address))
		return -1;
	memcpy(out->address, addr, n);
	out->address[n] = '\0';
	for (const char *p = out->address; *p != '\0'; p++) {
		if (!isgraph((unsigned char)*p) || strchr("<>,;\"\\%", *p) != NULL)
			return -1;
	}
	const char *at = strrchr(out->address, '@');
	if (at == NULL || at == out->address ||
	    mxg_dns_name_normalize(at + 1, out->host, sizeof(out->host)) < 0 || out->host[0] == '\0')
		return -1;
	return 0;
}

static enum mxg_dmarc_dest authorised(struct mxg_resolver *r, const struct mxg_dmarc_options *opt,
				      const char *domain, const char *host, char *why,
				      size_t whylen)
{
	char name[2 * MXG_DNS_NAME_MAX + 16];
	struct dmarc_fetch *f = malloc(sizeof(*f));
	if (f == NULL) {
		snprintf(why, whylen, "out of memory");
		return MXG_DMARC_DEST_TEMPFAIL;
	}
	snprintf(name, sizeof(name), "%s._report._dmarc.%s", domain, host);
	enum mxg_dmarc_dest d = MXG_DMARC_DEST_OK;
	if (dmarc_fetch_at(r, opt->mode, name, f) < 0) {
		snprintf(why, whylen, "%s: %s", name, f->why);
		d = MXG_DMARC_DEST_TEMPFAIL;
	} else if (f->count == 0) {
		snprintf(why, whylen, "%s has no v=DMARC1 record", name);
		d = MXG_DMARC_DEST_UNAUTHORIZED;
	}
	free(f);
	return d;
}

enum mxg_dmarc_dest mxg_dmarc_report_destination(struct mxg_resolver *r,
						 const struct mxg_dmarc_options *opt,
						 const char *domain, const char *policy_org,
						 const char *host, char *why, size_t whylen)
{
	char org[MXG_DNS_NAME_MAX], own[MXG_DNS_NAME_MAX];
	why[0] = '\0';
	if (mxg_dns_name_is_sub(host, domain))
		return MXG_DMARC_DEST_OK;
	if (policy_org == NULL) {
		if (dmarc_org_lookup(r, opt, domain, own, sizeof(own), why, whylen) < 0)
			return MXG_DMARC_DEST_TEMPFAIL;
		policy_org = own;
	}
	if (dmarc_org_lookup(r, opt, host, org, sizeof(org), why, whylen) < 0)
		return MXG_DMARC_DEST_TEMPFAIL;
	if (strcmp(org, policy_org) == 0)
		return MXG_DMARC_DEST_OK;
	return authorised(r, opt, domain, host, why, whylen);
}
