/* Conversion of Unbound's reply structures into the core's MX input: the MX RRset of an answer,
 * and each target's A/AAAA sub-query result. Reads structs only, calls no Unbound function. */
#ifndef MODULE_CONVERT_H
#define MODULE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/mx.h"

struct reply_info;
struct ub_packed_rrset_key;

/* Longest wire-format name (RFC 1035 §2.3.4). */
#define MODULE_WIRE_NAME_MAX 255

/* Length of the wire name at p within len bytes (labels <= 63, total <= 255, no pointers),
 * or 0 when malformed. */
size_t module_wire_name_len(const uint8_t *p, size_t len);

/* Presentation form of a wire name without the final dot ("" for the root); '.' and '\'
 * inside labels and non-printable bytes are escaped. Returns 0, or -1 if malformed or too long. */
int module_wire_name_text(const uint8_t *wire, size_t len, char *out, size_t outlen);

/* Position of the last MX RRset in the answer section (after any CNAME chain), or -1. */
int module_mx_rrset_index(const struct reply_info *rep);

/* Fills in from an answer to an MX query for qname (wire form): domain, rcode, security, TTL and
 * up to cap targets (cap <= MXG_MX_MAX_TARGETS), in RRset order. wire_targets[i] points into the
 * rdata of record i. Returns 1 when there are MX records to check, 0 when the answer is not
 * one (error rcode, NODATA), -1 when the data is malformed (reason in err). */
int module_convert_answer(const uint8_t *qname, size_t qname_len, const struct reply_info *rep,
			  unsigned cap, struct mxg_mx_input *in, const uint8_t **wire_targets,
			  char *err, size_t errlen);

/* Merges the result of one A or AAAA lookup of a target into t. return_rcode is the sub-query's
 * error rcode (LDNS_RCODE_*; NOERROR when rep holds the answer), rep may be NULL. */
void module_convert_target(struct mxg_mx_target *t, uint16_t qtype, int return_rcode,
			   const struct reply_info *rep, const uint8_t *qname, size_t qname_len);

/* 1 if the RRset carries RRSIGs or was validated secure: it must then not be modified. */
int module_rrset_is_signed(const struct ub_packed_rrset_key *rrset, const struct reply_info *rep);

#endif
