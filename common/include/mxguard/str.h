/* Bounded string helpers: copies and appends that always terminate and report truncation.
 * Everything that builds strings from network or DNS input goes through these. */
#ifndef MXGUARD_STR_H
#define MXGUARD_STR_H

#include <stddef.h>

/* Copies src into dst (size bytes, always NUL-terminated when size > 0).
 * Returns strlen(src); truncation happened if the result >= size. */
size_t mxg_strlcpy(char *dst, const char *src, size_t size);
/* Appends src to dst; returns the length the full result would have. */
size_t mxg_strlcat(char *dst, const char *src, size_t size);
/* Appends printf output to dst at its current length. Returns 0, or -1 on truncation. */
int mxg_strcatf(char *dst, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The error convention of the core: formats the reason into err (nothing when err is NULL or
 * errlen 0) and returns -1, so a failing path reads "return mxg_fail(err, errlen, ...);". */
int mxg_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* ASCII case-insensitive compare of n bytes / whole strings (locale-free). */
int mxg_strncaseeq(const char *a, const char *b, size_t n);
int mxg_strcaseeq(const char *a, const char *b);
/* Lower-cases ASCII in place. */
void mxg_str_lower(char *s);
/* Trims ASCII space and tab from both ends in place; returns s. */
char *mxg_str_trim(char *s);
/* A heap copy of the n bytes at s plus a NUL, or NULL on ENOMEM. */
char *mxg_strndup(const char *s, size_t n);
/* The value (0-63) of a base64 character (RFC 4648 §4 alphabet), -1 for any other. */
int mxg_base64_value(int c);

#endif
