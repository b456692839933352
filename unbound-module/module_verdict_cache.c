/* Open-addressing table (mxguard/htable.h) with a short probe window: lookups and inserts
 * touch at most PROBE slots, memory is fixed at creation, and when a window is full the entry
 * that has expired (else the one closest to expiry) gives way.
 *
 * Concurrency: one mutex covers the table; Unbound's threads hold it for a lookup or a store
 * (a copy of at most MODULE_VERDICT_TEXT_MAX bytes), never across a call out. */
#include "mxguard/hash.h"
#include "mxguard/htable.h"
#include "module_verdict_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

#define PROBE 8
#define KEY_MAX 255

struct verdict {
	time_t expires;
	uint8_t key_len;
	uint8_t flagged;      /* 1: warning or worse acted on; 0: info findings only */
	uint8_t key[KEY_MAX]; /* wire name, lower case */
	char text[MODULE_VERDICT_TEXT_MAX + 1];
};

struct verdict_key {
	const uint8_t *key;
	size_t len;
};

struct module_verdict_cache {
	pthread_mutex_t lock;
	struct mxg_htable table; /* entries: struct verdict */
};

static int verdict_eq(const void *entry, const void *key)
{
	const struct verdict *v = entry;
	const struct verdict_key *k = key;

	return v->key_len == k->len && memcmp(v->key, k->key, k->len) == 0;
}

/* The one to give way: an expired entry before a live one, else the sooner to expire. */
static int expires_first(const void *a, const void *b, void *ctx)
{
	const struct verdict *x = a, *y = b;
	time_t now = *(const time_t *)ctx;

	if (y->expires <= now)
		return 0;
	return x->expires <= now || x->expires < y->expires;
}

struct module_verdict_cache *module_verdict_cache_new(size_t slots)
{
	struct module_verdict_cache *c;
	size_t n = PROBE;

	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (mxg_htable_init(&c->table, n, sizeof(struct verdict), PROBE, 0, verdict_eq) < 0) {
		free(c);
		return NULL;
	}
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		mxg_htable_fini(&c->table);
		free(c);
		return NULL;
	}
	return c;
}

void module_verdict_cache_free(struct module_verdict_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	mxg_htable_fini(&c->table);
	free(c);
}

/* Lower-cased copy of the name; 0 if it does not fit. */
static size_t make_key(const uint8_t *qname, size_t len, uint8_t *key)
{
	if (len == 0 || len > KEY_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		key[i] = (qname[i] >= 'A' && qname[i] <= 'Z') ? (uint8_t)(qname[i] + 32) : qname[i];
	return len;
}

/* Under the lock: the entry for k (found, or a new or given-way slot), or NULL. */
static struct verdict *slot_for(struct module_verdict_cache *c, const struct verdict_key *k,
				uint64_t h, time_t now)
{
	struct verdict *v = mxg_htable_find(&c->table, h, k);
	int evicted;

	if (v != NULL)
		return v;
	return mxg_htable_add(&c->table, h, expires_first, &now, &evicted);
}

void module_verdict_cache_put(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			      const char *text, time_t now, uint32_t ttl, int flagged)
{
	uint8_t key[KEY_MAX];

	if (!c || !(len = make_key(qname, len, key)))
		return;
	const struct verdict_key k = { key, len };
	uint64_t h = mxg_hash_bytes(key, len);
	pthread_mutex_lock(&c->lock);
	if (text[0] == '\0' || ttl == 0) {
		struct verdict *old = mxg_htable_find(&c->table, h, &k);
		if (old != NULL)
			mxg_htable_remove(&c->table, old);
	} else {
		struct verdict *v = slot_for(c, &k, h, now);
		v->expires = now + (time_t)ttl;
		v->key_len = (uint8_t)len;
		v->flagged = flagged ? 1 : 0;
		memcpy(v->key, key, len);
		mxg_strlcpy(v->text, text, sizeof(v->text));
	}
	pthread_mutex_unlock(&c->lock);
}

int module_verdict_cache_get(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			     time_t now, char *text, size_t textlen)
{
	uint8_t key[KEY_MAX];
	int found = 0;

	if (!c || !(len = make_key(qname, len, key)))
		return 0;
	const struct verdict_key k = { key, len };
	uint64_t h = mxg_hash_bytes(key, len);
	pthread_mutex_lock(&c->lock);
	const struct verdict *v = mxg_htable_find(&c->table, h, &k);
	if (v != NULL && v->expires > now) {
		mxg_strlcpy(text, v->text, textlen);
		found = v->flagged ? MODULE_VERDICT_FLAGGED : MODULE_VERDICT_NOTED;
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

size_t module_verdict_cache_mem(const struct module_verdict_cache *c)
{
	return c ? sizeof(*c) + mxg_htable_mem(&c->table) : 0;
}
