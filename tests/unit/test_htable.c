/* Unit tests of the one hash table (mxguard/htable.h): insert, lookup, removal and holes, a
 * full window, eviction by the caller's ranking, collisions under a deliberately bad hash,
 * growth (and its refusal on a bad hash), odd slot counts, iteration, caller memory, the
 * cache ranking (expired, then least recently used), and a multithreaded
 * stress over lock-striped tables as the SPF cache uses them. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/hash.h"
#include "mxguard/htable.h"

struct item {
	uint64_t key;
	uint64_t stamp;
};

static int item_eq(const void *entry, const void *key)
{
	return ((const struct item *)entry)->key == *(const uint64_t *)key;
}

static int item_older(const void *a, const void *b, void *ctx)
{
	(void)ctx;
	return ((const struct item *)a)->stamp < ((const struct item *)b)->stamp;
}

static uint64_t good_hash(uint64_t k)
{
	return mxg_hash_bytes(&k, sizeof(k));
}

static uint64_t bad_hash(uint64_t k)
{
	(void)k;
	return 42;
}

/* Adds key (absent) with stamp; the entry, or NULL. */
static struct item *put(struct mxg_htable *t, uint64_t h, uint64_t key, uint64_t stamp,
			mxg_htable_older older, int *evicted)
{
	struct item *e = mxg_htable_add(t, h, older, NULL, evicted);
	if (e != NULL) {
		e->key = key;
		e->stamp = stamp;
	}
	return e;
}

static struct item *get(const struct mxg_htable *t, uint64_t h, uint64_t key)
{
	return mxg_htable_find(t, h, &key);
}

static void test_insert_find_remove(void **state)
{
	struct mxg_htable t;
	int ev;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 4096, sizeof(struct item), 8, 0, item_eq), 0);
	for (uint64_t k = 1; k <= 1000; k++)
		assert_non_null(put(&t, good_hash(k), k, k, NULL, &ev));
	assert_int_equal(t.count, 1000);
	for (uint64_t k = 1; k <= 1000; k++) {
		struct item *e = get(&t, good_hash(k), k);
		assert_non_null(e);
		assert_int_equal(e->key, k);
	}
	assert_null(get(&t, good_hash(1001), 1001));
	/* Remove the even keys: the odd ones stay reachable across the holes. */
	for (uint64_t k = 2; k <= 1000; k += 2)
		mxg_htable_remove(&t, get(&t, good_hash(k), k));
	assert_int_equal(t.count, 500);
	for (uint64_t k = 1; k <= 1000; k++)
		assert_true((get(&t, good_hash(k), k) != NULL) == (k % 2 == 1));
	mxg_htable_fini(&t);
	mxg_htable_fini(&t); /* twice is harmless */
}

static void test_bad_args(void **state)
{
	struct mxg_htable t;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 0, 8, 8, 0, item_eq), -1);
	assert_int_equal(mxg_htable_init(&t, 8, 0, 8, 0, item_eq), -1);
	assert_int_equal(mxg_htable_init(&t, 8, 8, 8, 0, NULL), -1);
	assert_int_equal(mxg_htable_init(&t, MXG_HTABLE_SLOTS_MAX + 1, 8, 8, 0, item_eq), -1);
	mxg_htable_fini(&t);
}

/* A bad hash puts every key in one window: window keys fit, the next finds no room. */
static void test_collisions_full(void **state)
{
	struct mxg_htable t;
	int ev;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 64, sizeof(struct item), 8, 0, item_eq), 0);
	for (uint64_t k = 0; k < 8; k++)
		assert_non_null(put(&t, bad_hash(k), k, k, NULL, &ev));
	for (uint64_t k = 0; k < 8; k++)
		assert_int_equal(get(&t, bad_hash(k), k)->key, k);
	assert_null(get(&t, bad_hash(8), 8));
	assert_null(put(&t, bad_hash(8), 8, 8, NULL, &ev));
	assert_int_equal(t.count, 8);
	/* A removal makes room again, and the others are still found past the hole. */
	mxg_htable_remove(&t, get(&t, bad_hash(3), 3));
	assert_non_null(put(&t, bad_hash(8), 8, 8, NULL, &ev));
	assert_int_equal(ev, 0);
	for (uint64_t k = 0; k <= 8; k++)
		assert_true((get(&t, bad_hash(k), k) != NULL) == (k != 3));
	mxg_htable_fini(&t);
}

/* A full window gives way by the caller's ranking: the oldest stamp is replaced, the slot
 * still holding it when returned. */
