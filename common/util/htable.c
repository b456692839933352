/* The hash table (htable.h): a tag array (the hashes) beside an entry array, linear probing
 * inside a fixed window, the home slot scaled from the high half of the mixed hash by
 * multiply-shift so that any slot count works. */
#include "mxguard/htable.h"

#include <stdlib.h>
#include <string.h>

/* What a slot stores for hash: never 0 (0 marks an empty slot). */
static uint64_t tag_of(uint64_t hash)
{
	return hash | 1u;
}

/* The home slot: the hash mixed once more (a multiply by 2^64/phi spreads hashes whose high
 * bits are alike, as FNV-1a's are for keys that differ only a little), its high half scaled
 * to nslots. */
static size_t home_of(size_t nslots, uint64_t hash)
{
	uint64_t mixed = tag_of(hash) * 0x9e3779b97f4a7c15ull; /* the tag: rehashing sees no more */

	return (size_t)(((mixed >> 32) * (uint64_t)nslots) >> 32);
}

static unsigned window_of(const struct mxg_htable *t)
{
	return t->nslots < t->window ? (unsigned)t->nslots : t->window;
}

static void *entry_at(const struct mxg_htable *t, size_t i)
{
	return t->ent + i * t->esize;
}

static size_t next_slot(const struct mxg_htable *t, size_t i)
{
	return i + 1 == t->nslots ? 0 : i + 1;
}

/* One block: the tags, then (16-byte aligned) the entries. */
static size_t tags_size(size_t nslots)
{
	return MXG_HTABLE_MEM(nslots, 0);
}

static void place_arrays(struct mxg_htable *t, void *mem, size_t nslots)
{
	t->tag = mem;
	t->ent = (unsigned char *)mem + tags_size(nslots);
	t->nslots = nslots;
}

static int alloc_arrays(struct mxg_htable *t, size_t nslots)
{
	if (t->esize > (SIZE_MAX - tags_size(nslots)) / nslots)
		return -1;
	void *mem = calloc(1, MXG_HTABLE_MEM(nslots, t->esize));
	if (mem == NULL)
		return -1;
	place_arrays(t, mem, nslots);
	return 0;
}

static int set_params(struct mxg_htable *t, size_t nslots, size_t esize, unsigned window,
		      size_t max_slots, mxg_htable_eq eq)
{
	memset(t, 0, sizeof(*t));
	if (nslots == 0 || nslots > MXG_HTABLE_SLOTS_MAX || esize == 0 || eq == NULL)
		return -1;
	t->esize = esize;
	t->eq = eq;
	t->window = window == 0 ? 1 : window > MXG_HTABLE_WINDOW_MAX ? MXG_HTABLE_WINDOW_MAX : window;
	t->max_slots = max_slots > MXG_HTABLE_SLOTS_MAX ? MXG_HTABLE_SLOTS_MAX : max_slots;
	return 0;
}

int mxg_htable_init(struct mxg_htable *t, size_t nslots, size_t esize, unsigned window,
		    size_t max_slots, mxg_htable_eq eq)
{
	if (set_params(t, nslots, esize, window, max_slots, eq) < 0)
		return -1;
	return alloc_arrays(t, nslots);
}

int mxg_htable_init_mem(struct mxg_htable *t, void *mem, size_t memsize, size_t nslots,
			size_t esize, unsigned window, mxg_htable_eq eq)
{
	if (set_params(t, nslots, esize, window, 0, eq) < 0 || mem == NULL ||
	    ((uintptr_t)mem & 15) != 0 || esize > (SIZE_MAX - tags_size(nslots)) / nslots ||
	    memsize < MXG_HTABLE_MEM(nslots, esize))
		return -1;
	memset(mem, 0, tags_size(nslots)); /* the entries are zeroed as they are added */
	place_arrays(t, mem, nslots);
	t->borrowed = 1;
	return 0;
}

void mxg_htable_fini(struct mxg_htable *t)
{
	if (!t->borrowed)
		free(t->tag);
	memset(t, 0, sizeof(*t));
}

void *mxg_htable_find(const struct mxg_htable *t, uint64_t hash, const void *key)
{
	const uint64_t tag = tag_of(hash);
	size_t i = home_of(t->nslots, hash);

	for (unsigned n = window_of(t); n > 0; n--, i = next_slot(t, i)) {
		if (t->tag[i] == tag && t->eq(entry_at(t, i), key))
			return entry_at(t, i);
		if (t->tag[i] == 0 && !t->holes)
			return NULL;
	}
	return NULL;
}

