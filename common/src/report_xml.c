/* The XML of a DMARC aggregate report (RFC 7489 Appendix C), built as a libxml2 tree: every
 * text goes in through the library, which escapes it, so no value can change the markup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "mxguard/addr.h"
#include "mxguard/report_out.h"
#include "mxguard/str.h"

struct mxg_report_xml {
	xmlDocPtr doc;
	xmlNodePtr root;
	size_t records;
	uint64_t messages;
};

#define X(s) ((const xmlChar *)(s))

static xmlNodePtr node(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, NULL, X(name), NULL);
}

/* A child element holding text (escaped by libxml2); NULL on ENOMEM. */
static xmlNodePtr text(xmlNodePtr parent, const char *name, const char *value)
{
	return xmlNewTextChild(parent, NULL, X(name), X(value));
}

static xmlNodePtr number(xmlNodePtr parent, const char *name, long long v)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%lld", v);
	return text(parent, name, buf);
}

/* Unset policies are reported as what applies: sp as p, p (invalid record) as none. */
static const char *or_default(const char *v, const char *dflt)
{
	return v[0] != '\0' ? v : dflt;
}

static int add_metadata(xmlNodePtr root, const struct mxg_report_meta *m)
{
	xmlNodePtr md = node(root, "report_metadata");
	if (md == NULL || !text(md, "org_name", m->org_name) || !text(md, "email", m->email) ||
	    !text(md, "report_id", m->report_id))
		return -1;
	xmlNodePtr dr = node(md, "date_range");
	/* The range is inclusive in the report: [begin, end-1]. */
	if (dr == NULL || !number(dr, "begin", m->begin) || !number(dr, "end", m->end - 1))
		return -1;
	return 0;
}

static int add_policy(xmlNodePtr root, const struct mxg_store_eval *e)
{
	xmlNodePtr pp = node(root, "policy_published");
	const char *p = or_default(e->p, "none");
	if (pp == NULL || !text(pp, "domain", e->policy_domain) ||
	    !text(pp, "adkim", e->adkim_strict ? "s" : "r") ||
	    !text(pp, "aspf", e->aspf_strict ? "s" : "r") || !text(pp, "p", p) ||
	    !text(pp, "sp", or_default(e->sp, p)) || !number(pp, "pct", e->pct >= 0 ? e->pct : 100) ||
	    !text(pp, "fo", "0"))
		return -1;
	return 0;
}

struct mxg_report_xml *mxg_report_xml_new(const struct mxg_report_meta *meta,
					  const struct mxg_store_eval *policy, char *err,
					  size_t errlen)
{
	struct mxg_report_xml *x = calloc(1, sizeof(*x));
	if (x == NULL || (x->doc = xmlNewDoc(X("1.0"))) == NULL ||
	    (x->root = xmlNewNode(NULL, X("feedback"))) == NULL) {
		mxg_report_xml_free(x);
		snprintf(err, errlen, "report XML: out of memory");
		return NULL;
	}
	xmlDocSetRootElement(x->doc, x->root);
	if (!text(x->root, "version", "1.0") || add_metadata(x->root, meta) != 0 ||
	    add_policy(x->root, policy) != 0) {
		mxg_report_xml_free(x);
		snprintf(err, errlen, "report XML: out of memory");
		return NULL;
	}
	return x;
}

/* Appendix C's IPAddress type knows IPv6 only in its full form of eight groups. */
static void source_text(const char *ip, char *out, size_t size)
{
	struct mxg_addr a;
	if (mxg_addr_parse(ip, &a, 1) != 0 || a.family != 6) {
		mxg_strlcpy(out, ip, size);
		return;
	}
	out[0] = '\0';
	for (int i = 0; i < 16; i += 2)
		(void)mxg_strcatf(out, size, "%s%x", i > 0 ? ":" : "",
				  (unsigned)(a.bytes[i] << 8 | a.bytes[i + 1]));
}

