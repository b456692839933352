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

/* Checks every key against known (NULL-terminated); the first unknown one is an error
 * naming its line. Returns 0 or -1. */
int mxg_config_check_keys(const struct mxg_config *c, const char *const *known,
			  char *err, size_t errlen);

#endif
