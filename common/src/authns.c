/* Analysis of what a zone's authoritative servers serve (pure: no DNS, no I/O). Each compared
 * RRset becomes one canonical text per server (sorted, so record order never matters); servers
 * are grouped by that text and more than one group is a disagreement, named server by server. */
#include "mxguard/authns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

/* Longest canonical text of one RRset (16 MX of 253-character names, or 16 addresses). */
#define KEY_MAX 4200

/* What one comparison gives each server: its canonical text, or "" when not comparable. */
struct keys {
	char text[MXG_AUTHNS_MAX_SERVERS][KEY_MAX];
};

static void server_label(const struct mxg_authns_server *s, char *buf, size_t len)
{
	char addr[64];

	if (mxg_addr_format(&s->addr, addr, sizeof(addr)) != 0)
		mxg_strlcpy(addr, "?", sizeof(addr));
	buf[0] = '\0';
	mxg_strcatf(buf, len, "%s (%s)", s->ns[0] ? s->ns : ".", addr);
}

static int mx_cmp(const void *x, const void *y)
{
	const struct mxg_authns_mx *a = x, *b = y;

	if (a->pref != b->pref)
		return a->pref < b->pref ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int addr_cmp(const void *x, const void *y)
{
	const struct mxg_addr *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

/* "10 mx1.example, 20 mx2.example", "no MX records" or "NXDOMAIN". */
static void mx_key(const struct mxg_authns_server *s, char *out, size_t len)
{
	struct mxg_authns_mx sorted[MXG_AUTHNS_MAX_MX];

	out[0] = '\0';
	if (s->mx_nxdomain) {
		mxg_strlcpy(out, "NXDOMAIN", len);
		return;
	}
	if (s->mx_count == 0) {
		mxg_strlcpy(out, "no MX records", len);
		return;
	}
	unsigned n = s->mx_count < MXG_AUTHNS_MAX_MX ? s->mx_count : MXG_AUTHNS_MAX_MX;
	memcpy(sorted, s->mx, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), mx_cmp);
	for (unsigned i = 0; i < n; i++)
		mxg_strcatf(out, len, "%s%u %s", i ? ", " : "", sorted[i].pref,
			    sorted[i].name[0] ? sorted[i].name : ".");
}

/* "192.0.2.1 2001:db8::1", "no address" or "NXDOMAIN". */
static void addr_key(const struct mxg_authns_addrs *a, char *out, size_t len)
{
	struct mxg_addr sorted[MXG_AUTHNS_MAX_ADDRS];
	char text[64];

	out[0] = '\0';
	if (a->nxdomain && a->count == 0) {
		mxg_strlcpy(out, "NXDOMAIN", len);
		return;
	}
	if (a->count == 0) {
		mxg_strlcpy(out, "no address", len);
		return;
	}
	unsigned n = a->count < MXG_AUTHNS_MAX_ADDRS ? a->count : MXG_AUTHNS_MAX_ADDRS;
	memcpy(sorted, a->addrs, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), addr_cmp);
	for (unsigned i = 0; i < n; i++)
		if (mxg_addr_format(&sorted[i], text, sizeof(text)) == 0)
			mxg_strcatf(out, len, "%s%s", out[0] ? " " : "", text);
}

/* Groups the servers with a key by equal key; writes "A, B: key; C: key" into text. Returns the
 * number of groups. */
static unsigned group_servers(const struct mxg_authns_input *in, const struct keys *k, char *text,
			      size_t len)
{
	unsigned char done[MXG_AUTHNS_MAX_SERVERS] = { 0 };
	unsigned groups = 0;
	char label[MXG_DNS_NAME_MAX + 64];

	text[0] = '\0';
	for (unsigned i = 0; i < in->n_servers; i++) {
		if (done[i] || k->text[i][0] == '\0')
			continue;
		mxg_strcatf(text, len, "%s", groups++ ? "; " : "");
		for (unsigned j = i, n = 0; j < in->n_servers; j++) {
			if (done[j] || strcmp(k->text[j], k->text[i]) != 0)
				continue;
			done[j] = 1;
			server_label(&in->servers[j], label, sizeof(label));
			mxg_strcatf(text, len, "%s%s", n++ ? ", " : "", label);
		}
		mxg_strcatf(text, len, ": %s", k->text[i]);
	}
	return groups;
}

/* One finding when the keyed servers fall into more than one group. */
static int report(const struct mxg_authns_input *in, const struct keys *k,
		  enum mxg_finding_code code, const char *subject, const char *what,
		  struct mxg_findings *out)
{
	char groups[MXG_FINDING_TEXT_MAX];

	if (group_servers(in, k, groups, sizeof(groups)) < 2)
		return 0;
	return mxg_findings_add(out, code, -1, subject, "the name servers of %s disagree on %s: %s",
				in->zone[0] ? in->zone : ".", what, groups);
}

