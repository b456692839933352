/* The one hash table behind every in-memory index and cache: open addressing over a short,
 * fixed window of slots, entries of a caller-chosen size stored in the table itself (a record,
 * a pointer or an index), the caller's hash and equality. No locking inside (callers keep their
 * own mutexes, stripes or rwlocks); no allocation except at init and when a growable table grows.
 *
 * An entry lives in one of the `window` slots that follow its hash's home slot. A lookup looks
 * at those slots only. When they are all taken, a new entry either grows the table (growable
 * tables, below their maximum) or replaces the entry the caller's `older` ranks first (caches);
 * a table with nslots <= window is one window, so its choice is over every entry. */
#ifndef MXGUARD_HTABLE_H
#define MXGUARD_HTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest window (slots looked at per operation). */
#define MXG_HTABLE_WINDOW_MAX 64u
/* Most slots a table may have. */
#define MXG_HTABLE_SLOTS_MAX ((size_t)1 << 30)

/* 1 if the entry holds key. */
typedef int (*mxg_htable_eq)(const void *entry, const void *key);
/* 1 if entry a should give way before entry b (a victim is wanted). */
typedef int (*mxg_htable_older)(const void *a, const void *b, void *ctx);

struct mxg_htable {
	uint64_t *tag;          /* per slot: the entry's hash with bit 0 set, 0 when empty */
	unsigned char *ent;     /* nslots entries of esize bytes (in tag's block) */
	size_t nslots, max_slots, count, esize;
	unsigned window;
	int holes;              /* an entry was removed: lookups cannot stop at an empty slot */
	int borrowed;           /* the memory is the caller's (mxg_htable_init_mem) */
	mxg_htable_eq eq;
};

/* Bytes of memory a table of nslots entries of esize bytes uses (a constant expression). */
#define MXG_HTABLE_MEM(nslots, esize) \
	((((size_t)(nslots) * sizeof(uint64_t) + 15) & ~(size_t)15) + (size_t)(nslots) * (esize))

/* Allocates nslots (1..MXG_HTABLE_SLOTS_MAX, any number) zeroed entries of esize bytes.
 * window is clamped to 1..MXG_HTABLE_WINDOW_MAX and to nslots. max_slots > nslots makes the
 * table growable (doubling, up to max_slots). 0, or -1 on ENOMEM or bad arguments. */
int mxg_htable_init(struct mxg_htable *t, size_t nslots, size_t esize, unsigned window,
		    size_t max_slots, mxg_htable_eq eq);
/* The same over memory the caller provides (memsize >= MXG_HTABLE_MEM(nslots, esize),
 * 16-byte aligned, zeroed or not): no allocation, for caches in static storage. Such a table
 * never grows and its memory is never freed. 0, or -1 on bad arguments. */
int mxg_htable_init_mem(struct mxg_htable *t, void *mem, size_t memsize, size_t nslots,
			size_t esize, unsigned window, mxg_htable_eq eq);
/* Frees the table's memory (not what entries point to: the caller frees that first, with
 * mxg_htable_next). A zeroed or finished table may be finished again. */
void mxg_htable_fini(struct mxg_htable *t);

/* The entry holding key (whose hash is hash), or NULL. Never allocates. */
void *mxg_htable_find(const struct mxg_htable *t, uint64_t hash, const void *key);

/* A slot for a new entry of hash (the caller has made sure the key is absent): an empty slot
 * of its window; else, in a growable table below its maximum and at least 1/8 full, a slot of
 * the grown table (a growable table also grows to stay at most half full); else, when older is not NULL, the window's entry that older ranks first
 * (*evicted = 1: the slot still holds that entry, for the caller to release, then overwrite).
 * The caller fills the returned entry. NULL when the window is full and nothing may give way,
 * or on ENOMEM while growing (the table is unchanged). Entries move when a table grows. */
void *mxg_htable_add(struct mxg_htable *t, uint64_t hash, mxg_htable_older older, void *ctx,
		     int *evicted);

/* Empties entry's slot (the caller has released what the entry owns). */
void mxg_htable_remove(struct mxg_htable *t, void *entry);

/* Iterates: the first entry at or after slot *pos, with *pos moved past it; NULL at the end.
 * Start with *pos = 0. Removing the returned entry while iterating is allowed. */
void *mxg_htable_next(const struct mxg_htable *t, size_t *pos);

/* The slot number of an entry (0..nslots-1), stable until the table grows. */
size_t mxg_htable_slot(const struct mxg_htable *t, const void *entry);

/* An mxg_htable_older for direct-mapped caches (window 1): ranks nothing first, so the first
 * slot of the window (the home slot) gives way. */
int mxg_htable_home_first(const void *a, const void *b, void *ctx);

/* What a cache's entries may begin with to use mxg_htable_older_age. */
struct mxg_htable_age {
	time_t expires;         /* dead from this second on */
	unsigned long used;     /* a clock the cache advances at each use (or each store) */
};
/* An mxg_htable_older for entries that begin with struct mxg_htable_age, ctx pointing to the
 * time_t now: an expired entry gives way before a live one, else the smaller `used`. */
int mxg_htable_older_age(const void *a, const void *b, void *ctx);

/* Bytes held by the table's arrays. */
size_t mxg_htable_mem(const struct mxg_htable *t);

#endif
