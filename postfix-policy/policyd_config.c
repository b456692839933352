/* mxguard-policyd.conf(5): "key = value" lines into daemon settings and an immutable rules
 * object. Every key is checked here; a bad file yields one message naming its line. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "mxguard/log.h"
#include "mxguard/str.h"
#include "policyd.h"

static const char *const rule_names[POLICYD_R__COUNT] = {
	"connector", "mx_bypass", "fully_mapped", "null_mx_recipient",
	"null_mx_sender", "unroutable_sender", "broken_mx", "spf",
};

static const char *const action_names[] = {
	"off", "dunno", "warn", "prepend", "defer", "reject", "inherit",
};

const char *policyd_rule_name(enum policyd_rule_id id)
{
	return id < POLICYD_R__COUNT ? rule_names[id] : "-";
}

const char *policyd_action_name(enum policyd_action a)
{
	return (unsigned)a <= POLICYD_INHERIT ? action_names[a] : "?";
}

int policyd_action_parse(const char *s)
{
	if (mxg_strcaseeq(s, "no") || mxg_strcaseeq(s, "off"))
		return POLICYD_OFF;
	for (int i = POLICYD_DUNNO; i <= POLICYD_REJECT; i++)
		if (mxg_strcaseeq(s, action_names[i]))
			return i;
	return -1;
}

static int rule_parse(const char *s)
{
	for (int i = 0; i < POLICYD_R__COUNT; i++)
		if (strcmp(s, rule_names[i]) == 0)
			return i;
	return -1;
}

/* Keys renamed in 0.1 so that every program spells a shared setting alike. */
static const struct mxg_config_alias old_keys[] = {
	{ "dns.zone", "dns_zone" },
	{ "dns.resolver", "dns_forwarders" },
	{ "dns.trust_anchor", "dns_trust_anchor" },
	{ "dns.timeout", "dns_timeout" },
	{ "dns.cache_size", "dns_cache_size" },
	{ "counters_file", "metrics_file" },
	{ "counters_interval", "metrics_interval" },
	{ "cache.size", "mx_cache_size" },
	{ "cache.min_ttl", "mx_cache_min_ttl" },
	{ "cache.max_ttl", "mx_cache_max_ttl" },
	{ "cache.negative_ttl", "mx_cache_negative_ttl" },
	{ "spf.budget", "spf_time_limit" },
	{ "spf.receiver", "spf_receiver" },
	{ NULL, NULL },
};

struct loader {
	const struct mxg_config *cfg;
	const struct mxg_config_entry *e;
	struct policyd_settings *s;
	struct policyd_rules *r;
	char *err;
	size_t errlen;
};

static int fail(struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct loader *l, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%u: %s: %s", l->cfg->path, l->e ? l->e->line : 0,
		 l->e ? l->e->key : "", msg);
	return -1;
}

/* Wraps a core typed parser: its "key: reason" message gets the file and line. */
static int typed(struct loader *l, int rc, const char *why)
{
	return rc < 0 ? fail(l, "%s", why) : 0;
}

static int set_action(struct loader *l, enum policyd_action *out)
{
	int a = policyd_action_parse(l->e->value);
	if (a < 0)
		return fail(l, "'%s' is not an action (reject, defer, warn, prepend, dunno, off)",
			    l->e->value);
	*out = (enum policyd_action)a;
	return 0;
}

static int set_bool(struct loader *l, int *out)
{
	char why[256];
	return typed(l, mxg_config_bool(l->e->key, l->e->value, out, why, sizeof(why)), why);
}

static int set_uint(struct loader *l, unsigned long min, unsigned long max, unsigned long *out)
{
	char why[256];
	return typed(l, mxg_config_uint(l->e->key, l->e->value, min, max, out, why, sizeof(why)), why);
}

