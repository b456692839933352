/* Unit-test helpers over the in-memory zone: add one master-file line, and publish a DKIM
 * signing key's record as one TXT of 255-byte strings. Fail the test on error. Include after
 * cmocka.h. */
#ifndef TEST_ZONE_PUBLISH_H
#define TEST_ZONE_PUBLISH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/dkim_sign.h"
#include "mxguard/dns.h"

static inline void zone_line(struct mxg_resolver *r, const char *line)
{
	char err[256];

	if (mxg_zone_add_text(r, line, err, sizeof(err)) < 0)
		fail_msg("zone line '%s': %s", line, err);
}

static inline void zone_publish_key(struct mxg_resolver *r, const char *owner,
				    const struct mxg_dkim_signing_key *k)
{
	char line[4096];
	char *rec = mxg_dkim_key_record(k);

	assert_non_null(rec);
	snprintf(line, sizeof(line), "%s. 300 IN TXT", owner);
	for (size_t off = 0, len = strlen(rec); off < len; off += 255)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " \"%.255s\"", rec + off);
	free(rec);
	zone_line(r, line);
}

#endif
