/* Verdicts of flagged MX answers, keyed by query name, so that answers Unbound serves from its
 * message cache (without running modules) carry the same EDE. Bounded, TTL-expiring, locked. */
#ifndef MODULE_VERDICT_CACHE_H
#define MODULE_VERDICT_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Longest EXTRA-TEXT kept and sent (bytes, without the NUL). */
#define MODULE_VERDICT_TEXT_MAX 300

struct module_verdict_cache;

enum { MODULE_VERDICT_NOTED = 1, MODULE_VERDICT_FLAGGED = 2 };

/* A cache of slots entries (rounded up to a power of two); NULL on ENOMEM. */
struct module_verdict_cache *module_verdict_cache_new(size_t slots);
void module_verdict_cache_free(struct module_verdict_cache *c);

/* Stores text for qname (wire form) until now + ttl, with whether the answer was flagged
 * (a finding of warning or worse acted on) or only noted (info findings); an empty text or a
 * zero ttl removes it. When the probe window is full, the entry closest to expiry gives way. */
void module_verdict_cache_put(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			      const char *text, time_t now, uint32_t ttl, int flagged);

/* Copies the live verdict for qname into text; returns MODULE_VERDICT_FLAGGED or
 * MODULE_VERDICT_NOTED if there is one, 0 if not. */
int module_verdict_cache_get(struct module_verdict_cache *c, const uint8_t *qname, size_t len,
			     time_t now, char *text, size_t textlen);

/* Bytes held. */
size_t module_verdict_cache_mem(const struct module_verdict_cache *c);

#endif