static int answered(const struct mxg_authns_server *s)
{
	return s->state == MXG_AUTHNS_ANSWERED;
}

static int compare_mx(const struct mxg_authns_input *in, struct keys *k, struct mxg_findings *out)
{
	char what[MXG_DNS_NAME_MAX + 32];
	int rc;

	for (unsigned i = 0; i < in->n_servers; i++) {
		k->text[i][0] = '\0';
		if (answered(&in->servers[i]) && in->servers[i].mx_known)
			mx_key(&in->servers[i], k->text[i], KEY_MAX);
	}
	snprintf(what, sizeof(what), "the MX records of %s", in->domain);
	rc = report(in, k, MXG_F_MX_NS_INCONSISTENT, in->domain, what, out);
	for (unsigned i = 0; i < in->n_servers; i++) {
		k->text[i][0] = '\0';
		if (answered(&in->servers[i]) && in->servers[i].mx_known && in->servers[i].mx_count)
			snprintf(k->text[i], KEY_MAX, "%u s", (unsigned)in->servers[i].mx_ttl);
	}
	snprintf(what, sizeof(what), "the MX TTL of %s", in->domain);
	return rc | report(in, k, MXG_F_MX_NS_INCONSISTENT, in->domain, what, out);
}

static int compare_targets(const struct mxg_authns_input *in, struct keys *k,
			   struct mxg_findings *out)
{
	char what[MXG_DNS_NAME_MAX + 32];
	int rc = 0;

	for (unsigned t = 0; t < in->n_targets; t++) {
		for (unsigned i = 0; i < in->n_servers; i++) {
			k->text[i][0] = '\0';
			if (answered(&in->servers[i]) && in->servers[i].targets[t].known)
				addr_key(&in->servers[i].targets[t], k->text[i], KEY_MAX);
		}
		snprintf(what, sizeof(what), "the addresses of MX target %s", in->targets[t]);
		rc |= report(in, k, MXG_F_MX_NS_INCONSISTENT, in->targets[t], what, out);
	}
	return rc;
}

static int compare_serials(const struct mxg_authns_input *in, struct keys *k,
			   struct mxg_findings *out)
{
	for (unsigned i = 0; i < in->n_servers; i++) {
		k->text[i][0] = '\0';
		if (answered(&in->servers[i]))
			snprintf(k->text[i], KEY_MAX, "%u", (unsigned)in->servers[i].serial);
	}
	return report(in, k, MXG_F_NS_SERIAL_MISMATCH, in->zone[0] ? in->zone : ".",
		      "the SOA serial", out);
}

/* 1 when some server of family answered. */
static int family_answered(const struct mxg_authns_input *in, int family)
{
	for (unsigned i = 0; i < in->n_servers; i++)
		if (answered(&in->servers[i]) && in->servers[i].addr.family == family)
			return 1;
	return 0;
}

/* NS_UNREACHABLE and NS_LAME. A silent address of a family no server answered over, while the
 * other family did, says more about this host (no IPv6 route, say) than about the zone: not
 * reported. */
static int report_silent(const struct mxg_authns_input *in, struct mxg_findings *out)
{
	char label[MXG_DNS_NAME_MAX + 64];
	int rc = 0;

	for (unsigned i = 0; i < in->n_servers; i++) {
		const struct mxg_authns_server *s = &in->servers[i];
		if (answered(s))
			continue;
		if (s->state == MXG_AUTHNS_NO_ANSWER && !family_answered(in, s->addr.family) &&
		    family_answered(in, s->addr.family == 4 ? 6 : 4))
			continue;
		server_label(s, label, sizeof(label));
		rc |= mxg_findings_add(out, s->state == MXG_AUTHNS_LAME ? MXG_F_NS_LAME
									 : MXG_F_NS_UNREACHABLE,
				       -1, label, "name server %s of %s: %s", label,
				       in->zone[0] ? in->zone : ".", s->why[0] ? s->why : "no answer");
	}
	return rc;
}

unsigned mxg_authns_answered(const struct mxg_authns_input *in)
{
	unsigned n = 0;

	for (unsigned i = 0; i < in->n_servers && i < MXG_AUTHNS_MAX_SERVERS; i++)
		n += answered(&in->servers[i]) ? 1u : 0u;
	return n;
}

int mxg_authns_analyze(const struct mxg_authns_input *in, struct mxg_findings *out)
{
	struct keys *k;
	int rc;

	if (in->n_servers > MXG_AUTHNS_MAX_SERVERS || in->n_targets > MXG_AUTHNS_MAX_TARGETS)
		return -1;
	k = malloc(sizeof(*k));
	if (k == NULL)
		return -1;
	rc = report_silent(in, out);
	rc |= compare_mx(in, k, out);
	rc |= compare_targets(in, k, out);
	rc |= compare_serials(in, k, out);
	free(k);
	return rc < 0 ? -1 : 0;
}
