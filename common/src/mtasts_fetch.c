/* The MTA-STS policy fetch (RFC 8461 §3.3): HTTPS GET of /.well-known/mta-sts.txt on
 * mta-sts.DOMAIN with libcurl; the host's addresses come from mxguard's resolver and are
 * pinned (CURLOPT_RESOLVE), the certificate is verified for the name, redirects are refused. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/addr.h"
#include "mxguard/mtasts.h"
#include "mxguard/str.h"

#define PIN_ADDRS_MAX 8

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Sets out->why, truncating quietly (it is a message). */
__attribute__((format(printf, 2, 3)))
static void set_why(struct mxg_mtasts_fetch *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

struct sink {
	char *buf;
	size_t len;
	int too_large;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (s->len + n > MXG_MTASTS_POLICY_MAX) {
		s->too_large = 1;
		return 0; /* aborts the transfer */
	}
	char *b = realloc(s->buf, s->len + n + 1);
	if (b == NULL)
		return 0;
	memcpy(b + s->len, data, n);
	s->len += n;
	b[s->len] = '\0';
	s->buf = b;
	return n;
}

/* Appends the addresses of (host, type) to pin ("host:443:a,b"); counts them in *n. */
static int add_addrs(struct mxg_resolver *r, const char *host, uint16_t type, char *pin,
		     size_t pinlen, unsigned *n, int *temp, int *nx)
{
	struct mxg_dns_answer *a = NULL;
	char err[128], text[64];

	if (mxg_dns_lookup(r, host, type, &a, err, sizeof(err)) < 0)
		return -1;
	if (mxg_dns_is_temporary(a->rcode))
		*temp = 1;
	if (a->rcode == MXG_DNS_NXDOMAIN)
		*nx = 1;
	for (size_t i = 0; i < a->count && *n < PIN_ADDRS_MAX; i++) {
		struct mxg_addr ad = { type == MXG_DNS_A ? 4 : 6, { 0 } };
		if (a->rrs[i].type != type)
			continue;
		memcpy(ad.bytes, a->rrs[i].addr, type == MXG_DNS_A ? 4 : 16);
		if (mxg_addr_format(&ad, text, sizeof(text)) < 0)
			continue;
		mxg_strcatf(pin, pinlen, type == MXG_DNS_A ? "%s%s" : "%s[%s]", *n ? "," : "", text);
		(*n)++;
	}
	mxg_dns_answer_free(a);
	return 0;
}

/* The CURLOPT_RESOLVE entry for host, or a status when it has no address. */
static int pin_host(struct mxg_resolver *r, const char *host, char *pin, size_t pinlen,
		    struct mxg_mtasts_fetch *out)
{
	unsigned n = 0;
	int temp = 0, nx = 0;

	snprintf(pin, pinlen, "%s:443:", host);
	if (add_addrs(r, host, MXG_DNS_A, pin, pinlen, &n, &temp, &nx) < 0 ||
	    add_addrs(r, host, MXG_DNS_AAAA, pin, pinlen, &n, &temp, &nx) < 0) {
		mxg_strlcpy(out->why, "out of memory resolving the policy host", sizeof(out->why));
		return -1;
	}
	if (n > 0)
		return 0;
	out->status = temp ? MXG_MTASTS_FETCH_FAILED : MXG_MTASTS_FETCH_NO_HOST;
	set_why(out, "%s: %s", host,
		 temp ? "address lookup failed temporarily" : nx ? "no such name" : "no address");
	return 1;
}

static void set_options(CURL *c, const struct mxg_mtasts_fetch_opts *o, const char *url,
			struct curl_slist *pins, struct sink *s)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_RESOLVE, pins);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->connect_timeout_ms ? o->connect_timeout_ms : MXG_MTASTS_CONNECT_TIMEOUT_MS));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 (long)(o->total_timeout_ms ? o->total_timeout_ms : MXG_MTASTS_TOTAL_TIMEOUT_MS));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MXG_MTASTS_POLICY_MAX);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "mxguard (MTA-STS)");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	if (o->ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
}

