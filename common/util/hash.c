/* FNV-1a, 64 bits (see hash.h). */
#include "mxguard/hash.h"

#define FNV_PRIME 1099511628211ULL

uint64_t mxg_hash_more(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

uint64_t mxg_hash_bytes(const void *p, size_t n)
{
	return mxg_hash_more(MXG_HASH_INIT, p, n);
}

uint64_t mxg_hash_str(const char *s)
{
	uint64_t h = MXG_HASH_INIT;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		h = (h ^ *p) * FNV_PRIME;
	return h;
}

uint64_t mxg_hash_name(const char *s)
{
	uint64_t h = MXG_HASH_INIT;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		unsigned char c = (*p >= 'A' && *p <= 'Z') ? (unsigned char)(*p + 32) : *p;
		h = (h ^ c) * FNV_PRIME;
	}
	return h;
}
