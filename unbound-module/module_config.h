/* The module's own configuration file (the dynlib API passes no parameters): actions per
 * severity, ignored codes, target cap, verdict cache size, counters file. mxguard-unbound.conf(5). */
#ifndef MODULE_CONFIG_H
#define MODULE_CONFIG_H

#include <stddef.h>

#include "mxguard/finding.h"

#define MODULE_CONFIG_DEFAULT "/etc/unbound/mxguard.conf"
#define MODULE_CONFIG_ENV "MXGUARD_UNBOUND_CONF"

enum {
	MODULE_ACT_LOG = 1u << 0,
	MODULE_ACT_EDE = 1u << 1,
	MODULE_ACT_STRIP = 1u << 2,
};

struct module_config {
	char path[512];                       /* file read, or "" when defaults were used */
	unsigned actions[MXG_SEV_CRITICAL + 1]; /* MODULE_ACT_* per severity */
	unsigned char ignore[MXG_F__COUNT];   /* 1: never acted on */
	unsigned max_targets;
	unsigned long max_wait_ms;            /* bound on the client's wait for target lookups */
	unsigned long verdict_cache_size;     /* entries */
	char metrics_file[512];              /* "" = none */
	unsigned long metrics_interval_ms;
};

/* The defaults: log and ede for warning and worse, no strip, MX_TTL_* ignored. */
void module_config_defaults(struct module_config *c);

/* Reads the file named by $MXGUARD_UNBOUND_CONF, else MODULE_CONFIG_DEFAULT; a missing default
 * file means defaults. Returns 0, or -1 with the reason in err (c is then unspecified). */
int module_config_load(struct module_config *c, char *err, size_t errlen);

/* The file the module reads: $MXGUARD_UNBOUND_CONF when set and not empty (*named = 1), else
 * MODULE_CONFIG_DEFAULT (*named = 0). named may be NULL. */
const char *module_config_path(int *named);

/* Reads path (which must exist) over the defaults. Returns 0, or -1 with "path:line: reason"
 * (or "path: reason" when the file cannot be read) in err. */
int module_config_load_file(struct module_config *c, const char *path, char *err, size_t errlen);

/* Parses configuration text (name for messages) over the defaults. Returns 0 or -1. */
int module_config_parse(struct module_config *c, const char *name, const char *text, size_t len,
			char *err, size_t errlen);

/* "log ede strip" for a mask ("none" for 0), into buf. */
const char *module_actions_text(unsigned mask, char *buf, size_t len);

#endif
