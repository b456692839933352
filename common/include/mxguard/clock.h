/* The monotonic clock (never the wall clock) for timeouts, deadlines, cache ages and
 * durations: one place that reads it, so every time budget counts the same way. */
#ifndef MXGUARD_CLOCK_H
#define MXGUARD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Seconds, milliseconds and microseconds since an arbitrary fixed point. */
time_t mxg_clock_s(void);
uint64_t mxg_clock_ms(void);
uint64_t mxg_clock_us(void);

/* *t = now + ms, as a CLOCK_MONOTONIC timespec (for pthread_cond_timedwait with a condattr
 * set to CLOCK_MONOTONIC). */
void mxg_clock_deadline(struct timespec *t, unsigned long ms);
/* Milliseconds from now until the deadline t; negative once it has passed. */
long long mxg_clock_ms_until(const struct timespec *t);

#endif
