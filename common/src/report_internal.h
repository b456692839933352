/* Internal pieces of the report reader (report_read.h): the unpackers and the MIME walk that
 * find the XML in what a receiver sent. Shared by report_read.c, report_unpack.c and
 * report_mime.c only. */
#ifndef MXGUARD_REPORT_INTERNAL_H
#define MXGUARD_REPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/report_read.h"

#define MXG_STR_(x) #x
#define MXG_STR(x) MXG_STR_(x)

/* The single member of gzip data, inflated to at most MXG_REPORT_XML_MAX bytes and within
 * MXG_REPORT_RATIO_MAX. *out is a heap buffer (caller frees). 0, or -1 with the reason. */
int mxg_report_gunzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
		      size_t errlen);
/* The first .xml entry (by name; else the only entry) of a zip archive, with the same bounds.
 * 0, or -1 with the reason. */
int mxg_report_unzip(const uint8_t *in, size_t len, uint8_t **out, size_t *outlen, char *err,
		     size_t errlen);
/* The report attachment of a mail message (a part whose type or file name says XML, gzip or
 * zip), its transfer encoding undone. *out is a heap buffer. 0, or -1 with the reason. */
int mxg_report_mime_find(const uint8_t *msg, size_t len, uint8_t **out, size_t *outlen, char *err,
			 size_t errlen);

#endif
