/* The hosted-mail provider table: "name<TAB>mx names<TAB>includes" lines, lists separated
 * by commas, '#' comments. Read once per audit run; every field bounded. */
#include "mxguard/spf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

#ifndef MXG_DATADIR
#define MXG_DATADIR "/usr/local/share/mxguard"
#endif

#define LINE_MAX_LEN 2048

const char *mxg_spf_providers_path(char *buf, size_t bufsize)
{
	const char *dir = getenv("MXGUARD_DATADIR");

	snprintf(buf, bufsize, "%s/spf-providers.tsv", dir && *dir ? dir : MXG_DATADIR);
	return buf;
}

/* Splits a comma list into names (lower case, no trailing dot); reentrant, so tables may be
 * loaded by several threads. Returns the count or -1. */
static int split_names(char *s, char names[][MXG_DNS_NAME_MAX], size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char name[MXG_DNS_NAME_MAX];
		tok = mxg_str_trim(tok);
		if (*tok == '\0' || n == max ||
		    mxg_strlcpy(name, tok, sizeof(name)) >= sizeof(name) ||
		    mxg_dns_name_normalize(name, names[n], MXG_DNS_NAME_MAX) < 0 || names[n][0] == '\0')
			return -1;
		n++;
	}
	return n ? (int)n : -1;
}

static int parse_line(char *line, struct mxg_spf_provider *p, const char **why)
{
	char *mx = strchr(line, '\t');
	char *inc = mx ? strchr(mx + 1, '\t') : NULL;

	if (inc == NULL || strchr(inc + 1, '\t')) {
		*why = "expected three tab-separated fields";
		return -1;
	}
	*mx++ = '\0';
	*inc++ = '\0';
	memset(p, 0, sizeof(*p));
	mxg_str_trim(line);
	if (*line == '\0' || mxg_strlcpy(p->name, line, sizeof(p->name)) >= sizeof(p->name)) {
		*why = "empty or overlong provider name";
		return -1;
	}
	int nm = split_names(mx, p->mx, MXG_SPF_PROVIDER_NAMES);
	int ni = nm < 0 ? -1 : split_names(inc, p->include, MXG_SPF_PROVIDER_NAMES);
	if (nm < 0 || ni < 0) {
		*why = "bad name list (1 to 8 domain names, comma-separated)";
		return -1;
	}
	p->mx_count = (size_t)nm;
	p->include_count = (size_t)ni;
	return 0;
}

static int add_line(struct mxg_spf_providers *out, char *line, const char **why)
{
	struct mxg_spf_provider p;

	if (parse_line(line, &p, why) < 0)
		return -1;
	if (out->count == MXG_SPF_PROVIDERS_MAX) {
		*why = "too many providers";
		return -1;
	}
	struct mxg_spf_provider *grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
	if (grown == NULL) {
		*why = "out of memory";
		return -1;
	}
	out->items = grown;
	out->items[out->count++] = p;
	return 0;
}

int mxg_spf_providers_load(const char *path, struct mxg_spf_providers *out, char *err,
			   size_t errlen)
{
	char line[LINE_MAX_LEN];
	unsigned lineno = 0;
	const char *why = NULL;
	FILE *f = fopen(path, "r");

	memset(out, 0, sizeof(*out));
	if (f == NULL)
		return mxg_fail(err, errlen, "%s: %s", path, strerror(errno));
	while (why == NULL && fgets(line, sizeof(line), f)) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n')
			why = "line too long";
		line[strcspn(line, "\r\n")] = '\0';
		if (why == NULL && line[0] != '#' && *mxg_str_trim(line) != '\0')
			add_line(out, line, &why);
	}
	if (why == NULL && ferror(f))
		why = "read error";
	fclose(f);
	if (why == NULL)
		return 0;
	snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
	mxg_spf_providers_free(out);
	return -1;
}

void mxg_spf_providers_free(struct mxg_spf_providers *p)
{
	free(p->items);
	p->items = NULL;
	p->count = 0;
}
