/* The Public Suffix List through libpsl: the organisational domain of RFC 7489 §3.2
 * (registrable domain), from the list compiled into libpsl or a list file. */
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/dmarc.h"
#include "mxguard/dns.h"
#include "mxguard/str.h"

struct mxg_psl {
	const psl_ctx_t *ctx;
	psl_ctx_t *owned; /* NULL when ctx is libpsl's built-in list */
};

struct mxg_psl *mxg_psl_load(const char *path, char *err, size_t errlen)
{
	struct mxg_psl *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return NULL;
	}
	if (path != NULL) {
		p->owned = psl_load_file(path);
		p->ctx = p->owned;
	} else {
		p->ctx = psl_builtin();
		if (p->ctx == NULL) {
			/* Debian builds libpsl without built-in data; it ships the list as a file. */
			p->owned = psl_latest(NULL);
			p->ctx = p->owned;
		}
	}
	if (p->ctx == NULL) {
		if (path != NULL) {
			snprintf(err, errlen, "%s: cannot load the public suffix list", path);
		} else {
			mxg_strlcpy(err, "libpsl has no built-in public suffix list", errlen);
		}
		free(p);
		return NULL;
	}
	return p;
}

void mxg_psl_free(struct mxg_psl *p)
{
	if (p == NULL)
		return;
	psl_free(p->owned);
	free(p);
}

/* Lower-cased copy without one trailing dot; -1 for empty labels (".com", "a..b"). */
static int psl_input(const char *domain, char *buf, size_t size)
{
	size_t len = strlen(domain);

	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len >= size || len > 253)
		return -1;
	memcpy(buf, domain, len);
	buf[len] = '\0';
	if (buf[0] == '.' || strstr(buf, "..") != NULL)
		return -1;
	mxg_str_lower(buf);
	return 0;
}

int mxg_psl_org_domain(const struct mxg_psl *p, const char *domain, char *out, size_t outsize)
{
	char buf[MXG_DNS_NAME_MAX];

	if (p == NULL || domain == NULL || psl_input(domain, buf, sizeof(buf)) < 0)
		return -1;
	const char *reg = psl_registrable_domain(p->ctx, buf);
	if (reg == NULL)
		return -1;
	if (mxg_strlcpy(out, reg, outsize) >= outsize)
		return -1;
	return 0;
}
