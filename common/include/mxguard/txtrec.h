/* The TXT lookup that versioned records share (MTA-STS, TLS-RPT): of the TXT records at a name,
 * those starting with a version tag count, and exactly one must be there (RFC 8461 §3.1,
 * RFC 8460 §3); the others are ignored. */
#ifndef MXGUARD_TXTREC_H
#define MXGUARD_TXTREC_H

#include <stddef.h>

#include "mxguard/dns.h"

#define MXG_TXTREC_TEXT_MAX 4096 /* longest record text kept (outsize is capped to it) */

enum mxg_txtrec {
	MXG_TXTREC_NONE = 0,   /* no record of the version (NXDOMAIN, NODATA, only others) */
	MXG_TXTREC_ONE,        /* exactly one: its text is in out */
	MXG_TXTREC_MANY,       /* more than one */
	MXG_TXTREC_TOO_LONG,   /* one, longer than outsize - 1 or holding a NUL byte */
	MXG_TXTREC_TEMPFAIL,   /* the lookup failed temporarily */
};

/* Looks up TXT at name through r; a record belongs when belongs(text) is 1 (for a record too
 * long to join: when its first string starts with tag). Returns the state, with the one
 * record's text in out (NUL-terminated) for MXG_TXTREC_ONE and a reason in why for the
 * others; -1 on a local error (reason in why). */
int mxg_txtrec_find(struct mxg_resolver *r, const char *name, int (*belongs)(const char *text),
		    const char *tag, char *out, size_t outsize, char *why, size_t whylen);

/* What a lookup of a versioned record found (the MTA-STS and TLS-RPT states are these). */
enum mxg_txtrec_state {
	MXG_TXTREC_ABSENT = 0,  /* no record of the version */
	MXG_TXTREC_VALID,       /* exactly one, and parse accepted it */
	MXG_TXTREC_INVALID,     /* one that parse refused, one too long, or several */
	MXG_TXTREC_FAILED,      /* the lookup failed temporarily */
};

/* mxg_txtrec_find at prefix + domain ("_mta-sts." and the domain), then parse(text, rec, why,
 * whylen) (0 valid, -1 invalid) on the one record. Returns the state, with why saying what was
 * wrong; -1 on a local error or a name too long (why "domain name too long"). */
int mxg_txtrec_lookup(struct mxg_resolver *r, const char *prefix, const char *domain,
		      int (*belongs)(const char *text), const char *tag, int (*parse)(const char *text, void *rec, char *why, size_t whylen),
		      void *rec, char *why, size_t whylen);

/* Reads the fields of a record from p, at the ';' that ends its version field or just past the
 * version tag, to end: fields separated by ';' with white space around, empty ones skipped; with
 * wsp_ends a field also ends at white space, and only ';' may follow it (MTA-STS), else inner
 * white space stays in the field (TLS-RPT). The field named key must be there once; its value
 * goes to value(rec, v, vl, why, whylen); every other field must be an extension: name
 * (ALPHA / DIGIT) then up to 31 of ALPHA / DIGIT / "_" / "-" / ".", value
 * 1*(%x21-3A / %x3C / %x3E-7E). Returns 0, or -1 with why (value's own reason, or the field
 * that is wrong). */
int mxg_txtrec_fields(const char *p, const char *end, int wsp_ends, const char *key,
		      int (*value)(void *rec, const char *v, size_t vl, char *why, size_t whylen),
		      void *rec, char *why, size_t whylen);

#endif
