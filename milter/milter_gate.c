/* milter_gate.h: a count of callbacks inside and a closed flag, both sequentially consistent,
 * so that a worker that saw the gate open is counted before the closer reads the count. */
#include <stdatomic.h>
#include <time.h>

#include "milter_gate.h"

static atomic_int inside;
static atomic_int closed;

int milter_gate_enter(void)
{
	atomic_fetch_add(&inside, 1);
	if (atomic_load(&closed)) {
		atomic_fetch_sub(&inside, 1);
		return 0;
	}
	return 1;
}

void milter_gate_leave(void)
{
	atomic_fetch_sub(&inside, 1);
}

int milter_gate_close(unsigned timeout_ms)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };

	atomic_store(&closed, 1);
	for (unsigned waited = 0; atomic_load(&inside) > 0; waited += 10) {
		if (waited >= timeout_ms)
			return 0;
		nanosleep(&tick, NULL);
	}
	return 1;
}
