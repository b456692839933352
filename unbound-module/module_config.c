/* Reads mxguard.conf for the Unbound module with the core's key = value parser and checks every
 * key and value; an error names the file and line. The module then keeps its previous settings
 * (or passes everything through), and mxguard-unbound-checkconf runs this same code offline. */
#include "module_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mxguard/config.h"
#include "mxguard/mx.h"
#include "mxguard/str.h"

static const char *const known_keys[] = {
	"actions_info", "actions_warning", "actions_error", "actions_critical",
	"ignore", "max_targets", "max_wait", "verdict_cache_size", "metrics_file",
	"metrics_interval", "watch_domain",
	NULL,
};

/* The spellings of 0.1's first releases: every mxguard program now writes keys one way. */
static const struct mxg_config_alias old_keys[] = {
	{ "actions-info", "actions_info" },
	{ "actions-warning", "actions_warning" },
	{ "actions-error", "actions_error" },
	{ "actions-critical", "actions_critical" },
	{ "max-targets", "max_targets" },
	{ "max-wait", "max_wait" },
	{ "verdict-cache-size", "verdict_cache_size" },
	{ "counters-file", "metrics_file" },
	{ "counters-interval", "metrics_interval" },
	{ NULL, NULL },
};

static const char *const severity_keys[] = {
	[MXG_SEV_INFO] = "actions_info",
	[MXG_SEV_WARNING] = "actions_warning",
	[MXG_SEV_ERROR] = "actions_error",
	[MXG_SEV_CRITICAL] = "actions_critical",
};

void module_config_defaults(struct module_config *c)
{
	memset(c, 0, sizeof(*c));
	c->actions[MXG_SEV_INFO] = 0;
	c->actions[MXG_SEV_WARNING] = MODULE_ACT_LOG | MODULE_ACT_EDE;
	c->actions[MXG_SEV_ERROR] = MODULE_ACT_LOG | MODULE_ACT_EDE;
	c->actions[MXG_SEV_CRITICAL] = MODULE_ACT_LOG | MODULE_ACT_EDE;
	/* The resolver sees the remaining TTL of cached data, not the published one. */
	c->ignore[MXG_F_MX_TTL_LOW] = 1;
	c->ignore[MXG_F_MX_TTL_HIGH] = 1;
	c->max_targets = 16;
	c->max_wait_ms = 1500;
	c->verdict_cache_size = 4096;
	c->metrics_interval_ms = MXG_CFG_METRICS_INTERVAL_DEFAULT;
}

const char *module_actions_text(unsigned mask, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (mask & MODULE_ACT_LOG)
		mxg_strlcat(buf, " log", len);
	if (mask & MODULE_ACT_EDE)
		mxg_strlcat(buf, " ede", len);
	if (mask & MODULE_ACT_STRIP)
		mxg_strlcat(buf, " strip", len);
	if (buf[0] == '\0')
		mxg_strlcpy(buf, " none", len);
	memmove(buf, buf + 1, strlen(buf));
	return buf;
}

