/* Finding the report in a mail message as receivers send it (RFC 7489 §7.2.1.1): a walk over
 * the MIME tree, bounded in parts and depth, to the first part whose content type or file name
 * says XML, gzip or zip; its base64 or quoted-printable transfer encoding is undone. */
#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

#define FIELD_MAX 1024

struct span {
	const char *p;
	size_t len;
};

struct walk {
	unsigned parts;         /* parts looked at */
	struct span found;      /* the report part's body */
	char encoding[32];      /* its Content-Transfer-Encoding, lower case */
	char err[160];          /* set when the walk was stopped by a bound */
};

/* Splits at the first empty line: the header (without it) and the body after it. */
static void split_part(struct span part, struct span *hdr, struct span *body)
{
	const char *p = part.p, *end = part.p + part.len;
	*hdr = part;
	*body = (struct span){ end, 0 };
	for (const char *line = p; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (n == 0 || (n == 1 && line[0] == '\r')) {
			hdr->len = (size_t)(line - p);
			body->p = nl ? nl + 1 : end;
			body->len = (size_t)(end - body->p);
			return;
		}
		if (nl == NULL)
			return;
		line = nl + 1;
	}
}

/* The unfolded value of the first header field name into out ("" when absent). */
static void header_field(struct span hdr, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name), o = 0;
	const char *end = hdr.p + hdr.len;
	int in = 0;
	out[0] = '\0';
	for (const char *line = hdr.p; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		if (in && (*line == ' ' || *line == '\t')) {
			/* continuation: appended below */
		} else if (in) {
			break;
		} else if ((size_t)(le - line) > nlen && line[nlen] == ':' &&
			   mxg_strncaseeq(line, name, nlen)) {
			in = 1;
			line += nlen + 1;
		} else {
			line = nl ? nl + 1 : end;
			continue;
		}
		for (const char *c = line; c < le && o + 1 < size; c++)
			if (*c != '\r')
				out[o++] = (*c == '\t') ? ' ' : *c;
		out[o] = '\0';
		line = nl ? nl + 1 : end;
	}
	mxg_str_trim(out);
}

/* The media type (lower case, without parameters) of a field value. */
static void media_type(const char *value, char *out, size_t size)
{
	size_t n = strcspn(value, ";");
	if (n >= size)
		n = size - 1;
	memcpy(out, value, n);
	out[n] = '\0';
	mxg_str_trim(out);
	mxg_str_lower(out);
}

