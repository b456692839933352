/* milter.conf: every key of mxguard-milter in one table (type, bounds, target field), applied
 * over the defaults; docs/mxguard-milter.conf.5 documents the same keys in the same order. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "milter.h"
#include "milter_sign.h"
#include "mxguard/config.h"
#include "mxguard/log.h"
#include "mxguard/report_out.h"
#include "mxguard/report_store.h"
#include "mxguard/str.h"

enum key_kind { K_STR, K_BOOL, K_UINT, K_MS, K_CHOICE, K_SPECIAL };

struct choice {
	const char *name;
	int value;
};

struct key_def {
	const char *key;
	enum key_kind kind;
	size_t off;              /* field in struct milter_config */
	size_t size;             /* K_STR: buffer size */
	unsigned long min, max;  /* K_UINT, K_MS */
	const struct choice *choices; /* K_CHOICE, NULL-name terminated; stored in an int */
};

static const struct choice log_choices[] = { { "syslog", 1 }, { "stderr", 0 }, { NULL, 0 } };
static const struct choice level_choices[] = {
	{ "err", MXG_LOG_ERR }, { "warning", MXG_LOG_WARNING }, { "notice", MXG_LOG_NOTICE },
	{ "info", MXG_LOG_INFO }, { "debug", MXG_LOG_DEBUG }, { NULL, 0 } };
static const struct choice quarantine_choices[] = {
	{ "hold", MXG_QUARANTINE_HOLD }, { "tag", MXG_QUARANTINE_TAG },
	{ "ignore", MXG_QUARANTINE_IGNORE }, { NULL, 0 } };
static const struct choice temperror_choices[] = { { "tempfail", 1 }, { "accept", 0 }, { NULL, 0 } };
static const struct choice internal_choices[] = { { "tempfail", 1 }, { "accept", 0 }, { NULL, 0 } };
static const struct choice auth_choices[] = { { "skip", 0 }, { "soften", 1 }, { NULL, 0 } };
static const struct choice rollout_choices[] = { { "enforce", 0 }, { "rollout", 1 }, { NULL, 0 } };
static const struct choice seal_choices[] = {
	{ "off", MILTER_SEAL_OFF }, { "inbound", MILTER_SEAL_INBOUND }, { "all", MILTER_SEAL_ALL },
	{ NULL, 0 } };
static const struct choice seal_error_choices[] = { { "deliver", 0 }, { "tempfail", 1 }, { NULL, 0 } };
static const struct choice forward_choices[] = {
	{ "none", MXG_DMARC_POLICY_NONE }, { "quarantine", MXG_DMARC_POLICY_QUARANTINE }, { NULL, 0 } };
static const struct choice report_format_choices[] = {
	{ "rfc7489", MXG_REPORT_RFC7489 }, { "dmarcbis", MXG_REPORT_DMARCBIS }, { NULL, 0 } };
static const struct choice mode_choices[] = {
	{ "9989", MXG_DMARC_MODE_9989 }, { "7489", MXG_DMARC_MODE_7489 }, { NULL, 0 } };

#define F(field) offsetof(struct milter_config, field)
#define S(field) F(field), sizeof(((struct milter_config *)0)->field)

