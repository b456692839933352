/* The bounded string buffer (see sbuf.h). */
#include "mxguard/sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mxg_sbuf_fixed(struct mxg_sbuf *b, char *mem, size_t size)
{
	*b = (struct mxg_sbuf){ .p = mem, .cap = size, .overflow = size == 0 };
	if (size > 0)
		mem[0] = '\0';
}

void mxg_sbuf_heap(struct mxg_sbuf *b, size_t limit)
{
	*b = (struct mxg_sbuf){ .limit = limit };
}

/* Makes room for need bytes (the NUL included) in a heap buffer; 0 or -1. */
static int grow(struct mxg_sbuf *b, size_t need)
{
	if (b->limit == 0 || need > b->limit)
		return -1;
	size_t cap = b->cap ? b->cap : (b->limit < 256 ? b->limit : 256);
	while (cap < need)
		cap = cap > b->limit / 2 ? b->limit : cap * 2;
	char *p = realloc(b->p, cap);
	if (p == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

void mxg_sbuf_add(struct mxg_sbuf *b, const void *s, size_t n)
{
	if (b->overflow)
		return;
	if (n >= SIZE_MAX - b->len || (b->len + n + 1 > b->cap && grow(b, b->len + n + 1) < 0)) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void mxg_sbuf_adds(struct mxg_sbuf *b, const char *s)
{
	mxg_sbuf_add(b, s, strlen(s));
}

void mxg_sbuf_addc(struct mxg_sbuf *b, char c)
{
	mxg_sbuf_add(b, &c, 1);
}

void mxg_sbuf_addf(struct mxg_sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->overflow = 1;
		return;
	}
	mxg_sbuf_add(b, tmp, (size_t)n);
}

char *mxg_sbuf_take(struct mxg_sbuf *b)
{
	char *p = b->p;

	if (b->limit == 0)
		return NULL;
	if (b->overflow || p == NULL) {
		free(p);
		p = b->overflow ? NULL : calloc(1, 1);
	}
	*b = (struct mxg_sbuf){ .limit = b->limit };
	return p;
}

void mxg_sbuf_free(struct mxg_sbuf *b)
{
	if (b->limit != 0)
		free(b->p);
	*b = (struct mxg_sbuf){ .limit = b->limit };
}
