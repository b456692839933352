/* The MTA-STS audit: gathers the record and the policy of a domain, then judges them against
 * the domain's MX hosts (MTASTS_* findings). The judging is pure. */
#include <stdio.h>
#include <string.h>

#include "mxguard/mtasts.h"
#include "mxguard/str.h"

int mxg_mtasts_gather(struct mxg_resolver *r, const struct mxg_mtasts_fetch_opts *fo,
		      const char *domain, struct mxg_mtasts_state *st)
{
	struct mxg_mtasts_fetch f;

	memset(st, 0, sizeof(*st));
	mxg_strlcpy(st->domain, domain, sizeof(st->domain));
	st->dns = mxg_mtasts_record_lookup(r, domain, &st->record, st->dns_why, sizeof(st->dns_why));
	if (st->dns < 0)
		return -1;
	if (st->dns != MXG_MTASTS_DNS_FOUND || fo == NULL)
		return 0;
	if (mxg_mtasts_fetch(fo, domain, &f) < 0) {
		mxg_strlcpy(st->fetch_why, f.why, sizeof(st->fetch_why));
		return -1;
	}
	st->fetched = 1;
	st->fetch_status = f.status;
	mxg_strlcpy(st->fetch_why, f.why, sizeof(st->fetch_why));
	if (f.status == MXG_MTASTS_FETCH_OK)
		st->policy_valid = mxg_mtasts_policy_parse(f.body, f.len, &st->policy, st->policy_why,
							   sizeof(st->policy_why)) == 0;
	mxg_mtasts_fetch_clear(&f);
	return 0;
}

/* The findings of a fetch that brought no policy. */
static int fetch_findings(const struct mxg_mtasts_state *st, const char *host,
			  struct mxg_findings *out)
{
	switch (st->fetch_status) {
	case MXG_MTASTS_FETCH_NO_HOST:
	case MXG_MTASTS_FETCH_NOT_FOUND:
		return mxg_findings_add(out, MXG_F_MTASTS_ID_WITHOUT_POLICY, -1, host,
					"_mta-sts.%s announces policy id %s but no policy is served (%s)",
					st->domain, st->record.id, st->fetch_why);
	case MXG_MTASTS_FETCH_BAD_TYPE:
		return mxg_findings_add(out, MXG_F_MTASTS_POLICY_INVALID, -1, host,
					"the policy is not served as text/plain (%s)", st->fetch_why);
	case MXG_MTASTS_FETCH_FAILED:
		return mxg_findings_add(out, MXG_F_MTASTS_POLICY_UNREACHABLE, -1, host,
					"the policy could not be fetched: %s", st->fetch_why);
	case MXG_MTASTS_FETCH_OK:
		break;
	}
	return 0;
}

/* The findings of a valid policy: mode, max_age, and each MX host it does not cover. */
static int policy_findings(const struct mxg_mtasts_state *st, const char *host,
			   const char *const *mx, size_t n_mx, struct mxg_findings *out)
{
	const struct mxg_mtasts_policy *p = &st->policy;

	if (p->mode == MXG_MTASTS_MODE_TESTING &&
	    mxg_findings_add(out, MXG_F_MTASTS_TESTING, -1, host,
			     "the policy is in testing mode: senders report failures but deliver anyway") < 0)
		return -1;
	if (p->mode == MXG_MTASTS_MODE_NONE)
		return 0;
	if (p->max_age < MXG_MTASTS_MAX_AGE_LOW &&
	    mxg_findings_add(out, MXG_F_MTASTS_MAX_AGE_LOW, -1, host,
			     "max_age is %lu seconds; under a week a cached policy lapses between visits",
			     p->max_age) < 0)
		return -1;
	for (size_t i = 0; i < n_mx; i++) {
		if (mx[i] == NULL || mx[i][0] == '\0' || mxg_mtasts_policy_covers(p, mx[i]))
			continue;
		if (mxg_findings_add(out, MXG_F_MTASTS_MX_NOT_COVERED, (int)i, mx[i],
				     "MX host %s matches no mx: pattern of the %s-mode policy: senders "
				     "that enforce MTA-STS will not deliver to it",
				     mx[i], mxg_mtasts_mode_name(p->mode)) < 0)
			return -1;
	}
	return 0;
}

int mxg_mtasts_analyze(const struct mxg_mtasts_state *st, const char *const *mx, size_t n_mx,
		       struct mxg_findings *out)
{
	char host[MXG_DNS_NAME_MAX + 16];

	snprintf(host, sizeof(host), "_mta-sts.%s", st->domain);
	if (st->dns == MXG_MTASTS_DNS_INVALID)
		return mxg_findings_add(out, MXG_F_MTASTS_POLICY_INVALID, -1, host,
					"the MTA-STS record is invalid: %s (senders assume no policy)",
					st->dns_why);
	if (st->dns != MXG_MTASTS_DNS_FOUND || !st->fetched)
		return 0;
	snprintf(host, sizeof(host), "mta-sts.%s", st->domain);
	if (st->fetch_status != MXG_MTASTS_FETCH_OK)
		return fetch_findings(st, host, out);
	if (!st->policy_valid)
		return mxg_findings_add(out, MXG_F_MTASTS_POLICY_INVALID, -1, host,
					"the policy is invalid: %s", st->policy_why);
	return policy_findings(st, host, mx, n_mx, out);
}

int mxg_mtasts_enforces(const struct mxg_mtasts_state *st, const char *host)
{
	return st != NULL && st->dns == MXG_MTASTS_DNS_FOUND && st->fetched &&
	       st->fetch_status == MXG_MTASTS_FETCH_OK && st->policy_valid &&
	       st->policy.mode == MXG_MTASTS_MODE_ENFORCE && mxg_mtasts_policy_covers(&st->policy, host);
}
