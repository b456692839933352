/* The XML of a DMARC aggregate report (RFC 7489 Appendix C; DMARCbis) parsed by libxml2 with
 * every dangerous feature off: no network, a DOCTYPE or any entity reference stops the parse,
 * element depth and count are bounded while parsing. The tree is then read into the typed
 * report of report_read.h, each value checked. */
#include "report_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>

#include "mxguard/str.h"

#define DMARCBIS_NS "urn:ietf:params:xml:ns:dmarc-2.0"
/* Seconds since the epoch beyond this (year 36812) are not a date. */
#define REPORT_TIME_MAX 1099511627776LL

/* --- the guarded parse --- */

struct guard {
	unsigned depth;
	unsigned long elements;
	const char *why;   /* set when a guard stopped the parse */
};

static void guard_stop(void *ctx, const char *why)
{
	xmlParserCtxtPtr c = ctx;
	struct guard *g = c->_private;
	if (g->why == NULL)
		g->why = why;
	xmlStopParser(c);
}

static void refuse_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	(void)name, (void)eid, (void)sid;
	guard_stop(ctx, "a DOCTYPE (DTD) is refused");
}

static void refuse_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid,
			       const xmlChar *sid, xmlChar *content)
{
	(void)name, (void)type, (void)pid, (void)sid, (void)content;
	guard_stop(ctx, "an entity declaration is refused");
}

static xmlEntityPtr refuse_entity(void *ctx, const xmlChar *name)
{
	(void)name;
	guard_stop(ctx, "an entity reference is refused (only &lt; &gt; &amp; &quot; &apos;)");
	return NULL;
}

static void start_element(void *ctx, const xmlChar *local, const xmlChar *prefix,
			  const xmlChar *uri, int nns, const xmlChar **ns, int nattr, int ndef,
			  const xmlChar **attr)
{
	xmlParserCtxtPtr c = ctx;
	struct guard *g = c->_private;
	if (++g->depth > MXG_REPORT_DEPTH_MAX) {
		guard_stop(ctx, "elements nested deeper than " MXG_STR(MXG_REPORT_DEPTH_MAX));
		return;
	}
	if (++g->elements > MXG_REPORT_ELEMENTS_MAX) {
		guard_stop(ctx, "more than " MXG_STR(MXG_REPORT_ELEMENTS_MAX) " elements");
		return;
	}
	xmlSAX2StartElementNs(ctx, local, prefix, uri, nns, ns, nattr, ndef, attr);
}

static void end_element(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr c = ctx;
	struct guard *g = c->_private;
	if (g->depth > 0)
		g->depth--;
	xmlSAX2EndElementNs(ctx, local, prefix, uri);
}

static void guard_hooks(xmlParserCtxtPtr c, struct guard *g)
{
	c->_private = g;
	c->sax->internalSubset = refuse_subset;
	c->sax->externalSubset = refuse_subset;
	c->sax->entityDecl = refuse_entity_decl;
	c->sax->getEntity = refuse_entity;
	c->sax->getParameterEntity = refuse_entity;
	c->sax->startElementNs = start_element;
	c->sax->endElementNs = end_element;
	c->replaceEntities = 0;
	c->loadsubset = 0;
	c->validate = 0;
}