static int add_row(xmlNodePtr rec, const struct mxg_store_group *g)
{
	const struct mxg_store_eval *e = &g->e;
	char ip[64];
	source_text(e->source_ip, ip, sizeof(ip));
	xmlNodePtr row = node(rec, "row");
	if (row == NULL || !text(row, "source_ip", ip) || !number(row, "count", (long long)g->count))
		return -1;
	xmlNodePtr pe = node(row, "policy_evaluated");
	if (pe == NULL || !text(pe, "disposition", or_default(e->disposition, "none")) ||
	    !text(pe, "dkim", e->dkim_aligned ? "pass" : "fail") ||
	    !text(pe, "spf", e->spf_aligned ? "pass" : "fail"))
		return -1;
	if (e->override[0] == '\0')
		return 0;
	xmlNodePtr reason = node(pe, "reason");
	if (reason == NULL || !text(reason, "type", e->override))
		return -1;
	if (e->override_comment[0] != '\0' && !text(reason, "comment", e->override_comment))
		return -1;
	return 0;
}

static int add_auth(xmlNodePtr rec, const struct mxg_store_eval *e)
{
	xmlNodePtr ids = node(rec, "identifiers");
	if (ids == NULL || !text(ids, "envelope_from", e->env_from) ||
	    !text(ids, "header_from", e->header_from))
		return -1;
	xmlNodePtr ar = node(rec, "auth_results");
	if (ar == NULL)
		return -1;
	for (size_t i = 0; i < e->dkim_count; i++) {
		xmlNodePtr d = node(ar, "dkim");
		if (d == NULL || !text(d, "domain", e->dkim[i].domain) ||
		    !text(d, "selector", e->dkim[i].selector) || !text(d, "result", e->dkim[i].result))
			return -1;
	}
	xmlNodePtr s = node(ar, "spf");
	if (s == NULL || !text(s, "domain", e->spf_domain) || !text(s, "scope", e->spf_scope) ||
	    !text(s, "result", e->spf_result))
		return -1;
	return 0;
}

int mxg_report_xml_record(struct mxg_report_xml *x, const struct mxg_store_group *g, char *err,
			  size_t errlen)
{
	if (x->records >= MXG_REPORT_RECORDS_MAX)
		return mxg_fail(err, errlen, "report XML: more than %d records", MXG_REPORT_RECORDS_MAX);
	xmlNodePtr rec = node(x->root, "record");
	if (rec == NULL || add_row(rec, g) != 0 || add_auth(rec, &g->e) != 0)
		return mxg_fail(err, errlen, "report XML: out of memory");
	x->records++;
	x->messages += g->count;
	return 0;
}

size_t mxg_report_xml_records(const struct mxg_report_xml *x)
{
	return x->records;
}

uint64_t mxg_report_xml_messages(const struct mxg_report_xml *x)
{
	return x->messages;
}

int mxg_report_xml_dump(struct mxg_report_xml *x, char **out, size_t *len, char *err,
			size_t errlen)
{
	xmlChar *buf = NULL;
	int n = 0;
	xmlDocDumpFormatMemoryEnc(x->doc, &buf, &n, "UTF-8", 1);
	if (buf == NULL || n <= 0 || (size_t)n > MXG_REPORT_XML_MAX) {
		xmlFree(buf);
		return mxg_fail(err, errlen, "report XML: cannot write the document (out of memory or over "
				"%u bytes)", MXG_REPORT_XML_MAX);
	}
	*out = malloc((size_t)n + 1);
	if (*out == NULL) {
		xmlFree(buf);
		return mxg_fail(err, errlen, "report XML: out of memory");
	}
	memcpy(*out, buf, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	xmlFree(buf);
	return 0;
}

void mxg_report_xml_free(struct mxg_report_xml *x)
{
	if (x == NULL)
		return;
	if (x->doc != NULL)
		xmlFreeDoc(x->doc);
	free(x);
}
