/* The gate between libmilter's worker threads and the shared runtime (resolver, key cache):
 * a callback that uses the runtime passes it, and at stop the main thread closes it and waits
 * for those inside to leave before the runtime is freed. Without it a worker still inside a
 * DNS lookup when SIGTERM arrives would use a freed resolver, or hold the stop. */
#ifndef MXGUARD_MILTER_GATE_H
#define MXGUARD_MILTER_GATE_H

/* 1 if the caller may use the runtime (then milter_gate_leave when done), 0 once closing. */
int milter_gate_enter(void);
void milter_gate_leave(void);
/* Closes the gate and waits up to timeout_ms for the callbacks inside to leave. 1 when none
 * is left (the runtime may be freed), 0 if some still are. */
int milter_gate_close(unsigned timeout_ms);

#endif
