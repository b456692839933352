/* MX analysis: turns an MX RRset and what is known of its targets into findings.
 * Pure and deterministic, so the Unbound module and the CLI share one verdict. */
#include "mxguard/mx.h"

#include <string.h>

#include "mxguard/addr.h"
#include "mxguard/str.h"

/* Strips one pair of brackets and parses; used for the IP-literal test only. */
int mxg_mx_name_is_ip_literal(const char *name)
{
	char buf[MXG_DNS_NAME_MAX];
	struct mxg_addr a;
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(buf))
		return 0;
	if (name[0] == '[' && name[len - 1] == ']') {
		memcpy(buf, name + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		memcpy(buf, name, len + 1);
	}
	/* A trailing dot does not stop "192.0.2.1." from being an address. */
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '.')
		buf[len - 1] = '\0';
	return mxg_addr_parse(buf, &a, 1) == 0;
}

static int target_is_null(const struct mxg_mx_target *t)
{
	return t->name[0] == '\0' || strcmp(t->name, ".") == 0;
}

static int target_has_address(const struct mxg_mx_target *t)
{
	return t->n_v4 > 0 || t->n_v6 > 0;
}

/* 1 when every known address of t is special (loopback, private, ...). */
static int target_all_special(const struct mxg_mx_target *t)
{
	struct mxg_addr a;

	if (!target_has_address(t))
		return 0;
	for (unsigned i = 0; i < t->n_v4; i++) {
		a.family = 4;
		memset(a.bytes, 0, sizeof(a.bytes));
		memcpy(a.bytes, t->v4[i], 4);
		if (!mxg_addr_is_special(&a))
			return 0;
	}
	for (unsigned i = 0; i < t->n_v6; i++) {
		a.family = 6;
		memcpy(a.bytes, t->v6[i], 16);
		if (!mxg_addr_is_special(&a))
			return 0;
	}
	return 1;
}

int mxg_mx_target_usable(const struct mxg_mx_target *t)
{
	if (target_is_null(t) || t->alias || mxg_mx_name_is_ip_literal(t->name))
		return 0;
	return target_has_address(t) && !target_all_special(t);
}

static int both_states(const struct mxg_mx_target *t, enum mxg_mx_lookup s)
{
	return t->a_state == s && t->aaaa_state == s;
}

static int any_state(const struct mxg_mx_target *t, enum mxg_mx_lookup s)
{
	return t->a_state == s || t->aaaa_state == s;
}

/* The first address of t that is special, formatted, for the finding text. */
static void first_special(const struct mxg_mx_target *t, char *buf, size_t size, const char **kind)
{
	struct mxg_addr a;

	*kind = "reserved";
	buf[0] = '\0';
	for (unsigned i = 0; i < t->n_v4 + t->n_v6; i++) {
		memset(&a, 0, sizeof(a));
		if (i < t->n_v4) {
			a.family = 4;
			memcpy(a.bytes, t->v4[i], 4);
		} else {
			a.family = 6;
			memcpy(a.bytes, t->v6[i - t->n_v4], 16);
		}
		if (mxg_addr_is_special(&a)) {
			*kind = mxg_addr_special_kind(&a);
			mxg_addr_format(&a, buf, size);
			return;
		}
	}
}

/* 1 when t's addresses are not known yet because a lookup failed or was not made. An IP
 * literal is never looked up, and is judged unusable rather than pending. */
static int target_pending(const struct mxg_mx_target *t)
{
	if (target_has_address(t) || mxg_mx_name_is_ip_literal(t->name))
		return 0;
	return any_state(t, MXG_MX_TEMPFAIL) || any_state(t, MXG_MX_UNKNOWN);
}

