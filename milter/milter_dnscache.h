/* An answer cache the milter puts in front of the shared resolver (see milter_dnscache.c). */
#ifndef MXGUARD_MILTER_DNSCACHE_H
#define MXGUARD_MILTER_DNSCACHE_H

#include <stddef.h>

#include "mxguard/dns.h"

/* A resolver answering from up to size cached answers (each for at most its TTL) and asking
 * inner otherwise; it takes ownership of inner. size 0 returns inner itself. Thread-safe.
 * NULL on ENOMEM, and inner is then still the caller's. */
struct mxg_resolver *milter_dnscache_new(struct mxg_resolver *inner, size_t size);

#endif
