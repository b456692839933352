/* Builds a reduced copy of an MX RRset in the query's region, laid out the way Unbound packs
 * RRset data (lengths, data pointers, TTLs, then the rdata), so its caches can copy it. */
#include "config.h"

#include <string.h>

#include "util/data/msgreply.h"
#include "util/data/packed_rrset.h"
#include "util/regional.h"

#include "module.h"

static size_t kept_bytes(const struct packed_rrset_data *d, const unsigned char *drop,
			 unsigned count, size_t *kept)
{
	size_t bytes = 0;

	*kept = 0;
	for (size_t i = 0; i < d->count; i++) {
		if (i < count && drop[i])
			continue;
		(*kept)++;
		bytes += d->rr_len[i];
	}
	return bytes;
}

int module_strip_records(struct reply_info *rep, int idx, const unsigned char *drop,
			 unsigned count, struct regional *region)
{
	struct ub_packed_rrset_key *old = rep->rrsets[idx], *k;
	const struct packed_rrset_data *d = (const struct packed_rrset_data *)old->entry.data;
	struct packed_rrset_data *nd;
	size_t kept, bytes, j = 0;
	uint8_t *next;

	bytes = kept_bytes(d, drop, count, &kept);
	if (kept == 0 || kept == d->count || d->rrsig_count != 0)
		return -1;
	k = regional_alloc_init(region, old, sizeof(*old));
	nd = regional_alloc_zero(region, sizeof(*nd) +
				 kept * (sizeof(size_t) + sizeof(uint8_t *) + sizeof(time_t)) + bytes);
	if (!k || !nd)
		return -1;
	nd->ttl = d->ttl;
	nd->count = kept;
	nd->rrsig_count = 0;
	nd->trust = d->trust;
	nd->security = d->security;
	nd->rr_len = (size_t *)(nd + 1);
	nd->rr_data = (uint8_t **)&nd->rr_len[kept];
	nd->rr_ttl = (time_t *)&nd->rr_data[kept];
	next = (uint8_t *)&nd->rr_ttl[kept];
	for (size_t i = 0; i < d->count; i++) {
		if (i < count && drop[i])
			continue;
		nd->rr_len[j] = d->rr_len[i];
		nd->rr_ttl[j] = d->rr_ttl[i];
		nd->rr_data[j] = next;
		memcpy(next, d->rr_data[i], d->rr_len[i]);
		next += d->rr_len[i];
		j++;
	}
	k->entry.key = k;
	k->entry.data = nd;
	rep->rrsets[idx] = k;
	return 0;
}
