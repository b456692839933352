/* The report store's small text forms: durations ("31d") and the stored form of a message's
 * DKIM results ("result:domain:selector ..."). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/report_store.h"
#include "mxguard/str.h"

#define DURATION_MAX (10LL * 366 * 86400)

int mxg_store_parse_duration(const char *text, int64_t *out)
{
	if (text == NULL || !isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || v <= 0 || v > DURATION_MAX)
		return -1;
	long long unit = 1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	if (v > DURATION_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

/* A stored field may hold neither the separators nor blanks. */
static int plain(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ':' || isspace((unsigned char)*s) || !isprint((unsigned char)*s))
			return 0;
	}
	return 1;
}

int mxg_store_dkim_format(const struct mxg_store_dkim *d, size_t n, char *out, size_t size)
{
	if (size == 0)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < n && i < MXG_STORE_DKIM_MAX; i++) {
		const char *dom = plain(d[i].domain) ? d[i].domain : "invalid";
		const char *sel = plain(d[i].selector) ? d[i].selector : "invalid";
		if (mxg_strcatf(out, size, "%s%s:%s:%s", i > 0 ? " " : "", d[i].result, dom, sel) < 0)
			return -1;
	}
	return 0;
}

static int parse_one(const char *item, size_t len, struct mxg_store_dkim *d)
{
	const char *c1 = memchr(item, ':', len);
	if (c1 == NULL)
		return -1;
	const char *c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - item));
	if (c2 == NULL)
		return -1;
	size_t rlen = (size_t)(c1 - item), dlen = (size_t)(c2 - c1 - 1);
	size_t slen = len - (size_t)(c2 + 1 - item);
	if (rlen == 0 || rlen >= sizeof(d->result) || dlen >= sizeof(d->domain) ||
	    slen >= sizeof(d->selector))
		return -1;
	memcpy(d->result, item, rlen);
	d->result[rlen] = '\0';
	memcpy(d->domain, c1 + 1, dlen);
	d->domain[dlen] = '\0';
	memcpy(d->selector, c2 + 1, slen);
	d->selector[slen] = '\0';
	return 0;
}

int mxg_store_dkim_parse(const char *text, struct mxg_store_dkim *d, size_t max, size_t *count)
{
	*count = 0;
	const char *p = text;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		size_t len = strcspn(p, " ");
		if (*count >= max || parse_one(p, len, &d[*count]) < 0)
			return -1;
		(*count)++;
		p += len;
	}
	return 0;
}
