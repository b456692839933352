/* The XML of a DMARC aggregate report, RFC 7489 Appendix C or DMARCbis (RFC 9990), built as a
 * libxml2 tree: every text goes in through the library, which escapes it, so no value can
 * change the markup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "mxguard/addr.h"
#include "mxguard/report_out.h"
#include "mxguard/str.h"
#include "mxguard/version.h"

struct mxg_report_xml {
	enum mxg_report_format format;
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

int mxg_report_format_parse(const char *name, enum mxg_report_format *out)
{
	if (strcmp(name, "rfc7489") == 0)
		*out = MXG_REPORT_RFC7489;
	else if (strcmp(name, "dmarcbis") == 0)
		*out = MXG_REPORT_DMARCBIS;
	else
		return -1;
	return 0;
}

const char *mxg_report_format_name(enum mxg_report_format f)
{
	return f == MXG_REPORT_DMARCBIS ? "dmarcbis" : "rfc7489";
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
	if (m->format == MXG_REPORT_DMARCBIS && !text(md, "generator", "mxguard " MXG_VERSION))
		return -1;
	return 0;
}

static int add_policy_7489(xmlNodePtr pp, const struct mxg_store_eval *e)
{
	const char *p = or_default(e->p, "none");
	if (!text(pp, "domain", e->policy_domain) ||
	    !text(pp, "adkim", e->adkim_strict ? "s" : "r") ||
	    !text(pp, "aspf", e->aspf_strict ? "s" : "r") || !text(pp, "p", p) ||
	    !text(pp, "sp", or_default(e->sp, p)) || !number(pp, "pct", e->pct >= 0 ? e->pct : 100) ||
	    !text(pp, "fo", "0"))
		return -1;
	return 0;
}

/* DMARCbis: no pct; np (defaulting to sp), testing and the discovery method; fo is left out
 * (optional, and not recorded). Elements in the order of the draft's table. */
static int add_policy_bis(xmlNodePtr pp, const struct mxg_store_eval *e)
{
	const char *p = or_default(e->p, "none");
	const char *sp = or_default(e->sp, p);
	if (!text(pp, "domain", e->policy_domain))
		return -1;
	if (e->discovery[0] != '\0' && !text(pp, "discovery_method", e->discovery))
		return -1;
	if (!text(pp, "p", p) || !text(pp, "sp", sp) || !text(pp, "np", or_default(e->np, sp)) ||
	    !text(pp, "adkim", e->adkim_strict ? "s" : "r") ||
	    !text(pp, "aspf", e->aspf_strict ? "s" : "r") ||
	    !text(pp, "testing", e->testing ? "y" : "n"))
		return -1;
	return 0;
}