/* The first empty slot of hash's window, or nslots. */
static size_t free_slot(const struct mxg_htable *t, uint64_t hash)
{
	size_t i = home_of(t->nslots, hash);

	for (unsigned n = window_of(t); n > 0; n--, i = next_slot(t, i))
		if (t->tag[i] == 0)
			return i;
	return t->nslots;
}

/* Moves every entry of old into t (already allocated, empty): 0, or -1 if a window overflows. */
static int rehash_into(struct mxg_htable *t, const struct mxg_htable *old)
{
	for (size_t j = 0; j < old->nslots; j++) {
		if (old->tag[j] == 0)
			continue;
		size_t i = free_slot(t, old->tag[j]);
		if (i == t->nslots)
			return -1;
		t->tag[i] = old->tag[j];
		memcpy(entry_at(t, i), entry_at(old, j), t->esize);
		t->count++;
	}
	return 0;
}

/* Doubles the table (more if a window of the doubled one overflows), up to max_slots:
 * 0, or -1 with the table unchanged. */
static int grow(struct mxg_htable *t)
{
	size_t n = t->nslots;

	while (n < t->max_slots) {
		n = n > t->max_slots / 2 ? t->max_slots : n * 2;
		struct mxg_htable g = *t;
		g.count = 0;
		g.holes = 0;
		if (alloc_arrays(&g, n) < 0)
			return -1;
		if (rehash_into(&g, t) == 0) {
			free(t->tag);
			*t = g;
			return 0;
		}
		free(g.tag);
	}
	return -1;
}

/* The window's entry that older ranks first. */
static size_t victim(const struct mxg_htable *t, uint64_t hash, mxg_htable_older older, void *ctx)
{
	size_t i = home_of(t->nslots, hash), v = i;

	for (unsigned n = window_of(t); n > 1; n--) {
		i = next_slot(t, i);
		if (older(entry_at(t, i), entry_at(t, v), ctx))
			v = i;
	}
	return v;
}

/* A growable table grows only when it is not nearly empty: a window overflowing at a low
 * load means a bad hash, which doubling would not cure. */
static int may_grow(const struct mxg_htable *t)
{
	return t->nslots < t->max_slots && t->count >= t->nslots / 8;
}

void *mxg_htable_add(struct mxg_htable *t, uint64_t hash, mxg_htable_older older, void *ctx,
		     int *evicted)
{
	size_t i = free_slot(t, hash);

	*evicted = 0;
	if (t->nslots < t->max_slots && (t->count + 1) * 2 > t->nslots && grow(t) == 0)
		i = free_slot(t, hash); /* a growable table stays at most half full */
	if (i == t->nslots && may_grow(t) && grow(t) == 0)
		i = free_slot(t, hash);
	if (i < t->nslots) {
		t->tag[i] = tag_of(hash);
		t->count++;
		memset(entry_at(t, i), 0, t->esize);
		return entry_at(t, i);
	}
	if (older == NULL)
		return NULL;
	i = victim(t, hash, older, ctx);
	t->tag[i] = tag_of(hash);
	*evicted = 1;
	return entry_at(t, i);
}

size_t mxg_htable_slot(const struct mxg_htable *t, const void *entry)
{
	return (size_t)((const unsigned char *)entry - t->ent) / t->esize;
}

void mxg_htable_remove(struct mxg_htable *t, void *entry)
{
	size_t i = mxg_htable_slot(t, entry);

	if (t->tag[i] == 0)
		return;
	t->tag[i] = 0;
	t->count--;
	t->holes = 1;
}

void *mxg_htable_next(const struct mxg_htable *t, size_t *pos)
{
	for (size_t i = *pos; i < t->nslots; i++) {
		if (t->tag[i] != 0) {
			*pos = i + 1;
			return entry_at(t, i);
		}
	}
	*pos = t->nslots;
	return NULL;
}

int mxg_htable_home_first(const void *a, const void *b, void *ctx)
{
	(void)a;
	(void)b;
	(void)ctx;
	return 0;
}

int mxg_htable_older_age(const void *a, const void *b, void *ctx)
{
	const struct mxg_htable_age *x = a, *y = b;
	const time_t now = *(const time_t *)ctx;

	if ((x->expires <= now) != (y->expires <= now))
		return x->expires <= now;
	return x->used < y->used;
}

size_t mxg_htable_mem(const struct mxg_htable *t)
{
	return tags_size(t->nslots) + t->nslots * t->esize;
}