static const struct key_def keys[] = {
	{ "socket", K_STR, S(socket), 0, 0, NULL },
	{ "user", K_STR, S(user), 0, 0, NULL },
	{ "pid_file", K_STR, S(pid_file), 0, 0, NULL },
	{ "log", K_CHOICE, F(log_syslog), 0, 0, 0, log_choices },
	{ "syslog_facility", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "log_level", K_CHOICE, F(log_level), 0, 0, 0, level_choices },
	{ "authserv_id", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "dns_forwarders", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "dns_use_system", K_BOOL, F(dns_use_system), 0, 0, 0, NULL },
	{ "dns_trust_anchor", K_STR, S(trust_anchor), 0, 0, NULL },
	{ "dns_cache_size", K_UINT, F(dns_cache_size), 0, 0, MXG_CFG_DNS_CACHE_SIZE_MAX, NULL },
	{ "dns_timeout", K_MS, F(dns_timeout_ms), 0, MXG_CFG_DNS_TIMEOUT_MIN, MXG_CFG_DNS_TIMEOUT_MAX,
	  NULL },
	{ "spf_time_limit", K_MS, F(spf_time_limit_ms), 0, MXG_CFG_SPF_TIME_LIMIT_MIN,
	  MXG_CFG_SPF_TIME_LIMIT_MAX, NULL },
	{ "spf_helo", K_BOOL, F(spf_helo), 0, 0, 0, NULL },
	{ "mode", K_CHOICE, F(policy.rollout), 0, 0, 0, rollout_choices },
	{ "spf_reject_fail", K_BOOL, F(policy.spf_reject_fail), 0, 0, 0, NULL },
	{ "dmarc_reject", K_BOOL, F(policy.dmarc_reject), 0, 0, 0, NULL },
	{ "dmarc_quarantine", K_CHOICE, F(policy.quarantine), 0, 0, 0, quarantine_choices },
	{ "dmarc_mode", K_CHOICE, F(dmarc_mode), 0, 0, 0, mode_choices },
	{ "psl_file", K_STR, S(psl_file), 0, 0, NULL },
	{ "on_temperror", K_CHOICE, F(policy.temperror_tempfail), 0, 0, 0, temperror_choices },
	{ "on_internal_error", K_CHOICE, F(policy.internal_error_tempfail), 0, 0, 0, internal_choices },
	{ "reject_bad_from", K_BOOL, F(policy.reject_bad_from), 0, 0, 0, NULL },
	{ "tag_header", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "trusted_networks", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "internal_hosts", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "authenticated", K_CHOICE, F(authenticated_soften), 0, 0, 0, auth_choices },
	{ "max_header_bytes", K_UINT, F(max_header_bytes), 0, 1024, 16UL << 20, NULL },
	{ "max_signatures", K_UINT, F(max_signatures), 0, 1, 64, NULL },
	{ "min_rsa_bits", K_UINT, F(min_rsa_bits), 0, 512, 8192, NULL },
	{ "key_cache_size", K_UINT, F(key_cache_size), 0, 16, 1000000, NULL },
	{ "metrics_file", K_STR, S(metrics_file), 0, 0, NULL },
	{ "metrics_interval", K_MS, F(metrics_interval_ms), 0, MXG_CFG_METRICS_INTERVAL_MIN,
	  MXG_CFG_METRICS_INTERVAL_MAX, NULL },
	{ "report_store", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "report_keep", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "report_org_name", K_STR, S(report_org_name), 0, 0, NULL },
	{ "report_email", K_STR, S(report_email), 0, 0, NULL },
	/* read by mxguard report send (the milter only checks it) */
	{ "report_format", K_CHOICE, F(report_format), 0, 0, 0, report_format_choices },
	{ "arc_seal", K_CHOICE, F(sealing.mode), 0, 0, 0, seal_choices },
	{ "arc_seal_key", K_STR, S(sealing.key_path), 0, 0, NULL },
	{ "arc_seal_domain", K_STR, S(sealing.domain), 0, 0, NULL },
	{ "arc_seal_selector", K_STR, S(sealing.selector), 0, 0, NULL },
	{ "arc_seal_on_error", K_CHOICE, F(sealing.error_tempfail), 0, 0, 0, seal_error_choices },
	/* Trusted ARC forwarders (arc_override.h). */
	{ "arc_trusted_sealers", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "arc_trusted_disposition", K_CHOICE, F(policy.arc_trust.disposition), 0, 0, 0,
	  forward_choices },
	/* Outbound signing: parsed by milter_sign.c. */
	{ "signing_keys", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "signing_subdomains", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "signing_canon", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "signing_expire", K_MS, F(signing.expire_ms), 0, 0, MILTER_SIGN_EXPIRE_MAX_MS, NULL },
	{ "signing_local_submission", K_BOOL, F(signing.local_submission), 0, 0, 0, NULL },
	{ "internal_networks", K_SPECIAL, 0, 0, 0, 0, NULL },
	{ "on_signing_error", K_CHOICE, F(signing.error_tempfail), 0, 0, 0, internal_choices },
	{ "signing_tempfail_domains", K_SPECIAL, 0, 0, 0, 0, NULL },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void milter_config_defaults(struct milter_config *c)
{
	char host[MXG_DNS_NAME_MAX];
	char err[128];

	memset(c, 0, sizeof(*c));
	mxg_strlcpy(c->socket, MILTER_DEFAULT_SOCKET, sizeof(c->socket));
	c->log_syslog = -1;
	c->log_facility = LOG_MAIL;
	c->log_level = MXG_LOG_INFO;
	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		mxg_strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	mxg_strlcpy(c->authserv_id, host, sizeof(c->authserv_id));
	mxg_strlcpy(c->forwarder_buf[0], "127.0.0.1", sizeof(c->forwarder_buf[0]));
	c->forwarders[0] = c->forwarder_buf[0];
	c->dns_cache_size = MXG_CFG_DNS_CACHE_SIZE_DEFAULT;
	c->dns_timeout_ms = MXG_CFG_DNS_TIMEOUT_DEFAULT;
	c->spf_time_limit_ms = MXG_CFG_SPF_TIME_LIMIT_DEFAULT;
	c->spf_helo = 1;
	mxg_policy_defaults(&c->policy);
	mxg_strlcpy(c->tag_header, "X-Mxguard-Verdict", sizeof(c->tag_header));
	(void)mxg_cidr_list_parse("127.0.0.0/8 ::1", &c->trusted, err, sizeof(err));
	c->max_header_bytes = 256UL * 1024;
	c->max_signatures = 10;
	c->min_rsa_bits = 1024;
	c->key_cache_size = 4096;
	c->dmarc_mode = MXG_DMARC_MODE_9989;
	c->metrics_interval_ms = MXG_CFG_METRICS_INTERVAL_DEFAULT;
	c->report_keep_s = 31LL * 86400;
	c->signing.local_submission = 1;
}

void milter_config_release(struct milter_config *c)
{
	mxg_cidr_list_free(&c->trusted);
	mxg_cidr_list_free(&c->internal);
	milter_sign_release(&c->signing);
}

static int fail(char *err, size_t errlen, const struct mxg_config *mc, const char *key,
		const char *why)
{
	unsigned line = 0;

	for (size_t i = mc->count; i > 0 && line == 0; i--)
		if (mxg_strcaseeq(mc->entries[i - 1].key, key))
			line = mc->entries[i - 1].line;
	return mxg_fail(err, errlen, "%s:%u: %s", mc->path, line, why);
}

static int set_forwarders(struct milter_config *c, const char *v, char *why, size_t wl)
{
	char tok[64];
	size_t n = 0;
	int too_long;

	while ((v = mxg_config_list_next(v, tok, sizeof(tok), &too_long)) != NULL) {
		struct mxg_addr a;
		char host[64];
		char *at;

		mxg_strlcpy(host, tok, sizeof(host));
		if ((at = strchr(host, '@')) != NULL)
			*at = '\0';
		if (too_long || mxg_addr_parse(host, &a, 1) != 0)
			return mxg_fail(why, wl, "dns_forwarders: \"%.60s\" is not ADDR or ADDR@PORT", tok);
		if (n == MILTER_FORWARDERS_MAX)
			return mxg_fail(why, wl, "dns_forwarders: at most %d", MILTER_FORWARDERS_MAX);
		mxg_strlcpy(c->forwarder_buf[n], tok, sizeof(c->forwarder_buf[n]));
		c->forwarders[n] = c->forwarder_buf[n];
		n++;
	}
	c->forwarders[n] = NULL;
	return 0;
}

/* internal_hosts: CIDRs and host names mixed; the CIDRs go to one list. */
static int set_internal(struct milter_config *c, const char *v, char *why, size_t wl)
{
	char tok[MXG_DNS_NAME_MAX];
	char cidrs[MXG_CONFIG_LINE_MAX] = "";
	int too_long;

	c->internal_name_count = 0;
	mxg_cidr_list_free(&c->internal);
	while ((v = mxg_config_list_next(v, tok, sizeof(tok), &too_long)) != NULL) {
		struct mxg_cidr cidr;
		char name[MXG_DNS_NAME_MAX];

		if (!too_long && mxg_cidr_parse(tok, &cidr) == 0) {
			mxg_strlcat(cidrs, " ", sizeof(cidrs));
			mxg_strlcat(cidrs, tok, sizeof(cidrs));
			continue;
		}
		if (too_long || mxg_dns_name_normalize(tok, name, sizeof(name)) != 0 || name[0] == '\0')
			return mxg_fail(why, wl, "internal_hosts: \"%.60s\" is neither an address, a network"
					" nor a host name", tok);
		if (c->internal_name_count == MILTER_HOSTS_MAX)
			return mxg_fail(why, wl, "internal_hosts: at most %d host names", MILTER_HOSTS_MAX);
		mxg_strlcpy(c->internal_names[c->internal_name_count++], name, MXG_DNS_NAME_MAX);
	}
	return mxg_cidr_list_parse(cidrs, &c->internal, why, wl);
}

int milter_config_cidrs(const char *key, const char *v, struct mxg_cidr_list *out, char *why,
			size_t wl)
{
	struct mxg_cidr_list l = { 0, NULL };
	char e[160];

	if (mxg_cidr_list_parse(v, &l, e, sizeof(e)) != 0)
		return mxg_fail(why, wl, "%s: %s", key, e);
	mxg_cidr_list_free(out);
	*out = l;
	return 0;
}

/* A header field name: printable ASCII without ':' or space (RFC 5322 §3.6.8). */
static int set_tag_header(struct milter_config *c, const char *v, char *why, size_t wl)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];
		if (ch <= 32 || ch >= 127 || ch == ':')
			n = 0;
	}
	if (n == 0 || n >= sizeof(c->tag_header))
		return mxg_fail(why, wl, "tag_header: not a header field name");
	mxg_strlcpy(c->tag_header, v, sizeof(c->tag_header));
	return 0;
}

