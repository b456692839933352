/* Deadlines on the monotonic clock: "this must be over in N ms", and how long is left.
 * Shared by every bounded wait of the core (the libunbound backend, the MX probe). */
#ifndef MXGUARD_DEADLINE_H
#define MXGUARD_DEADLINE_H

#include <time.h>

/* Sets *t to now + ms on CLOCK_MONOTONIC. */
void mxg_deadline_in(struct timespec *t, unsigned ms);
/* Milliseconds from now until t; negative once t has passed. */
long mxg_deadline_ms_left(const struct timespec *t);
/* 1 when a is later than b. */
int mxg_deadline_after(const struct timespec *a, const struct timespec *b);

#endif
