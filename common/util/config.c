/* Configuration files (see config.h): bounded line splitting into key = value entries,
 * and the typed value parsers every program uses, so messages look the same everywhere. */
#include "mxguard/chars.h"
#include "mxguard/config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/file.h"
#include "mxguard/log.h"
#include "mxguard/str.h"

/* A configuration file is small; anything larger is a mistake, not a config. */
#define CONFIG_FILE_MAX (1024 * 1024)

static int fail_line(char *err, size_t errlen, const char *name, unsigned line, const char *why)
{
	if (errlen > 0)
		snprintf(err, errlen, "%s:%u: %s", name, line, why);
	return -1;
}

static int key_char_ok(unsigned char c)
{
	return mxg_is_alnum(c) || c == '_' || c == '-' || c == '.';
}

static int entry_push(struct mxg_config *c, size_t *cap, char *key, char *value, unsigned line)
{
	if (c->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct mxg_config_entry *p = realloc(c->entries, ncap * sizeof(*p));
		if (p == NULL)
			return -1;
		c->entries = p;
		*cap = ncap;
	}
	c->entries[c->count++] = (struct mxg_config_entry){ .key = key, .value = value, .line = line };
	return 0;
}

/* Splits one line (NUL-terminated, no newline) into an entry; blank and comment lines add
 * nothing. Returns 0, or -1 with why set. */
static int parse_line(struct mxg_config *c, size_t *cap, char *buf, unsigned line, const char **why)
{
	char *s = mxg_str_trim(buf);

	if (s[0] == '\0' || s[0] == '#')
		return 0;
	char *eq = strchr(s, '=');
	if (eq == NULL) {
		*why = "expected \"key = value\"";
		return -1;
	}
	*eq = '\0';
	char *k = mxg_str_trim(s), *v = mxg_str_trim(eq + 1);
	if (k[0] == '\0') {
		*why = "empty key";
		return -1;
	}
	for (const char *p = k; *p; p++) {
		if (!key_char_ok((unsigned char)*p)) {
			*why = "key may hold only letters, digits, '_', '-' and '.'";
			return -1;
		}
	}
	mxg_str_lower(k);
	char *key = mxg_strndup(k, strlen(k)), *value = mxg_strndup(v, strlen(v));
	if (key == NULL || value == NULL || entry_push(c, cap, key, value, line) != 0) {
		free(key);
		free(value);
		*why = strerror(ENOMEM);
		return -1;
	}
	return 0;
}

int mxg_config_parse(const char *name, const char *text, size_t len, struct mxg_config *out,
		     char *err, size_t errlen)
{
	char buf[MXG_CONFIG_LINE_MAX + 1];
	size_t cap = 0, pos = 0;
	unsigned line = 0;
	const char *why = NULL;

	memset(out, 0, sizeof(*out));
	mxg_strlcpy(out->path, name, sizeof(out->path));
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		line++;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		if (n > MXG_CONFIG_LINE_MAX)
			why = "line too long";
		else if (memchr(start, '\0', n) != NULL)
			why = "NUL byte in line";
		if (why == NULL) {
			memcpy(buf, start, n);
			buf[n] = '\0';
			if (parse_line(out, &cap, buf, line, &why) == 0)
				continue;
		}
		fail_line(err, errlen, name, line, why);
		mxg_config_free(out);
		return -1;
	}
	return 0;
}

