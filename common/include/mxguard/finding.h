/* Findings: every problem a check reports is a stable code, a severity, a subject and a sentence.
 * The codes live in one table (finding_codes.def); docs/findings.md documents each. */
#ifndef MXGUARD_FINDING_H
#define MXGUARD_FINDING_H

#include <stddef.h>

enum mxg_severity {
	MXG_SEV_INFO = 0,
	MXG_SEV_WARNING,
	MXG_SEV_ERROR,
	MXG_SEV_CRITICAL,
};

enum mxg_finding_code {
#define MXG_FINDING(code, sev, summary, rfc) MXG_F_##code,
#include "mxguard/finding_codes.def"
#undef MXG_FINDING
	MXG_F__COUNT
};

struct mxg_finding_info {
	const char *name;        /* "MX_TARGET_CNAME" */
	enum mxg_severity severity;
	const char *summary;     /* one line, no subject */
	const char *rfc;         /* "RFC 2181 §10.3", or "" */
};

#define MXG_FINDING_SUBJECT_MAX 256
#define MXG_FINDING_TEXT_MAX 320

struct mxg_finding {
	enum mxg_finding_code code;
	enum mxg_severity severity;
	char subject[MXG_FINDING_SUBJECT_MAX]; /* the name or record it is about */
	char text[MXG_FINDING_TEXT_MAX];       /* a human sentence */
	int index;                             /* position in the checked set (e.g. MX record), or -1 */
};

/* A growable list of findings; zero-initialise, release with mxg_findings_clear(). */
struct mxg_findings {
	size_t count;
	size_t cap;
	struct mxg_finding *items;
};

/* The table entry for code, or NULL if out of range. */
const struct mxg_finding_info *mxg_finding_info(enum mxg_finding_code code);
/* Looks a code up by name ("MX_TARGET_CNAME"); returns MXG_F__COUNT if unknown. */
enum mxg_finding_code mxg_finding_by_name(const char *name);
const char *mxg_severity_name(enum mxg_severity s);
/* Parses "info", "warning", "error", "critical"; -1 if none. */
int mxg_severity_parse(const char *s);

/* Appends a finding with the table's severity; text is printf-style (truncated to fit).
 * Returns 0, or -1 on ENOMEM (the list stays valid). */
int mxg_findings_add(struct mxg_findings *list, enum mxg_finding_code code, int index,
		     const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* 1 if list holds code (for any subject). */
int mxg_findings_has(const struct mxg_findings *list, enum mxg_finding_code code);
/* Highest severity in the list, or -1 when empty. */
int mxg_findings_worst(const struct mxg_findings *list);
void mxg_findings_clear(struct mxg_findings *list);

#endif