/* Splits a value into words separated by spaces, tabs or commas; calls fn on each. */
static int each_word(const char *key, const char *value, void *arg,
		     int (*fn)(const char *key, const char *word, void *arg, char *err, size_t errlen),
		     char *err, size_t errlen)
{
	char word[MXG_DNS_NAME_MAX];
	int too_long;

	while ((value = mxg_config_list_next(value, word, sizeof(word), &too_long)) != NULL) {
		if (too_long)
			return mxg_fail(err, errlen, "%s: value too long", key);
		if (fn(key, word, arg, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int add_action(const char *key, const char *word, void *arg, char *err, size_t errlen)
{
	unsigned *mask = arg;

	if (mxg_strcaseeq(word, "log"))
		*mask |= MODULE_ACT_LOG;
	else if (mxg_strcaseeq(word, "ede"))
		*mask |= MODULE_ACT_EDE;
	else if (mxg_strcaseeq(word, "strip"))
		*mask |= MODULE_ACT_STRIP;
	else if (!mxg_strcaseeq(word, "none"))
		return mxg_fail(err, errlen, "%s: unknown action '%s' (log, ede, strip, none)", key, word);
	return 0;
}

static int add_ignore(const char *key, const char *word, void *arg, char *err, size_t errlen)
{
	unsigned char *ignore = arg;
	enum mxg_finding_code code;

	if (mxg_strcaseeq(word, "none"))
		return 0;
	code = mxg_finding_by_name(word);
	if (code == MXG_F__COUNT)
		return mxg_fail(err, errlen, "%s: unknown finding code '%s'", key, word);
	ignore[code] = 1;
	return 0;
}

static int add_watch(const char *key, const char *word, void *arg, char *err, size_t errlen)
{
	struct module_config *c = arg;
	char norm[MXG_DNS_NAME_MAX];

	if (mxg_strcaseeq(word, "none"))
		return 0;
	if (mxg_dns_name_normalize(word, norm, sizeof(norm)) < 0 || norm[0] == '\0')
		return mxg_fail(err, errlen, "%s: '%s' is not a domain name", key, word);
	for (unsigned i = 0; i < c->n_watch; i++)
		if (strcmp(c->watch[i], norm) == 0)
			return 0;
	if (c->n_watch >= MODULE_WATCH_MAX)
		return mxg_fail(err, errlen, "%s: more than %d domains", key, MODULE_WATCH_MAX);
	mxg_strlcpy(c->watch[c->n_watch++], norm, sizeof(c->watch[0]));
	return 0;
}

/* Every watch_domain line adds its names (the other keys take their last value). */
static int apply_watch(struct module_config *c, const struct mxg_config *f, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i < f->count; i++) {
		if (!mxg_strcaseeq(f->entries[i].key, "watch_domain"))
			continue;
		if (each_word("watch_domain", f->entries[i].value, c, add_watch, err, errlen) < 0) {
			char reason[256];
			mxg_strlcpy(reason, err, sizeof(reason));
			return mxg_fail(err, errlen, "%s:%u: %s", f->path, f->entries[i].line, reason);
		}
	}
	return 0;
}

static int apply_lists(struct module_config *c, const struct mxg_config *f, char *err,
		       size_t errlen)
{
	const char *v;

	for (int s = MXG_SEV_INFO; s <= MXG_SEV_CRITICAL; s++) {
		v = mxg_config_get(f, severity_keys[s]);
		if (!v)
			continue;
		c->actions[s] = 0;
		if (each_word(severity_keys[s], v, &c->actions[s], add_action, err, errlen) < 0)
			return -1;
	}
	v = mxg_config_get(f, "ignore");
	if (v) {
		memset(c->ignore, 0, sizeof(c->ignore));
		if (each_word("ignore", v, c->ignore, add_ignore, err, errlen) < 0)
			return -1;
	}
	return 0;
}

static int apply_numbers(struct module_config *c, const struct mxg_config *f, char *err,
			 size_t errlen)
{
	unsigned long n;
	const char *v;

	if ((v = mxg_config_get(f, "max_targets"))) {
		if (mxg_config_uint("max_targets", v, 1, MXG_MX_MAX_TARGETS, &n, err, errlen) < 0)
			return -1;
		c->max_targets = (unsigned)n;
	}
	if ((v = mxg_config_get(f, "max_wait"))) {
		if (mxg_config_duration_ms("max_wait", v, &n, err, errlen) < 0)
			return -1;
		if (n < 100 || n > 30000)
			return mxg_fail(err, errlen, "max_wait: must be between 100ms and 30s");
		c->max_wait_ms = n;
	}
	if ((v = mxg_config_get(f, "verdict_cache_size"))) {
		if (mxg_config_uint("verdict_cache_size", v, 16, 1048576, &n, err, errlen) < 0)
			return -1;
		c->verdict_cache_size = n;
	}
	if ((v = mxg_config_get(f, "metrics_interval"))) {
		if (mxg_config_duration_ms("metrics_interval", v, &n, err, errlen) < 0)
			return -1;
		if (n < MXG_CFG_METRICS_INTERVAL_MIN || n > MXG_CFG_METRICS_INTERVAL_MAX)
			return mxg_fail(err, errlen, "metrics_interval: must be between 1s and 1d");
		c->metrics_interval_ms = n;
	}
	if ((v = mxg_config_get(f, "metrics_file"))) {
		if (v[0] != '\0' && v[0] != '/')
			return mxg_fail(err, errlen, "metrics_file: must be an absolute path");
		if (mxg_strlcpy(c->metrics_file, v, sizeof(c->metrics_file)) >=
		    sizeof(c->metrics_file))
			return mxg_fail(err, errlen, "metrics_file: path too long");
	}
	return 0;
}

/* Prefixes err (a "key: reason" message) with "file:line: ". */
static int fail_at(const struct mxg_config *f, char *err, size_t errlen)
{
	char reason[256];
	unsigned line = 0;

	mxg_strlcpy(reason, err, sizeof(reason));
	for (size_t i = 0; i < f->count; i++)
		if (strncmp(reason, f->entries[i].key, strlen(f->entries[i].key)) == 0 &&
		    reason[strlen(f->entries[i].key)] == ':')
			line = f->entries[i].line;
	return mxg_fail(err, errlen, "%s:%u: %s", f->path, line, reason);
}

static int apply(struct module_config *c, struct mxg_config *f, char *err, size_t errlen)
{
	if (mxg_config_rename(f, old_keys) < 0)
		return mxg_fail(err, errlen, "%s: out of memory", f->path);
	if (mxg_config_check_keys(f, known_keys, err, errlen) < 0)
		return -1;
	if (apply_lists(c, f, err, errlen) < 0 || apply_numbers(c, f, err, errlen) < 0)
		return fail_at(f, err, errlen);
	return apply_watch(c, f, err, errlen);
}

int module_config_parse(struct module_config *c, const char *name, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct mxg_config f;
	int rc;

	module_config_defaults(c);
	memset(&f, 0, sizeof(f));
	if (mxg_config_parse(name, text, len, &f, err, errlen) < 0)
		return -1;
	mxg_strlcpy(c->path, name, sizeof(c->path));
	rc = apply(c, &f, err, errlen);
	mxg_config_free(&f);
	return rc;
}

const char *module_config_path(int *named)
{
	const char *env = getenv(MODULE_CONFIG_ENV);
	int from_env = env && env[0];

	if (named)
		*named = from_env;
	return from_env ? env : MODULE_CONFIG_DEFAULT;
}

int module_config_load_file(struct module_config *c, const char *path, char *err, size_t errlen)
{
	struct mxg_config f;
	int rc;

	module_config_defaults(c);
	memset(&f, 0, sizeof(f));
	if (mxg_config_load(path, &f, err, errlen) < 0)
		return -1;
	mxg_strlcpy(c->path, path, sizeof(c->path));
	rc = apply(c, &f, err, errlen);
	mxg_config_free(&f);
	return rc;
}

int module_config_load(struct module_config *c, char *err, size_t errlen)
{
	int named;
	const char *path = module_config_path(&named);
	struct stat st;

	module_config_defaults(c);
	if (!named && stat(path, &st) < 0 && errno == ENOENT)
		return 0;
	return module_config_load_file(c, path, err, errlen);
}
