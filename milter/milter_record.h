/* mxguard-milter's DMARC evaluation recorder: each judged message's row goes into a bounded
 * queue that a writer thread empties into the report store in batches, off the SMTP path.
 * A store that is down, slow or full never delays a message: rows are dropped and counted. */
#ifndef MXGUARD_MILTER_RECORD_H
#define MXGUARD_MILTER_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "mxguard/addr.h"
#include "mxguard/message.h"

/* Rows waiting for the writer; more are dropped. */
#define MILTER_RECORD_QUEUE_MAX 1024
/* Rows per store transaction. */
#define MILTER_RECORD_BATCH 256
/* A store that failed is tried again after this long; rows meanwhile are dropped. */
#define MILTER_RECORD_RETRY_S 5
/* Drops and store failures are logged at most this often. */
#define MILTER_RECORD_LOG_EVERY_S 60
/* Retention runs this often. */
#define MILTER_RECORD_PRUNE_EVERY_S 3600

/* Starts the writer for store spec (""; nothing is recorded) keeping keep seconds. The store
 * is opened by the writer, so a store that is down does not stop the milter from starting.
 * 0, or -1 with a reason. */
int milter_record_start(const char *spec, int64_t keep, char *err, size_t errlen);
/* Writes what is queued (one attempt) and stops the writer. */
void milter_record_stop(void);
/* Queues the row of a finished message (res may be NULL: nothing to record), with its first
 * recipient (rcpt, may be "" or NULL) and the DMARC mode it was judged under. Never blocks on
 * the store; a full queue drops the row. */
void milter_record_message(const struct mxg_message_result *res, const struct mxg_addr *client,
			   const char *rcpt, enum mxg_dmarc_mode mode);

#endif
