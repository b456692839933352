/* Received DMARC aggregate reports (RFC 7489 Appendix C, and the DMARCbis format where it
 * differs): finding the report in what a receiver sends (a mail message, bare .xml, .xml.gz or
 * .zip), bounded decompression, and a hardened XML parse (no network, no DTD, no entities) into
 * a typed report. Every limit is named here; anything past one is refused with a reason. */
#ifndef MXGUARD_REPORT_READ_H
#define MXGUARD_REPORT_READ_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/dns.h"

/* Input as read from a file or standard input (a whole mail message included). */
#define MXG_REPORT_INPUT_MAX (16u * 1024 * 1024)
/* The XML document after decompression: more is refused (a gzip or zip bomb). */
#define MXG_REPORT_XML_MAX (8u * 1024 * 1024)
/* Past MXG_REPORT_RATIO_FLOOR bytes of output, decompression may not grow the data more than
 * MXG_REPORT_RATIO_MAX times: text reports compress 10-50x, bombs thousands of times. */
#define MXG_REPORT_RATIO_MAX 200u
#define MXG_REPORT_RATIO_FLOOR (1024u * 1024)
/* Entries looked at in a .zip; MIME parts looked at in a message; MIME nesting depth. */
#define MXG_REPORT_ZIP_ENTRIES_MAX 16
#define MXG_REPORT_MIME_PARTS_MAX 64
#define MXG_REPORT_MIME_DEPTH_MAX 4
/* XML element nesting and element count, enforced while parsing. */
#define MXG_REPORT_DEPTH_MAX 12
#define MXG_REPORT_ELEMENTS_MAX 400000
/* <record> elements in one report; auth results and reasons kept per record. */
#define MXG_REPORT_RECORDS_MAX 10000
#define MXG_REPORT_AUTH_MAX 4
#define MXG_REPORT_REASONS_MAX 4
/* One record's message count (RFC 7489 types it as an integer; more than this is hostile). */
#define MXG_REPORT_COUNT_MAX 1000000000000ULL
/* Text fields: longer values are refused, not cut (comments are cut: they are free text). */
#define MXG_REPORT_TEXT_MAX 256
#define MXG_REPORT_COMMENT_MAX 128

/* Where the report came from, for messages and the JSON output. */
enum mxg_report_source {
	MXG_REPORT_FROM_XML,
	MXG_REPORT_FROM_GZIP,
	MXG_REPORT_FROM_ZIP,
	MXG_REPORT_FROM_MAIL,
};

struct mxg_report_dkim_auth {
	char domain[MXG_DNS_NAME_MAX];
	char selector[MXG_DNS_NAME_MAX];        /* "" when absent */
	char result[32];                        /* lower case as given: pass, fail, none, ... */
	char human_result[MXG_REPORT_COMMENT_MAX]; /* cut to fit */
};

struct mxg_report_spf_auth {
	char domain[MXG_DNS_NAME_MAX];
	char scope[16];                         /* "mfrom", "helo" or "" (DMARCbis has none) */
	char result[32];
};

struct mxg_report_reason {
	char type[32];                          /* forwarded, sampled_out, local_policy, ... */
	char comment[MXG_REPORT_COMMENT_MAX];  /* cut to fit */
};

struct mxg_report_record {
	struct mxg_addr source;
	char source_ip[64];                     /* as formatted by mxg_addr_format */
	uint64_t count;
	char disposition[16];                   /* none, quarantine, reject (DMARCbis: also pass) */
	char dkim_eval[8];                      /* pass, fail ("" when absent) */
	char spf_eval[8];
	size_t reason_count;
	struct mxg_report_reason reasons[MXG_REPORT_REASONS_MAX];
	char header_from[MXG_DNS_NAME_MAX];
	char envelope_from[MXG_DNS_NAME_MAX];   /* "" when absent */
	char envelope_to[MXG_DNS_NAME_MAX];
	size_t dkim_count, spf_count;
	struct mxg_report_dkim_auth dkim[MXG_REPORT_AUTH_MAX];
	struct mxg_report_spf_auth spf[MXG_REPORT_AUTH_MAX];
	size_t skipped;                         /* auth results and reasons past the limits */
};

struct mxg_report_policy {
	char domain[MXG_DNS_NAME_MAX];
	char adkim[4], aspf[4];                 /* "r" or "s" ("" when absent) */
	char p[16], sp[16], np[16];
	int pct;                                /* -1 when absent */
	char fo[32];
	char testing[4];                        /* DMARCbis t: "n" or "y" ("" when absent) */
	char discovery_method[16];              /* DMARCbis: "psl" or "treewalk" */
};

struct mxg_report {
	enum mxg_report_source source;
	int dmarcbis;                           /* the document uses the DMARCbis namespace */
	char version[16];
	char org_name[MXG_REPORT_TEXT_MAX];
	char email[MXG_REPORT_TEXT_MAX];
	char extra_contact[MXG_REPORT_TEXT_MAX];
	char report_id[MXG_REPORT_TEXT_MAX];
	int64_t begin, end;                     /* date_range, seconds since the epoch (UTC) */
	struct mxg_report_policy policy;
	size_t record_count;
	struct mxg_report_record *records;      /* owned; mxg_report_free releases */
	uint64_t message_total;                 /* the sum of the records' counts */
};

/* Reads one report from data (len bytes): a mail message, an XML document, gzip or zip data,
 * told apart by content, not by name. name (may be NULL) only words the messages. Fills *out
 * (free it with mxg_report_free, also after a failure). Returns 0, or -1 with the reason in
 * err ("gzip: output over 8388608 bytes (a decompression bomb?)", "xml: DTD refused", ...). */
int mxg_report_read(const uint8_t *data, size_t len, struct mxg_report *out, char *err,
		    size_t errlen);

/* Parses an XML document only (no unpacking): the same contract as mxg_report_read. */
int mxg_report_parse_xml(const uint8_t *xml, size_t len, struct mxg_report *out, char *err,
			 size_t errlen);

/* Releases what a report owns; the struct may be read or reused after (zeroed). */
void mxg_report_free(struct mxg_report *r);

/* Reads a whole file ("-": standard input) of at most MXG_REPORT_INPUT_MAX bytes into a heap
 * buffer *out (caller frees). Returns 0, or -1 with the reason in err. */
int mxg_report_load_file(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen);

#endif