/* The document, or NULL with the reason in err. */
static xmlDocPtr parse_guarded(const uint8_t *xml, size_t len, char *err, size_t errlen)
{
	if (len > MXG_REPORT_XML_MAX) {
		snprintf(err, errlen, "xml: document of %zu bytes is over the limit of %u", len,
			 MXG_REPORT_XML_MAX);
		return NULL;
	}
	xmlInitParser();
	xmlParserCtxtPtr c = xmlCreateMemoryParserCtxt((const char *)xml, (int)len);
	if (c == NULL) {
		snprintf(err, errlen, "xml: cannot start the parser (empty document or no memory)");
		return NULL;
	}
	struct guard g = { 0 };
	xmlCtxtUseOptions(c, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
				     XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS);
	guard_hooks(c, &g);
	xmlParseDocument(c);
	xmlDocPtr doc = c->myDoc;
	c->myDoc = NULL;
	if (g.why != NULL || !c->wellFormed || doc == NULL) {
		const xmlError *e = xmlCtxtGetLastError(c);
		if (g.why != NULL)
			snprintf(err, errlen, "xml: %s", g.why);
		else if (e != NULL && e->message != NULL)
			snprintf(err, errlen, "xml: line %d: %.*s", e->line,
				 (int)strcspn(e->message, "\n"), e->message);
		else
			snprintf(err, errlen, "xml: not well-formed");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(c);
	return doc;
}

/* --- reading values --- */

struct reader {
	char *err;
	size_t errlen;
	size_t record;  /* 1-based number of the record being read; 0 outside records */
};

static int fail(struct reader *rd, const char *fmt, const char *a, const char *b)
{
	char what[200];
	snprintf(what, sizeof(what), fmt, a, b);
	if (rd->record > 0)
		snprintf(rd->err, rd->errlen, "report: record %zu: %s", rd->record, what);
	else
		snprintf(rd->err, rd->errlen, "report: %s", what);
	return -1;
}

static int is_element(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *parent, const char *name)
{
	for (const xmlNode *n = parent->children; n != NULL; n = n->next)
		if (is_element(n, name))
			return n;
	return NULL;
}

/* The trimmed text of n into out. cut: shorten to fit; else refuse what does not fit. */
static int node_text(struct reader *rd, const xmlNode *n, char *out, size_t size, int cut)
{
	xmlChar *t = xmlNodeGetContent(n);
	if (t == NULL)
		return fail(rd, "<%s>: no memory", (const char *)n->name, NULL);
	const char *s = (const char *)t;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t len = strlen(s);
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	if (len >= size && !cut) {
		char limit[24];
		snprintf(limit, sizeof(limit), "%zu", size - 1);
		xmlFree(t);
		return fail(rd, "<%s> is longer than %s bytes", (const char *)n->name, limit);
	}
	if (len >= size)
		len = size - 1;
	memcpy(out, s, len);
	out[len] = '\0';
	xmlFree(t);
	return 0;
}

/* The text of parent's child name (absent: "" unless required). */
static int field(struct reader *rd, const xmlNode *parent, const char *name, char *out, size_t size,
		 int required)
{
	out[0] = '\0';
	const xmlNode *n = child(parent, name);
	if (n == NULL)
		return required ? fail(rd, "<%s> lacks <%s>", (const char *)parent->name, name) : 0;
	if (node_text(rd, n, out, size, 0) != 0)
		return -1;
	if (required && out[0] == '\0')
		return fail(rd, "<%s> is empty", name, NULL);
	return 0;
}

/* A lower-cased field whose value, when present, must be one of allowed ("a|b|c"). */
static int keyword(struct reader *rd, const xmlNode *parent, const char *name, char *out,
		   size_t size, const char *allowed, int required)
{
	if (field(rd, parent, name, out, size, required) != 0)
		return -1;
	mxg_str_lower(out);
	if (out[0] == '\0')
		return 0;
	size_t n = strlen(out);
	for (const char *a = allowed; *a != '\0';) {
		size_t alen = strcspn(a, "|");
		if (alen == n && memcmp(a, out, n) == 0)
			return 0;
		a += alen + (a[alen] == '|');
	}
	char what[64];
	snprintf(what, sizeof(what), "<%s> '%.20s'", name, out);
	return fail(rd, "%s is not one of %s", what, allowed);
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	if (*s == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static int number(struct reader *rd, const xmlNode *parent, const char *name,
		  unsigned long long max, unsigned long long *out)
{
	char text[32];
	if (field(rd, parent, name, text, sizeof(text), 1) != 0)
		return -1;
	if (parse_uint(text, max, out) != 0) {
		char limit[24];
		snprintf(limit, sizeof(limit), "%llu", max);
		char what[64];
		snprintf(what, sizeof(what), "<%s> '%s'", name, text);
		return fail(rd, "%s is not a whole number from 0 to %s", what, limit);
	}
	return 0;
}

static int domain(struct reader *rd, const xmlNode *parent, const char *name, char *out,
		  int required)
{
	if (field(rd, parent, name, out, MXG_DNS_NAME_MAX, required) != 0)
		return -1;
	mxg_str_lower(out);
	size_t n = strlen(out);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
	if (strpbrk(out, " \t\r\n<>\"'\\;") != NULL)
		return fail(rd, "<%s> '%.80s' is not a domain name", name, out);
	return 0;
}

/* --- the sections --- */

static int read_metadata(struct reader *rd, const xmlNode *feedback, struct mxg_report *r)
{
	const xmlNode *m = child(feedback, "report_metadata");
	if (m == NULL)
		return fail(rd, "<feedback> lacks <report_metadata>", NULL, NULL);
	if (field(rd, m, "org_name", r->org_name, sizeof(r->org_name), 1) != 0 ||
	    field(rd, m, "email", r->email, sizeof(r->email), 1) != 0 ||
	    field(rd, m, "extra_contact_info", r->extra_contact, sizeof(r->extra_contact), 0) != 0 ||
	    field(rd, m, "report_id", r->report_id, sizeof(r->report_id), 1) != 0)
		return -1;
	const xmlNode *d = child(m, "date_range");
	if (d == NULL)
		return fail(rd, "<report_metadata> lacks <date_range>", NULL, NULL);
	unsigned long long b, e;
	if (number(rd, d, "begin", REPORT_TIME_MAX, &b) != 0 ||
	    number(rd, d, "end", REPORT_TIME_MAX, &e) != 0)
		return -1;
	if (b > e)
		return fail(rd, "<date_range> ends before it begins", NULL, NULL);
	r->begin = (int64_t)b;
	r->end = (int64_t)e;
	return 0;
}

static int read_policy(struct reader *rd, const xmlNode *feedback, struct mxg_report_policy *p)
{
	const xmlNode *n = child(feedback, "policy_published");
	if (n == NULL)
		return fail(rd, "<feedback> lacks <policy_published>", NULL, NULL);
	const char *pol = "none|quarantine|reject";
	if (domain(rd, n, "domain", p->domain, 1) != 0 ||
	    keyword(rd, n, "adkim", p->adkim, sizeof(p->adkim), "r|s", 0) != 0 ||
	    keyword(rd, n, "aspf", p->aspf, sizeof(p->aspf), "r|s", 0) != 0 ||
	    keyword(rd, n, "p", p->p, sizeof(p->p), pol, 1) != 0 ||
	    keyword(rd, n, "sp", p->sp, sizeof(p->sp), pol, 0) != 0 ||
	    keyword(rd, n, "np", p->np, sizeof(p->np), pol, 0) != 0 ||
	    field(rd, n, "fo", p->fo, sizeof(p->fo), 0) != 0 ||
	    keyword(rd, n, "testing", p->testing, sizeof(p->testing), "n|y", 0) != 0 ||
	    keyword(rd, n, "discovery_method", p->discovery_method, sizeof(p->discovery_method),
		    "psl|treewalk", 0) != 0)
		return -1;
	p->pct = -1;
	if (child(n, "pct") != NULL) {
		unsigned long long pct;
		if (number(rd, n, "pct", 100, &pct) != 0)
			return -1;
		p->pct = (int)pct;
	}
	return 0;
}

static int read_row(struct reader *rd, const xmlNode *record, struct mxg_report_record *rec)
{
	const xmlNode *row = child(record, "row");
	if (row == NULL)
		return fail(rd, "<record> lacks <row>", NULL, NULL);
	char ip[64];
	if (field(rd, row, "source_ip", ip, sizeof(ip), 1) != 0)
		return -1;
	if (mxg_addr_parse(ip, &rec->source, 1) != 0)
		return fail(rd, "<source_ip> '%s' is not an IP address", ip, NULL);
	mxg_addr_format(&rec->source, rec->source_ip, sizeof(rec->source_ip));
	unsigned long long count;
	if (number(rd, row, "count", MXG_REPORT_COUNT_MAX, &count) != 0)
		return -1;
	rec->count = count;
	const xmlNode *pe = child(row, "policy_evaluated");
	if (pe == NULL)
		return fail(rd, "<row> lacks <policy_evaluated>", NULL, NULL);
	if (keyword(rd, pe, "disposition", rec->disposition, sizeof(rec->disposition),
		    "none|quarantine|reject|pass", 1) != 0 ||
	    keyword(rd, pe, "dkim", rec->dkim_eval, sizeof(rec->dkim_eval), "pass|fail", 0) != 0 ||
	    keyword(rd, pe, "spf", rec->spf_eval, sizeof(rec->spf_eval), "pass|fail", 0) != 0)
		return -1;
	for (const xmlNode *n = pe->children; n != NULL; n = n->next) {
		if (!is_element(n, "reason"))
			continue;
		if (rec->reason_count == MXG_REPORT_REASONS_MAX) {
			rec->skipped++;
			continue;
		}
		struct mxg_report_reason *why = &rec->reasons[rec->reason_count++];
		if (field(rd, n, "type", why->type, sizeof(why->type), 1) != 0)
			return -1;
		mxg_str_lower(why->type);
		const xmlNode *c = child(n, "comment");
		if (c != NULL && node_text(rd, c, why->comment, sizeof(why->comment), 1) != 0)
			return -1;
	}
	return 0;
}

static int read_identifiers(struct reader *rd, const xmlNode *record, struct mxg_report_record *rec)
{
	const xmlNode *id = child(record, "identifiers");
	if (id == NULL)
		return fail(rd, "<record> lacks <identifiers>", NULL, NULL);
	return domain(rd, id, "header_from", rec->header_from, 1) != 0 ||
			       domain(rd, id, "envelope_from", rec->envelope_from, 0) != 0 ||
			       domain(rd, id, "envelope_to", rec->envelope_to, 0) != 0
		       ? -1
		       : 0;
}

static int read_dkim(struct reader *rd, const xmlNode *n, struct mxg_report_dkim_auth *d)
{
	if (domain(rd, n, "domain", d->domain, 1) != 0 ||
	    field(rd, n, "selector", d->selector, sizeof(d->selector), 0) != 0 ||
	    field(rd, n, "result", d->result, sizeof(d->result), 1) != 0)
		return -1;
	mxg_str_lower(d->result);
	const xmlNode *h = child(n, "human_result");
	return h != NULL ? node_text(rd, h, d->human_result, sizeof(d->human_result), 1) : 0;
}

static int read_spf(struct reader *rd, const xmlNode *n, struct mxg_report_spf_auth *s)
{
	if (domain(rd, n, "domain", s->domain, 1) != 0 ||
	    keyword(rd, n, "scope", s->scope, sizeof(s->scope), "mfrom|helo", 0) != 0 ||
	    field(rd, n, "result", s->result, sizeof(s->result), 1) != 0)
		return -1;
	mxg_str_lower(s->result);
	return 0;
}

/* Auth results past MXG_REPORT_AUTH_MAX of a kind are skipped (not refused) and counted. */
static int read_auth(struct reader *rd, const xmlNode *record, struct mxg_report_record *rec)
{
	const xmlNode *a = child(record, "auth_results");
	if (a == NULL)
		return fail(rd, "<record> lacks <auth_results>", NULL, NULL);
	for (const xmlNode *n = a->children; n != NULL; n = n->next) {
		if (is_element(n, "dkim") && rec->dkim_count < MXG_REPORT_AUTH_MAX) {
			if (read_dkim(rd, n, &rec->dkim[rec->dkim_count++]) != 0)
				return -1;
		} else if (is_element(n, "spf") && rec->spf_count < MXG_REPORT_AUTH_MAX) {
			if (read_spf(rd, n, &rec->spf[rec->spf_count++]) != 0)
				return -1;
		} else if (is_element(n, "dkim") || is_element(n, "spf")) {
			rec->skipped++;
		}
	}
	return 0;
}

static int read_records(struct reader *rd, const xmlNode *feedback, struct mxg_report *r)
{
	size_t n = 0;
	for (const xmlNode *c = feedback->children; c != NULL; c = c->next)
		n += is_element(c, "record");
	if (n == 0)
		return fail(rd, "<feedback> has no <record>", NULL, NULL);
	if (n > MXG_REPORT_RECORDS_MAX)
		return fail(rd, "more than " MXG_STR(MXG_REPORT_RECORDS_MAX) " records", NULL, NULL);
	r->records = calloc(n, sizeof(*r->records));
	if (r->records == NULL)
		return fail(rd, "no memory for the records", NULL, NULL);
	for (const xmlNode *c = feedback->children; c != NULL; c = c->next) {
		if (!is_element(c, "record"))
			continue;
		struct mxg_report_record *rec = &r->records[r->record_count++];
		rd->record = r->record_count;
		if (read_row(rd, c, rec) != 0 || read_identifiers(rd, c, rec) != 0 ||
		    read_auth(rd, c, rec) != 0)
			return -1;
		r->message_total += rec->count;  /* at most RECORDS_MAX * COUNT_MAX: no overflow */
	}
	rd->record = 0;
	return 0;
}

static int read_feedback(struct reader *rd, const xmlNode *root, struct mxg_report *r)
{
	if (root == NULL || !is_element(root, "feedback"))
		return fail(rd, "the root element is <%s>, not <feedback>",
			    root != NULL ? (const char *)root->name : "(none)", NULL);
	r->dmarcbis = root->ns != NULL && root->ns->href != NULL &&
		      strcmp((const char *)root->ns->href, DMARCBIS_NS) == 0;
	if (field(rd, root, "version", r->version, sizeof(r->version), 0) != 0)
		return -1;
	if (read_metadata(rd, root, r) != 0 || read_policy(rd, root, &r->policy) != 0)
		return -1;
	return read_records(rd, root, r);
}

int mxg_report_parse_xml(const uint8_t *xml, size_t len, struct mxg_report *out, char *err,
			 size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->source = MXG_REPORT_FROM_XML;
	xmlDocPtr doc = parse_guarded(xml, len, err, errlen);
	if (doc == NULL)
		return -1;
	struct reader rd = { .err = err, .errlen = errlen };
	int rc = read_feedback(&rd, xmlDocGetRootElement(doc), out);
	xmlFreeDoc(doc);
	if (rc != 0)
		mxg_report_free(out);
	return rc;
}

void mxg_report_free(struct mxg_report *r)
{
	free(r->records);
	memset(r, 0, sizeof(*r));
}
