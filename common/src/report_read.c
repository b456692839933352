/* Reading one received aggregate report: what the data is (XML, gzip, zip or a mail message) is
 * told by its content, unpacked through the bounded unpackers, then parsed (report_parse.c). */
#include "report_internal.h"
#include "mxguard/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { KIND_XML, KIND_GZIP, KIND_ZIP, KIND_MAIL, KIND_UNKNOWN };

static int looks_like_header(const uint8_t *d, size_t len)
{
	size_t i = 0;
	while (i < len && i < 80 && d[i] > ' ' && d[i] < 127 && d[i] != ':')
		i++;
	return i > 0 && i < len && d[i] == ':';
}

static enum kind sniff(const uint8_t *d, size_t len)
{
	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return KIND_GZIP;
	if (len >= 4 && memcmp(d, "PK\3\4", 4) == 0)
		return KIND_ZIP;
	size_t i = 0;
	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r' || d[i] == '\n'))
		i++;
	if (i < len && d[i] == '<')
		return KIND_XML;
	return looks_like_header(d, len) ? KIND_MAIL : KIND_UNKNOWN;
}

/* Unpacks (when packed) and parses; from_mail: data came out of a message (no second one). */
static int read_kind(const uint8_t *data, size_t len, struct mxg_report *out, char *err,
		     size_t errlen, int from_mail)
{
	uint8_t *inner = NULL;
	size_t inner_len = 0;
	enum kind k = sniff(data, len);
	int rc;
	switch (k) {
	case KIND_XML:
		return mxg_report_parse_xml(data, len, out, err, errlen);
	case KIND_GZIP:
		rc = mxg_report_gunzip(data, len, &inner, &inner_len, err, errlen);
		break;
	case KIND_ZIP:
		rc = mxg_report_unzip(data, len, &inner, &inner_len, err, errlen);
		break;
	case KIND_MAIL:
		if (from_mail)
			return mxg_fail(err, errlen, "mail: the attachment is neither XML, gzip nor zip");
		rc = mxg_report_mime_find(data, len, &inner, &inner_len, err, errlen);
		break;
	default:
		return mxg_fail(err, errlen, "%s neither XML, gzip, zip nor a mail message",
				from_mail ? "mail: the attachment is" : "the input is");
	}
	if (rc != 0)
		return -1;
	if (k == KIND_MAIL)
		rc = read_kind(inner, inner_len, out, err, errlen, 1);
	else if (sniff(inner, inner_len) != KIND_XML)
		rc = -1, snprintf(err, errlen, "%s: the unpacked data is not XML",
				  k == KIND_GZIP ? "gzip" : "zip");
	else
		rc = mxg_report_parse_xml(inner, inner_len, out, err, errlen);
	free(inner);
	if (rc == 0 && k != KIND_MAIL)
		out->source = k == KIND_GZIP ? MXG_REPORT_FROM_GZIP : MXG_REPORT_FROM_ZIP;
	if (rc == 0 && k == KIND_MAIL)
		out->source = MXG_REPORT_FROM_MAIL;
	return rc;
}

int mxg_report_read(const uint8_t *data, size_t len, struct mxg_report *out, char *err,
		    size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (len > MXG_REPORT_INPUT_MAX)
		return mxg_fail(err, errlen, "input of %zu bytes is over the limit of %u", len,
				MXG_REPORT_INPUT_MAX);
	if (len == 0)
		return mxg_fail(err, errlen, "the input is empty");
	return read_kind(data, len, out, err, errlen, 0);
}

int mxg_report_load_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	int is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (f == NULL)
		return mxg_fail(err, errlen, "cannot open: %s", strerror(errno));
	uint8_t *buf = malloc(MXG_REPORT_INPUT_MAX + 1);
	size_t n = buf != NULL ? fread(buf, 1, MXG_REPORT_INPUT_MAX + 1, f) : 0;
	int bad = buf == NULL || ferror(f);
	if (!is_stdin)
		fclose(f);
	if (bad || n > MXG_REPORT_INPUT_MAX) {
		if (buf == NULL)
			snprintf(err, errlen, "no memory");
		else if (n > MXG_REPORT_INPUT_MAX)
			snprintf(err, errlen, "over the limit of %u bytes", MXG_REPORT_INPUT_MAX);
		else
			snprintf(err, errlen, "read error");
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}
