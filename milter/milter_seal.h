/* ARC sealing of verified mail (RFC 8617) in mxguard-milter: the sealing key read once with the
 * configuration, which messages get an ARC set, and the set itself from the engine's verdict
 * (arc_seal.h). No libmilter here: milter_callbacks.c inserts the fields. */
#ifndef MXGUARD_MILTER_SEAL_H
#define MXGUARD_MILTER_SEAL_H

#include <stddef.h>

#include "milter_session.h"
#include "mxguard/arc_seal.h"

/* Checks the arc_seal_* keys together and, when sealing is on, reads the key (its file mode and
 * size checked as for signing; never logged). 0, or -1 with the reason in err: the daemon does
 * not start, a reload keeps the running configuration. */
int milter_seal_load(struct milter_sealing *s, char *err, size_t errlen);
/* Frees the key. */
void milter_seal_release(struct milter_sealing *s);
/* 1 when the finished message m is one arc_seal asks to seal: checked completely, with our
 * Authentication-Results, delivered (accepted or quarantined), from the clients the mode names. */
int milter_seal_wanted(const struct milter_conn *c, const struct milter_msg *m);
/* The ARC set for m (see mxg_arc_seal): with the engine's A-R value and the chain it found. */
enum mxg_arc_seal_status milter_seal_make(const struct milter_conn *c, const struct milter_msg *m,
					  struct mxg_arc_set *set, char *err, size_t errlen);

#endif
