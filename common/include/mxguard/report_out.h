/* DMARC aggregate reports out (RFC 7489 §7.2, Appendix C): the XML of one report built with
 * libxml2 from the store's grouped evaluations, gzip'd, named and wrapped in the mail message
 * that carries it to a rua address (§7.2.1.1). `mxguard report send` drives these. */
#ifndef MXGUARD_REPORT_OUT_H
#define MXGUARD_REPORT_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/report_store.h"

#define MXG_REPORT_RECORDS_MAX 100000      /* <record>s in one report; more is an error */
#define MXG_REPORT_XML_MAX (256u << 20)    /* the XML of one report */
#define MXG_REPORT_ID_MAX 128

/* The XML format of a report: RFC 7489 Appendix C (no namespace), or the DMARCbis aggregate
 * reporting format (RFC 9990, draft-ietf-dmarc-aggregate-reporting: namespace
 * urn:ietf:params:xml:ns:dmarc-2.0, <generator>, np/testing/discovery_method, no pct). */
enum mxg_report_format {
	MXG_REPORT_RFC7489 = 0,
	MXG_REPORT_DMARCBIS,
};
#define MXG_REPORT_DMARCBIS_NS "urn:ietf:params:xml:ns:dmarc-2.0"
/* "rfc7489" or "dmarcbis" to the format: 0, or -1 if it is neither. */
int mxg_report_format_parse(const char *name, enum mxg_report_format *out);
const char *mxg_report_format_name(enum mxg_report_format f);

/* Who reports, and what. */
struct mxg_report_meta {
	enum mxg_report_format format;
	char org_name[MXG_STORE_TEXT_MAX];
	char email[MXG_STORE_TEXT_MAX];       /* contact, and the From of the mail */
	char receiver[MXG_DNS_NAME_MAX];      /* the receiving domain, first part of the file name */
	char report_id[MXG_REPORT_ID_MAX];
	int64_t begin, end;                   /* [begin, end) in Unix seconds; end written as end-1 */
};

/* Reporting intervals (RFC 7489 §6.3 ri, §7.2): at least daily, never shorter than an hour,
 * and always a whole number of hours that divides the UTC day, aligned to midnight, so every
 * interval falls inside one day and the intervals of all domains line up. */
#define MXG_REPORT_DAY 86400
#define MXG_REPORT_HOUR 3600
/* The interval length for a requested ri (seconds): 86400 for ri >= a day (or 0), else the
 * longest of 12, 8, 6, 4, 3, 2, 1 hours that is not longer than ri (1 hour below an hour). */
int64_t mxg_report_interval_len(int64_t ri);
/* The end of the interval of length len (from mxg_report_interval_len) that starts at begin: the
 * next multiple of len after begin. An interval begun at a boundary of another length (the
 * domain's ri changed) is cut short to reach this length's grid, never overlapping. */
int64_t mxg_report_interval_end(int64_t begin, int64_t len);

struct mxg_report_xml;

/* A report on policy (the latest evaluation of the domain: its policy published). NULL with a
 * reason on ENOMEM. */
struct mxg_report_xml *mxg_report_xml_new(const struct mxg_report_meta *meta,
					  const struct mxg_store_eval *policy, char *err,
					  size_t errlen);
/* Adds one <record> for a group. 0, or -1 with a reason (too many records, ENOMEM). */
int mxg_report_xml_record(struct mxg_report_xml *x, const struct mxg_store_group *g, char *err,
			  size_t errlen);
/* The records added so far, and the messages they count. */
size_t mxg_report_xml_records(const struct mxg_report_xml *x);
uint64_t mxg_report_xml_messages(const struct mxg_report_xml *x);
/* The document as UTF-8 XML in *out (malloc'd, caller frees) of *len bytes. 0 or -1. */
int mxg_report_xml_dump(struct mxg_report_xml *x, char **out, size_t *len, char *err,
			size_t errlen);
void mxg_report_xml_free(struct mxg_report_xml *x);

/* gzip (RFC 1952) of in, with name in the header. *out malloc'd. 0, or -1 with a reason. */
int mxg_report_gzip(const void *in, size_t len, const char *name, int64_t mtime, uint8_t **out,
		    size_t *outlen, char *err, size_t errlen);

/* receiver!policy-domain!begin!end!unique-id.xml.gz (§7.2.1.1). 0, or -1 if it does not fit
 * or a part holds '!' or '/'. */
int mxg_report_filename(const struct mxg_report_meta *meta, const char *policy_domain,
			char *out, size_t size);

/* The mail carrying the report (§7.2.1.1): From meta->email, To, Subject "Report Domain: D
 * Submitter: S Report-ID: <ID>", a text part and the .xml.gz as a base64 attachment. *out
 * malloc'd (CRLF-free: LF line ends, as sendmail(8) reads them). 0, or -1 with a reason. */
int mxg_report_mail(const struct mxg_report_meta *meta, const char *policy_domain,
		    const char *to, const char *filename, const uint8_t *gz, size_t gzlen,
		    char **out, size_t *outlen, char *err, size_t errlen);

#endif
