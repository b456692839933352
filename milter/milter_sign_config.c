/* The signing_* keys of milter.conf (milter_sign.h): the keys and their files, the domains
 * signed for their subdomains, canonicalization, internal networks, the failure action. Only
 * parsing here, so that the configuration parser links without libmilter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter_sign.h"
#include "mxguard/config.h"
#include "mxguard/str.h"

static const char *const sign_keys[] = {
	"signing_keys", "signing_subdomains", "signing_canon", "internal_networks",
	"signing_tempfail_domains",
};

int milter_sign_key_name(const char *key)
{
	for (size_t i = 0; i < sizeof(sign_keys) / sizeof(sign_keys[0]); i++)
		if (strcmp(key, sign_keys[i]) == 0)
			return 1;
	return 0;
}

/* "DOMAIN:SELECTOR:FILE" into k. 0, or -1 with the reason. */
static int parse_key_entry(char *tok, struct milter_sign_key *k, char *why, size_t wl)
{
	char *sel = strchr(tok, ':');
	char *path = sel != NULL ? strchr(sel + 1, ':') : NULL;

	if (path == NULL)
		return mxg_fail(why, wl, "signing_keys: \"%.60s\" is not DOMAIN:SELECTOR:FILE", tok);
	*sel++ = '\0';
	*path++ = '\0';
	if (mxg_dns_name_normalize(tok, k->domain, sizeof(k->domain)) != 0 || k->domain[0] == '\0')
		return mxg_fail(why, wl, "signing_keys: \"%.60s\" is not a domain name", tok);
	char check[sizeof(k->selector) + 1];
	if (mxg_dns_name_normalize(sel, check, sizeof(check)) != 0 || check[0] == '\0' ||
	    strlen(check) >= sizeof(k->selector))
		return mxg_fail(why, wl, "signing_keys: \"%.60s\" is not a selector", sel);
	mxg_strlcpy(k->selector, check, sizeof(k->selector));
	if (path[0] != '/' || strlen(path) >= sizeof(k->path))
		return mxg_fail(why, wl, "signing_keys: key file \"%.60s\" must be an absolute path under %zu"
				" characters", path, sizeof(k->path));
	mxg_strlcpy(k->path, path, sizeof(k->path));
	return 0;
}

static int set_keys(struct milter_signing *s, const char *list, char *why, size_t wl)
{
	char tok[1024];
	int too_long;

	for (size_t i = 0; i < s->nkeys; i++)
		mxg_dkim_signing_key_free(s->keys[i].key);
	s->nkeys = 0;
	while ((list = mxg_config_list_next(list, tok, sizeof(tok), &too_long)) != NULL) {
		if (too_long)
			return mxg_fail(why, wl, "signing_keys: an entry longer than %zu characters", sizeof(tok) - 1);
		if (s->nkeys == MILTER_SIGN_KEYS_MAX)
			return mxg_fail(why, wl, "signing_keys: at most %d keys", MILTER_SIGN_KEYS_MAX);
		struct milter_sign_key *k = &s->keys[s->nkeys];
		memset(k, 0, sizeof(*k));
		if (parse_key_entry(tok, k, why, wl) != 0)
			return -1;
		s->nkeys++;
	}
	return 0;
}

static int set_domains(const char *key, const char *list, char (*out)[MXG_DNS_NAME_MAX],
		       size_t *n, char *why, size_t wl)
{
	char tok[MXG_DNS_NAME_MAX];
	int too_long;

	*n = 0;
	while ((list = mxg_config_list_next(list, tok, sizeof(tok), &too_long)) != NULL) {
		if (*n == MILTER_SIGN_DOMAINS_MAX)
			return mxg_fail(why, wl, "%s: at most %d domains", key, MILTER_SIGN_DOMAINS_MAX);
		if (too_long || mxg_dns_name_normalize(tok, out[*n], MXG_DNS_NAME_MAX) != 0 ||
		    out[*n][0] == '\0')
			return mxg_fail(why, wl, "%s: \"%.60s\" is not a domain name", key, tok);
		(*n)++;
	}
	return 0;
}

static int set_canon(struct milter_signing *s, const char *v, char *why, size_t wl)
{
	static const char *const names[] = { "relaxed/relaxed", "relaxed/simple", "simple/relaxed",
					     "simple/simple" };

	for (int i = 0; i < 4; i++) {
		if (mxg_strcaseeq(v, names[i])) {
			s->header_simple = i >= 2;
			s->body_simple = i % 2;
			return 0;
		}
	}
	return mxg_fail(why, wl, "signing_canon: expected relaxed/relaxed, relaxed/simple, simple/relaxed"
			" or simple/simple");
}

int milter_sign_set(struct milter_signing *s, const char *key, const char *value, char *why,
		    size_t wl)
{
	if (strcmp(key, "signing_canon") == 0)
		return set_canon(s, value, why, wl);
	if (strcmp(key, "internal_networks") == 0)
		return milter_config_cidrs(key, value, &s->internal_networks, why, wl);
	if (strcmp(key, "signing_keys") == 0)
		return set_keys(s, value, why, wl);
	if (strcmp(key, "signing_subdomains") == 0)
		return set_domains(key, value, s->sub, &s->nsub, why, wl);
	return set_domains(key, value, s->tempfail, &s->ntempfail, why, wl);
}

void milter_sign_release(struct milter_signing *s)
{
	for (size_t i = 0; i < s->nkeys; i++) {
		mxg_dkim_signing_key_free(s->keys[i].key);
		s->keys[i].key = NULL;
	}
	mxg_cidr_list_free(&s->internal_networks);
}
