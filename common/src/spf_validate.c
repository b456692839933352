/* Static validation of one SPF record for the audit: syntax, the all mechanism that ends
 * evaluation (+all, ?all, none), ptr, string length and the record's own lookup count. */
#include "spf_internal.h"

#include <string.h>

/* The first all mechanism: the one evaluation stops at. */
static const struct spf_term *first_all(const struct spf_record *rec)
{
	for (size_t i = 0; i < rec->count; i++)
		if (rec->terms[i].kind == SPF_ALL)
			return &rec->terms[i];
	return NULL;
}

static int shape_findings(const struct spf_record *rec, const char *subject, int count_terms,
			  struct mxg_findings *out)
{
	const struct spf_term *all = first_all(rec);
	unsigned terms = 0;

	for (size_t i = 0; i < rec->count; i++) {
		terms += spf_kind_queries_dns(rec->terms[i].kind) &&
			 !(all && rec->terms[i].kind == SPF_REDIRECT);
	}
	const struct spf_term *p = NULL;
	for (size_t i = 0; i < rec->count && p == NULL; i++)
		if (rec->terms[i].kind == SPF_PTR)
			p = &rec->terms[i];
	if (all && all->qualifier == '+' &&
	    mxg_findings_add(out, MXG_F_SPF_PASS_ALL, -1, subject,
			     "%s: '%.*s' lets every host on the Internet pass", subject,
			     (int)all->text_len, all->text) < 0)
		return -1;
	if (all && all->qualifier == '?' &&
	    mxg_findings_add(out, MXG_F_SPF_NEUTRAL_ALL_ONLY, -1, subject,
			     "%s: '%.*s' gives every unlisted host neutral", subject,
			     (int)all->text_len, all->text) < 0)
		return -1;
	if (!all && rec->redirect < 0 &&
	    mxg_findings_add(out, MXG_F_SPF_NO_ALL, -1, subject,
			     "%s: no all mechanism and no redirect=, so unlisted hosts get neutral",
			     subject) < 0)
		return -1;
	if (p && mxg_findings_add(out, MXG_F_SPF_PTR_USED, -1, subject,
				  "%s: '%.*s' makes every check look up the client's reverse DNS",
				  subject, (int)p->text_len, p->text) < 0)
		return -1;
	if (count_terms && terms > 10 &&
	    mxg_findings_add(out, MXG_F_SPF_TOO_MANY_LOOKUPS, -1, subject,
			     "%s: the record alone has %u DNS-querying terms (limit 10)", subject,
			     terms) < 0)
		return -1;
	return 0;
}

/* longest: the longest character-string the record is published in. count_terms: report
 * this record's own lookup count (the audit counts through includes instead). */
int spf_validate(const char *text, size_t len, size_t longest, int count_terms,
		 const char *subject, struct mxg_findings *out)
{
	struct spf_record rec;
	int rc = spf_record_parse(text, len, &rec);

	if (rc == -2) {
		spf_record_free(&rec);
		return -1;
	}
	if (longest > 255 &&
	    mxg_findings_add(out, MXG_F_SPF_STRING_TOO_LONG, -1, subject,
			     "%s: a string of %zu characters (at most 255 fit in one)", subject,
			     longest) < 0)
		rc = -2;
	else if (rc == -1 && mxg_findings_add(out, MXG_F_SPF_SYNTAX, -1, subject, "%s: %s", subject,
					   rec.error) < 0)
		rc = -2;
	else if (rc == 0 && shape_findings(&rec, subject, count_terms, out) < 0)
		rc = -2;
	spf_record_free(&rec);
	return rc == -2 ? -1 : rc == 0;
}

int mxg_spf_record_validate(const char *record, const char *subject, struct mxg_findings *out)
{
	size_t len = strlen(record);

	return spf_validate(record, len, len, 1, subject, out);
}