/* report_store and report_keep: checked here, used by the recorder. */
static int set_report(struct milter_config *c, const char *key, const char *v, char *why,
		      size_t wl)
{
	if (strcmp(key, "report_keep") == 0) {
		int64_t keep;
		if (mxg_store_parse_duration(v, &keep) != 0)
			return mxg_fail(why, wl, "report_keep: \"%.40s\" is not a duration (31d, 12h, ...)", v);
		c->report_keep_s = keep;
		return 0;
	}
	if (v[0] != '\0' && strncmp(v, "sqlite:", 7) != 0 && strncmp(v, "postgresql://", 13) != 0 &&
	    strncmp(v, "postgres://", 11) != 0)
		return mxg_fail(why, wl, "report_store: expected sqlite:PATH or postgresql://...");
	if (strlen(v) >= sizeof(c->report_store))
		return mxg_fail(why, wl, "report_store: too long");
	mxg_strlcpy(c->report_store, v, sizeof(c->report_store));
	return 0;
}

static int set_special(struct milter_config *c, const char *key, const char *v, char *why, size_t wl)
{
	if (strncmp(key, "report_", 7) == 0)
		return set_report(c, key, v, why, wl);
	if (milter_sign_key_name(key))
		return milter_sign_set(&c->signing, key, v, why, wl);
	if (strcmp(key, "syslog_facility") == 0) {
		int f = mxg_log_facility_parse(v);
		if (f < 0)
			return mxg_fail(why, wl, "syslog_facility: unknown facility \"%.40s\"", v);
		c->log_facility = f;
		return 0;
	}
	if (strcmp(key, "authserv_id") == 0) {
		/* An RFC 8601 authserv-id is a value (token or quoted string); we only write tokens. */
		for (const char *p = v; *p; p++)
			if ((unsigned char)*p <= 32 || (unsigned char)*p >= 127 || strchr("()<>@,;:\\\"/[]?=", *p))
				v = "";
		if (v[0] == '\0' || strlen(v) >= sizeof(c->authserv_id))
			return mxg_fail(why, wl, "authserv_id: not a plain token (letters, digits, '.', '-')");
		mxg_strlcpy(c->authserv_id, v, sizeof(c->authserv_id));
		return 0;
	}
	if (strcmp(key, "dns_forwarders") == 0)
		return set_forwarders(c, v, why, wl);
	if (strcmp(key, "arc_trusted_sealers") == 0) {
		char e[160];
		if (mxg_arc_trust_parse(v, &c->policy.arc_trust, e, sizeof(e)) != 0)
			return mxg_fail(why, wl, "arc_trusted_sealers: %s", e);
		return 0;
	}
	if (strcmp(key, "trusted_networks") == 0)
		return milter_config_cidrs(key, v, &c->trusted, why, wl);
	if (strcmp(key, "internal_hosts") == 0)
		return set_internal(c, v, why, wl);
	return set_tag_header(c, v, why, wl);
}

