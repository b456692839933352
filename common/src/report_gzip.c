/* gzip (RFC 1952) of a report in memory through zlib, the file name and time in its header,
 * as RFC 7489 §7.2.1.1 asks receivers to send reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mxguard/report_out.h"
#include "mxguard/str.h"

int mxg_report_gzip(const void *in, size_t len, const char *name, int64_t mtime, uint8_t **out,
		    size_t *outlen, char *err, size_t errlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	*out = NULL;
	if (len > MXG_REPORT_XML_MAX ||
	    deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return mxg_fail(err, errlen, "gzip: cannot start (too large or out of memory)");
	gz_header h;
	memset(&h, 0, sizeof(h));
	h.name = (Bytef *)(uintptr_t)name;
	h.time = (uLong)mtime;
	h.os = 3; /* Unix */
	size_t cap = deflateBound(&zs, (uLong)len) + strlen(name) + 64;
	uint8_t *buf = malloc(cap);
	if (buf == NULL || deflateSetHeader(&zs, &h) != Z_OK) {
		free(buf);
		deflateEnd(&zs);
		return mxg_fail(err, errlen, "gzip: out of memory");
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	size_t n = cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(buf);
		return mxg_fail(err, errlen, "gzip: deflate failed (%d)", rc);
	}
	*out = buf;
	*outlen = n;
	return 0;
}