int mxg_config_load(const char *path, struct mxg_config *out, char *err, size_t errlen)
{
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	char *text = mxg_file_read(path, CONFIG_FILE_MAX, &len, err, errlen);
	if (text == NULL)
		return -1;
	int rc = mxg_config_parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

void mxg_config_free(struct mxg_config *c)
{
	for (size_t i = 0; i < c->count; i++) {
		free(c->entries[i].key);
		free(c->entries[i].value);
	}
	free(c->entries);
	c->entries = NULL;
	c->count = 0;
}

const char *mxg_config_get(const struct mxg_config *c, const char *key)
{
	for (size_t i = c->count; i > 0; i--)
		if (mxg_strcaseeq(c->entries[i - 1].key, key))
			return c->entries[i - 1].value;
	return NULL;
}

int mxg_config_bool(const char *key, const char *value, int *out, char *err, size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (mxg_strcaseeq(value, yes[i])) {
			*out = 1;
			return 0;
		}
		if (mxg_strcaseeq(value, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return mxg_fail(err, errlen, "%s: %s", key, "expected yes or no");
}

/* Leading decimal digits of s into *out; *end is the first byte after them. */
static int parse_digits(const char *s, unsigned long *out, const char **end)
{
	unsigned long v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == s)
		return -1;
	*out = v;
	*end = p;
	return 0;
}

int mxg_config_uint(const char *key, const char *value, unsigned long min, unsigned long max,
		    unsigned long *out, char *err, size_t errlen)
{
	unsigned long v;
	const char *end;
	char why[96];

	if (parse_digits(value, &v, &end) != 0 || *end != '\0' || v < min || v > max) {
		snprintf(why, sizeof(why), "expected a whole number from %lu to %lu", min, max);
		return mxg_fail(err, errlen, "%s: %s", key, why);
	}
	*out = v;
	return 0;
}

int mxg_config_duration_ms(const char *key, const char *value, unsigned long *out_ms,
			   char *err, size_t errlen)
{
	static const struct {
		const char *suffix;
		unsigned long ms;
	} units[] = { { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		      { "h", 3600000 }, { "d", 86400000 } };
	unsigned long v;
	const char *end;

	if (parse_digits(value, &v, &end) == 0) {
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (!mxg_strcaseeq(end, units[i].suffix))
				continue;
			if (v > ULONG_MAX / units[i].ms)
				return mxg_fail(err, errlen, "%s: %s", key, "duration too large");
			*out_ms = v * units[i].ms;
			return 0;
		}
	}
	return mxg_fail(err, errlen, "%s: %s", key, "expected a duration such as 30s, 5m, 2h, 1d or 500ms");
}

int mxg_config_check_keys(const struct mxg_config *c, const char *const *known,
			  char *err, size_t errlen)
{
	for (size_t i = 0; i < c->count; i++) {
		int found = 0;
		for (const char *const *k = known; *k != NULL && !found; k++)
			found = mxg_strcaseeq(c->entries[i].key, *k);
		if (found)
			continue;
		if (errlen > 0)
			snprintf(err, errlen, "%s:%u: unknown key \"%s\"", c->path,
				 c->entries[i].line, c->entries[i].key);
		return -1;
	}
	return 0;
}

static const struct mxg_config_alias *alias_of(const struct mxg_config_alias *aliases,
					       const char *key)
{
	for (; aliases->old_key != NULL; aliases++)
		if (strcmp(aliases->old_key, key) == 0)
			return aliases;
	return NULL;
}

int mxg_config_rename(struct mxg_config *c, const struct mxg_config_alias *aliases)
{
	for (size_t i = 0; i < c->count; i++) {
		struct mxg_config_entry *e = &c->entries[i];
		const struct mxg_config_alias *a = alias_of(aliases, e->key);
		if (a == NULL)
			continue;
		char *key = mxg_strndup(a->new_key, strlen(a->new_key));
		if (key == NULL)
			return -1;
		mxg_log(MXG_LOG_WARNING, "%s:%u: \"%s\" is deprecated, use \"%s\" (the old name is"
			" accepted until mxguard 0.2)", c->path, e->line, e->key, key);
		free(e->key);
		e->key = key;
	}
	return 0;
}

const char *mxg_config_list_next(const char *s, char *item, size_t size, int *too_long)
{
	size_t n = 0;

	*too_long = 0;
	s += strspn(s, ", \t");
	if (*s == '\0')
		return NULL;
	for (; *s && !strchr(", \t", *s); s++) {
		if (n + 1 < size)
			item[n++] = *s;
		else
			*too_long = 1;
	}
	if (size > 0)
		item[n] = '\0';
	return s;
}