/* 1 when the Content-Type is text/plain (parameters such as charset allowed). */
static int is_text_plain(const char *ct)
{
	return ct != NULL && mxg_strncaseeq(ct, "text/plain", 10) &&
	       (ct[10] == '\0' || ct[10] == ';' || ct[10] == ' ');
}

/* Turns the transfer's outcome into out's status. */
static void judge(CURL *c, CURLcode rc, struct sink *s, const char *url,
		  struct mxg_mtasts_fetch *out)
{
	char *ct = NULL;

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->http_status);
	out->status = MXG_MTASTS_FETCH_FAILED;
	if (s->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		set_why(out, "%s: policy larger than %d bytes", url,
			 MXG_MTASTS_POLICY_MAX);
		return;
	}
	if (rc != CURLE_OK) {
		set_why(out, "%s: %s", url, curl_easy_strerror(rc));
		return;
	}
	if (out->http_status == 404 || out->http_status == 410) {
		out->status = MXG_MTASTS_FETCH_NOT_FOUND;
		set_why(out, "%s: HTTP %ld", url, out->http_status);
		return;
	}
	if (out->http_status != 200) {
		set_why(out, "%s: HTTP %ld%s", url, out->http_status,
			 out->http_status / 100 == 3 ? " (redirects are not followed, RFC 8461 §3.3)" : "");
		return;
	}
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	if (!is_text_plain(ct)) {
		out->status = MXG_MTASTS_FETCH_BAD_TYPE;
		set_why(out, "%s: Content-Type %.40s, not text/plain", url,
			 ct ? ct : "missing");
		return;
	}
	out->status = MXG_MTASTS_FETCH_OK;
	out->body = s->buf ? s->buf : calloc(1, 1);
	out->len = s->len;
	s->buf = NULL;
	if (out->body == NULL) {
		out->status = MXG_MTASTS_FETCH_FAILED;
		mxg_strlcpy(out->why, "out of memory", sizeof(out->why));
	}
}

int mxg_mtasts_fetch(const struct mxg_mtasts_fetch_opts *o, const char *domain,
		     struct mxg_mtasts_fetch *out)
{
	char host[MXG_DNS_NAME_MAX + 8], url[MXG_DNS_NAME_MAX + 64], pin[MXG_DNS_NAME_MAX + 512];
	struct sink s = { NULL, 0, 0 };

	memset(out, 0, sizeof(*out));
	if ((size_t)snprintf(host, sizeof(host), "mta-sts.%s", domain) >= MXG_DNS_NAME_MAX - 1) {
		out->status = MXG_MTASTS_FETCH_NO_HOST;
		mxg_strlcpy(out->why, "mta-sts name too long", sizeof(out->why));
		return 0;
	}
	int prc = pin_host(o->resolver, host, pin, sizeof(pin), out);
	if (prc != 0)
		return prc < 0 ? -1 : 0;
	pthread_once(&curl_once, curl_init);
	snprintf(url, sizeof(url), "https://%s/.well-known/mta-sts.txt", host);
	struct curl_slist *pins = curl_slist_append(NULL, pin);
	CURL *c = curl_init_rc == CURLE_OK ? curl_easy_init() : NULL;
	if (c == NULL || pins == NULL) {
		curl_slist_free_all(pins);
		if (c)
			curl_easy_cleanup(c);
		mxg_strlcpy(out->why, "cannot initialise libcurl", sizeof(out->why));
		return -1;
	}
	set_options(c, o, url, pins, &s);
	CURLcode rc = curl_easy_perform(c);
	judge(c, rc, &s, url, out);
	free(s.buf);
	curl_easy_cleanup(c);
	curl_slist_free_all(pins);
	return 0;
}

void mxg_mtasts_fetch_clear(struct mxg_mtasts_fetch *f)
{
	free(f->body);
	f->body = NULL;
	f->len = 0;
}
