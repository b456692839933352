/* Unbound reply structures -> struct mxg_mx_input. Only struct fields are read, so the unit tests
 * can feed it hand-built Unbound data; every length is checked before use. */
#include "config.h"

#include "module_convert.h"

#include <stdio.h>
#include <string.h>

#include "sldns/pkthdr.h"
#include "sldns/rrdef.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/net_help.h"

#include "mxguard/str.h"

size_t module_wire_name_len(const uint8_t *p, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		uint8_t lab = p[pos];
		if (lab == 0)
			return pos + 1 <= MODULE_WIRE_NAME_MAX ? pos + 1 : 0;
		if (lab > 63)
			return 0; /* compression pointers or reserved label types */
		pos += 1u + lab;
	}
	return 0;
}

static int label_char(char *out, size_t outlen, size_t *o, uint8_t c)
{
	int n;

	if (c == '.' || c == '\\')
		n = snprintf(out + *o, outlen - *o, "\\%c", c);
	else if (c <= 0x20 || c >= 0x7f)
		n = snprintf(out + *o, outlen - *o, "\\%03u", c);
	else
		n = snprintf(out + *o, outlen - *o, "%c", c);
	if (n < 0 || (size_t)n >= outlen - *o)
		return -1;
	*o += (size_t)n;
	return 0;
}

int module_wire_name_text(const uint8_t *wire, size_t len, char *out, size_t outlen)
{
	size_t pos = 0, o = 0;

	if (outlen == 0 || module_wire_name_len(wire, len) == 0)
		return -1;
	out[0] = '\0';
	while (wire[pos] != 0) {
		uint8_t lab = wire[pos++];
		if (o > 0) {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = '.';
			out[o] = '\0';
		}
		for (uint8_t i = 0; i < lab; i++)
			if (label_char(out, outlen, &o, wire[pos + i]) < 0)
				return -1;
		pos += lab;
	}
	return 0;
}

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Equal wire names, ASCII case-insensitive; both already checked well formed. */
static int wire_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return 0;
		if (*a == 0)
			return 1;
		uint8_t lab = *a;
		for (uint8_t i = 1; i <= lab; i++)
			if (lower(a[i]) != lower(b[i]))
				return 0;
		a += 1u + lab;
		b += 1u + lab;
	}
}

static const struct packed_rrset_data *rrset_data(const struct ub_packed_rrset_key *k)
{
	return (const struct packed_rrset_data *)k->entry.data;
}

static int rrset_owner_ok(const struct ub_packed_rrset_key *k)
{
	return k->rk.dname && k->rk.dname_len > 0 &&
	       module_wire_name_len(k->rk.dname, k->rk.dname_len) == k->rk.dname_len;
}

int module_mx_rrset_index(const struct reply_info *rep)
{
	int found = -1;

	if (!rep || !rep->rrsets)
		return -1;
	for (size_t i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		const struct ub_packed_rrset_key *k = rep->rrsets[i];
		if (k && ntohs(k->rk.type) == LDNS_RR_TYPE_MX && rrset_data(k) && rrset_owner_ok(k))
			found = (int)i;
	}
	return found;
}

static enum mxg_dnssec security_of(enum sec_status s)
{
	if (s == sec_status_secure)
		return MXG_DNSSEC_SECURE;
	if (s == sec_status_bogus)
		return MXG_DNSSEC_BOGUS;
	return MXG_DNSSEC_INSECURE;
}

/* One MX RR: 2-byte rdlength, 2-byte preference, exchange name filling the rest exactly. */
static int convert_mx_rr(const uint8_t *rr, size_t rr_len, struct mxg_mx_target *t,
			 const uint8_t **wire, char *err, size_t errlen)
{
	size_t rdlen, nlen;

	if (!rr || rr_len < 2 + 2 + 1)
		return mxg_fail(err, errlen, "MX record too short (%zu bytes)", rr_len);
	rdlen = ((size_t)rr[0] << 8) | rr[1];
	if (rdlen != rr_len - 2)
		return mxg_fail(err, errlen, "MX rdlength %zu does not match %zu", rdlen, rr_len - 2);
	nlen = module_wire_name_len(rr + 4, rr_len - 4);
	if (nlen == 0 || nlen != rr_len - 4)
		return mxg_fail(err, errlen, "MX exchange is not a well-formed name");
	memset(t, 0, sizeof(*t));
	t->pref = (uint16_t)(((unsigned)rr[2] << 8) | rr[3]);
	if (module_wire_name_text(rr + 4, nlen, t->name, sizeof(t->name)) < 0)
		return mxg_fail(err, errlen, "MX exchange does not fit in text form");
	*wire = rr + 4;
	return 0;
}