/* Findings about one target's resolution. Returns -1 on ENOMEM. */
static int analyze_target(const struct mxg_mx_target *t, int idx, struct mxg_findings *out)
{
	int rc = 0;

	if (mxg_mx_name_is_ip_literal(t->name))
		return mxg_findings_add(out, MXG_F_MX_TARGET_IP_LITERAL, idx, t->name,
					"MX target %s is an IP address; senders look it up as a host name and fail",
					t->name);
	if (t->alias)
		rc |= mxg_findings_add(out, MXG_F_MX_TARGET_CNAME, idx, t->name,
				       "MX target %s is an alias for %s; MX must name a host directly",
				       t->name, t->alias_target[0] ? t->alias_target : "another name");
	if (target_has_address(t)) {
		if (target_all_special(t)) {
			char addr[64];
			const char *kind;
			first_special(t, addr, sizeof(addr), &kind);
			rc |= mxg_findings_add(out, MXG_F_MX_TARGET_PRIVATE_ADDRESS, idx, t->name,
					       "MX target %s resolves only to non-public addresses (%s is %s)",
					       t->name, addr, kind);
		}
		return rc;
	}
	if (both_states(t, MXG_MX_NXDOMAIN))
		return rc | mxg_findings_add(out, MXG_F_MX_TARGET_NXDOMAIN, idx, t->name,
					     "MX target %s does not exist (NXDOMAIN)", t->name);
	if (any_state(t, MXG_MX_TEMPFAIL) || any_state(t, MXG_MX_UNKNOWN))
		return rc | mxg_findings_add(out, MXG_F_MX_TARGET_TEMPFAIL, idx, t->name,
					     "the address lookup of MX target %s failed temporarily",
					     t->name);
	return rc | mxg_findings_add(out, MXG_F_MX_TARGET_NO_ADDRESS, idx, t->name,
				     "MX target %s has no A or AAAA record", t->name);
}

/* Reports targets named more than once (the first occurrence is the reference). */
static int analyze_duplicates(const struct mxg_mx_input *in, struct mxg_findings *out)
{
	for (unsigned i = 0; i < in->count; i++) {
		if (target_is_null(&in->targets[i]))
			continue;
		for (unsigned j = 0; j < i; j++) {
			if (!mxg_dns_name_equal(in->targets[i].name, in->targets[j].name))
				continue;
			if (mxg_findings_add(out, MXG_F_MX_TARGET_DUPLICATE, (int)i, in->targets[i].name,
					     "MX target %s is listed more than once (preferences %u and %u)",
					     in->targets[i].name, in->targets[j].pref,
					     in->targets[i].pref) < 0)
				return -1;
			break;
		}
	}
	return 0;
}

/* No MX records: RFC 5321 §5.1 falls back to the domain's own address. */
static int analyze_implicit(const struct mxg_mx_input *in, struct mxg_findings *out)
{
	const struct mxg_mx_target *t = &in->implicit;

	if (target_has_address(t))
		return mxg_findings_add(out, MXG_F_MX_NONE_IMPLICIT, -1, in->domain,
					"%s has no MX records; senders deliver to its own address instead",
					in->domain);
	if (any_state(t, MXG_MX_TEMPFAIL))
		return mxg_findings_add(out, MXG_F_MX_LOOKUP_TEMPFAIL, -1, in->domain,
					"%s has no MX records and its address lookup failed temporarily",
					in->domain);
	return mxg_findings_add(out, MXG_F_MX_NONE_NO_ADDRESS, -1, in->domain,
				"%s has no MX records and no A or AAAA record: it cannot receive mail",
				in->domain);
}

static int analyze_null(const struct mxg_mx_input *in, unsigned nulls, struct mxg_findings *out)
{
	int rc = 0;

	if (nulls < in->count)
		return mxg_findings_add(out, MXG_F_MX_NULL_MIXED, -1, in->domain,
					"%s publishes a null MX together with %u other MX record(s)",
					in->domain, in->count - nulls);
	rc |= mxg_findings_add(out, MXG_F_MX_NULL, -1, in->domain,
			       "%s publishes a null MX: it accepts no mail", in->domain);
	for (unsigned i = 0; i < in->count; i++)
		if (in->targets[i].pref != 0)
			rc |= mxg_findings_add(out, MXG_F_MX_NULL_BAD_PREF, (int)i, in->domain,
					       "null MX of %s has preference %u; RFC 7505 asks for 0",
					       in->domain, in->targets[i].pref);
	return rc;
}

/* Judges the TTL the zone publishes; a cache's remaining time would make the verdict change
 * from one run to the next, so with the published TTL unknown there is only a note. */
