/* How an aggregate report travels (RFC 7489 §7.2.1.1): its file name, and the MIME message
 * with the gzip'd report attached in base64, ready for sendmail(8). Every header value is
 * checked to be one line of printable ASCII, so no value from the store or the configuration
 * can add a header field. */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mxguard/report_out.h"
#include "mxguard/str.h"

#define B64_LINE_IN 57   /* input bytes per 76-character base64 line */

static int one_line(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return 0;
	}
	return 1;
}

int mxg_report_filename(const struct mxg_report_meta *meta, const char *policy_domain,
			char *out, size_t size)
{
	const char *parts[] = { meta->receiver, policy_domain, meta->report_id };
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i][0] == '\0' || !one_line(parts[i]) || strpbrk(parts[i], "!/\"\\") != NULL)
			return -1;
	}
	int n = snprintf(out, size, "%s!%s!%lld!%lld!%s.xml.gz", meta->receiver, policy_domain,
			 (long long)meta->begin, (long long)(meta->end - 1), meta->report_id);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

struct out {
	char *buf;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = 1;
	else
		o->len += (size_t)n;
}

static void put_base64(struct out *o, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len && !o->full; i += B64_LINE_IN) {
		size_t n = len - i < B64_LINE_IN ? len - i : B64_LINE_IN;
		if (o->cap - o->len < 80) {
			o->full = 1;
			return;
		}
		int w = EVP_EncodeBlock((unsigned char *)o->buf + o->len, data + i, (int)n);
		o->len += (size_t)w;
		o->buf[o->len++] = '\n';
	}
}

static void put_headers(struct out *o, const struct mxg_report_meta *m, const char *domain,
			const char *to, const char *boundary)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&now, &tm));
	put(o, "From: %s\nTo: %s\nDate: %s\n", m->email, to, date);
	put(o, "Subject: Report Domain: %s Submitter: %s Report-ID: <%s>\n", domain, m->receiver,
	    m->report_id);
	put(o, "Message-ID: <%s@%s>\nMIME-Version: 1.0\n", m->report_id, m->receiver);
	put(o, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n", boundary);
}

int mxg_report_mail(const struct mxg_report_meta *meta, const char *policy_domain,
		    const char *to, const char *filename, const uint8_t *gz, size_t gzlen,
		    char **out, size_t *outlen, char *err, size_t errlen)
{
	const char *values[] = { meta->email, meta->receiver, meta->report_id, policy_domain, to,
				 filename };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (values[i][0] == '\0' || !one_line(values[i]))
			return mxg_fail(err, errlen, "report mail: \"%.80s\" is not one line of printable "
					"ASCII", values[i]);
	}
	char boundary[MXG_REPORT_ID_MAX + 16];
	snprintf(boundary, sizeof(boundary), "=_mxguard_%s", meta->report_id);
	struct out o = { .cap = 4096 + 2 * MXG_STORE_TEXT_MAX + (gzlen / B64_LINE_IN + 1) * 78 };
	if ((o.buf = malloc(o.cap)) == NULL)
		return mxg_fail(err, errlen, "report mail: out of memory");
	put_headers(&o, meta, policy_domain, to, boundary);
	put(&o, "--%s\nContent-Type: text/plain; charset=us-ascii\n\n", boundary);
	put(&o, "DMARC aggregate report (RFC 7489) from %s for %s, %lld to %lld.\n\n", meta->receiver,
	    policy_domain, (long long)meta->begin, (long long)(meta->end - 1));
	put(&o, "--%s\nContent-Type: application/gzip; name=\"%s\"\n", boundary, filename);
	put(&o, "Content-Disposition: attachment; filename=\"%s\"\n", filename);
	put(&o, "Content-Transfer-Encoding: base64\n\n");
	put_base64(&o, gz, gzlen);
	put(&o, "\n--%s--\n", boundary);
	if (o.full) {
		free(o.buf);
		return mxg_fail(err, errlen, "report mail: message does not fit");
	}
	*out = o.buf;
	*outlen = o.len;
	return 0;
}