static void test_eviction(void **state)
{
	struct mxg_htable t;
	int ev;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 64, sizeof(struct item), 4, 0, item_eq), 0);
	for (uint64_t k = 0; k < 4; k++)
		put(&t, bad_hash(k), k, 10 + k, item_older, &ev);
	get(&t, bad_hash(0), 0)->stamp = 20; /* 0 used again: 1 is now the oldest */
	struct item *e = mxg_htable_add(&t, bad_hash(9), item_older, NULL, &ev);
	assert_non_null(e);
	assert_int_equal(ev, 1);
	assert_int_equal(e->key, 1); /* the victim, for the caller to release */
	e->key = 9;
	e->stamp = 21;
	assert_int_equal(t.count, 4);
	assert_null(get(&t, bad_hash(1), 1));
	assert_non_null(get(&t, bad_hash(0), 0));
	assert_non_null(get(&t, bad_hash(9), 9));
	mxg_htable_fini(&t);
}

/* A table no larger than its window is one window: exact LRU over every entry. */
static void test_small_table_is_lru(void **state)
{
	struct mxg_htable t;
	int ev;
	uint64_t clock = 0;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 3, sizeof(struct item), 8, 0, item_eq), 0);
	for (uint64_t k = 0; k < 3; k++)
		put(&t, good_hash(k), k, ++clock, item_older, &ev);
	get(&t, good_hash(0), 0)->stamp = ++clock;
	for (uint64_t k = 3; k < 100; k++) {
		/* The least recently used of the three goes each time: k - 2 survives, k - 3 not. */
		struct item *e = mxg_htable_add(&t, good_hash(k), item_older, NULL, &ev);
		assert_int_equal(ev, 1);
		e->key = k;
		e->stamp = ++clock;
		if (k > 3)
			get(&t, good_hash(k - 1), k - 1)->stamp = ++clock;
		assert_int_equal(t.count, 3);
		assert_non_null(get(&t, good_hash(k), k));
	}
	assert_non_null(get(&t, good_hash(98), 98));
	assert_null(get(&t, good_hash(50), 50));
	mxg_htable_fini(&t);
}

/* A growable table doubles when a window fills, keeps every entry, and stops at its maximum. */
static void test_growth(void **state)
{
	struct mxg_htable t;
	int ev;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 8, sizeof(struct item), 8, 1u << 16, item_eq), 0);
	for (uint64_t k = 0; k < 20000; k++)
		assert_non_null(put(&t, good_hash(k), k, k, NULL, &ev));
	assert_true(t.nslots >= 40000); /* at most half full */
	assert_true(t.nslots <= 1u << 16);
	for (uint64_t k = 0; k < 20000; k++)
		assert_int_equal(get(&t, good_hash(k), k)->stamp, k);
	assert_true(mxg_htable_mem(&t) >= t.nslots * (8 + sizeof(struct item)));
	assert_true(mxg_htable_mem(&t) < t.nslots * (8 + sizeof(struct item)) + 16);
	mxg_htable_fini(&t);

	/* Capped at 64 slots: once every window is full, no more room. */
	assert_int_equal(mxg_htable_init(&t, 8, sizeof(struct item), 4, 64, item_eq), 0);
	uint64_t k = 0;
	while (k < 1000 && put(&t, good_hash(k), k, k, NULL, &ev) != NULL)
		k++;
	assert_true(k < 1000);
	assert_int_equal(t.nslots, 64);
	mxg_htable_fini(&t);
}

/* A bad hash does not make a growable table grow without end: it stops once the overflow
 * happens at a low load. */
static void test_bad_hash_no_growth(void **state)
{
	struct mxg_htable t;
	int ev;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 64, sizeof(struct item), 8, 1u << 20, item_eq), 0);
	unsigned added = 0;
	for (uint64_t k = 0; k < 1000; k++)
		added += put(&t, bad_hash(k), k, k, NULL, &ev) != NULL;
	assert_int_equal(added, 8);
	assert_true(t.nslots <= 128);
	mxg_htable_fini(&t);
}

static void test_iterate(void **state)
{
	struct mxg_htable t;
	int ev;
	uint64_t sum = 0;
	size_t pos = 0, seen = 0;
	struct item *e;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 100, sizeof(struct item), 8, 0, item_eq), 0);
	for (uint64_t k = 1; k <= 50; k++)
		put(&t, good_hash(k), k, k, NULL, &ev);
	while ((e = mxg_htable_next(&t, &pos)) != NULL) {
		sum += e->key;
		seen++;
		assert_int_equal(mxg_htable_slot(&t, e), pos - 1);
		mxg_htable_remove(&t, e);
	}
	assert_int_equal(seen, 50);
	assert_int_equal(sum, 50 * 51 / 2);
	assert_int_equal(t.count, 0);
	pos = 0;
	assert_null(mxg_htable_next(&t, &pos));
	mxg_htable_fini(&t);
}

