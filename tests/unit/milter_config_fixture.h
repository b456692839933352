/* Unit-test helper for mxguard-milter's configuration: one configuration (cfg), reset to the
 * defaults before each test by setup() and released by teardown(); parse() of a text into it
 * (reason in err); addr() of an address that must parse. Include after cmocka.h. */
#ifndef TEST_MILTER_CONFIG_FIXTURE_H
#define TEST_MILTER_CONFIG_FIXTURE_H

#include <string.h>

#include "../../milter/milter.h"

static struct milter_config cfg;
static char err[512];

static inline int setup(void **state)
{
	(void)state;
	milter_config_defaults(&cfg);
	err[0] = '\0';
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	milter_config_release(&cfg);
	return 0;
}

static inline int parse(const char *text)
{
	return milter_config_parse(&cfg, "milter.conf", text, strlen(text), err, sizeof(err));
}

static inline struct mxg_addr addr(const char *text)
{
	struct mxg_addr a;

	assert_int_equal(mxg_addr_parse(text, &a, 1), 0);
	return a;
}

#endif
