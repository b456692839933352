/* The cache of parsed SPF records, keyed by the record's text as published (the TXT answer),
 * shared by every thread of a process: an evaluation that meets a record seen before parses
 * nothing. Bounded: SPF_CACHE_SLOTS slots (mxguard/htable.h tables of window 1, so
 * direct-mapped), one record each; a newcomer replaces the slot's occupant. Records longer
 * than SPF_CACHE_TEXT_MAX are parsed each time, never kept.
 *
 * Concurrency: the slots are split into stripes, one table per stripe, each guarded by its own
 * mutex, which covers its table and the reference counts of the entries in it. An entry is
 * immutable once parsed; each holder (the table, and every evaluation using it) has a
 * reference. Parsing is done outside any lock; a replaced entry is freed by whoever drops its
 * last reference, so an evaluation keeps a record it holds even while another thread replaces
 * it in the table. The tables, in static storage, are set up once (pthread_once). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/htable.h"
#include "mxguard/str.h"
#include "spf_internal.h"

/* Slots, and lock stripes (a power of two, each a table of SLOTS / STRIPES slots). */
#define SPF_CACHE_SLOTS 1024u
#define SPF_CACHE_STRIPES 16u
/* Longest record text kept: the table holds at most SLOTS records of this size. */
#define SPF_CACHE_TEXT_MAX 2048u

struct spf_cache_entry {
	struct spf_record rec; /* first: the pointer handed out is the entry's */
	uint64_t hash;
	size_t len;
	unsigned refs;
	char key[];            /* the record text, len bytes */
};

struct spf_cache_key {
	const char *text;
	size_t len;
};

#define STRIPE_SLOTS (SPF_CACHE_SLOTS / SPF_CACHE_STRIPES)
#define STRIPE_MEM MXG_HTABLE_MEM(STRIPE_SLOTS, sizeof(struct spf_cache_entry *))

static struct stripe {
	pthread_mutex_t lock;
	struct mxg_htable table; /* entries: struct spf_cache_entry * */
	_Alignas(16) unsigned char mem[STRIPE_MEM];
} stripes[SPF_CACHE_STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;
static atomic_ulong hits, parses;

static int entry_eq(const void *slot, const void *key)
{
	const struct spf_cache_entry *e = *(struct spf_cache_entry *const *)slot;
	const struct spf_cache_key *k = key;

	return e->len == k->len && memcmp(e->key, k->text, k->len) == 0;
}

/* Once per process (it cannot fail: the arguments are constants that fit). */
static void stripes_init(void)
{
	for (unsigned i = 0; i < SPF_CACHE_STRIPES; i++) {
		pthread_mutex_init(&stripes[i].lock, NULL);
		mxg_htable_init_mem(&stripes[i].table, stripes[i].mem, sizeof(stripes[i].mem),
				    STRIPE_SLOTS, sizeof(struct spf_cache_entry *), 1, entry_eq);
	}
}

/* A 64-bit hash of the text, eight bytes at a step (records run to hundreds of bytes, and
 * each evaluation hashes every record it meets). Not for adversaries: a collision only
 * costs a compare and a parse. */
static uint64_t text_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

static struct stripe *stripe_of(uint64_t hash)
{
	return &stripes[hash & (SPF_CACHE_STRIPES - 1)];
}

static void entry_free(struct spf_cache_entry *e)
{
	spf_record_free(&e->rec);
	free(e);
}

/* Drops one reference; frees the entry with the last. Called with the entry's stripe locked;
 * returns the entry to free after unlocking, or NULL. */
static struct spf_cache_entry *unref_locked(struct spf_cache_entry *e)
{
	return e != NULL && --e->refs == 0 ? e : NULL;
}

/* The cached entry of text with a new reference, or NULL. Under the stripe's lock. */
static struct spf_cache_entry *lookup(struct stripe *st, const char *text, size_t len,
				      uint64_t hash)
{
	const struct spf_cache_key k = { text, len };
	struct spf_cache_entry **slot = mxg_htable_find(&st->table, hash, &k);

	if (slot == NULL)
		return NULL;
	(*slot)->refs++;
	return *slot;
}

/* Puts e (one reference, the caller's) in its slot, which takes a second reference; the
 * slot's occupant (the same text stored meanwhile by another thread, or another record)
 * gives way. */
static void insert(struct spf_cache_entry *e)
{
	const struct spf_cache_key k = { e->key, e->len };
	struct stripe *st = stripe_of(e->hash);
	struct spf_cache_entry *old = NULL;
	int evicted = 0;

	pthread_mutex_lock(&st->lock);
	struct spf_cache_entry **slot = mxg_htable_find(&st->table, e->hash, &k);
	if (slot != NULL)
		evicted = 1;
	else
		slot = mxg_htable_add(&st->table, e->hash, mxg_htable_home_first, NULL, &evicted);
	if (evicted)
		old = unref_locked(*slot);
	e->refs++;
	*slot = e;
	pthread_mutex_unlock(&st->lock);
	if (old != NULL)
		entry_free(old);
}

const struct spf_record *spf_cache_get(const char *text, size_t len, int *rc, char *why,
				       size_t whylen)
{
	uint64_t hash = text_hash(text, len);
	struct stripe *st = stripe_of(hash);
	struct spf_cache_entry *e;

	pthread_once(&stripes_once, stripes_init);
	pthread_mutex_lock(&st->lock);
	e = lookup(st, text, len, hash);
	pthread_mutex_unlock(&st->lock);
	if (e != NULL) {
		atomic_fetch_add_explicit(&hits, 1, memory_order_relaxed);
		*rc = 0;
		return &e->rec;
	}
	atomic_fetch_add_explicit(&parses, 1, memory_order_relaxed);
	int keep = len <= SPF_CACHE_TEXT_MAX;
	e = calloc(1, sizeof(*e) + (keep ? len : 0));
	if (e == NULL) {
		*rc = -2;
		return NULL;
	}
	*rc = spf_record_parse(text, len, &e->rec);
	if (*rc < 0) {
		mxg_strlcpy(why, *rc == -2 ? "out of memory" : e->rec.error, whylen);
		entry_free(e);
		return NULL;
	}
	e->hash = hash;
	e->len = len;
	e->refs = 1;
	if (keep) {
		memcpy(e->key, text, len);
		insert(e);
	}
	return &e->rec;
}

void spf_cache_release(const struct spf_record *rec)
{
	if (rec == NULL)
		return;
	/* The record is the entry's first member. */
	struct spf_cache_entry *e = (struct spf_cache_entry *)(void *)(uintptr_t)rec;
	struct stripe *st = stripe_of(e->hash);

	pthread_mutex_lock(&st->lock);
	struct spf_cache_entry *dead = unref_locked(e);
	pthread_mutex_unlock(&st->lock);
	if (dead != NULL)
		entry_free(dead);
}

void spf_cache_counts(unsigned long *hit, unsigned long *parsed)
{
	*hit = atomic_load_explicit(&hits, memory_order_relaxed);
	*parsed = atomic_load_explicit(&parses, memory_order_relaxed);
}
