/* An in-process answer cache in front of a resolver: the same few names (a sender's SPF, HELO
 * and DMARC records, a domain's MX) come up request after request, and a hit here costs a copy
 * instead of a round trip to libunbound's worker. Two-way (mxguard/htable.h, window 2: a
 * newcomer replaces the expired, else the older, of its two slots' occupants), bounded,
 * TTL-honouring; one mutex covers it. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "mxguard/clock.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"

/* Longest time an answer is kept, whatever its TTL says. */
#define CACHE_TTL_MAX 3600
/* Slots a name may be kept in: two, so that two names of one home slot do not evict each
 * other on every request (as a direct-mapped table lets them). */
#define CACHE_WINDOW 2

struct slot {
	struct mxg_htable_age age; /* first: used is the order of storing */
	struct mxg_dns_answer *ans;
	uint16_t type;
	char name[MXG_DNS_NAME_MAX];
};

struct slot_key {
	const char *name;
	uint16_t type;
};

struct cache {
	struct mxg_resolver *inner;
	pthread_mutex_t lock;
	unsigned long stores;
	struct mxg_htable table; /* entries: struct slot */
};

/* The name (case-folded), then the type. */
static uint64_t key_hash(const struct slot_key *k)
{
	return mxg_hash_more(mxg_hash_name(k->name), &k->type, sizeof(k->type));
}

/* Both names come normalized from mxg_dns_lookup (lower case, one spelling): equal names are
 * equal strings. */
static int slot_eq(const void *entry, const void *key)
{
	const struct slot *s = entry;
	const struct slot_key *k = key;

	return s->type == k->type && strcmp(s->name, k->name) == 0;
}

/* A deep copy (the records' RDATA too), or NULL on ENOMEM. */
static struct mxg_dns_answer *answer_copy(const struct mxg_dns_answer *a)
{
	struct mxg_dns_answer *b = malloc(sizeof(*b));

	if (b == NULL)
		return NULL;
	/* In three pieces: the CNAME chain is kilobytes, of which only cname_count entries are
	 * used (a hit is on every lookup's path). */
	const size_t chain = offsetof(struct mxg_dns_answer, cname_chain);
	const size_t tail = offsetof(struct mxg_dns_answer, cname_chain) + sizeof(a->cname_chain);

	memcpy(b, a, chain);
	memcpy(b->cname_chain, a->cname_chain, a->cname_count * sizeof(a->cname_chain[0]));
	memcpy((char *)b + tail, (const char *)a + tail, sizeof(*b) - tail);
	b->rrs = NULL;
	b->count = 0;
	if (a->count == 0)
		return b;
	b->rrs = calloc(a->count, sizeof(*b->rrs));
	if (b->rrs == NULL) {
		free(b);
		return NULL;
	}
	for (size_t i = 0; i < a->count; i++, b->count++) {
		b->rrs[i] = a->rrs[i];
		b->rrs[i].rdata = NULL;
		if (a->rrs[i].rdlen == 0)
			continue;
		b->rrs[i].rdata = malloc(a->rrs[i].rdlen);
		if (b->rrs[i].rdata == NULL) {
			mxg_dns_answer_free(b);
			return NULL;
		}
		memcpy(b->rrs[i].rdata, a->rrs[i].rdata, a->rrs[i].rdlen);
	}
	return b;
}

/* Only definite answers are kept: temporary failures must be asked again. */
static int cacheable(const struct mxg_dns_answer *a)
{
	return (a->rcode == MXG_DNS_NOERROR || a->rcode == MXG_DNS_NXDOMAIN) && a->ttl > 0;
}

static struct mxg_dns_answer *cache_get(struct cache *c, const char *name, uint16_t type)
{
	const struct slot_key k = { name, type };
	const uint64_t h = key_hash(&k);
	struct mxg_dns_answer *hit = NULL;

	pthread_mutex_lock(&c->lock);
	struct slot *s = mxg_htable_find(&c->table, h, &k);
	if (s != NULL) {
		if (s->age.expires > mxg_clock_s()) {
			hit = answer_copy(s->ans);
		} else {
			mxg_dns_answer_free(s->ans);
			mxg_htable_remove(&c->table, s);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

static void cache_put(struct cache *c, const char *name, uint16_t type, const struct mxg_dns_answer *a)
{
	const struct slot_key k = { name, type };
	const uint64_t h = key_hash(&k);
	struct mxg_dns_answer *copy;
	int evicted = 1;

	if (!cacheable(a) || strlen(name) >= MXG_DNS_NAME_MAX || (copy = answer_copy(a)) == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	time_t now = mxg_clock_s();
	struct slot *s = mxg_htable_find(&c->table, h, &k);
	if (s == NULL)
		s = mxg_htable_add(&c->table, h, mxg_htable_older_age, &now, &evicted);
	if (evicted)
		mxg_dns_answer_free(s->ans);
	s->ans = copy;
	s->type = type;
	s->age.expires = now + (a->ttl < CACHE_TTL_MAX ? (time_t)a->ttl : CACHE_TTL_MAX);
	s->age.used = ++c->stores;
	mxg_strlcpy(s->name, name, sizeof(s->name));
	pthread_mutex_unlock(&c->lock);
}

static int cache_lookup(void *ctx, const char *name, uint16_t type, struct mxg_dns_answer **out,
			char *err, size_t errlen)
{
	struct cache *c = ctx;

	*out = cache_get(c, name, type);
	if (*out != NULL)
		return 0;
	if (mxg_dns_lookup(c->inner, name, type, out, err, errlen) != 0)
		return -1;
	cache_put(c, name, type, *out);
	return 0;
}

static void cache_free(void *ctx)
{
	struct cache *c = ctx;
	struct slot *s;
	size_t pos = 0;

	while ((s = mxg_htable_next(&c->table, &pos)) != NULL)
		mxg_dns_answer_free(s->ans);
	mxg_htable_fini(&c->table);
	if (c->inner != NULL)
		mxg_resolver_free(c->inner);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static const struct mxg_resolver_ops cache_ops = { cache_lookup, cache_free };

struct mxg_resolver *mxg_resolver_cache_new(struct mxg_resolver *inner, size_t size)
{
	struct cache *c;
	struct mxg_resolver *r;

	if (size == 0)
		return inner;
	c = calloc(1, sizeof(*c));
	if (c == NULL || mxg_htable_init(&c->table, size, sizeof(struct slot), CACHE_WINDOW, 0, slot_eq) < 0) {
		free(c);
		return NULL;
	}
	c->inner = inner;
	pthread_mutex_init(&c->lock, NULL);
	r = mxg_resolver_new(&cache_ops, c);
	if (r == NULL) {
		c->inner = NULL;
		mxg_htable_fini(&c->table);
		pthread_mutex_destroy(&c->lock);
		free(c);
	}
	return r;
}
