/* FNV-1a (64 bits) for the in-memory tables: fast, no allocation, good spread on names.
 * Not for anything an attacker could use to choose collisions in a table that does not
 * bound its chains (every table in mxguard has a fixed size or bounded chains). */
#ifndef MXGUARD_HASH_H
#define MXGUARD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MXG_HASH_INIT 14695981039346656037ULL /* the FNV-1a 64 offset basis */

/* Continues hash h over n bytes; start with MXG_HASH_INIT. */
uint64_t mxg_hash_more(uint64_t h, const void *p, size_t n);
/* The hash of n bytes, of a NUL-terminated string, and of a name with ASCII letters folded
 * to lower case (DNS names: "Example.COM" and "example.com" hash alike). */
uint64_t mxg_hash_bytes(const void *p, size_t n);
uint64_t mxg_hash_str(const char *s);
uint64_t mxg_hash_name(const char *s);

#endif
