/* Outbound DKIM signing (milter_sign.h): the signing_* settings, the keys read once with the
 * configuration and checked against DNS, the outbound test, and one message's signatures
 * through the core's streaming signer (the body is never held). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

#include "milter_runtime.h"
#include "milter_sign.h"
#include "mxguard/config.h"
#include "mxguard/dmarc.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

/* --- keys --- */

int milter_sign_load(struct milter_signing *s, char *err, size_t errlen)
{
	char why[512];

	for (size_t i = 0; i < s->nkeys; i++) {
		struct milter_sign_key *k = &s->keys[i];
		if (k->key != NULL)
			continue;
		k->key = mxg_dkim_signing_key_load(k->path, why, sizeof(why));
		if (k->key == NULL)
			return mxg_fail(err, errlen, "signing key %s for %s: %s", k->selector, k->domain, why);
	}
	return 0;
}

int milter_sign_check_published(const struct milter_signing *s, struct mxg_resolver *r, char *err,
				size_t errlen)
{
	char why[512];

	for (size_t i = 0; i < s->nkeys; i++) {
		const struct milter_sign_key *k = &s->keys[i];
		enum mxg_dkim_published p = mxg_dkim_key_published(r, k->key, k->domain, k->selector,
								   why, sizeof(why));
		if (p == MXG_DKIM_PUBLISHED_MATCH)
			continue;
		if (p == MXG_DKIM_PUBLISHED_TEMP) {
			mxg_log(MXG_LOG_WARNING, "signing key %s (%s): published record not checked (%s);"
				" signing with it all the same", k->path, k->domain, why);
			continue;
		}
		snprintf(err, errlen, "signing key %s for %s: %s (%s); publish the record mxguard keygen"
			 " printed, or fix signing_keys", k->path, k->domain, why, mxg_dkim_published_name(p));
		return -1;
	}
	return 0;
}

int milter_sign_check_at_start(const struct milter_config *cfg, char *err, size_t errlen)
{
	if (!milter_sign_enabled(&cfg->signing))
		return 0;
	struct mxg_resolver *r = milter_runtime_resolver(cfg, err, errlen);
	if (r == NULL)
		return -1;
	int rc = milter_sign_check_published(&cfg->signing, r, err, errlen);
	mxg_resolver_free(r);
	return rc;
}

/* --- which mail is outbound --- */

int milter_sign_enabled(const struct milter_signing *s)
{
	return s->nkeys > 0;
}

enum milter_outbound milter_sign_client(const struct milter_signing *s, const struct mxg_addr *addr,
					unsigned port, const char *host)
{
	static const uint8_t loopback[4] = { 127, 0, 0, 1 };

	if (!milter_sign_enabled(s) || addr == NULL)
		return MILTER_OUTBOUND_NO;
	if (s->local_submission && port == 0 && addr->family == 4 &&
	    memcmp(addr->bytes, loopback, 4) == 0 && host != NULL && strcmp(host, "localhost") == 0)
		return MILTER_OUTBOUND_LOCAL;
	if (mxg_cidr_list_match(&s->internal_networks, addr))
		return MILTER_OUTBOUND_INTERNAL;
	return MILTER_OUTBOUND_NO;
}

const char *milter_outbound_name(enum milter_outbound o)
{
	static const char *const names[] = { "inbound", "internal_networks", "local submission",
					     "authenticated" };

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

static size_t keys_of(const struct milter_signing *s, const char *d, const struct milter_sign_key **out,
		      size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nkeys && n < max; i++)
		if (strcmp(s->keys[i].domain, d) == 0)
			out[n++] = &s->keys[i];
	return n;
}

size_t milter_sign_keys_for(const struct milter_signing *s, const char *from_domain,
			    const struct milter_sign_key **out, size_t max, const char **d)
{
	size_t n = keys_of(s, from_domain, out, max);

	*d = from_domain;
	if (n > 0)
		return n;
	/* The nearest listed parent: walk up one label at a time (bounded by the name's length). */
	for (const char *p = strchr(from_domain, '.'); p != NULL; p = strchr(p + 1, '.')) {
		for (size_t i = 0; i < s->nsub; i++) {
			if (strcmp(s->sub[i], p + 1) != 0)
				continue;
			*d = s->sub[i];
			return keys_of(s, s->sub[i], out, max);
		}
	}
	return 0;
}

int milter_sign_tempfail_for(const struct milter_signing *s, const char *d)
{
	if (s->error_tempfail)
		return 1;
	for (size_t i = 0; i < s->ntempfail; i++)
		if (strcmp(s->tempfail[i], d) == 0)
			return 1;
	return 0;
}

/* --- one outbound message --- */

int milter_sign_begin(struct milter_sign_msg *m)
{
	m->signer = mxg_dkim_signer_new();
	return m->signer != NULL ? 0 : -1;
}