static int set_ms(struct loader *l, unsigned long min, unsigned long max, unsigned long *out)
{
	char why[256];
	if (mxg_config_duration_ms(l->e->key, l->e->value, out, why, sizeof(why)) < 0)
		return fail(l, "%s", why);
	if (*out < min || *out > max)
		return fail(l, "duration out of range (%lu ms to %lu ms)", min, max);
	return 0;
}

static int set_cidrs(struct loader *l, struct mxg_cidr_list *out)
{
	char why[256];
	struct mxg_cidr_list n = { 0, NULL };

	if (mxg_cidr_list_parse(l->e->value, &n, why, sizeof(why)) < 0)
		return fail(l, "%s", why);
	mxg_cidr_list_free(out);
	*out = n;
	return 0;
}

static int set_str(struct loader *l, char *out, size_t size)
{
	if (mxg_strlcpy(out, l->e->value, size) >= size)
		return fail(l, "value longer than %zu characters", size - 1);
	return 0;
}

/* Splits a comma/space separated value into at most max items of size bytes. */
static int set_list(struct loader *l, char (*items)[256], size_t max, size_t *count)
{
	const char *v = l->e->value;
	char item[256];
	int too_long;

	*count = 0;
	while ((v = mxg_config_list_next(v, item, sizeof(item), &too_long)) != NULL) {
		if (*count >= max)
			return fail(l, "more than %zu items", max);
		if (too_long)
			return fail(l, "item too long");
		memcpy(items[(*count)++], item, sizeof(item));
	}
	return 0;
}

static int check_listen(struct loader *l, char (*items)[256], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(items[i], "inet:", 5) != 0 && strncmp(items[i], "unix:", 5) != 0)
			return fail(l, "'%s': listeners are inet:HOST:PORT or unix:PATH", items[i]);
	return 0;
}

/* The outbound MTA-STS keys (the "mta-sts" socketmap). */
static int mtasts_key(struct loader *l, int *handled)
{
	struct policyd_settings *s = l->s;
	const char *k = l->e->key;

	*handled = 1;
	if (strcmp(k, "mta_sts") == 0)
		return set_bool(l, &s->mta_sts);
	if (strcmp(k, "mta_sts_cache_size") == 0)
		return set_uint(l, 1, 100000, &s->mta_sts_cache_size);
	if (strcmp(k, "mta_sts_ca_file") == 0)
		return set_str(l, s->mta_sts_ca_file, sizeof(s->mta_sts_ca_file));
	if (strcmp(k, "mta_sts_fetch_timeout") == 0)
		return set_ms(l, 500, 120000, &s->mta_sts_fetch_timeout_ms);
	*handled = 0;
	return 0;
}

/* A fetch must end before the request's own deadline, or a slow policy host would defer mail
 * that RFC 8461 says goes out without a policy. */
static int check_mtasts(struct loader *l)
{
	const struct policyd_settings *s = l->s;

	if (!s->mta_sts || s->mta_sts_fetch_timeout_ms + s->dns_timeout_ms < s->request_timeout_ms)
		return 0;
	snprintf(l->err, l->errlen, "%s: mta_sts_fetch_timeout (%lu ms) plus dns_timeout (%lu ms) must "
		 "be shorter than request_timeout (%lu ms)", l->cfg->path, s->mta_sts_fetch_timeout_ms,
		 s->dns_timeout_ms, s->request_timeout_ms);
	return -1;
}