int module_convert_answer(const uint8_t *qname, size_t qname_len, const struct reply_info *rep,
			  unsigned cap, struct mxg_mx_input *in, const uint8_t **wire_targets,
			  char *err, size_t errlen)
{
	const struct packed_rrset_data *d;
	int idx;

	memset(in, 0, sizeof(*in));
	if (module_wire_name_text(qname, qname_len, in->domain, sizeof(in->domain)) < 0)
		return mxg_fail(err, errlen, "query name is malformed");
	if (!rep || FLAGS_GET_RCODE(rep->flags) != LDNS_RCODE_NOERROR)
		return 0;
	idx = module_mx_rrset_index(rep);
	if (idx < 0)
		return 0;
	d = rrset_data(rep->rrsets[idx]);
	if (d->count == 0 || !d->rr_len || !d->rr_data)
		return 0;
	if (cap == 0 || cap > MXG_MX_MAX_TARGETS)
		cap = MXG_MX_MAX_TARGETS;
	in->rcode = MXG_DNS_NOERROR;
	in->security = security_of(rep->security);
	in->ttl = d->ttl < 0 ? 0 : (d->ttl > (time_t)UINT32_MAX ? UINT32_MAX : (uint32_t)d->ttl);
	in->total = d->count > UINT32_MAX ? UINT32_MAX : (unsigned)d->count;
	in->count = in->total < cap ? in->total : cap;
	for (unsigned i = 0; i < in->count; i++)
		if (convert_mx_rr(d->rr_data[i], d->rr_len[i], &in->targets[i], &wire_targets[i],
				  err, errlen) < 0)
			return -1;
	return 1;
}

static void set_state(struct mxg_mx_target *t, uint16_t qtype, enum mxg_mx_lookup s)
{
	if (qtype == LDNS_RR_TYPE_A)
		t->a_state = s;
	else
		t->aaaa_state = s;
}

/* Copies the addresses of one A or AAAA RRset into t; returns how many records it held. */
static size_t take_addresses(struct mxg_mx_target *t, uint16_t qtype,
			     const struct packed_rrset_data *d)
{
	size_t want = qtype == LDNS_RR_TYPE_A ? 4 : 16, n = 0;

	for (size_t i = 0; i < d->count; i++) {
		const uint8_t *rr = d->rr_data[i];
		if (!rr || d->rr_len[i] != 2 + want || (((size_t)rr[0] << 8) | rr[1]) != want)
			continue;
		n++;
		if (qtype == LDNS_RR_TYPE_A && t->n_v4 < MXG_MX_MAX_ADDRS)
			memcpy(t->v4[t->n_v4++], rr + 2, 4);
		else if (qtype == LDNS_RR_TYPE_AAAA && t->n_v6 < MXG_MX_MAX_ADDRS)
			memcpy(t->v6[t->n_v6++], rr + 2, 16);
	}
	return n;
}

/* The target of a CNAME RRset (its first record), or NULL when malformed. */
static const uint8_t *cname_target(const struct packed_rrset_data *d)
{
	size_t rdlen;

	if (d->count == 0 || !d->rr_data[0] || d->rr_len[0] < 3)
		return NULL;
	rdlen = ((size_t)d->rr_data[0][0] << 8) | d->rr_data[0][1];
	if (rdlen != d->rr_len[0] - 2 || module_wire_name_len(d->rr_data[0] + 2, rdlen) != rdlen)
		return NULL;
	return d->rr_data[0] + 2;
}

/* Walks the answer from qname through any CNAME chain; notes the alias, returns the
 * address count found for qtype at the end of the chain. */
static size_t walk_answer(struct mxg_mx_target *t, uint16_t qtype, const struct reply_info *rep,
			  const uint8_t *qname)
{
	const uint8_t *cur = qname;
	size_t found = 0;

	for (size_t i = 0; i < rep->an_numrrsets && i < rep->rrset_count; i++) {
		const struct ub_packed_rrset_key *k = rep->rrsets[i];
		const struct packed_rrset_data *d = k ? rrset_data(k) : NULL;
		uint16_t type;
		if (!d || !rrset_owner_ok(k) || !wire_name_equal(k->rk.dname, cur))
			continue;
		type = ntohs(k->rk.type);
		if (type == LDNS_RR_TYPE_CNAME) {
			const uint8_t *next = cname_target(d);
			if (!next)
				break;
			t->alias = 1;
			if (module_wire_name_text(next, module_wire_name_len(next, MODULE_WIRE_NAME_MAX),
						  t->alias_target, sizeof(t->alias_target)) < 0)
				t->alias_target[0] = '\0';
			cur = next;
		} else if (type == qtype) {
			found += take_addresses(t, qtype, d);
		}
	}
	return found;
}

void module_convert_target(struct mxg_mx_target *t, uint16_t qtype, int return_rcode,
			   const struct reply_info *rep, const uint8_t *qname, size_t qname_len)
{
	int rcode;

	if (qtype != LDNS_RR_TYPE_A && qtype != LDNS_RR_TYPE_AAAA)
		return;
	if (return_rcode != LDNS_RCODE_NOERROR || !rep ||
	    module_wire_name_len(qname, qname_len) != qname_len) {
		set_state(t, qtype, return_rcode == LDNS_RCODE_NXDOMAIN ? MXG_MX_NXDOMAIN
									 : MXG_MX_TEMPFAIL);
		return;
	}
	rcode = FLAGS_GET_RCODE(rep->flags);
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
		set_state(t, qtype, MXG_MX_TEMPFAIL);
		return;
	}
	if (walk_answer(t, qtype, rep, qname) > 0)
		set_state(t, qtype, MXG_MX_FOUND);
	else
		set_state(t, qtype, rcode == LDNS_RCODE_NXDOMAIN ? MXG_MX_NXDOMAIN : MXG_MX_NODATA);
}

int module_rrset_is_signed(const struct ub_packed_rrset_key *rrset, const struct reply_info *rep)
{
	const struct packed_rrset_data *d = rrset ? rrset_data(rrset) : NULL;

	if (rep && rep->security == sec_status_secure)
		return 1;
	if (!d)
		return 1; /* unknown: treat as untouchable */
	return d->rrsig_count > 0 || d->security == sec_status_secure;
}
