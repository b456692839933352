/* Fuzzes the Unbound module's answer handling: wire-format DNS messages are decoded here into
 * Unbound's reply_info / packed RRset layout (as Unbound's parser stores them: names decompressed,
 * RRs of one owner and type merged, RRSIGs after the RRs they cover) and handed to module_convert.
 * The input is a series of messages, each with a 2-byte length: the MX answer, then one
 * A or AAAA answer per target in turn. The converted input then goes through mxg_mx_analyze. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sldns/pkthdr.h"
#include "sldns/rrdef.h"
#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/net_help.h"

#include "module_convert.h"
#include "mxguard/finding.h"

#define MAX_RR 64
#define MAX_SETS 16

struct rr {
	uint8_t owner[256];
	size_t owner_len;
	uint16_t type, covered;
	uint32_t ttl;
	uint8_t rdata[600]; /* rdlength (2 bytes) then RDATA, names decompressed */
	size_t len;
};

struct msg {
	uint16_t flags;
	uint8_t qname[256];
	size_t qname_len;
	size_t nrr;
	struct rr rrs[MAX_RR];
	/* what the decoded message turns into */
	struct reply_info rep;
	struct ub_packed_rrset_key keys[MAX_SETS];
	struct ub_packed_rrset_key *sets[MAX_SETS];
	struct {
		struct packed_rrset_data d;
		size_t rr_len[MAX_RR];
		uint8_t *rr_data[MAX_RR];
		time_t rr_ttl[MAX_RR];
	} data[MAX_SETS];
};

/* Decompresses the name at *pos of m into out (lower-cased); 0 or -1. */
static int name(const uint8_t *m, size_t len, size_t *pos, uint8_t *out, size_t *out_len)
{
	size_t p = *pos, o = 0;
	int jumped = 0, hops = 0;

	for (;;) {
		if (p >= len)
			return -1;
		uint8_t c = m[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++hops > 32)
				return -1;
			if (!jumped)
				*pos = p + 2;
			jumped = 1;
			p = (size_t)((c & 0x3f) << 8 | m[p + 1]);
			continue;
		}
		if (c > 63 || p + 1 + c > len || o + 1 + c > 255)
			return -1;
		out[o++] = c;
		for (size_t i = 0; i < c; i++) {
			uint8_t b = m[p + 1 + i];
			out[o++] = (b >= 'A' && b <= 'Z') ? (uint8_t)(b + 32) : b;
		}
		p += 1 + c;
		if (c == 0)
			break;
	}
	if (!jumped)
		*pos = p;
	*out_len = o;
	return 0;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RDATA of one record into r->rdata; names in MX, CNAME, NS and PTR decompressed. */
static int rdata(const uint8_t *m, size_t len, size_t pos, size_t rdlen, struct rr *r)
{
	uint8_t *out = r->rdata + 2;
	size_t n = 0, p = pos, nl;

	if (r->type == LDNS_RR_TYPE_MX || r->type == LDNS_RR_TYPE_CNAME ||
	    r->type == LDNS_RR_TYPE_NS || r->type == LDNS_RR_TYPE_PTR) {
		if (r->type == LDNS_RR_TYPE_MX) {
			if (rdlen < 3)
				return -1;
			memcpy(out, m + p, 2);
			n = 2, p += 2;
		}
		if (name(m, len, &p, out + n, &nl) != 0 || p != pos + rdlen)
			return -1;
		n += nl;
	} else {
		if (rdlen > sizeof(r->rdata) - 2)
			return -1;
		memcpy(out, m + pos, rdlen);
		n = rdlen;
		if (r->type == LDNS_RR_TYPE_RRSIG && rdlen >= 2)
			r->covered = get16(m + pos);
	}
	r->rdata[0] = (uint8_t)(n >> 8);
	r->rdata[1] = (uint8_t)n;
	r->len = n + 2;
	return 0;
}

/* Header, question, answer section of m into g. 0, or -1 when it does not decode. */
static int decode(const uint8_t *m, size_t len, struct msg *g)
{
	size_t pos = 12;

	if (len < 12 || get16(m + 4) != 1)
		return -1;
	g->flags = get16(m + 2);
	if (name(m, len, &pos, g->qname, &g->qname_len) != 0 || pos + 4 > len)
		return -1;
	pos += 4;
	unsigned an = get16(m + 6);
	for (unsigned i = 0; i < an && g->nrr < MAX_RR; i++) {
		struct rr *r = &g->rrs[g->nrr];
		if (name(m, len, &pos, r->owner, &r->owner_len) != 0 || pos + 10 > len)
			return -1;
		r->type = get16(m + pos);
		r->ttl = (uint32_t)get16(m + pos + 4) << 16 | get16(m + pos + 6);
		size_t rdlen = get16(m + pos + 8);
		pos += 10;
		if (pos + rdlen > len || rdata(m, len, pos, rdlen, r) != 0)
			return -1;
		pos += rdlen;
		g->nrr++;
	}
	return 0;
}

/* Adds record r to RRset s (a signature goes after the records it covers). */
static void put(struct msg *g, size_t s, struct rr *r, int sig)
{
	struct packed_rrset_data *d = &g->data[s].d;
	size_t total = d->count + d->rrsig_count;

	if (total >= MAX_RR)
		return;
	if (!sig) {
		/* records stay in front of signatures: shift any signatures up one */
		memmove(&d->rr_len[d->count + 1], &d->rr_len[d->count], d->rrsig_count * sizeof(size_t));
		memmove(&d->rr_data[d->count + 1], &d->rr_data[d->count], d->rrsig_count * sizeof(uint8_t *));
		memmove(&d->rr_ttl[d->count + 1], &d->rr_ttl[d->count], d->rrsig_count * sizeof(time_t));
		total = d->count++;
	} else {
		d->rrsig_count++;
	}
	d->rr_len[total] = r->len;
	d->rr_data[total] = r->rdata;
	d->rr_ttl[total] = r->ttl;
	if (d->count == 1 || r->ttl < d->ttl)
		d->ttl = r->ttl;
}