static int daemon_key(struct loader *l, int *handled)
{
	struct policyd_settings *s = l->s;
	const char *k = l->e->key;
	size_t n;
	char tmp[POLICYD_LISTEN_MAX][256];

	*handled = 1;
	if (strcmp(k, "policy_listen") == 0) {
		if (set_list(l, s->policy_listen, POLICYD_LISTEN_MAX, &s->n_policy) < 0)
			return -1;
		return check_listen(l, s->policy_listen, s->n_policy);
	}
	if (strcmp(k, "socketmap_listen") == 0) {
		if (set_list(l, s->socketmap_listen, POLICYD_LISTEN_MAX, &s->n_socketmap) < 0)
			return -1;
		return check_listen(l, s->socketmap_listen, s->n_socketmap);
	}
	if (strcmp(k, "user") == 0)
		return set_str(l, s->user, sizeof(s->user));
	if (strcmp(k, "pid_file") == 0)
		return set_str(l, s->pid_file, sizeof(s->pid_file));
	if (strcmp(k, "syslog_facility") == 0) {
		s->syslog_facility = mxg_log_facility_parse(l->e->value);
		return s->syslog_facility < 0 ? fail(l, "unknown syslog facility") : 0;
	}
	if (strcmp(k, "log_level") == 0) {
		static const char *const lv[] = { "err", "warning", "notice", "info", "debug" };
		for (int i = 0; i < 5; i++)
			if (strcmp(l->e->value, lv[i]) == 0)
				return s->log_level = MXG_LOG_ERR + i, 0;
		return fail(l, "log levels are err, warning, notice, info, debug");
	}
	if (strcmp(k, "max_connections") == 0)
		return set_uint(l, 1, 100000, &s->max_connections);
	if (strcmp(k, "request_max") == 0)
		return set_uint(l, 512, 1048576, &s->request_max);
	if (strcmp(k, "attributes_max") == 0)
		return set_uint(l, 8, 1000, &s->attributes_max);
	if (strcmp(k, "idle_timeout") == 0)
		return set_ms(l, 1000, 86400000, &s->idle_timeout_ms);
	if (strcmp(k, "request_timeout") == 0)
		return set_ms(l, 100, 300000, &s->request_timeout_ms);
	if (strcmp(k, "workers") == 0)
		return set_uint(l, 1, 64, &s->workers);
	if (strcmp(k, "mx_cache_size") == 0)
		return set_uint(l, 16, 10000000, &s->cache_size);
	if (strcmp(k, "mx_cache_min_ttl") == 0)
		return set_uint(l, 0, 86400, &s->cache_min_ttl);
	if (strcmp(k, "mx_cache_max_ttl") == 0)
		return set_uint(l, 1, 604800, &s->cache_max_ttl);
	if (strcmp(k, "mx_cache_negative_ttl") == 0)
		return set_uint(l, 0, 86400, &s->cache_neg_ttl);
	if (strcmp(k, "dns_zone") == 0) {
		if (set_list(l, tmp, POLICYD_LISTEN_MAX, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			mxg_strlcpy(s->zone[i], tmp[i], sizeof(s->zone[i]));
		s->n_zone = n;
		return 0;
	}
	if (strcmp(k, "dns_forwarders") == 0) {
		if (set_list(l, tmp, POLICYD_LISTEN_MAX, &n) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (mxg_strlcpy(s->resolver[i], tmp[i], sizeof(s->resolver[i])) >= sizeof(s->resolver[i]))
				return fail(l, "resolver address too long");
		s->n_resolver = n;
		return 0;
	}
	if (strcmp(k, "dns_trust_anchor") == 0)
		return set_str(l, s->trust_anchor, sizeof(s->trust_anchor));
	if (strcmp(k, "dns_timeout") == 0)
		return set_ms(l, MXG_CFG_DNS_TIMEOUT_MIN, MXG_CFG_DNS_TIMEOUT_MAX, &s->dns_timeout_ms);
	if (strcmp(k, "dns_cache_size") == 0)
		return set_uint(l, 0, MXG_CFG_DNS_CACHE_SIZE_MAX, &s->dns_cache_size);
	if (strcmp(k, "metrics_file") == 0)
		return set_str(l, s->metrics_file, sizeof(s->metrics_file));
	if (strcmp(k, "metrics_interval") == 0)
		return set_ms(l, MXG_CFG_METRICS_INTERVAL_MIN, MXG_CFG_METRICS_INTERVAL_MAX,
			      &s->metrics_interval_ms);
	*handled = 0;
	return 0;
}

static int set_fps(struct loader *l, char **fps, size_t *n)
{
	char items[POLICYD_FP_MAX][256];
	size_t count;

	for (size_t i = 0; i < *n; i++)
		free(fps[i]);
	*n = 0;
	if (set_list(l, items, POLICYD_FP_MAX, &count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		mxg_str_lower(items[i]);
		fps[i] = mxg_strndup(items[i], strlen(items[i]));
		if (fps[i] == NULL)
			return fail(l, "out of memory");
		*n = i + 1;
	}
	return 0;
}

static struct policyd_connector *connector_get(struct loader *l, const char *name, size_t n)
{
	struct policyd_rules *r = l->r;

	for (size_t i = 0; i < r->n_connectors; i++)
		if (strlen(r->connectors[i].name) == n && memcmp(r->connectors[i].name, name, n) == 0)
			return &r->connectors[i];
	if (n == 0 || n >= sizeof(r->connectors[0].name)) {
		fail(l, "connector name must be 1 to 63 characters");
		return NULL;
	}
	struct policyd_connector *c = realloc(r->connectors, (r->n_connectors + 1) * sizeof(*c));
	if (c == NULL) {
		fail(l, "out of memory");
		return NULL;
	}
	r->connectors = c;
	c = &c[r->n_connectors++];
	memset(c, 0, sizeof(*c));
	memcpy(c->name, name, n);
	c->require_tls = 1;
	c->action = POLICYD_REJECT;
	return c;
}

static int connector_key(struct loader *l, const char *rest)
{
	const char *dot = strrchr(rest, '.');
	if (dot == NULL)
		return fail(l, "connector keys are connector.NAME.SETTING");
	struct policyd_connector *c = connector_get(l, rest, (size_t)(dot - rest));
	if (c == NULL)
		return -1;
	const char *what = dot + 1;
	if (strcmp(what, "networks") == 0)
		return set_cidrs(l, &c->networks);
	if (strcmp(what, "require_tls") == 0)
		return set_bool(l, &c->require_tls);
	if (strcmp(what, "cert_fingerprint") == 0)
		return set_fps(l, c->fingerprints, &c->n_fp);
	if (strcmp(what, "pubkey_fingerprint") == 0)
		return set_fps(l, c->pubkey_fps, &c->n_pkfp);
	if (strcmp(what, "action") == 0)
		return set_action(l, &c->action);
	return fail(l, "unknown connector setting '%s'", what);
}

/* Finds or adds the section for name ("example.com" or "*.example.com"), normalised. */
static struct policyd_domain *domain_get(struct loader *l, const char *name, size_t n)
{
	char raw[MXG_DNS_NAME_MAX + 2], norm[MXG_DNS_NAME_MAX + 2];
	struct policyd_rules *r = l->r;
	int wild = n > 2 && name[0] == '*' && name[1] == '.';

	if (n >= sizeof(raw) - 2) {
		fail(l, "domain name too long");
		return NULL;
	}
	memcpy(raw, name + (wild ? 2 : 0), n - (wild ? 2 : 0));
	raw[n - (wild ? 2 : 0)] = '\0';
	mxg_strlcpy(norm, wild ? "*." : "", sizeof(norm));
	size_t off = strlen(norm);
	if (mxg_dns_name_normalize(raw, norm + off, sizeof(norm) - off) < 0 || norm[off] == '\0') {
		fail(l, "'%s' is not a domain name", raw);
		return NULL;
	}
	for (size_t i = 0; i < r->n_domains; i++)
		if (strcmp(r->domains[i].name, norm) == 0)
			return &r->domains[i];
	struct policyd_domain *d = realloc(r->domains, (r->n_domains + 1) * sizeof(*d));
	if (d == NULL) {
		fail(l, "out of memory");
		return NULL;
	}
	r->domains = d;
	d = &d[r->n_domains++];
	memset(d, 0, sizeof(*d));
	mxg_strlcpy(d->name, norm, sizeof(d->name));
	for (int i = 0; i < POLICYD_R__COUNT; i++)
		d->act[i] = POLICYD_INHERIT;
	d->warn_only = -1;
	return d;
}

static int domain_key(struct loader *l, const char *rest, int subdomains)
{
	char name[MXG_DNS_NAME_MAX + 2];
	const char *dot = strrchr(rest, '.');
	if (dot == NULL || (size_t)(dot - rest) >= MXG_DNS_NAME_MAX)
		return fail(l, "domain keys are domain.NAME.SETTING or subdomains.NAME.SETTING");
	snprintf(name, sizeof(name), "%s%.*s", subdomains ? "*." : "", (int)(dot - rest), rest);
	struct policyd_domain *d = domain_get(l, name, strlen(name));
	if (d == NULL)
		return -1;
	const char *what = dot + 1;
	int rule = rule_parse(what);
	if (rule >= 0 && rule != POLICYD_R_CONNECTOR && rule != POLICYD_R_NULL_MX_RECIPIENT)
		return set_action(l, &d->act[rule]);
	if (strcmp(what, "warn_only") == 0)
		return set_bool(l, &d->warn_only);
	if (strcmp(what, "trusted_networks") == 0)
		return set_cidrs(l, &d->trusted);
	return fail(l, "unknown domain setting '%s'", what);
}

static int nexthop_ok(const char *v)
{
	/* transport(5) "transport:nexthop"; an empty transport or next hop is allowed. */
	if (*v == '\0' || strchr(v, ':') == NULL)
		return 0;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	return strlen(v) < POLICYD_NEXTHOP_MAX;
}

static int route_add(struct loader *l, const char *who, const char *hop)
{
	struct policyd_rules *r = l->r;
	char addr[520];

	if (mxg_strlcpy(addr, who, sizeof(addr)) >= 513)
		return fail(l, "recipient address too long");
	mxg_str_lower(addr);
	struct policyd_route *n = realloc(r->routes, (r->n_routes + 1) * sizeof(*n));
	if (n == NULL)
		return fail(l, "out of memory");
	r->routes = n;
	n = &n[r->n_routes];
	n->recipient = mxg_strndup(addr, strlen(addr));
	n->nexthop = mxg_strndup(hop, strlen(hop));
	if (n->recipient == NULL || n->nexthop == NULL) {
		free(n->recipient);
		free(n->nexthop);
		return fail(l, "out of memory");
	}
	n->order = r->n_routes++;
	return 0;
}

/* "route = WHO NEXTHOP": WHO is local@domain, a domain, *.domain or "*" (the default). */
static int route_line(struct loader *l)
{
	char buf[MXG_CONFIG_LINE_MAX], who[520];
	char *save = NULL;

	mxg_strlcpy(buf, l->e->value, sizeof(buf));
	char *w = strtok_r(buf, " \t", &save), *hop = strtok_r(NULL, " \t", &save);
	if (w == NULL || hop == NULL || strtok_r(NULL, " \t", &save) != NULL)
		return fail(l, "expected: route = RECIPIENT|DOMAIN|*.DOMAIN|* NEXTHOP");
	if (!nexthop_ok(hop))
		return fail(l, "'%s' is not a transport(5) next hop such as smtp:[host]:25", hop);
	if (mxg_strlcpy(who, w, sizeof(who)) >= 513)
		return fail(l, "recipient too long");
	if (strcmp(who, "*") == 0)
		return mxg_strlcpy(l->r->default_route, hop, sizeof(l->r->default_route)), 0;
	const char *at = strrchr(who, '@');
	if (at != NULL) {
		if (at == who || at[1] == '\0')
			return fail(l, "a recipient route needs LOCAL@DOMAIN");
		return route_add(l, who, hop);
	}
	struct policyd_domain *d = domain_get(l, who, strlen(who));
	if (d == NULL)
		return -1;
	mxg_strlcpy(d->route, hop, sizeof(d->route));
	return 0;
}

static int rules_key(struct loader *l)
{
	struct policyd_rules *r = l->r;
	const char *k = l->e->key;
	int rule = rule_parse(k);

	if (rule >= 0 && rule != POLICYD_R_CONNECTOR)
		return set_action(l, &r->act[rule]);
	if (strcmp(k, "warn_only") == 0)
		return set_bool(l, &r->warn_only);
	if (strcmp(k, "trusted_networks") == 0)
		return set_cidrs(l, &r->trusted);
	if (strcmp(k, "recipient_delimiter") == 0)
		return set_str(l, r->recipient_delimiter, sizeof(r->recipient_delimiter));
	if (strcmp(k, "spf_time_limit") == 0)
		return set_ms(l, MXG_CFG_SPF_TIME_LIMIT_MIN, MXG_CFG_SPF_TIME_LIMIT_MAX,
			      &r->spf_time_limit_ms);
	if (strcmp(k, "spf_receiver") == 0)
		return set_str(l, r->receiver, sizeof(r->receiver));
	if (strncmp(k, "domain.", 7) == 0)
		return domain_key(l, k + 7, 0);
	if (strncmp(k, "subdomains.", 11) == 0)
		return domain_key(l, k + 11, 1);
	if (strncmp(k, "connector.", 10) == 0)
		return connector_key(l, k + 10);
	if (strcmp(k, "route") == 0)
		return route_line(l);
	return fail(l, "unknown key");
}

static void defaults(struct policyd_settings *s, struct policyd_rules *r)
{
	memset(s, 0, sizeof(*s));
	s->syslog_facility = LOG_MAIL;
	s->log_level = MXG_LOG_INFO;
	s->max_connections = 1024;
	s->request_max = 16384;
	s->attributes_max = 100;
	s->idle_timeout_ms = 300000;
	s->request_timeout_ms = 10000;
	s->workers = 4;
	s->cache_size = 4096;
	s->cache_min_ttl = 30;
	s->cache_max_ttl = 3600;
	s->cache_neg_ttl = 60;
	s->dns_timeout_ms = MXG_CFG_DNS_TIMEOUT_DEFAULT;
	s->dns_cache_size = MXG_CFG_DNS_CACHE_SIZE_DEFAULT;
	s->metrics_interval_ms = MXG_CFG_METRICS_INTERVAL_DEFAULT;
	s->mta_sts_cache_size = 1024;
	s->mta_sts_fetch_timeout_ms = 4000;
	r->refs = 1;
	r->act[POLICYD_R_NULL_MX_SENDER] = POLICYD_REJECT;
	r->act[POLICYD_R_NULL_MX_RECIPIENT] = POLICYD_REJECT;
	r->act[POLICYD_R_UNROUTABLE_SENDER] = POLICYD_OFF;
	r->act[POLICYD_R_BROKEN_MX] = POLICYD_OFF;
	r->act[POLICYD_R_MX_BYPASS] = POLICYD_OFF;
	r->act[POLICYD_R_FULLY_MAPPED] = POLICYD_OFF;
	r->act[POLICYD_R_SPF] = POLICYD_OFF;
	r->spf_time_limit_ms = MXG_CFG_SPF_TIME_LIMIT_DEFAULT;
	mxg_strlcpy(r->receiver, "localhost", sizeof(r->receiver));
}

static int route_cmp(const void *a, const void *b)
{
	const struct policyd_route *x = a, *y = b;
	int c = strcmp(x->recipient, y->recipient);
	/* Equal recipients keep file order so that the last one wins. */
	return c ? c : (x->order < y->order ? -1 : x->order > y->order);
}

static int domain_cmp(const void *a, const void *b)
{
	return strcmp(((const struct policyd_domain *)a)->name,
		      ((const struct policyd_domain *)b)->name);
}

/* Sorts the tables for bsearch; of equal recipients only the last given is kept. */
static void finish(struct policyd_rules *r)
{
	size_t w = 0;

	if (r->n_routes > 0)
		qsort(r->routes, r->n_routes, sizeof(*r->routes), route_cmp);
	for (size_t i = 0; i < r->n_routes; i++) {
		if (i + 1 < r->n_routes && strcmp(r->routes[i].recipient, r->routes[i + 1].recipient) == 0) {
			free(r->routes[i].recipient);
			free(r->routes[i].nexthop);
			continue;
		}
		r->routes[w++] = r->routes[i];
	}
	r->n_routes = w;
	if (r->n_domains > 0)
		qsort(r->domains, r->n_domains, sizeof(*r->domains), domain_cmp);
}

static void rules_free(struct policyd_rules *r)
{
	if (r == NULL)
		return;
	mxg_cidr_list_free(&r->trusted);
	for (size_t i = 0; i < r->n_connectors; i++) {
		struct policyd_connector *c = &r->connectors[i];
		mxg_cidr_list_free(&c->networks);
		for (size_t j = 0; j < c->n_fp; j++)
			free(c->fingerprints[j]);
		for (size_t j = 0; j < c->n_pkfp; j++)
			free(c->pubkey_fps[j]);
	}
	free(r->connectors);
	for (size_t i = 0; i < r->n_domains; i++)
		mxg_cidr_list_free(&r->domains[i].trusted);
	free(r->domains);
	for (size_t i = 0; i < r->n_routes; i++) {
		free(r->routes[i].recipient);
		free(r->routes[i].nexthop);
	}
	free(r->routes);
	free(r);
}

static int check_connectors(struct loader *l)
{
	l->e = NULL;
	for (size_t i = 0; i < l->r->n_connectors; i++)
		if (l->r->connectors[i].networks.count == 0)
			return fail(l, "connector %s has no networks", l->r->connectors[i].name);
	return 0;
}

int policyd_config_load(struct mxg_config *c, struct policyd_settings *s,
			struct policyd_rules **rules, char *err, size_t errlen)
{
	struct policyd_rules *r = calloc(1, sizeof(*r));
	struct loader l = { .cfg = c, .s = s, .r = r, .err = err, .errlen = errlen };

	*rules = NULL;
	if (r == NULL) {
		mxg_strlcpy(err, "out of memory", errlen);
		return -1;
	}
	defaults(s, r);
	if (mxg_config_rename(c, old_keys) < 0) {
		mxg_strlcpy(err, "out of memory", errlen);
		rules_free(r);
		return -1;
	}
	for (size_t i = 0; i < c->count; i++) {
		int handled;
		l.e = &c->entries[i];
		if (mtasts_key(&l, &handled) < 0 || (!handled && daemon_key(&l, &handled) < 0) ||
		    (!handled && rules_key(&l) < 0)) {
			rules_free(r);
			return -1;
		}
	}
	if (check_connectors(&l) < 0 || check_mtasts(&l) < 0) {
		rules_free(r);
		return -1;
	}
	if (s->n_policy == 0 && s->n_socketmap == 0) {
		snprintf(err, errlen, "%s: neither policy_listen nor socketmap_listen is set", c->path);
		rules_free(r);
		return -1;
	}
	finish(r);
	*rules = r;
	return 0;
}

void policyd_rules_ref(struct policyd_rules *r)
{
	__atomic_add_fetch(&r->refs, 1, __ATOMIC_ACQ_REL);
}

void policyd_rules_unref(struct policyd_rules *r)
{
	if (r != NULL && __atomic_sub_fetch(&r->refs, 1, __ATOMIC_ACQ_REL) == 0)
		rules_free(r);
}
