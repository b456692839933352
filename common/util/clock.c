/* The monotonic clock (see clock.h). */
#include "mxguard/clock.h"

static struct timespec now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

time_t mxg_clock_s(void)
{
	return now().tv_sec;
}

uint64_t mxg_clock_ms(void)
{
	struct timespec ts = now();

	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t mxg_clock_us(void)
{
	struct timespec ts = now();

	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void mxg_clock_deadline(struct timespec *t, unsigned long ms)
{
	*t = now();
	t->tv_sec += (time_t)(ms / 1000);
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

long long mxg_clock_ms_until(const struct timespec *t)
{
	struct timespec n = now();

	return (long long)(t->tv_sec - n.tv_sec) * 1000 + (t->tv_nsec - n.tv_nsec) / 1000000;
}