void milter_sign_header(struct milter_sign_msg *m, const char *name, const char *value)
{
	if (m->signer == NULL)
		return;
	if (mxg_strcaseeq(name, "From")) {
		if (m->nfrom < MILTER_SIGN_FROM_MAX && (m->from[m->nfrom] = strdup(value)) == NULL) {
			m->failed = 1;
			mxg_strlcpy(m->why, "out of memory", sizeof(m->why));
		}
		m->nfrom++;
	}
	(void)mxg_dkim_signer_header(m->signer, name, strlen(name), value, strlen(value));
}

static void stop(struct milter_sign_msg *m, const char *fmt, const char *arg)
{
	snprintf(m->why, sizeof(m->why), fmt, arg);
	mxg_dkim_signer_free(m->signer);
	m->signer = NULL;
}

static void add_keys(struct milter_sign_msg *m, const struct milter_signing *s,
		     const struct milter_sign_key *const *keys, size_t n, const char *d)
{
	char err[200];
	struct mxg_dkim_sign_options o = { 0 };

	o.header_canon = s->header_simple ? MXG_DKIM_CANON_SIMPLE : MXG_DKIM_CANON_RELAXED;
	o.body_canon = s->body_simple ? MXG_DKIM_CANON_SIMPLE : MXG_DKIM_CANON_RELAXED;
	o.expire_after = s->expire_ms / 1000;
	o.lf = 1; /* header values go to the MTA with LF folds */
	o.domain = d;
	mxg_strlcpy(m->domain, d, sizeof(m->domain));
	for (size_t i = 0; i < n; i++) {
		o.selector = keys[i]->selector;
		if (mxg_dkim_signer_add_key(m->signer, keys[i]->key, &o, err, sizeof(err)) != 0) {
			m->failed = 1;
			stop(m, "%s", err);
			return;
		}
		mxg_strcatf(m->selectors, sizeof(m->selectors), "%s%s", i ? "," : "", keys[i]->selector);
	}
}

void milter_sign_eoh(struct milter_sign_msg *m, const struct milter_signing *s)
{
	const struct milter_sign_key *keys[MXG_DKIM_SIGNER_KEYS_MAX];
	const char *d = NULL;

	if (m->signer == NULL || m->failed)
		return;
	enum mxg_from_status fs = mxg_from_fields((const char *const *)m->from,
						  m->nfrom < MILTER_SIGN_FROM_MAX ? m->nfrom : MILTER_SIGN_FROM_MAX,
						  m->from_domain, sizeof(m->from_domain));
	if (m->nfrom > MILTER_SIGN_FROM_MAX)
		fs = MXG_FROM_MULTIPLE_FIELDS;
	if (fs != MXG_FROM_OK) {
		stop(m, "From: %s; no signing domain", mxg_from_status_name(fs));
		return;
	}
	mxg_str_lower(m->from_domain);
	size_t n = milter_sign_keys_for(s, m->from_domain, keys, MXG_DKIM_SIGNER_KEYS_MAX, &d);
	if (n == 0) {
		stop(m, "no signing key for %s", m->from_domain);
		return;
	}
	add_keys(m, s, keys, n, d);
}

void milter_sign_body(struct milter_sign_msg *m, const uint8_t *data, size_t len)
{
	if (m->signer != NULL)
		(void)mxg_dkim_signer_body(m->signer, data, len);
}

void milter_sign_finish(struct milter_sign_msg *m)
{
	char err[200];

	if (m->signer == NULL)
		return;
	int n = mxg_dkim_signer_finish(m->signer, m->fields, MXG_DKIM_SIGNER_KEYS_MAX, err, sizeof(err));
	if (n < 0) {
		m->failed = 1;
		stop(m, "%s", err);
		return;
	}
	m->nfields = (size_t)n;
}

/* The field's value for smfi_insheader: past "DKIM-Signature:" (and its blank unless
 * leadspc), without the final line end. */
static char *value_of(const char *field, int leadspc)
{
	const char *v = strchr(field, ':') + 1;
	size_t n = strlen(v);

	if (!leadspc && *v == ' ')
		v++, n--;
	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	return mxg_strndup(v, n);
}

int milter_sign_insert(struct smfi_str *ctx, const struct milter_sign_msg *m, int leadspc)
{
	/* Last first, each at the top: the first key's field ends up topmost. */
	for (size_t i = m->nfields; i > 0; i--) {
		char *v = value_of(m->fields[i - 1], leadspc);
		int ok = v != NULL && smfi_insheader(ctx, 0, "DKIM-Signature", v) == MI_SUCCESS;
		free(v);
		if (!ok)
			return -1;
	}
	return 0;
}

void milter_sign_msg_release(struct milter_sign_msg *m)
{
	mxg_dkim_signer_free(m->signer);
	m->signer = NULL;
	for (size_t i = 0; i < MILTER_SIGN_FROM_MAX; i++) {
		free(m->from[i]);
		m->from[i] = NULL;
	}
	for (size_t i = 0; i < m->nfields; i++)
		free(m->fields[i]);
	m->nfields = 0;
}
