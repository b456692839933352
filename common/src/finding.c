/* The finding table and the list that checks append to.
 * The table is generated from finding_codes.def so code, name and severity cannot drift apart. */
#include "mxguard/finding.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxguard/str.h"

static const struct mxg_finding_info finding_table[MXG_F__COUNT] = {
#define MXG_FINDING(code, sev, summary, rfc) [MXG_F_##code] = { #code, MXG_SEV_##sev, summary, rfc },
#include "mxguard/finding_codes.def"
#undef MXG_FINDING
};

static const char *const severity_names[] = { "info", "warning", "error", "critical" };

const struct mxg_finding_info *mxg_finding_info(enum mxg_finding_code code)
{
	if ((unsigned)code >= MXG_F__COUNT)
		return NULL;
	return &finding_table[code];
}

enum mxg_finding_code mxg_finding_by_name(const char *name)
{
	for (unsigned i = 0; i < MXG_F__COUNT; i++)
		if (mxg_strcaseeq(finding_table[i].name, name))
			return (enum mxg_finding_code)i;
	return MXG_F__COUNT;
}

const char *mxg_severity_name(enum mxg_severity s)
{
	if ((unsigned)s > MXG_SEV_CRITICAL)
		return "unknown";
	return severity_names[s];
}

int mxg_severity_parse(const char *s)
{
	for (int i = 0; i <= MXG_SEV_CRITICAL; i++)
		if (mxg_strcaseeq(severity_names[i], s))
			return i;
	return -1;
}

static int findings_grow(struct mxg_findings *list)
{
	if (list->count < list->cap)
		return 0;
	size_t cap = list->cap ? list->cap * 2 : 8;
	struct mxg_finding *items = realloc(list->items, cap * sizeof(*items));
	if (items == NULL)
		return -1;
	list->items = items;
	list->cap = cap;
	return 0;
}

int mxg_findings_add(struct mxg_findings *list, enum mxg_finding_code code, int index,
		     const char *subject, const char *fmt, ...)
{
	const struct mxg_finding_info *info = mxg_finding_info(code);
	va_list ap;

	if (info == NULL || findings_grow(list) < 0)
		return -1;
	struct mxg_finding *f = &list->items[list->count++];
	memset(f, 0, sizeof(*f));
	f->code = code;
	f->severity = info->severity;
	f->index = index;
	mxg_strlcpy(f->subject, subject ? subject : "", sizeof(f->subject));
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	return 0;
}

int mxg_findings_has(const struct mxg_findings *list, enum mxg_finding_code code)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i].code == code)
			return 1;
	return 0;
}

int mxg_findings_worst(const struct mxg_findings *list)
{
	int worst = -1;

	for (size_t i = 0; i < list->count; i++)
		if ((int)list->items[i].severity > worst)
			worst = (int)list->items[i].severity;
	return worst;
}

void mxg_findings_clear(struct mxg_findings *list)
{
	free(list->items);
	memset(list, 0, sizeof(*list));
}
