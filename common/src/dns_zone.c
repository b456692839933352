/* The in-memory zone backend's store: records by owner name in the one hash table
 * (mxguard/htable.h, growable), every ancestor of an owner present as a node, faults and
 * DNSSEC marks; loads under the write lock, answers under the read lock. */
#include "mxguard/hash.h"
#include "mxguard/dns.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_zone_internal.h"
#include "mxguard/str.h"

/* Refuse absurd inputs instead of exhausting memory. */
#define ZONE_MAX_RRS (1u << 20)
#define ZONE_MAX_FAULTS 65536
#define ZONE_MAX_MARKS 4096
#define ZONE_MAX_APEXES 65536
/* The node table: first size, window, largest size (every name of ZONE_MAX_RRS owners with
 * their ancestors fits). */
#define ZONE_NODES_FIRST 64
#define ZONE_NODES_WINDOW 16
#define ZONE_NODES_MAX ((size_t)1 << 26)

static int zone_lookup(void *ctx, const char *name, uint16_t type,
		       struct mxg_dns_answer **out, char *err, size_t errlen);
static void zone_free(void *ctx);

static const struct mxg_resolver_ops zone_ops = { zone_lookup, zone_free };

const char *mxg_zone_parent(const char *name)
{
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '.')
			return p + 1;
	}
	return NULL;
}

static int node_eq(const void *entry, const void *key)
{
	return strcmp((*(struct znode *const *)entry)->name, key) == 0;
}

static struct znode *find(const struct zone *z, const char *name)
{
	struct znode **n = mxg_htable_find(&z->nodes, mxg_hash_str(name), name);

	return n != NULL ? *n : NULL;
}

const struct znode *mxg_zone_find(const struct zone *z, const char *name)
{
	return find(z, name);
}

static struct znode *find_or_add(struct zone *z, const char *name)
{
	struct znode *n = find(z, name), **slot;
	int evicted;

	if (n != NULL)
		return n;
	size_t len = strlen(name);
	n = calloc(1, sizeof(*n) + len + 1);
	if (n == NULL)
		return NULL;
	if ((slot = mxg_htable_add(&z->nodes, mxg_hash_str(name), NULL, NULL, &evicted)) == NULL) {
		free(n);
		return NULL;
	}
	memcpy(n->name, name, len + 1);
	*slot = n;
	return n;
}

/* An empty non-terminal exists inside a zone; above every loaded apex it does not
 * (the zone backend holds no data for "test" just because "mx.test" is loaded). */
static int ent_exists(const struct zone *z, const char *name)
{
	int apex_below = 0;

	for (size_t i = 0; i < z->napexes; i++) {
		if (mxg_dns_name_is_sub(name, z->apexes[i]))
			return 1;
		if (mxg_dns_name_is_sub(z->apexes[i], name))
			apex_below = 1;
	}
	return !apex_below;
}

int mxg_zone_exists(const struct zone *z, const struct znode *n)
{
	return n != NULL && (n->count > 0 || ent_exists(z, n->name));
}

const struct zrec *mxg_zone_find_type(const struct znode *n, uint16_t type)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->recs[i].type == type)
			return &n->recs[i];
	return NULL;
}

static int same_rec(const struct zrec *r, uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	return r->type == type && r->rdlen == rdlen && (rdlen == 0 || memcmp(r->rdata, rdata, rdlen) == 0);
}

/* Checks RDATA decodes the way lookups will decode it, so a loaded record never fails later. */
static int rdata_valid(const char *owner, uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	struct mxg_dns_answer *a = mxg_dns_answer_new(owner, type);

	if (a == NULL)
		return -1;
	int rc = mxg_dns_answer_add(a, owner, type, 0, rdata, rdlen);
	mxg_dns_answer_free(a);
	return rc;
}

/* Appends one item of size bytes to a bounded array (lock held): the grown array,
 * or NULL (arr untouched) when full or out of memory. */
static void *append(void *arr, size_t *n, size_t max, size_t size, const void *item)
{
	if (*n >= max)
		return NULL;
	char *grown = realloc(arr, (*n + 1) * size);
	if (grown == NULL)
		return NULL;
	memcpy(grown + *n * size, item, size);
	(*n)++;
	return grown;
}

static int add_apex(struct zone *z, const char *name)
{
	for (size_t i = 0; i < z->napexes; i++)
		if (strcmp(z->apexes[i], name) == 0)
			return 0;
	const char **grown = append(z->apexes, &z->napexes, ZONE_MAX_APEXES, sizeof(name), &name);
	if (grown == NULL)
		return -1;
	z->apexes = grown;
	return 0;
}

static int add_locked(struct zone *z, const char *owner, uint16_t type, uint32_t ttl,
		      const uint8_t *rdata, size_t rdlen, char *err, size_t errlen)
{
	if (z->nrecs >= ZONE_MAX_RRS)
		return mxg_fail(err, errlen, "too many records (at most %u)", ZONE_MAX_RRS);
	struct znode *n = find_or_add(z, owner);
	if (n == NULL)
		goto enomem;
	for (size_t i = 0; i < n->count; i++)
		if (same_rec(&n->recs[i], type, rdata, rdlen))
			return 0; /* an RRset is a set */
	uint8_t *copy = malloc(rdlen > 0 ? rdlen : 1);
	struct zrec *grown = realloc(n->recs, (n->count + 1) * sizeof(*grown));
	if (grown != NULL)
		n->recs = grown;
	if (copy == NULL || grown == NULL) {
		free(copy);
		goto enomem;
	}
	if (rdlen > 0)
		memcpy(copy, rdata, rdlen);
	n->recs[n->count++] = (struct zrec){ type, ttl, rdlen, copy };
	z->nrecs++;
	if (type == MXG_DNS_SOA && add_apex(z, n->name) < 0)
		goto enomem;
	for (const char *p = mxg_zone_parent(owner); p != NULL; p = mxg_zone_parent(p))
		if (find_or_add(z, p) == NULL)
			goto enomem;
	return 0;
enomem:
	return mxg_fail(err, errlen, "out of memory");
}