/* The value of parameter name (quoted or not) in a field value; "" when absent. */
static void param(const char *value, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	out[0] = '\0';
	for (const char *s = strchr(value, ';'); s != NULL; s = strchr(s + 1, ';')) {
		const char *k = s + 1;
		while (*k == ' ')
			k++;
		if (!mxg_strncaseeq(k, name, nlen))
			continue;
		const char *v = k + nlen;
		while (*v == ' ')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ')
			v++;
		int quoted = *v == '"';
		v += quoted;
		size_t n = quoted ? strcspn(v, "\"") : strcspn(v, "; ");
		if (n >= size)
			n = size - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return;
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && mxg_strcaseeq(s + n - m, suffix);
}

/* Is a part with this type and file name a report? */
static int is_report(const char *type, const char *filename)
{
	static const char *const types[] = {
		"application/gzip", "application/x-gzip", "application/zip",
		"application/x-zip-compressed", "application/x-zip", "text/xml", "application/xml",
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return ends_with(filename, ".xml") || ends_with(filename, ".xml.gz") ||
	       ends_with(filename, ".gz") || ends_with(filename, ".zip");
}

static void walk_part(struct walk *w, struct span part, unsigned depth);

/* The parts of a multipart body between "--boundary" lines, each walked. */
static void walk_multipart(struct walk *w, struct span body, const char *boundary, unsigned depth)
{
	char delim[80];
	if (boundary[0] == '\0' || strlen(boundary) > 70)
		return;
	int dlen = snprintf(delim, sizeof(delim), "--%s", boundary);
	const char *end = body.p + body.len, *start = NULL;
	for (const char *line = body.p; line < end && w->found.p == NULL && w->err[0] == '\0';) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *next = nl ? nl + 1 : end;
		if ((size_t)(end - line) >= (size_t)dlen && memcmp(line, delim, (size_t)dlen) == 0) {
			if (start != NULL) {
				const char *stop = line;  /* the line break before belongs to the delimiter */
				if (stop > start && stop[-1] == '\n')
					stop--;
				if (stop > start && stop[-1] == '\r')
					stop--;
				walk_part(w, (struct span){ start, (size_t)(stop - start) }, depth + 1);
			}
			if ((size_t)(end - line) >= (size_t)dlen + 2 && line[dlen] == '-' &&
			    line[dlen + 1] == '-')
				return;
			start = next;
		}
		line = next;
	}
}

static void walk_part(struct walk *w, struct span part, unsigned depth)
{
	if (++w->parts > MXG_REPORT_MIME_PARTS_MAX) {
		snprintf(w->err, sizeof(w->err), "mail: more than %d MIME parts",
			 MXG_REPORT_MIME_PARTS_MAX);
		return;
	}
	if (depth > MXG_REPORT_MIME_DEPTH_MAX) {
		snprintf(w->err, sizeof(w->err), "mail: MIME parts nested deeper than %d",
			 MXG_REPORT_MIME_DEPTH_MAX);
		return;
	}
	struct span hdr, body;
	split_part(part, &hdr, &body);
	char ct[FIELD_MAX], type[128], value[256], filename[256];
	header_field(hdr, "Content-Type", ct, sizeof(ct));
	media_type(ct[0] ? ct : "text/plain", type, sizeof(type));
	if (strncmp(type, "multipart/", 10) == 0) {
		param(ct, "boundary", value, sizeof(value));
		walk_multipart(w, body, value, depth);
		return;
	}
	if (strcmp(type, "message/rfc822") == 0) {
		walk_part(w, body, depth + 1);
		return;
	}
	char disp[FIELD_MAX];
	header_field(hdr, "Content-Disposition", disp, sizeof(disp));
	param(disp, "filename", filename, sizeof(filename));
	if (filename[0] == '\0')
		param(ct, "name", filename, sizeof(filename));
	if (!is_report(type, filename))
		return;
	w->found = body;
	header_field(hdr, "Content-Transfer-Encoding", w->encoding, sizeof(w->encoding));
	mxg_str_lower(w->encoding);
}

/* --- transfer encodings --- */

static size_t base64_decode(struct span in, uint8_t *out)
{
	size_t o = 0;
	unsigned acc = 0, bits = 0;
	for (size_t i = 0; i < in.len && in.p[i] != '='; i++) {
		int v = mxg_base64_value((unsigned char)in.p[i]);
		if (v < 0)
			continue;  /* line breaks and blanks */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static size_t qp_decode(struct span in, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		if (in.p[i] != '=') {
			out[o++] = (uint8_t)in.p[i];
			continue;
		}
		if (i + 1 < in.len && in.p[i + 1] == '\n') {
			i += 1;
		} else if (i + 2 < in.len && in.p[i + 1] == '\r' && in.p[i + 2] == '\n') {
			i += 2;
		} else if (i + 2 < in.len && hex_value(in.p[i + 1]) >= 0 && hex_value(in.p[i + 2]) >= 0) {
			out[o++] = (uint8_t)(hex_value(in.p[i + 1]) * 16 + hex_value(in.p[i + 2]));
			i += 2;
		} else {
			out[o++] = '=';
		}
	}
	return o;
}

int mxg_report_mime_find(const uint8_t *msg, size_t len, uint8_t **out, size_t *outlen, char *err,
			 size_t errlen)
{
	struct walk w = { 0 };
	walk_part(&w, (struct span){ (const char *)msg, len }, 0);
	if (w.err[0] != '\0')
		return mxg_fail(err, errlen, "%s", w.err);
	if (w.found.p == NULL)
		return mxg_fail(err, errlen, "mail: no report attachment (XML, gzip or zip) among %u part%s",
				w.parts, w.parts == 1 ? "" : "s");
	uint8_t *buf = malloc(w.found.len + 1);
	if (buf == NULL)
		return mxg_fail(err, errlen, "mail: no memory");
	if (strcmp(w.encoding, "base64") == 0)
		*outlen = base64_decode(w.found, buf);
	else if (strcmp(w.encoding, "quoted-printable") == 0)
		*outlen = qp_decode(w.found, buf);
	else
		memcpy(buf, w.found.p, *outlen = w.found.len);
	buf[*outlen] = '\0';
	*out = buf;
	return 0;
}
