/* Configuration files: "key = value" lines, '#' comments, one key per line.
 * The parser only splits and bounds; each program validates its own keys against a table. */
#ifndef MXGUARD_CONFIG_H
#define MXGUARD_CONFIG_H

#include <stddef.h>

#define MXG_CONFIG_LINE_MAX 4096

struct mxg_config_entry {
	char *key;     /* lower case */
	char *value;   /* trimmed, may be "" */
	unsigned line; /* 1-based line number, for messages */
};

struct mxg_config {
	char path[512];
	size_t count;
	struct mxg_config_entry *entries;
};

/* Reads path. Returns 0, or -1 with "path:line: reason" in err (lines over
 * MXG_CONFIG_LINE_MAX, a line without '=', an empty key, I/O errors). */
int mxg_config_load(const char *path, struct mxg_config *out, char *err, size_t errlen);
/* Parses text held in memory (name is used in messages). */
int mxg_config_parse(const char *name, const char *text, size_t len, struct mxg_config *out,
		     char *err, size_t errlen);
void mxg_config_free(struct mxg_config *c);

/* The last value given for key, or NULL. */
const char *mxg_config_get(const struct mxg_config *c, const char *key);

/* Typed value parsers: return 0, or -1 with "key: reason" in err. */
int mxg_config_bool(const char *key, const char *value, int *out, char *err, size_t errlen);
int mxg_config_uint(const char *key, const char *value, unsigned long min, unsigned long max,
		    unsigned long *out, char *err, size_t errlen);
/* Durations: "30", "30s", "5m", "2h", "1d"; result in milliseconds unless the value has "ms". */
int mxg_config_duration_ms(const char *key, const char *value, unsigned long *out_ms,
			   char *err, size_t errlen);

/* Settings more than one program has (mxguard-milter, mxguard-policyd): one key, one range and
 * one default, defined here and used by each program's key table. Durations in milliseconds. */
#define MXG_CFG_DNS_TIMEOUT_MIN 100UL
#define MXG_CFG_DNS_TIMEOUT_MAX 60000UL
#define MXG_CFG_DNS_TIMEOUT_DEFAULT 5000UL
#define MXG_CFG_DNS_CACHE_SIZE_MAX 1000000UL
#define MXG_CFG_DNS_CACHE_SIZE_DEFAULT 4096UL
/* RFC 7208 §4.6.4: a whole SPF evaluation may be limited, to no less than 20 seconds. */
#define MXG_CFG_SPF_TIME_LIMIT_MIN 100UL
#define MXG_CFG_SPF_TIME_LIMIT_MAX 300000UL
#define MXG_CFG_SPF_TIME_LIMIT_DEFAULT 20000UL
#define MXG_CFG_METRICS_INTERVAL_MIN 1000UL
#define MXG_CFG_METRICS_INTERVAL_MAX 86400000UL
#define MXG_CFG_METRICS_INTERVAL_DEFAULT 60000UL

/* An old spelling of a key, kept working for one release. */
struct mxg_config_alias {
	const char *old_key;
	const char *new_key;
};

/* Renames every entry of c spelled as an alias's old key to its new key, and logs one warning
 * for each naming the file, the line and the new key. aliases ends with { NULL, NULL }.
 * 0, or -1 when out of memory. */
int mxg_config_rename(struct mxg_config *c, const struct mxg_config_alias *aliases);

/* Lists in values: items separated by commas, spaces or tabs. Copies the item at s into item
 * (size bytes; cut to fit, with *too_long set) and returns where the next one starts, or NULL
 * when no item is left. Loop: while ((s = mxg_config_list_next(s, ...)) != NULL). */
const char *mxg_config_list_next(const char *s, char *item, size_t size, int *too_long);

/* Checks every key against known (NULL-terminated); the first unknown one is an error
 * naming its line. Returns 0 or -1. */
int mxg_config_check_keys(const struct mxg_config *c, const char *const *known,
			  char *err, size_t errlen);

#endif