static size_t find_set(struct msg *g, const struct rr *r, uint16_t type)
{
	for (size_t s = 0; s < g->rep.an_numrrsets; s++) {
		const struct ub_packed_rrset_key *k = &g->keys[s];
		if (ntohs(k->rk.type) == type && k->rk.dname_len == r->owner_len &&
		    memcmp(k->rk.dname, r->owner, r->owner_len) == 0)
			return s;
	}
	return MAX_SETS;
}

/* Groups the records into RRsets in Unbound's layout and fills g->rep. */
static void build(struct msg *g, enum sec_status sec)
{
	for (size_t i = 0; i < g->nrr; i++) {
		struct rr *r = &g->rrs[i];
		int sig = r->type == LDNS_RR_TYPE_RRSIG;
		size_t s = find_set(g, r, sig ? r->covered : r->type);
		if (s == MAX_SETS && sig)
			s = find_set(g, r, LDNS_RR_TYPE_RRSIG), sig = 0;
		if (s == MAX_SETS) {
			if (g->rep.an_numrrsets >= MAX_SETS)
				continue;
			s = g->rep.an_numrrsets++;
			struct ub_packed_rrset_key *k = &g->keys[s];
			struct packed_rrset_data *d = &g->data[s].d;
			k->rk.dname = r->owner;
			k->rk.dname_len = r->owner_len;
			k->rk.type = htons(r->type);
			k->rk.rrset_class = htons(LDNS_RR_CLASS_IN);
			k->entry.key = k;
			k->entry.data = d;
			d->rr_len = g->data[s].rr_len;
			d->rr_data = g->data[s].rr_data;
			d->rr_ttl = g->data[s].rr_ttl;
			d->security = sec;
			g->sets[s] = k;
		}
		put(g, s, r, sig);
	}
	g->rep.flags = g->flags;
	g->rep.rrset_count = g->rep.an_numrrsets;
	g->rep.rrsets = g->sets;
	g->rep.security = sec;
}

/* The next length-prefixed message of the input, decoded; NULL at the end. */
static struct msg *next(const uint8_t **p, const uint8_t *end, struct msg *g, enum sec_status sec)
{
	if (end - *p < 2)
		return NULL;
	size_t n = get16(*p);
	*p += 2;
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	memset(g, 0, sizeof(*g));
	int rc = decode(*p, n, g);
	*p += n;
	if (rc != 0)
		return NULL;
	build(g, sec);
	return g;
}

static void check_target(const struct mxg_mx_target *t)
{
	if (t->n_v4 > MXG_MX_MAX_ADDRS || t->n_v6 > MXG_MX_MAX_ADDRS ||
	    strnlen(t->name, sizeof(t->name)) >= sizeof(t->name) ||
	    strnlen(t->alias_target, sizeof(t->alias_target)) >= sizeof(t->alias_target))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg g;
	static struct mxg_mx_input in;
	const uint8_t *wt[MXG_MX_MAX_TARGETS];
	const uint8_t *p = data + 1, *end = data + size;
	char err[160], text[1024];

	if (size < 1 || size > 16384)
		return 0;
	enum sec_status sec = (data[0] & 1) ? sec_status_secure : sec_status_insecure;
	unsigned cap = 1 + (data[0] >> 1) % MXG_MX_MAX_TARGETS;
	if (next(&p, end, &g, sec) == NULL)
		return 0;
	(void)module_wire_name_text(g.qname, g.qname_len, text, sizeof(text));
	(void)module_mx_rrset_index(&g.rep);
	for (size_t s = 0; s < g.rep.rrset_count; s++)
		(void)module_rrset_is_signed(g.rep.rrsets[s], &g.rep);
	memset(&in, 0, sizeof(in));
	if (module_convert_answer(g.qname, g.qname_len, &g.rep, cap, &in, wt, err, sizeof(err)) != 1)
		return 0;
	if (in.count > cap || in.count > in.total)
		__builtin_trap();
	/* Keep the target names: the next messages reuse g, which wt points into. */
	static uint8_t names[MXG_MX_MAX_TARGETS][256];
	size_t lens[MXG_MX_MAX_TARGETS];
	for (unsigned i = 0; i < in.count; i++) {
		lens[i] = module_wire_name_len(wt[i], 256);
		memcpy(names[i], wt[i], lens[i]);
	}
	for (unsigned i = 0; i < in.count; i++) {
		for (int fam = 0; fam < 2; fam++) {
			if (next(&p, end, &g, sec) == NULL)
				break;
			int rcode = FLAGS_GET_RCODE(g.flags);
			module_convert_target(&in.targets[i], fam ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A,
					      rcode == LDNS_RCODE_SERVFAIL ? rcode : LDNS_RCODE_NOERROR,
					      &g.rep, names[i], lens[i]);
		}
		check_target(&in.targets[i]);
	}
	struct mxg_findings f = { 0 };
	(void)mxg_mx_analyze(&in, &f);
	mxg_findings_clear(&f);
	return 0;
}