static int analyze_ttl(const struct mxg_mx_input *in, struct mxg_findings *out)
{
	if (in->ttl_unknown)
		return mxg_findings_add(out, MXG_F_MX_TTL_UNKNOWN, -1, in->domain,
					"the MX TTL of %s was not judged: %s",
					in->domain, in->ttl_why[0] ? in->ttl_why : "the published TTL is unknown");
	if (in->ttl > MXG_MX_TTL_HIGH)
		return mxg_findings_add(out, MXG_F_MX_TTL_HIGH, -1, in->domain,
					"MX TTL of %s is %u s (over %u s): a change of mail host takes that long to be seen",
					in->domain, (unsigned)in->ttl, MXG_MX_TTL_HIGH);
	if (in->ttl < MXG_MX_TTL_LOW)
		return mxg_findings_add(out, MXG_F_MX_TTL_LOW, -1, in->domain,
					"MX TTL of %s is %u s (under %u s): every sender must look it up again and again",
					in->domain, (unsigned)in->ttl, MXG_MX_TTL_LOW);
	return 0;
}

/* Findings of the answer as a whole, before the targets are looked at. */
static int analyze_rcode(const struct mxg_mx_input *in, struct mxg_findings *out, int *done)
{
	*done = 1;
	if (in->security == MXG_DNSSEC_BOGUS)
		return mxg_findings_add(out, MXG_F_MX_DNSSEC_BOGUS, -1, in->domain,
					"the MX answer for %s failed DNSSEC validation; validating senders cannot deliver",
					in->domain);
	if (in->rcode == MXG_DNS_NXDOMAIN)
		return mxg_findings_add(out, MXG_F_MX_DOMAIN_NXDOMAIN, -1, in->domain,
					"%s does not exist", in->domain);
	if (mxg_dns_is_temporary(in->rcode))
		return mxg_findings_add(out, MXG_F_MX_LOOKUP_TEMPFAIL, -1, in->domain,
					"the MX lookup for %s failed (%s); nothing was checked",
					in->domain, mxg_dns_rcode_name(in->rcode));
	if (in->count == 0)
		return analyze_implicit(in, out);
	*done = 0;
	return 0;
}

/* Redundancy and the overall verdict once every target has been judged. */
static int analyze_usable(const struct mxg_mx_input *in, struct mxg_findings *out)
{
	unsigned usable = 0, tempfail = 0;

	for (unsigned i = 0; i < in->count; i++) {
		const struct mxg_mx_target *t = &in->targets[i];
		int dup = target_is_null(t);
		for (unsigned j = 0; j < i; j++)
			dup |= mxg_dns_name_equal(t->name, in->targets[j].name);
		if (dup)
			continue;
		if (mxg_mx_target_usable(t))
			usable++;
		else if (target_pending(t))
			tempfail++;
	}
	if (usable == 0 && tempfail == 0)
		return mxg_findings_add(out, MXG_F_MX_ALL_TARGETS_UNUSABLE, -1, in->domain,
					"none of the %u MX target(s) of %s can take mail",
					in->count, in->domain);
	if (usable == 1 && tempfail == 0)
		return mxg_findings_add(out, MXG_F_MX_SINGLE_TARGET, -1, in->domain,
					"%s has a single usable MX target: no fallback when it is down",
					in->domain);
	return 0;
}

int mxg_mx_analyze(const struct mxg_mx_input *in, struct mxg_findings *out)
{
	unsigned nulls = 0;
	int done, rc;

	rc = analyze_rcode(in, out, &done);
	if (done)
		return rc < 0 ? -1 : 0;
	for (unsigned i = 0; i < in->count; i++)
		nulls += target_is_null(&in->targets[i]);
	rc |= analyze_ttl(in, out);
	if (nulls > 0) {
		rc |= analyze_null(in, nulls, out);
		if (nulls == in->count)
			return rc < 0 ? -1 : 0;
	}
	for (unsigned i = 0; i < in->count; i++)
		if (!target_is_null(&in->targets[i]))
			rc |= analyze_target(&in->targets[i], (int)i, out);
	rc |= analyze_duplicates(in, out);
	if (in->total > in->count)
		rc |= mxg_findings_add(out, MXG_F_MX_TARGET_TOO_MANY, -1, in->domain,
				       "%s has %u MX records; only the first %u were checked",
				       in->domain, in->total, in->count);
	rc |= analyze_usable(in, out);
	return rc < 0 ? -1 : 0;
}
