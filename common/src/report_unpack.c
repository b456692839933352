/* Bounded decompression of received reports: gzip through zlib, zip through libzip. Output is
 * capped at MXG_REPORT_XML_MAX and, past MXG_REPORT_RATIO_FLOOR, at MXG_REPORT_RATIO_MAX times
 * the compressed size, checked as the data comes out, so a bomb stops early. */
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zip.h>
#include <zlib.h>

#include "mxguard/str.h"

#define CHUNK 65536

/* The growing output of one decompression. */
struct sink {
	uint8_t *buf;
	size_t len, cap;
	size_t packed;       /* compressed bytes the output comes from */
	const char *what;    /* "gzip" or "zip" for messages */
};

/* Room for CHUNK more bytes, or -1 (with the reason) when the bounds would be passed. */
static int sink_check(struct sink *s, char *err, size_t errlen)
{
	if (s->len > MXG_REPORT_XML_MAX)
		return mxg_fail(err, errlen, "%s: output over %u bytes (a decompression bomb?)", s->what,
				MXG_REPORT_XML_MAX);
	size_t packed = s->packed > 0 ? s->packed : 1;
	if (s->len > MXG_REPORT_RATIO_FLOOR && s->len / packed > MXG_REPORT_RATIO_MAX)
		return mxg_fail(err, errlen, "%s: %zu bytes grew over %u times (a decompression bomb?)",
				s->what, s->packed, MXG_REPORT_RATIO_MAX);
	if (s->cap - s->len >= CHUNK)
		return 0;
	size_t cap = s->cap + 4 * CHUNK;
	uint8_t *grown = realloc(s->buf, cap + 1);
	if (grown == NULL)
		return mxg_fail(err, errlen, "%s: no memory", s->what);
	s->buf = grown;
	s->cap = cap;
	return 0;
}

/* Room to write now: never past one byte over the cap, so the cap is exact. */
static size_t sink_room(const struct sink *s)
{
	size_t room = s->cap - s->len, left = MXG_REPORT_XML_MAX + 1 - s->len;
	return room < left ? room : left;
}

static int sink_done(struct sink *s, uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	if (sink_check(s, err, errlen) != 0) {
		free(s->buf);
		return -1;
	}
	if (s->len == 0) {
		snprintf(err, errlen, "%s: the report is empty", s->what);
		free(s->buf);
		return -1;
	}
	s->buf[s->len] = '\0';
	*out = s->buf;
	*outlen = s->len;
	return 0;
}

static int sink_fail(struct sink *s)
{
	free(s->buf);
	s->buf = NULL;
	return -1;
}

/* --- gzip --- */

static int inflate_all(z_stream *z, struct sink *s, char *err, size_t errlen)
{
	for (;;) {
		if (sink_check(s, err, errlen) != 0)
			return -1;
		z->next_out = s->buf + s->len;
		size_t room = sink_room(s);
		z->avail_out = (uInt)room;
		int rc = inflate(z, Z_NO_FLUSH);
		s->len += room - z->avail_out;
		if (rc == Z_STREAM_END)
			return 0;
		/* No progress with room to write: the input ended early. */
		if (rc == Z_BUF_ERROR)
			return mxg_fail(err, errlen, "gzip: truncated data");
		if (rc != Z_OK)
			return mxg_fail(err, errlen, "gzip: corrupt data (%s)", z->msg ? z->msg : "inflate failed");
	}
}

int mxg_report_gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
		      size_t errlen)
{
	struct sink s = { .packed = len, .what = "gzip" };
	if (len > MXG_REPORT_INPUT_MAX || len > UINT32_MAX)
		return mxg_fail(err, errlen, "gzip: input over %u bytes", MXG_REPORT_INPUT_MAX);
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return mxg_fail(err, errlen, "gzip: cannot start zlib");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	int rc = inflate_all(&z, &s, err, errlen);
	size_t rest = z.avail_in;
	inflateEnd(&z);
	if (rc != 0)
		return sink_fail(&s);
	if (rest > 0) {
		snprintf(err, errlen, "gzip: %zu bytes of trailing data after the member", rest);
		return sink_fail(&s);
	}
	return sink_done(&s, out, outlen, err, errlen);
}

/* --- zip --- */

static int name_is_xml(const char *name)
{
	size_t n = strlen(name);
	return n >= 4 && mxg_strcaseeq(name + n - 4, ".xml");
}

/* The entry to read: the first named *.xml, else entry 0 of a one-entry archive; -1 if none. */
static zip_int64_t pick_entry(zip_t *za, char *err, size_t errlen)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	if (n <= 0)
		return mxg_fail(err, errlen, "zip: the archive is empty");
	for (zip_int64_t i = 0; i < n && i < MXG_REPORT_ZIP_ENTRIES_MAX; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		if (name != NULL && name_is_xml(name))
			return i;
	}
	if (n == 1)
		return 0;
	return mxg_fail(err, errlen, "zip: no .xml entry among the first %d of %lld",
			MXG_REPORT_ZIP_ENTRIES_MAX, (long long)n);
}

static int read_entry(zip_t *za, zip_int64_t i, struct sink *s, char *err, size_t errlen)
{
	zip_stat_t st;
	if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) != 0)
		return mxg_fail(err, errlen, "zip: cannot read entry %lld: %s", (long long)i,
				zip_strerror(za));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return mxg_fail(err, errlen, "zip: the entry is encrypted");
	if ((st.valid & ZIP_STAT_SIZE) && st.size > MXG_REPORT_XML_MAX)
		return mxg_fail(err, errlen, "zip: entry of %llu bytes is over %u (a decompression bomb?)",
				(unsigned long long)st.size, MXG_REPORT_XML_MAX);
	s->packed = (st.valid & ZIP_STAT_COMP_SIZE) ? (size_t)st.comp_size : 0;
	zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
	if (f == NULL)
		return mxg_fail(err, errlen, "zip: cannot open the entry: %s", zip_strerror(za));
	for (;;) {
		if (sink_check(s, err, errlen) != 0)
			break;
		zip_int64_t got = zip_fread(f, s->buf + s->len, sink_room(s));
		if (got < 0) {
			snprintf(err, errlen, "zip: corrupt entry: %s", zip_file_strerror(f));
			break;
		}
		if (got == 0) {
			zip_fclose(f);
			return 0;
		}
		s->len += (size_t)got;
	}
	zip_fclose(f);
	return -1;
}

int mxg_report_unzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
		     size_t errlen)
{
	struct sink s = { .what = "zip" };
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(in, len, 0, &ze);
	zip_t *za = src != NULL ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
	if (za == NULL) {
		snprintf(err, errlen, "zip: not a readable archive: %s", zip_error_strerror(&ze));
		zip_error_fini(&ze);
		if (src != NULL)
			zip_source_free(src);
		return -1;
	}
	zip_error_fini(&ze);
	zip_int64_t i = pick_entry(za, err, errlen);
	int rc = i < 0 ? -1 : read_entry(za, i, &s, err, errlen);
	zip_discard(za);
	if (rc != 0)
		return sink_fail(&s);
	return sink_done(&s, out, outlen, err, errlen);
}
