/* Unit tests of the util layer's small pieces: the bounded string buffer (sticky overflow over
 * caller memory, growth up to a limit on the heap), FNV-1a (published test values, case folding
 * of names) and the monotonic clock's deadlines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mxguard/clock.h"
#include "mxguard/hash.h"
#include "mxguard/sbuf.h"

static void test_sbuf_fixed(void **state)
{
	char mem[8];
	struct mxg_sbuf b;

	(void)state;
	mxg_sbuf_fixed(&b, mem, sizeof(mem));
	assert_string_equal(mem, "");
	mxg_sbuf_adds(&b, "abc");
	mxg_sbuf_addc(&b, '-');
	mxg_sbuf_addf(&b, "%d", 12);
	assert_string_equal(mem, "abc-12");
	assert_int_equal(b.overflow, 0);
	/* 7 bytes of text fit in 8; the 8th does not, and nothing after it is added. */
	mxg_sbuf_adds(&b, "xy");
	assert_int_equal(b.overflow, 1);
	assert_string_equal(mem, "abc-12");
	mxg_sbuf_addc(&b, 'z');
	assert_string_equal(mem, "abc-12");
	mxg_sbuf_fixed(&b, mem, 0);
	assert_int_equal(b.overflow, 1);
	assert_null(mxg_sbuf_take(&b));
}

static void test_sbuf_heap(void **state)
{
	struct mxg_sbuf b;
	char *s;

	(void)state;
	mxg_sbuf_heap(&b, 4096);
	for (int i = 0; i < 1000; i++)
		mxg_sbuf_adds(&b, "abcd");
	assert_int_equal(b.overflow, 0);
	assert_int_equal(b.len, 4000);
	s = mxg_sbuf_take(&b);
	assert_non_null(s);
	assert_int_equal(strlen(s), 4000);
	free(s);
	/* Past the limit: overflow, and take gives nothing (the memory is freed). */
	mxg_sbuf_heap(&b, 16);
	mxg_sbuf_adds(&b, "0123456789abcde");
	assert_int_equal(b.overflow, 0);
	mxg_sbuf_addc(&b, 'f');
	assert_int_equal(b.overflow, 1);
	assert_null(mxg_sbuf_take(&b));
	/* Nothing added: an empty string. */
	mxg_sbuf_heap(&b, 16);
	s = mxg_sbuf_take(&b);
	assert_string_equal(s, "");
	free(s);
	mxg_sbuf_heap(&b, 16);
	mxg_sbuf_adds(&b, "x");
	mxg_sbuf_free(&b);
	assert_null(b.p);
}

static void test_hash(void **state)
{
	(void)state;
	/* FNV-1a 64 test values from the reference tables. */
	assert_true(mxg_hash_str("") == 0xcbf29ce484222325ULL);
	assert_true(mxg_hash_str("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(mxg_hash_bytes("foobar", 6) == 0x85944171f73967e8ULL);
	assert_true(mxg_hash_more(mxg_hash_str("foo"), "bar", 3) == mxg_hash_str("foobar"));
	assert_true(mxg_hash_name("Example.COM") == mxg_hash_str("example.com"));
	assert_true(mxg_hash_name("example.com") != mxg_hash_name("example.net"));
}

static void test_clock(void **state)
{
	struct timespec t;
	uint64_t a = mxg_clock_ms(), b;

	(void)state;
	b = mxg_clock_ms();
	assert_true(b >= a);
	assert_true(mxg_clock_us() / 1000 >= a);
	mxg_clock_deadline(&t, 60000);
	assert_true(t.tv_nsec >= 0 && t.tv_nsec < 1000000000L);
	long long left = mxg_clock_ms_until(&t);
	assert_true(left > 59000 && left <= 60000);
	mxg_clock_deadline(&t, 0);
	assert_true(mxg_clock_ms_until(&t) <= 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbuf_fixed),
		cmocka_unit_test(test_sbuf_heap),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
