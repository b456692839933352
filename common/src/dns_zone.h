/* Private interface between the zone store (dns_zone.c) and the master-file reader
 * (dns_zone_load.c): one call that adds a record and says why it refused one. */
#ifndef MXGUARD_DNS_ZONE_PRIV_H
#define MXGUARD_DNS_ZONE_PRIV_H

#include "mxguard/dns.h"

/* mxg_zone_add_rr with a reason in err on failure. */
int mxg_zone_add_rr_err(struct mxg_resolver *r, const char *owner, uint16_t type, uint32_t ttl,
			const uint8_t *rdata, size_t rdlen, char *err, size_t errlen);

#endif
