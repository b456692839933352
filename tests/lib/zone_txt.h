/* Test helper (fuzz harnesses): a TXT record of one string added to an in-memory zone. */
#ifndef TEST_ZONE_TXT_H
#define TEST_ZONE_TXT_H

#include <stdint.h>
#include <string.h>

#include "mxguard/dns.h"

/* Adds "owner 300 IN TXT text" to the zone r; text is at most 255 bytes. */
static inline void zone_txt(struct mxg_resolver *r, const char *owner, const char *text)
{
	uint8_t rd[256];
	size_t len = strlen(text);

	if (len > 255)
		len = 255;
	rd[0] = (uint8_t)len;
	memcpy(rd + 1, text, len);
	mxg_zone_add_rr(r, owner, MXG_DNS_TXT, 300, rd, len + 1);
}

#endif