static int set_choice(const struct key_def *k, int *field, const char *v, char *why, size_t wl)
{
	char names[160] = "";

	for (const struct choice *ch = k->choices; ch->name != NULL; ch++) {
		if (mxg_strcaseeq(v, ch->name)) {
			*field = ch->value;
			return 0;
		}
		mxg_strcatf(names, sizeof(names), "%s%s", names[0] ? ", " : "", ch->name);
	}
	return mxg_fail(why, wl, "%s: expected one of %s", k->key, names);
}

static int apply_key(struct milter_config *c, const struct key_def *k, const char *v,
		     char *why, size_t wl)
{
	char *base = (char *)c;

	switch (k->kind) {
	case K_STR:
		if (strlen(v) >= k->size)
			return mxg_fail(why, wl, "%s: longer than %zu characters", k->key, k->size - 1);
		mxg_strlcpy(base + k->off, v, k->size);
		return 0;
	case K_BOOL:
		return mxg_config_bool(k->key, v, (int *)(void *)(base + k->off), why, wl);
	case K_UINT:
		return mxg_config_uint(k->key, v, k->min, k->max, (unsigned long *)(void *)(base + k->off),
				       why, wl);
	case K_MS: {
		unsigned long ms;
		if (mxg_config_duration_ms(k->key, v, &ms, why, wl) != 0)
			return -1;
		if (ms < k->min || ms > k->max)
			return mxg_fail(why, wl, "%s: must lie between %lums and %lums", k->key, k->min, k->max);
		*(unsigned long *)(void *)(base + k->off) = ms;
		return 0;
	}
	case K_CHOICE:
		return set_choice(k, (int *)(void *)(base + k->off), v, why, wl);
	case K_SPECIAL:
		return set_special(c, k->key, v, why, wl);
	}
	return -1;
}

