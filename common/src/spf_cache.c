/* The cache of parsed SPF records, keyed by the record's text as published (the TXT answer),
 * shared by every thread of a process: an evaluation that meets a record seen before parses
 * nothing. Bounded: a fixed table of slots, one record each; a newcomer replaces the slot's
 * occupant. Records longer than SPF_CACHE_TEXT_MAX are parsed each time, never kept.
 *
 * Concurrency: the table is split into stripes, each guarded by its own mutex, which covers
 * its slots and the reference counts of the entries in them. An entry is immutable once
 * parsed; each holder (the table, and every evaluation using it) has a reference. Parsing is
 * done outside any lock; a replaced entry is freed by whoever drops its last reference, so an
 * evaluation keeps a record it holds even while another thread replaces it in the table. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"
#include "spf_internal.h"

/* Slots (a power of two) and lock stripes (a power of two, at most the slots). */
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

static struct spf_cache_entry *slots[SPF_CACHE_SLOTS];
static pthread_mutex_t stripes[SPF_CACHE_STRIPES] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER,
};
static atomic_ulong hits, parses;

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

static pthread_mutex_t *stripe_of(uint64_t hash)
{
	return &stripes[(hash & (SPF_CACHE_SLOTS - 1)) & (SPF_CACHE_STRIPES - 1)];
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

static struct spf_cache_entry *lookup(const char *text, size_t len, uint64_t hash)
{
	struct spf_cache_entry *e = slots[hash & (SPF_CACHE_SLOTS - 1)];

	if (e == NULL || e->hash != hash || e->len != len || memcmp(e->key, text, len) != 0)
		return NULL;
	e->refs++;
	return e;
}

/* Puts e (one reference, the caller's) in its slot, which takes a second reference. */
static void insert(struct spf_cache_entry *e)
{
	pthread_mutex_t *m = stripe_of(e->hash);
	struct spf_cache_entry **slot = &slots[e->hash & (SPF_CACHE_SLOTS - 1)];

	pthread_mutex_lock(m);
	struct spf_cache_entry *old = unref_locked(*slot);
	e->refs++;
	*slot = e;
	pthread_mutex_unlock(m);
	if (old != NULL)
		entry_free(old);
}

const struct spf_record *spf_cache_get(const char *text, size_t len, int *rc, char *why,
				       size_t whylen)
{
	uint64_t hash = text_hash(text, len);
	pthread_mutex_t *m = stripe_of(hash);

	pthread_mutex_lock(m);
	struct spf_cache_entry *e = lookup(text, len, hash);
	pthread_mutex_unlock(m);
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
	pthread_mutex_t *m = stripe_of(e->hash);

	pthread_mutex_lock(m);
	struct spf_cache_entry *dead = unref_locked(e);
	pthread_mutex_unlock(m);
	if (dead != NULL)
		entry_free(dead);
}

void spf_cache_counts(unsigned long *hit, unsigned long *parsed)
{
	*hit = atomic_load_explicit(&hits, memory_order_relaxed);
	*parsed = atomic_load_explicit(&parses, memory_order_relaxed);
}
