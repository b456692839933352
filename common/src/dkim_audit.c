/* DKIM key audit for mxguard check: looks up selector._domainkey.domain and reports what
 * would stop or weaken verification (missing, invalid, revoked, short or SHA-1-only keys, testing). */
#include "dkim_internal.h"

#include <stdio.h>
#include <string.h>

#include "mxguard/str.h"

static int report_key(const struct dkim_key *k, const char *name, struct mxg_findings *out)
{
	int rc = 0;

	if (k->revoked)
		return mxg_findings_add(out, MXG_F_DKIM_KEY_REVOKED, -1, name,
					"the key at %s is revoked (empty p=); signatures with it fail", name);
	if (k->type == DKIM_KEY_RSA && k->bits < 1024)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_WEAK, -1, name,
				       "the RSA key at %s has %u bits; verifiers must refuse keys under 1024",
				       name, k->bits);
	else if (k->type == DKIM_KEY_RSA && k->bits < 2048)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_SHORT, -1, name,
				       "the RSA key at %s has %u bits; 2048 is the recommended size",
				       name, k->bits);
	if (!k->sha256_ok)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_SHA1_ONLY, -1, name,
				       "the key at %s does not allow sha256 (h=), and rsa-sha1 is refused", name);
	if (!k->email_ok)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_INVALID, -1, name,
				       "the key at %s is not for email (its s= service types exclude it)", name);
	if (k->testing)
		rc |= mxg_findings_add(out, MXG_F_DKIM_KEY_TESTING, -1, name,
				       "the key at %s is in testing mode (t=y): receivers may ignore failures",
				       name);
	return rc ? -1 : 0;
}

int mxg_dkim_audit_selector(struct mxg_resolver *r, const char *domain, const char *selector,
			    struct mxg_findings *out)
{
	char name[MXG_DNS_NAME_MAX + 16], err[MXG_DKIM_REASON_MAX] = "";
	struct mxg_dns_answer *a = NULL;
	struct dkim_key key;

	if ((size_t)snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain) >= sizeof(name))
		return mxg_findings_add(out, MXG_F_DKIM_KEY_INVALID, -1, selector,
					"the selector name %s is too long", selector);
	mxg_str_lower(name);
	if (mxg_dns_lookup(r, name, MXG_DNS_TXT, &a, err, sizeof(err)) < 0)
		return mxg_findings_add(out, MXG_F_DKIM_KEY_TEMPFAIL, -1, name,
					"the key lookup at %s failed: %s", name, err);
	int rc;
	if (mxg_dns_is_temporary(a->rcode))
		rc = mxg_findings_add(out, MXG_F_DKIM_KEY_TEMPFAIL, -1, name, "the key lookup at %s failed (%s)",
				      name, mxg_dns_rcode_name(a->rcode));
	else if (a->rcode == MXG_DNS_NXDOMAIN || a->count == 0)
		rc = mxg_findings_add(out, MXG_F_DKIM_KEY_MISSING, -1, name,
				      "there is no DKIM key record at %s", name);
	else if (dkim_key_from_answer(a, &key, err, sizeof(err)) != DKIM_FETCH_OK)
		rc = mxg_findings_add(out, MXG_F_DKIM_KEY_INVALID, -1, name,
				      "the key record at %s is unusable: %s", name, err);
	else {
		rc = report_key(&key, name, out);
		dkim_key_clear(&key);
	}
	mxg_dns_answer_free(a);
	return rc;
}