/* A table over the caller's memory: no allocation, bad sizes refused, fini leaves it alone. */
static void test_caller_memory(void **state)
{
	static _Alignas(16) unsigned char mem[MXG_HTABLE_MEM(16, sizeof(struct item))];
	struct mxg_htable t;
	int ev;

	(void)state;
	memset(mem, 0xa5, sizeof(mem)); /* not zeroed: init clears the tags */
	assert_int_equal(mxg_htable_init_mem(&t, mem, sizeof(mem) - 1, 16, sizeof(struct item), 4,
					     item_eq), -1);
	assert_int_equal(mxg_htable_init_mem(&t, mem + 8, sizeof(mem) - 8, 8, sizeof(struct item), 4,
					     item_eq), -1); /* misaligned */
	assert_int_equal(mxg_htable_init_mem(&t, mem, sizeof(mem), 16, sizeof(struct item), 4,
					     item_eq), 0);
	assert_null(get(&t, good_hash(1), 1));
	for (uint64_t k = 1; k <= 8; k++)
		assert_non_null(put(&t, good_hash(k), k, k, item_older, &ev));
	for (uint64_t k = 1; k <= 8; k++)
		assert_non_null(get(&t, good_hash(k), k));
	assert_true((unsigned char *)get(&t, good_hash(1), 1) >= mem);
	assert_true((unsigned char *)get(&t, good_hash(1), 1) < mem + sizeof(mem));
	mxg_htable_fini(&t); /* does not free static memory (ASan would say) */
}

struct aged {
	struct mxg_htable_age age;
	uint64_t key;
};

static int aged_eq(const void *entry, const void *key)
{
	return ((const struct aged *)entry)->key == *(const uint64_t *)key;
}

/* The cache ranking: an expired entry goes first, whatever its use; else the least used. */
static void test_older_age(void **state)
{
	struct mxg_htable t;
	int ev;
	time_t now = 1000;

	(void)state;
	assert_int_equal(mxg_htable_init(&t, 4, sizeof(struct aged), 4, 0, aged_eq), 0);
	const time_t expires[4] = { 2000, 999, 2000, 2000 };
	const unsigned long used[4] = { 1, 9, 5, 3 };
	for (uint64_t k = 0; k < 4; k++) {
		struct aged *e = mxg_htable_add(&t, good_hash(k), mxg_htable_older_age, &now, &ev);
		e->key = k;
		e->age.expires = expires[k];
		e->age.used = used[k];
	}
	struct aged *e = mxg_htable_add(&t, good_hash(4), mxg_htable_older_age, &now, &ev);
	assert_int_equal(ev, 1);
	assert_int_equal(e->key, 1); /* expired, though the most recently used */
	e->key = 4;
	e->age.expires = 2000;
	e->age.used = 10;
	e = mxg_htable_add(&t, good_hash(5), mxg_htable_older_age, &now, &ev);
	assert_int_equal(e->key, 0); /* all live: the least recently used */
	mxg_htable_fini(&t);
}

/* --- many threads over lock-striped tables (each table guarded by its stripe's mutex) --- */

#define STRIPES 4
#define THREADS 4
#define ROUNDS 20000
#define KEYS 512

struct striped {
	pthread_mutex_t lock[STRIPES];
	struct mxg_htable t[STRIPES];
	unsigned long bad;
};

static void *stress(void *arg)
{
	struct striped *s = arg;
	uint64_t r = (uint64_t)(uintptr_t)&r;

	for (unsigned i = 0; i < ROUNDS; i++) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t k = (r >> 33) % KEYS, h = good_hash(k);
		unsigned st = (unsigned)(h & (STRIPES - 1));
		int ev;
		pthread_mutex_lock(&s->lock[st]);
		struct item *e = get(&s->t[st], h, k);
		if (e != NULL && e->key != k)
			s->bad++;
		if (e != NULL && (r & 7) == 0)
			mxg_htable_remove(&s->t[st], e);
		else if (e == NULL)
			put(&s->t[st], h, k, i, item_older, &ev);
		pthread_mutex_unlock(&s->lock[st]);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct striped s;
	pthread_t th[THREADS];

	(void)state;
	memset(&s, 0, sizeof(s));
	for (unsigned i = 0; i < STRIPES; i++) {
		pthread_mutex_init(&s.lock[i], NULL);
		assert_int_equal(mxg_htable_init(&s.t[i], 32, sizeof(struct item), 4, 0, item_eq), 0);
	}
	for (unsigned i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, stress, &s), 0);
	for (unsigned i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(s.bad, 0);
	for (unsigned i = 0; i < STRIPES; i++) {
		size_t pos = 0, n = 0;
		struct item *e;
		while ((e = mxg_htable_next(&s.t[i], &pos)) != NULL) {
			uint64_t h = good_hash(e->key);
			assert_int_equal(h & (STRIPES - 1), i);
			assert_ptr_equal(get(&s.t[i], h, e->key), e);
			n++;
		}
		assert_int_equal(n, s.t[i].count);
		assert_true(n <= 32);
		mxg_htable_fini(&s.t[i]);
		pthread_mutex_destroy(&s.lock[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_remove),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_collisions_full),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_small_table_is_lru),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_bad_hash_no_growth),
		cmocka_unit_test(test_iterate),
		cmocka_unit_test(test_caller_memory),
		cmocka_unit_test(test_older_age),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