static int add_policy(xmlNodePtr root, enum mxg_report_format f, const struct mxg_store_eval *e)
{
	xmlNodePtr pp = node(root, "policy_published");
	if (pp == NULL)
		return -1;
	return f == MXG_REPORT_DMARCBIS ? add_policy_bis(pp, e) : add_policy_7489(pp, e);
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
	x->format = meta->format;
	xmlDocSetRootElement(x->doc, x->root);
	/* DMARCbis: every element in its namespace (children inherit the root's). */
	int ns_ok = x->format != MXG_REPORT_DMARCBIS;
	if (!ns_ok) {
		xmlNsPtr ns = xmlNewNs(x->root, X(MXG_REPORT_DMARCBIS_NS), NULL);
		ns_ok = ns != NULL;
		xmlSetNs(x->root, ns);
	}
	if (!ns_ok || !text(x->root, "version", "1.0") || add_metadata(x->root, meta) != 0 ||
	    add_policy(x->root, x->format, policy) != 0) {
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

/* DMARCbis names "pass" the disposition of a message that passed DMARC under an enforcing
 * policy (no action taken); RFC 7489 knows only none there. */
static const char *disposition(enum mxg_report_format f, const struct mxg_store_eval *e)
{
	const char *d = or_default(e->disposition, "none");
	if (f != MXG_REPORT_DMARCBIS || strcmp(d, "none") != 0 ||
	    strcmp(e->dmarc_result, "pass") != 0)
		return d;
	const char *p = or_default(e->p, "none");
	const char *applies = strcmp(e->header_from, e->policy_domain) == 0 ? p : or_default(e->sp, p);
	return strcmp(applies, "none") != 0 ? "pass" : d;
}

/* The override type as the format names it. DMARCbis has policy_test_mode for t=y and no
 * sampled_out or forwarded (no pct; forwarding is "other" with the old name kept in the
 * comment). */
static int add_reason(xmlNodePtr pe, enum mxg_report_format f, const struct mxg_store_eval *e)
{
	const char *type = e->override;
	char comment[MXG_STORE_TEXT_MAX + 32];
	mxg_strlcpy(comment, e->override_comment, sizeof(comment));
	if (f == MXG_REPORT_DMARCBIS) {
		if (strcmp(type, "local_policy") == 0 && e->testing &&
		    strncmp(e->override_comment, "testing mode", 12) == 0) {
			type = "policy_test_mode";
		} else if (strcmp(type, "sampled_out") == 0 || strcmp(type, "forwarded") == 0) {
			snprintf(comment, sizeof(comment), "%s: %s", e->override, e->override_comment);
			type = "other";
		}
	}
	xmlNodePtr reason = node(pe, "reason");
	if (reason == NULL || !text(reason, "type", type))
		return -1;
	if (comment[0] != '\0' && !text(reason, "comment", comment))
		return -1;
	return 0;
}

static int add_row(xmlNodePtr rec, enum mxg_report_format f, const struct mxg_store_group *g)
{
	const struct mxg_store_eval *e = &g->e;
	char ip[64];
	/* DMARCbis takes the address as RFC 3986 writes it (compressed IPv6 too). */
	if (f == MXG_REPORT_DMARCBIS)
		mxg_strlcpy(ip, e->source_ip, sizeof(ip));
	else
		source_text(e->source_ip, ip, sizeof(ip));
	xmlNodePtr row = node(rec, "row");
	if (row == NULL || !text(row, "source_ip", ip) || !number(row, "count", (long long)g->count))
		return -1;
	xmlNodePtr pe = node(row, "policy_evaluated");
	if (pe == NULL || !text(pe, "disposition", disposition(f, e)) ||
	    !text(pe, "dkim", e->dkim_aligned ? "pass" : "fail") ||
	    !text(pe, "spf", e->spf_aligned ? "pass" : "fail"))
		return -1;
	return e->override[0] == '\0' ? 0 : add_reason(pe, f, e);
}

static int add_identifiers(xmlNodePtr rec, const struct mxg_store_eval *e)
{
	xmlNodePtr ids = node(rec, "identifiers");
	if (ids == NULL)
		return -1;
	if (e->envelope_to[0] != '\0' && !text(ids, "envelope_to", e->envelope_to))
		return -1;
	if (!text(ids, "envelope_from", e->env_from) || !text(ids, "header_from", e->header_from))
		return -1;
	return 0;
}

/* SPF: RFC 7489 requires the element; DMARCbis makes it optional (left out when SPF was not
 * run) and knows only the mfrom scope (a HELO result goes without scope). */
static int add_spf(xmlNodePtr ar, enum mxg_report_format f, const struct mxg_store_eval *e)
{
	if (f == MXG_REPORT_DMARCBIS && e->spf_domain[0] == '\0')
		return 0;
	xmlNodePtr s = node(ar, "spf");
	if (s == NULL || !text(s, "domain", e->spf_domain))
		return -1;
	if ((f != MXG_REPORT_DMARCBIS || strcmp(e->spf_scope, "mfrom") == 0) &&
	    !text(s, "scope", e->spf_scope))
		return -1;
	return text(s, "result", e->spf_result) ? 0 : -1;
}

static int add_auth(xmlNodePtr rec, enum mxg_report_format f, const struct mxg_store_eval *e)
{
	if (add_identifiers(rec, e) != 0)
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
	return add_spf(ar, f, e);
}

int mxg_report_xml_record(struct mxg_report_xml *x, const struct mxg_store_group *g, char *err,
			  size_t errlen)
{
	if (x->records >= MXG_REPORT_RECORDS_MAX)
		return mxg_fail(err, errlen, "report XML: more than %d records", MXG_REPORT_RECORDS_MAX);
	xmlNodePtr rec = node(x->root, "record");
	if (rec == NULL || add_row(rec, x->format, g) != 0 || add_auth(rec, x->format, &g->e) != 0)
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