static int apply(struct milter_config *c, const struct mxg_config *mc, char *err, size_t errlen)
{
	const char *known[NKEYS + 1];
	char why[256];

	for (size_t i = 0; i < NKEYS; i++)
		known[i] = keys[i].key;
	known[NKEYS] = NULL;
	if (mxg_config_check_keys(mc, known, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < NKEYS; i++) {
		const char *v = mxg_config_get(mc, keys[i].key);
		if (v != NULL && apply_key(c, &keys[i], v, why, sizeof(why)) != 0)
			return fail(err, errlen, mc, keys[i].key, why);
	}
	if (c->socket[0] == '\0')
		return fail(err, errlen, mc, "socket", "socket: must not be empty");
	return 0;
}

int milter_config_parse(struct milter_config *c, const char *name, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct mxg_config mc;
	int rc;

	if (mxg_config_parse(name, text, len, &mc, err, errlen) != 0)
		return -1;
	rc = apply(c, &mc, err, errlen);
	mxg_config_free(&mc);
	return rc;
}

int milter_config_load(struct milter_config *c, const char *path, char *err, size_t errlen)
{
	struct mxg_config mc;
	int rc;

	if (mxg_config_load(path, &mc, err, errlen) != 0)
		return -1;
	rc = apply(c, &mc, err, errlen);
	mxg_config_free(&mc);
	return rc;
}

int milter_config_is_internal(const struct milter_config *c, const struct mxg_addr *addr,
			      const char *host)
{
	if (addr != NULL && mxg_cidr_list_match(&c->internal, addr))
		return 1;
	if (host == NULL || host[0] == '\0')
		return 0;
	for (size_t i = 0; i < c->internal_name_count; i++)
		if (mxg_dns_name_equal(host, c->internal_names[i]))
			return 1;
	return 0;
}
