/* Internal to libmxguard: asking a zone's own name servers directly (dns_auth.c). Shared by the
 * published-TTL lookup and the authoritative consistency check (authns_gather.c). */
#ifndef MXG_DNS_AUTH_INTERNAL_H
#define MXG_DNS_AUTH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "mxguard/addr.h"
#include "mxguard/dns.h"

/* Fills ns[0..max-1] with the name servers (the first max in name order) of the zone holding
 * name (normalised), found through r by asking for NS at name, then at each parent in turn;
 * apex (MXG_DNS_NAME_MAX bytes) gets the name that had them. Returns how many, 0 with why
 * filled, -1 on a local error. */
int mxg_auth_zone_servers(struct mxg_resolver *r, const char *name, char *apex,
			  char (*ns)[MXG_DNS_NAME_MAX], int max, char *why, size_t whylen);

/* Appends host's addresses (A, then AAAA, through r) to addrs while *n < max. 0, or -1 on a
 * local error (reason in err). */
int mxg_auth_server_addrs(struct mxg_resolver *r, const char *host, struct mxg_addr *addrs,
			  size_t *n, size_t max, char *err, size_t errlen);

/* Sends (name, type) to addr on port 53 with RD clear, waiting at most timeout_ms (TCP when
 * the UDP answer is truncated). The response, which the caller frees with ldns_pkt_free(), or
 * NULL with the reason in why. */
ldns_pkt *mxg_auth_query(const struct mxg_addr *addr, const char *name, uint16_t type,
			 unsigned timeout_ms, char *why, size_t whylen);

#endif
