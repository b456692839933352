/* Unit-test helper: an in-memory zone resolver holding the given master-file lines
 * (a NULL-terminated list); fails the test when a line does not load. Include after cmocka.h. */
#ifndef TEST_ZONE_LINES_H
#define TEST_ZONE_LINES_H

#include "mxguard/dns.h"

static inline struct mxg_resolver *zone(const char *const *lines)
{
	struct mxg_resolver *r = mxg_resolver_zone_new();
	char err[200];

	assert_non_null(r);
	for (size_t i = 0; lines[i]; i++)
		assert_int_equal(mxg_zone_add_text(r, lines[i], err, sizeof(err)), 0);
	return r;
}

#endif