int mxg_zone_add_rr_err(struct mxg_resolver *r, const char *owner, uint16_t type, uint32_t ttl,
			const uint8_t *rdata, size_t rdlen, char *err, size_t errlen)
{
	struct zone *z = mxg_resolver_ctx(r, &zone_ops);
	char name[MXG_DNS_NAME_MAX];

	if (z == NULL)
		return mxg_fail(err, errlen, "not a zone resolver");
	if (mxg_dns_name_normalize(owner, name, sizeof(name)) < 0)
		return mxg_fail(err, errlen, "invalid owner name");
	if (type == 0 || type == 255 || ttl > 0x7fffffffu)
		return mxg_fail(err, errlen, "type %u or TTL %u not allowed in a zone", type, ttl);
	if (rdata_valid(name, type, rdata, rdlen) < 0)
		return mxg_fail(err, errlen, "malformed %s RDATA", mxg_dns_type_name(type));
	pthread_rwlock_wrlock(&z->lock);
	int rc = add_locked(z, name, type, ttl, rdata, rdlen, err, errlen);
	pthread_rwlock_unlock(&z->lock);
	return rc;
}

int mxg_zone_add_rr(struct mxg_resolver *r, const char *owner, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t rdlen)
{
	char err[128];

	return mxg_zone_add_rr_err(r, owner, type, ttl, rdata, rdlen, err, sizeof(err));
}

int mxg_zone_set_fault(struct mxg_resolver *r, const char *name, uint16_t type,
		       enum mxg_dns_rcode rcode)
{
	struct zone *z = mxg_resolver_ctx(r, &zone_ops);
	struct zfault f = { .type = type, .rcode = rcode };

	if (z == NULL || (rcode != MXG_DNS_TIMEOUT && rcode != MXG_DNS_SERVFAIL))
		return -1;
	if (mxg_dns_name_normalize(name, f.name, sizeof(f.name)) < 0)
		return -1;
	pthread_rwlock_wrlock(&z->lock);
	struct zfault *grown = append(z->faults, &z->nfaults, ZONE_MAX_FAULTS, sizeof(f), &f);
	if (grown != NULL)
		z->faults = grown;
	pthread_rwlock_unlock(&z->lock);
	return grown != NULL ? 0 : -1;
}

int mxg_zone_set_security(struct mxg_resolver *r, const char *apex, enum mxg_dnssec s)
{
	struct zone *z = mxg_resolver_ctx(r, &zone_ops);
	struct zmark m = { .status = s };

	if (z == NULL || s > MXG_DNSSEC_BOGUS)
		return -1;
	if (mxg_dns_name_normalize(apex, m.apex, sizeof(m.apex)) < 0)
		return -1;
	pthread_rwlock_wrlock(&z->lock);
	struct zmark *grown = append(z->marks, &z->nmarks, ZONE_MAX_MARKS, sizeof(m), &m);
	if (grown != NULL)
		z->marks = grown;
	pthread_rwlock_unlock(&z->lock);
	return grown != NULL ? 0 : -1;
}

static int zone_lookup(void *ctx, const char *name, uint16_t type,
		       struct mxg_dns_answer **out, char *err, size_t errlen)
{
	struct zone *z = ctx;
	struct mxg_dns_answer *a = mxg_dns_answer_new(name, type);

	if (a == NULL)
		return mxg_fail(err, errlen, "out of memory");
	pthread_rwlock_rdlock(&z->lock);
	int rc = mxg_zone_answer(z, a);
	pthread_rwlock_unlock(&z->lock);
	if (rc < 0) {
		mxg_dns_answer_free(a);
		return mxg_fail(err, errlen, "out of memory");
	}
	*out = a;
	return 0;
}

static void zone_free(void *ctx)
{
	struct zone *z = ctx;
	struct znode **slot;
	size_t pos = 0;

	while ((slot = mxg_htable_next(&z->nodes, &pos)) != NULL) {
		struct znode *n = *slot;
		for (size_t k = 0; k < n->count; k++)
			free(n->recs[k].rdata);
		free(n->recs);
		free(n);
	}
	mxg_htable_fini(&z->nodes);
	free(z->apexes);
	free(z->faults);
	free(z->marks);
	pthread_rwlock_destroy(&z->lock);
	free(z);
}

struct mxg_resolver *mxg_resolver_zone_new(void)
{
	struct zone *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	if (mxg_htable_init(&z->nodes, ZONE_NODES_FIRST, sizeof(struct znode *), ZONE_NODES_WINDOW,
			    ZONE_NODES_MAX, node_eq) < 0) {
		free(z);
		return NULL;
	}
	if (pthread_rwlock_init(&z->lock, NULL) != 0) {
		mxg_htable_fini(&z->nodes);
		free(z);
		return NULL;
	}
	struct mxg_resolver *r = mxg_resolver_new(&zone_ops, z);
	if (r == NULL)
		zone_free(z);
	return r;
}

/* Zone data is the zone's own: its TTLs are the published ones, never counted down. */
int mxg_resolver_publishes_ttls(struct mxg_resolver *r)
{
	return mxg_resolver_ctx(r, &zone_ops) != NULL;
}
