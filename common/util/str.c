/* Bounded string helpers (see str.h): every copy terminates and reports truncation,
 * and comparisons ignore the locale so DNS and mail names compare the same everywhere. */
#include "mxguard/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t mxg_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size == 0)
		return len;
	size_t n = len < size - 1 ? len : size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return len;
}

size_t mxg_strlcat(char *dst, const char *src, size_t size)
{
	size_t have = strnlen(dst, size);

	if (have == size)
		return size + strlen(src);
	return have + mxg_strlcpy(dst + have, src, size - have);
}

int mxg_strcatf(char *dst, size_t size, const char *fmt, ...)
{
	size_t have = strnlen(dst, size);
	va_list ap;

	if (have >= size)
		return -1;
	va_start(ap, fmt);
	int n = vsnprintf(dst + have, size - have, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - have)
		return -1;
	return 0;
}

int mxg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int mxg_strncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ca = ascii_lower((unsigned char)a[i]);
		int cb = ascii_lower((unsigned char)b[i]);
		if (ca != cb)
			return 0;
		if (ca == '\0')
			return 1;
	}
	return 1;
}

int mxg_strcaseeq(const char *a, const char *b)
{
	return mxg_strncaseeq(a, b, (size_t)-1);
}

void mxg_str_lower(char *s)
{
	for (; *s; s++)
		*s = (char)ascii_lower((unsigned char)*s);
}

char *mxg_str_trim(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	size_t lead = strspn(s, " \t");
	if (lead > 0)
		memmove(s, s + lead, len - lead + 1);
	return s;
}

char *mxg_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int mxg_base64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}
