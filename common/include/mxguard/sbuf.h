/* A bounded string buffer: appends that stop at the first one that does not fit and remember
 * it (one overflow flag to check at the end), over caller memory of a fixed size or over heap
 * memory that grows up to a limit. The text is NUL-terminated after every append. */
#ifndef MXGUARD_SBUF_H
#define MXGUARD_SBUF_H

#include <stddef.h>

struct mxg_sbuf {
	char *p;
	size_t len;
	size_t cap;      /* bytes at p, the NUL included */
	size_t limit;    /* growable: most bytes it may take; 0 for caller memory */
	int overflow;    /* an append did not fit (or memory ran out): the text is incomplete */
};

/* Over caller memory mem of size bytes (size 0: every append overflows). */
void mxg_sbuf_fixed(struct mxg_sbuf *b, char *mem, size_t size);
/* Over heap memory that grows as needed up to limit bytes (the NUL included). */
void mxg_sbuf_heap(struct mxg_sbuf *b, size_t limit);

void mxg_sbuf_add(struct mxg_sbuf *b, const void *s, size_t n);
void mxg_sbuf_adds(struct mxg_sbuf *b, const char *s);
void mxg_sbuf_addc(struct mxg_sbuf *b, char c);
void mxg_sbuf_addf(struct mxg_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Heap buffers: hands the text to the caller (NULL after an overflow, and the memory freed),
 * or frees it. */
char *mxg_sbuf_take(struct mxg_sbuf *b);
void mxg_sbuf_free(struct mxg_sbuf *b);

#endif
