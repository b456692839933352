/* Open-addressing table with a short probe window: lookups and inserts touch at most
 * PROBE slots, memory is fixed at creation, and expired entries are simply overwritten. */
#include "mxguard/hash.h"
#include "module_verdict_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

#define PROBE 8
#define KEY_MAX 255

struct verdict {
	time_t expires;       /* 0: empty */
	uint8_t key_len;
	uint8_t flagged;      /* 1: warning or worse acted on; 0: info findings only */
	uint8_t key[KEY_MAX]; /* wire name, lower case */
	char text[MODULE_VERDICT_TEXT_MAX + 1];
};

struct module_verdict_cache {
	pthread_mutex_t lock;
	size_t mask;
	struct verdict *slots;
};

struct module_verdict_cache *module_verdict_cache_new(size_t slots)
{
	struct module_verdict_cache *c;
	size_t n = PROBE;

	while (n < slots && n < ((size_t)1 << 24))
		n <<= 1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = calloc(n, sizeof(*c->slots));
	if (!c->slots || pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->slots);
		free(c);
		return NULL;
	}
	c->mask = n - 1;
	return c;
}

void module_verdict_cache_free(struct module_verdict_cache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
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

static size_t hash_key(const uint8_t *key, size_t len)
{
	return (size_t)mxg_hash_bytes(key, len);
}

static int slot_is(const struct verdict *v, const uint8_t *key, size_t len)
{
	return v->expires != 0 && v->key_len == len && memcmp(v->key, key, len) == 0;
}

void module_verdict_cache_put(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			      const char *text, time_t now, uint32_t ttl, int flagged)
{
	uint8_t key[KEY_MAX];
	struct verdict *use = NULL;
	size_t h;

	if (!c || !(len = make_key(qname, len, key)))
		return;
	h = hash_key(key, len);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < PROBE; i++) {
		struct verdict *v = &c->slots[(h + i) & c->mask];
		if (slot_is(v, key, len)) {
			use = v;
			break;
		}
		if (!use || v->expires <= now || (use->expires > now && v->expires < use->expires))
			use = v;
	}
	if (text[0] == '\0' || ttl == 0) {
		if (slot_is(use, key, len))
			use->expires = 0;
	} else {
		use->expires = now + (time_t)ttl;
		use->key_len = (uint8_t)len;
		use->flagged = flagged ? 1 : 0;
		memcpy(use->key, key, len);
		mxg_strlcpy(use->text, text, sizeof(use->text));
	}
	pthread_mutex_unlock(&c->lock);
}

int module_verdict_cache_get(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			     time_t now, char *text, size_t textlen)
{
	uint8_t key[KEY_MAX];
	int found = 0;
	size_t h;

	if (!c || !(len = make_key(qname, len, key)))
		return 0;
	h = hash_key(key, len);
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < PROBE && !found; i++) {
		struct verdict *v = &c->slots[(h + i) & c->mask];
		if (slot_is(v, key, len) && v->expires > now) {
			mxg_strlcpy(text, v->text, textlen);
			found = v->flagged ? MODULE_VERDICT_FLAGGED : MODULE_VERDICT_NOTED;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

size_t module_verdict_cache_mem(const struct module_verdict_cache *c)
{
	return c ? sizeof(*c) + (c->mask + 1) * sizeof(*c->slots) : 0;
}
