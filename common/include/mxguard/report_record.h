/* What a DMARC report records of one judged message: the message engine's results (message.h)
 * turned into the report store's evaluation row (report_store.h). mxguard-milter and
 * `mxguard dmarc --record` both use it, so a replayed message records the same row. */
#ifndef MXGUARD_REPORT_RECORD_H
#define MXGUARD_REPORT_RECORD_H

#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/message.h"
#include "mxguard/report_store.h"

/* Fills out from the finished message r, judged for the client at time now (client NULL:
 * unknown, recorded as ""). 0 when there is a row to record; 1 when there is none (no DMARC
 * record was found for the author domain, or the checks stopped on a local fault). */
int mxg_report_eval_from_result(const struct mxg_message_result *r, const struct mxg_addr *client,
				int64_t now, struct mxg_store_eval *out);

/* The envelope side of a row: envelope_to the domain of rcpt (the first RCPT TO, "<a@b>" or
 * "a@b", lower case; "" when rcpt is NULL or has none) and the discovery method of mode. */
void mxg_report_eval_envelope(struct mxg_store_eval *e, const char *rcpt, enum mxg_dmarc_mode mode);

#endif
